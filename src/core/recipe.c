#include "aim/recipe.h"

#include <stddef.h>

const struct aim_recipe_config *aim_recipe_config_for(const struct aim_recipe *recipe,
                                                      int gpu_count)
{
    for (int i = 0; i < recipe->config_count; i++) {
        if (recipe->configs[i].gpu_count == gpu_count)
            return &recipe->configs[i];
    }
    return NULL;
}
