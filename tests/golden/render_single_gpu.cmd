render
Qwen/Qwen3-8B
--gpu
MI300X
--gpus
1
