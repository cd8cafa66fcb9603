validate
-f
../data/manifests/isvc-qwen3.yaml
-o
yaml
