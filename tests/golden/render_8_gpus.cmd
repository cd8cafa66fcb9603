render
meta-llama/Llama-3.1-405B-Instruct
--gpu
MI300X
--gpus
8
