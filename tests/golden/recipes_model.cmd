recipes
Qwen/Qwen3-32B
