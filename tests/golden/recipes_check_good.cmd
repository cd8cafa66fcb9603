recipes
check
../../catalog/recipes/qwen--qwen3-32b
