render
deepseek-ai/DeepSeek-R1
--gpu
MI355X
--backend
sglang
