validate
-f
../data/manifests/broken/alias.yaml
-f
../data/manifests/broken/no-kind.yaml
