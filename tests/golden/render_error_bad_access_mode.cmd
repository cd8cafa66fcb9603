render
Qwen/Qwen3-32B
--pvc-access-mode
Shared
--gpu
MI300X
