#include "inventory_files.h"

#include <stdlib.h>
#include <string.h>

#include "aim/manifest.h"
#include "catalog_files.h"
#include "inventory_source.h"

bool aim_cli_inventory_source_given(const struct aim_cli_inventory_source *source)
{
    return source->nodes_path != NULL || source->pods_path != NULL ||
           source->kubeconfig != NULL || source->context != NULL || source->in_cluster;
}

static const char *kind_of(const json_t *object)
{
    const char *kind = json_string_value(json_object_get(object, "kind"));

    return kind != NULL ? kind : "";
}

/* Adds the nodes of one object (a Node, a NodeList, or a List's Nodes) to
   nodes, as borrowed references; pods are counted elsewhere. */
static enum aim_status collect_nodes(json_t *object, const char *path, json_t *nodes,
                                     json_t *pods, struct aim_error *err)
{
    const char *kind = kind_of(object);
    json_t *items = json_object_get(object, "items");
    size_t index;
    json_t *item;

    if (strcmp(kind, "Node") == 0)
        return json_array_append(nodes, object) == 0
                   ? AIM_OK
                   : aim_error_set(err, AIM_E_NOMEM, "%s: out of memory", path);
    if (strcmp(kind, "Pod") == 0)
        return pods == NULL || json_array_append(pods, object) == 0
                   ? AIM_OK
                   : aim_error_set(err, AIM_E_NOMEM, "%s: out of memory", path);
    if (!json_is_array(items))
        return aim_error_set(err, AIM_E_INPUT,
                             "%s: expected a NodeList, a PodList or a List of them, got %s", path,
                             kind[0] ? kind : "an object without a kind");
    json_array_foreach(items, index, item) {
        const char *item_kind = kind_of(item);
        int failed = 0;

        /* Items of a NodeList or PodList from the API carry no kind. */
        if (strcmp(kind, "NodeList") == 0 || strcmp(item_kind, "Node") == 0)
            failed = json_array_append(nodes, item);
        else if (pods != NULL && (strcmp(kind, "PodList") == 0 || strcmp(item_kind, "Pod") == 0))
            failed = json_array_append(pods, item);
        if (failed)
            return aim_error_set(err, AIM_E_NOMEM, "%s: out of memory", path);
    }
    return AIM_OK;
}

/*
 * JSON: the pods are streamed, never held as a tree (a large cluster's pod
 * list is the biggest input aimctl reads); the nodes, when the file has any,
 * are read as a tree.
 */
static bool is_list_kind(const char *kind)
{
    return strcmp(kind, "List") == 0 || strcmp(kind, "PodList") == 0 ||
           strcmp(kind, "NodeList") == 0;
}

static enum aim_status read_json(const char *path, const char *text, size_t length,
                                 json_t *nodes, struct aim_pod_usages *usages,
                                 struct aim_error *err)
{
    size_t others = usages->other_items;
    size_t pods_before = usages->count;
    json_error_t json_error;
    json_t *root, *pods = NULL;
    bool list;
    enum aim_status status = aim_pod_usages_from_json(text, length, path, usages, err);

    if (status != AIM_OK)
        return status;
    list = is_list_kind(usages->list_kind);
    if (list && usages->other_items == others && strcmp(usages->list_kind, "NodeList") != 0)
        return AIM_OK;

    /* Nodes, and any single object (a Pod, a Node), are read as a tree. */
    root = json_loadb(text, length, 0, &json_error);
    if (root == NULL)
        return aim_error_set(err, AIM_E_INPUT, "%s:%d: %s", path, json_error.line,
                             json_error.text);
    if (!list) {
        usages->count = pods_before;
        pods = json_array();
    }
    status = collect_nodes(root, path, nodes, pods, err);
    if (status == AIM_OK && pods != NULL)
        status = aim_pod_usages_from_items(pods, path, usages, err);
    json_decref(pods);
    json_decref(root);
    return status;
}

static enum aim_status read_yaml(const char *path, const char *text, size_t length,
                                 json_t *nodes, struct aim_pod_usages *usages,
                                 struct aim_error *err)
{
    struct aim_manifest manifest = {0};
    json_t *pods = json_array();
    enum aim_status status = aim_manifest_parse(path, text, length, &manifest, err);

    for (size_t i = 0; status == AIM_OK && i < manifest.count; i++)
        status = collect_nodes(manifest.objects[i].object, path, nodes, pods, err);
    if (status == AIM_OK)
        status = aim_pod_usages_from_items(pods, path, usages, err);

    /* nodes holds its own references: they outlive the manifest. */
    json_decref(pods);
    aim_manifest_free(&manifest);
    return status;
}

static enum aim_status read_file(const char *path, json_t *nodes, struct aim_pod_usages *usages,
                                 struct aim_error *err)
{
    char *text = NULL;
    size_t length = 0;
    enum aim_status status = aim_cli_read_file(path, AIM_CLI_INVENTORY_FILE_MAX, &text, &length,
                                               err);

    if (status != AIM_OK)
        return status;
    if (length > 0 && text[strspn(text, " \t\r\n")] == '{')
        status = read_json(path, text, length, nodes, usages, err);
    else
        status = read_yaml(path, text, length, nodes, usages, err);
    free(text);
    return status;
}

/* Each file's nodes are added under its own name, so errors point into it;
   the pods of every file are taken once all nodes are known. */
static enum aim_status load_files(const aim_catalog *catalog,
                                  const struct aim_cli_inventory_source *source,
                                  aim_inventory *inventory, struct aim_error *err)
{
    const char *paths[] = {source->nodes_path, source->pods_path};
    struct aim_pod_usages usages = {0};
    enum aim_status status = AIM_OK;

    for (int i = 0; i < 2 && status == AIM_OK; i++) {
        json_t *nodes = json_array();

        if (paths[i] != NULL)
            status = read_file(paths[i], nodes, &usages, err);
        if (status == AIM_OK && json_array_size(nodes) > 0)
            status = aim_inventory_add_nodes(inventory, catalog, nodes, paths[i], err);
        json_decref(nodes);
    }
    if (status == AIM_OK && aim_inventory_node_count(inventory) == 0)
        status = aim_error_set(err, AIM_E_INPUT, "%s: no nodes found", source->nodes_path);
    if (status == AIM_OK)
        aim_inventory_apply_pods(inventory, &usages);
    aim_pod_usages_free(&usages);
    return status;
}

static enum aim_status load_live(const aim_catalog *catalog,
                                 const struct aim_cli_inventory_source *source,
                                 aim_inventory *inventory, struct aim_error *err)
{
    struct aim_cli_kube_config *config = NULL;
    struct aim_pod_usages usages = {0};
    json_t *nodes = NULL;
    enum aim_status status = aim_cli_cluster_config(source->kubeconfig, source->context,
                                                    source->in_cluster, &config, err);

    if (status == AIM_OK)
        status = aim_cli_kube_list(config, AIM_CLI_NODES_PATH, &nodes, err);
    if (status == AIM_OK)
        status = aim_cli_fetch_pod_usages(config, &usages, err);
    if (status == AIM_OK)
        status = aim_inventory_add_nodes(inventory, catalog, nodes, "the cluster's NodeList",
                                         err);
    if (status == AIM_OK)
        aim_inventory_apply_pods(inventory, &usages);
    aim_pod_usages_free(&usages);
    json_decref(nodes);
    aim_cli_kube_config_free(&config);
    return status;
}

enum aim_status aim_cli_load_inventory(const aim_catalog *catalog,
                                       const struct aim_cli_inventory_source *source,
                                       aim_inventory **out, struct aim_error *err)
{
    aim_inventory *inventory = aim_inventory_new();
    enum aim_status status;

    if (inventory == NULL)
        return aim_error_set(err, AIM_E_NOMEM, "out of memory");
    if (source->nodes_path != NULL || source->pods_path != NULL)
        status = load_files(catalog, source, inventory, err);
    else
        status = load_live(catalog, source, inventory, err);
    if (status != AIM_OK) {
        aim_inventory_free(&inventory);
        return status;
    }
    *out = inventory;
    return AIM_OK;
}
