plan
-f
../data/fleets/small.yaml
--gpu
MI355X
--node-count
2
--render
