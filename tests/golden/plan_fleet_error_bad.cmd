plan
-f
../data/fleets/bad.yaml
--gpu
MI300X
