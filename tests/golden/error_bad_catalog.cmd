models
--catalog
../data/recipes-bad
