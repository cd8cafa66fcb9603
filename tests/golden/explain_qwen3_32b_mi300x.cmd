explain
Qwen/Qwen3-32B
--gpu
MI300X
--gpus
8
