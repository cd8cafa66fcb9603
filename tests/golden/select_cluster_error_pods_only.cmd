select
Qwen/Qwen3-32B
--pods
../data/clusters/amd-pods.json
