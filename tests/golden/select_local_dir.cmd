select
../data/models/llama-3.1-8b
--gpu
MI300X
--gpus
2
