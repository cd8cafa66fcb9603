/*
 * Fuzz target for cluster inventories: the input is split at its first NUL
 * byte into a NodeList (JSON, read as a tree as the CLI does) and a PodList
 * (JSON, streamed). Whatever the input, the inventory must hold only
 * eligible nodes with a known GPU type, free counts within their totals,
 * and every error must name its source.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aim/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static aim_catalog *catalog;

static void check_nodes(const aim_inventory *inventory)
{
    for (size_t n = 0; n < aim_inventory_node_count(inventory); n++) {
        const struct aim_node *node = aim_inventory_node_at(inventory, n);

        if (node->gpus_free < 0 || node->gpus_free > node->gpus_total ||
            (node->eligible && node->gpu == NULL) ||
            aim_inventory_find_node(inventory, node->name) == NULL)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *split = memchr(data, 0, size);
    size_t node_length = split != NULL ? (size_t)(split - text) : size;
    struct aim_pod_usages usages = {0};
    struct aim_error err;
    aim_inventory *inventory;
    json_t *nodes;

    if (catalog == NULL) {
        catalog = aim_catalog_new();
        if (catalog == NULL || aim_catalog_add_embedded(catalog, NULL) != AIM_OK)
            abort();
    }
    inventory = aim_inventory_new();
    nodes = json_loadb(text, node_length, 0, NULL);
    if (nodes != NULL &&
        aim_inventory_add_nodes(inventory, catalog, json_object_get(nodes, "items"), "nodes",
                                &err) != AIM_OK &&
        strncmp(err.message, "nodes", 5) != 0)
        abort();
    if (split != NULL) {
        if (aim_pod_usages_from_json(split + 1, size - node_length - 1, "pods", &usages,
                                     &err) == AIM_OK)
            aim_inventory_apply_pods(inventory, &usages);
        else if (strncmp(err.message, "pods", 4) != 0)
            abort();
    }
    check_nodes(inventory);
    aim_pod_usages_free(&usages);
    json_decref(nodes);
    aim_inventory_free(&inventory);
    return 0;
}
