select
Qwen/Qwen3-32B
--gpu-type
MI300X
