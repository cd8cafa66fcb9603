/*
 * libFuzzer target: one catalog document of any kind, added to a catalog
 * that already holds a GPU and a model. Beyond the sanitizers it checks the
 * reader's promises: a failed add leaves the catalog as it was and says
 * where, and whatever loads can be looked up again.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aim/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base[] =
    "kind: gpus\n"
    "gpus:\n"
    "  - {name: MI300X, aliases: [MI300X-OAM], vendor: amd, arch: gfx942,\n"
    "     memory_gib: 191.98, bandwidth_tbps: 5.3, pci_ids: [\"74a1\"],\n"
    "     peak_tflops: {bf16: 1307, fp16: 1307, fp8: 2615},\n"
    "     native: [bf16, fp16, fp8], emulated: [fp4]}\n";

#define CHECK(condition)                                                                \
    do {                                                                                \
        if (!(condition))                                                               \
            __builtin_trap();                                                           \
    } while (0)

/* Every loaded entry is found again by its own key. */
static void look_up_everything(const aim_catalog *catalog)
{
    const char *names[4];

    for (size_t i = 0; i < aim_catalog_gpu_count(catalog); i++) {
        const struct aim_gpu *gpu = aim_catalog_gpu_at(catalog, i);

        CHECK(aim_catalog_find_gpu(catalog, gpu->name) != NULL);
        aim_catalog_suggest(catalog, "gpu", gpu->name, names, 4);
    }
    for (size_t i = 0; i < aim_catalog_model_count(catalog); i++) {
        const struct aim_model *model = aim_catalog_model_at(catalog, i);

        CHECK(aim_catalog_find_model(catalog, model->id) == model);
        aim_catalog_suggest(catalog, "model", model->id, names, 4);
        for (int p = 0; p < AIM_PRECISION_COUNT; p++)
            aim_model_checkpoint_for(model, (enum aim_precision)p);
    }
    for (size_t i = 0; i < aim_catalog_recipe_count(catalog); i++) {
        const struct aim_recipe *recipe = aim_catalog_recipe_at(catalog, i);

        CHECK(aim_catalog_find_recipe(catalog, recipe->model_id, recipe->gpu,
                                      recipe->precision, recipe->backend) != NULL);
        CHECK(aim_recipe_config_for(recipe, recipe->configs[0].gpu_count) != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aim_catalog *catalog = aim_catalog_new();
    struct aim_error err;
    struct aim_gpu before;
    enum aim_status status;

    if (catalog == NULL)
        return 0;
    CHECK(aim_catalog_add_document(catalog, "base.yaml", base, sizeof base - 1, &err) ==
          AIM_OK);
    before = *aim_catalog_gpu_at(catalog, 0);

    memset(&err, 0, sizeof err);
    status = aim_catalog_add_document(catalog, "fuzz.yaml", (const char *)data, size, &err);
    if (status == AIM_OK) {
        look_up_everything(catalog);
    } else {
        CHECK(status == AIM_E_INPUT || status == AIM_E_NOMEM);
        CHECK(strncmp(err.message, "fuzz.yaml:", 10) == 0);
        CHECK(aim_catalog_gpu_count(catalog) == 1 && aim_catalog_model_count(catalog) == 0 &&
              aim_catalog_recipe_count(catalog) == 0);
        CHECK(memcmp(aim_catalog_gpu_at(catalog, 0), &before, sizeof before) == 0);
    }
    aim_catalog_free(&catalog);
    return 0;
}
