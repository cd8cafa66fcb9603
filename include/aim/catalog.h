/*
 * The catalog: GPU types, models, recipes, engines and calibration.
 *
 * A catalog starts empty; aim_catalog_add_embedded() loads the documents
 * compiled into the binary and aim_catalog_add_document() adds one YAML
 * document handed over by the caller (the library reads no files). A
 * document's top-level `kind` says what it holds: gpus, models, recipe,
 * engines or calibration. An entry with the key of an earlier one (GPU name,
 * model id, recipe id, engine name) replaces it, so a user's --catalog DIR
 * overrides the defaults.
 *
 * Ownership: the catalog owns everything it returns; pointers stay valid
 * until the next add or the catalog is freed. aim_catalog_free() takes the
 * address of the handle and sets it to NULL.
 */
#ifndef AIM_CATALOG_H
#define AIM_CATALOG_H

#include <stddef.h>

#include "aim/calibration.h"
#include "aim/engine.h"
#include "aim/error.h"
#include "aim/gpu.h"
#include "aim/model.h"
#include "aim/recipe.h"

typedef struct aim_catalog aim_catalog;

/* A new empty catalog with default calibration, or NULL when out of memory. */
aim_catalog *aim_catalog_new(void);
void aim_catalog_free(aim_catalog **catalog);

/* Loads every embedded document. */
enum aim_status aim_catalog_add_embedded(aim_catalog *catalog, struct aim_error *err);

/*
 * The same in two steps, so a caller planning one model parses only that
 * model's recipes: the embedded GPUs, models, engines and calibration, then
 * later the embedded recipes of one model (all when model_id is NULL).
 * Recipes added in the second step never replace one the catalog already
 * holds, so documents added in between keep overriding the defaults.
 */
enum aim_status aim_catalog_add_embedded_base(aim_catalog *catalog, struct aim_error *err);
enum aim_status aim_catalog_add_embedded_recipes(aim_catalog *catalog, const char *model_id,
                                                 struct aim_error *err);

/*
 * Parses one YAML document and adds what it holds. source_name (a path)
 * is used in error messages and recorded as each entry's source. Errors
 * name the source, the line and the field: "recipes/x.yaml:12: configs[1].gpus:
 * expected one of 1, 2, 4, 8". On error the catalog is unchanged.
 */
enum aim_status aim_catalog_add_document(aim_catalog *catalog, const char *source_name,
                                         const char *text, size_t length,
                                         struct aim_error *err);

size_t aim_catalog_gpu_count(const aim_catalog *catalog);
const struct aim_gpu *aim_catalog_gpu_at(const aim_catalog *catalog, size_t index);
/* By name or alias, ignoring case and '-', '_', ' ' ("mi300x", "H100-SXM"). */
const struct aim_gpu *aim_catalog_find_gpu(const aim_catalog *catalog, const char *name);
const struct aim_gpu *aim_catalog_find_gpu_by_pci(const aim_catalog *catalog,
                                                  enum aim_vendor vendor,
                                                  unsigned pci_device_id);

size_t aim_catalog_model_count(const aim_catalog *catalog);
const struct aim_model *aim_catalog_model_at(const aim_catalog *catalog, size_t index);
/*
 * By Hugging Face id, ignoring case; a name without the organisation
 * ("Qwen3-32B") matches when exactly one model has it. A variant checkpoint
 * id (Qwen/Qwen3-32B-FP8) finds its model.
 */
const struct aim_model *aim_catalog_find_model(const aim_catalog *catalog, const char *id);

/*
 * Up to max known names closest to name (edit distance), best first, for
 * "did you mean" messages. kind is "model" or "gpu". Returns how many.
 */
size_t aim_catalog_suggest(const aim_catalog *catalog, const char *kind, const char *name,
                           const char **out, size_t max);

size_t aim_catalog_recipe_count(const aim_catalog *catalog);
const struct aim_recipe *aim_catalog_recipe_at(const aim_catalog *catalog, size_t index);
/* The authored recipe for the exact combination, or NULL. */
const struct aim_recipe *aim_catalog_find_recipe(const aim_catalog *catalog,
                                                 const char *model_id, const char *gpu,
                                                 enum aim_precision precision,
                                                 enum aim_backend backend);

/* Always non-NULL once the embedded documents are loaded. */
const struct aim_engine *aim_catalog_engine(const aim_catalog *catalog,
                                            enum aim_backend backend);
const struct aim_calibration *aim_catalog_calibration(const aim_catalog *catalog);

#endif
