render
Qwen/Qwen3-32B
--memory-per-gpu
lots
