validate
-f
../data/manifests/broken/not-yaml.txt
