render
Qwen/Qwen3-32B
--gpu
MI300X
--gpus
4
-o
helm-values
