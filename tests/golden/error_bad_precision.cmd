select
Qwen/Qwen3-32B
--gpu
MI300X
--precision
int3
