recipes
