select
Qwen/Qwen3-8B
--nodes
../data/clusters/mixed.json
-o
json
