render
Qwen/Qwen3-32B
-o
toml
