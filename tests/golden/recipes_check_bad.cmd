recipes
check
../data/recipes-bad
