inventory
--nodes
../data/clusters/nvidia-nodes.yaml
--pods
../data/clusters/nvidia-pods.json
