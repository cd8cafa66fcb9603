validate
-f
../data/manifests/pods-list.json
--gpu
MI300X
