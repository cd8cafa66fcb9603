select
Qwen/Qwen3-32B
--gpu
MI301X
