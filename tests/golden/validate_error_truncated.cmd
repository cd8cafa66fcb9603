validate
-f
../data/manifests/broken/truncated.yaml
