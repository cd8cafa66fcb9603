select
Qwen/Qwen3-32B
--docker
