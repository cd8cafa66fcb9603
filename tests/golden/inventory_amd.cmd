inventory
--nodes
../data/clusters/amd-nodes.json
--pods
../data/clusters/amd-pods.json
