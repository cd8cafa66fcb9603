/*
 * Machine-readable views of plans and the catalog as jansson values, and a
 * YAML emitter for any jansson value. The JSON shape is the contract the
 * README documents; keys are snake_case.
 *
 * Ownership: every json_t returned is a new reference the caller releases
 * with json_decref(). aim_json_to_yaml() returns a malloc'd string the
 * caller frees.
 */
#ifndef AIM_OUTPUT_H
#define AIM_OUTPUT_H

#include <jansson.h>

#include "aim/catalog.h"
#include "aim/fleet.h"
#include "aim/inventory.h"
#include "aim/placement.h"
#include "aim/select.h"

json_t *aim_plan_to_json(const aim_catalog *catalog, const struct aim_plan *plan);
json_t *aim_gpu_to_json(const struct aim_gpu *gpu);
json_t *aim_model_to_json(const struct aim_model *model);
json_t *aim_recipe_to_json(const struct aim_recipe *recipe);

/* Nodes with their GPU type, free GPUs, CPU and memory, and exclusions. */
json_t *aim_inventory_to_json(const aim_inventory *inventory);

/* Each GPU type's outcome, the chosen one, and the nodes it goes on. */
json_t *aim_placement_to_json(const struct aim_placement *placement,
                              const aim_inventory *inventory);

/* Where every replica went or why not, and what each node has left. */
json_t *aim_fleet_to_json(const struct aim_fleet *fleet);

/* Block-style YAML for a JSON value; NULL when out of memory. */
char *aim_json_to_yaml(const json_t *value);

/* A multi-document YAML stream ("---" before each) of an array's items. */
char *aim_json_documents_to_yaml(const json_t *array);

#endif
