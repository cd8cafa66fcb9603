validate
-f
../data/manifests/broken/truncated.json
