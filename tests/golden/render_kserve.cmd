render
Qwen/Qwen3-32B
--gpu
MI325X
--gpus
2
--kserve
--monitoring
