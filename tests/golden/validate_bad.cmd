validate
-f
../data/manifests/bad-llama-70b.yaml
