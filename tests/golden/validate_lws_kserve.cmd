validate
-f
../data/manifests/lws-405b.yaml
-f
../data/manifests/isvc-qwen3.yaml
