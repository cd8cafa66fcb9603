validate
-f
../data/manifests/broken/scalar.yaml
-f
../data/manifests/good-llama-70b.yaml
