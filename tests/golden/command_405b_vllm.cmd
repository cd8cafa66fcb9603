command
meta-llama/Llama-3.1-405B-Instruct
--gpu
MI300X
