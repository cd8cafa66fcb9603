inventory
--nodes
../data/clusters/mixed.json
-o
json
