select
Qwen3-32
--gpu
MI300X
