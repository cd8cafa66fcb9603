recipes
--help
