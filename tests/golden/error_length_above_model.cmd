select
Qwen/Qwen3-32B
--gpu
MI300X
--max-model-len
100000
