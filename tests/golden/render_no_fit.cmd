render
meta-llama/Llama-3.1-405B-Instruct
--gpu
H100
--precision
bf16
