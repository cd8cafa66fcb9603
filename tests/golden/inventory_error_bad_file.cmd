inventory
--nodes
../data/recipes-bad/three-gpus.yaml
