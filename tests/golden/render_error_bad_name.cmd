render
Qwen/Qwen3-32B
--name
Qwen_3
--gpu
MI300X
