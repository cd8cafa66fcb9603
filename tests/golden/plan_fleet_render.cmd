plan
-f
../data/fleets/small.yaml
--nodes
../data/clusters/amd-nodes.json
--pods
../data/clusters/amd-pods.json
--render
