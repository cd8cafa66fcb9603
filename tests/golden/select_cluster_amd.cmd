select
Qwen/Qwen3-32B
--nodes
../data/clusters/amd-nodes.json
--pods
../data/clusters/amd-pods.json
