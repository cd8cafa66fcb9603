select
Qwen/Qwen3-32B
--nodes
../data/clusters/amd-nodes.json
--gpus
4
