validate
-f
../data/manifests/missing.yaml
