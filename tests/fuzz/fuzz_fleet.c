/*
 * Fuzz target for fleet documents: YAML or JSON read by the manifest
 * reader, parsed as a Fleet and packed onto two nodes of 8 MI300X. Every
 * error must name the source; every placed replica must use GPUs a node
 * had free.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aim/fleet.h"
#include "aim/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static aim_catalog *catalog;
static aim_inventory *inventory;

static void setup(void)
{
    catalog = aim_catalog_new();
    inventory = aim_inventory_new();
    if (catalog == NULL || inventory == NULL ||
        aim_catalog_add_embedded(catalog, NULL) != AIM_OK ||
        aim_inventory_add_flag_node(inventory, aim_catalog_find_gpu(catalog, "MI300X"), 8,
                                    NULL) != AIM_OK ||
        aim_inventory_add_flag_node(inventory, aim_catalog_find_gpu(catalog, "MI300X"), 8,
                                    NULL) != AIM_OK)
        abort();
}

static void check_left(const struct aim_fleet *fleet)
{
    for (size_t n = 0; n < aim_inventory_node_count(fleet->left); n++) {
        if (aim_inventory_node_at(fleet->left, n)->gpus_free < 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct aim_manifest manifest = {0};
    struct aim_fleet fleet = {0};
    struct aim_error err;
    enum aim_status status;

    if (catalog == NULL)
        setup();
    if (aim_manifest_parse("fleet.yaml", (const char *)data, size, &manifest, &err) != AIM_OK ||
        manifest.count == 0)
        goto out;

    /* Keep runs short: a fuzzed fleet may ask for thousands of replicas. */
    status = aim_fleet_parse(catalog, manifest.objects[0].object, "fleet.yaml", &fleet, &err);
    if (status != AIM_OK) {
        if (strncmp(err.message, "fleet.yaml", 10) != 0)
            abort();
        goto out;
    }
    for (size_t i = 0; i < fleet.count; i++) {
        if (fleet.deployments[i].replicas > 4)
            fleet.deployments[i].replicas = 4;
    }
    status = aim_fleet_pack(catalog, inventory, &fleet, &err);
    if (status != AIM_OK && status != AIM_E_NO_FIT)
        abort();
    check_left(&fleet);
out:
    aim_fleet_free(&fleet);
    aim_manifest_free(&manifest);
    return 0;
}
