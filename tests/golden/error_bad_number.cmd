select
Qwen/Qwen3-32B
--gpus
eight
