select
meta-llama/Llama-3.1-405B-Instruct
--nodes
../data/clusters/nvidia-nodes.yaml
--precision
bf16
--allow-multi-node
