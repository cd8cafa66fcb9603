explain
openai/gpt-oss-20b
--gpu
MI250X
--gpus
8
