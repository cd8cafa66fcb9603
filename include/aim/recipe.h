/*
 * Recipes: how one model is served on one GPU type at one precision with
 * one engine, with a config per GPU count. Authored recipes come from
 * catalog documents of kind "recipe"; the selector derives one for any
 * pair that has none (see select.h).
 */
#ifndef AIM_RECIPE_H
#define AIM_RECIPE_H

#include <stdbool.h>

#include "aim/model.h"
#include "aim/settings.h"
#include "aim/types.h"

#define AIM_RECIPE_CONFIGS_MAX 6
#define AIM_RECIPE_ID_MAX 96

struct aim_recipe_config {
    int gpu_count;
    bool enabled;
    char disabled_reason[160];      /* why a config is disabled, if said */
    enum aim_maturity maturity;     /* defaults to the recipe's */
    struct aim_settings args;       /* snake_case engine arguments */
    struct aim_settings env;
    int line;                       /* line in the recipe file */
};

struct aim_recipe {
    char id[AIM_RECIPE_ID_MAX];
    char model_id[AIM_MODEL_ID_MAX];
    char gpu[24];
    enum aim_precision precision;
    enum aim_backend backend;
    enum aim_maturity maturity;
    char checkpoint[AIM_MODEL_ID_MAX]; /* served weights; empty: by precision */
    char description[160];
    struct aim_settings args;       /* shared by every config */
    struct aim_settings env;
    struct aim_recipe_config configs[AIM_RECIPE_CONFIGS_MAX];
    int config_count;
    char source[256];               /* file the recipe came from */
};

/* The config for a GPU count, or NULL when the recipe has none. */
const struct aim_recipe_config *aim_recipe_config_for(const struct aim_recipe *recipe,
                                                      int gpu_count);

#endif
