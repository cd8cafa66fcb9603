validate
-f
../data/manifests/good-llama-70b.yaml
--gpu
MI301X
