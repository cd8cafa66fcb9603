select
meta-llama/Llama-3.1-405B-Instruct
--gpu
MI300X
--gpus
8
-o
json
