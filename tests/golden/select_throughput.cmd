select
meta-llama/Llama-3.1-70B-Instruct
--gpu
MI325X
--objective
throughput
--concurrency
32
