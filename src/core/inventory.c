#include "aim/inventory.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A cluster larger than this is not one aimctl is meant to read at once. */
#define NODES_MAX 100000

struct name_entry {
    const char *name;
    size_t index;
};

struct aim_inventory {
    struct aim_node *nodes;
    size_t count;
    size_t capacity;
    struct name_entry *by_name; /* nodes sorted by name, for pods */
    size_t indexed;         /* how many nodes by_name covers; 0 after a change */
};

static enum aim_status reindex(aim_inventory *inventory, size_t first, const char *source,
                               struct aim_error *err);

aim_inventory *aim_inventory_new(void)
{
    return calloc(1, sizeof(aim_inventory));
}

void aim_inventory_free(aim_inventory **inventory)
{
    if (inventory == NULL || *inventory == NULL)
        return;
    free((*inventory)->nodes);
    free((*inventory)->by_name);
    free(*inventory);
    *inventory = NULL;
}

size_t aim_inventory_node_count(const aim_inventory *inventory)
{
    return inventory->count;
}

const struct aim_node *aim_inventory_node_at(const aim_inventory *inventory, size_t index)
{
    return index < inventory->count ? &inventory->nodes[index] : NULL;
}

struct aim_node *aim_inventory_node_mut(aim_inventory *inventory, size_t index)
{
    return index < inventory->count ? &inventory->nodes[index] : NULL;
}

aim_inventory *aim_inventory_copy(const aim_inventory *inventory)
{
    aim_inventory *copy = aim_inventory_new();

    if (copy == NULL)
        return NULL;
    copy->nodes = malloc((inventory->count ? inventory->count : 1) * sizeof *copy->nodes);
    if (copy->nodes == NULL) {
        free(copy);
        return NULL;
    }
    memcpy(copy->nodes, inventory->nodes, inventory->count * sizeof *copy->nodes);
    copy->count = copy->capacity = inventory->count;
    if (reindex(copy, copy->count, "copy", NULL) != AIM_OK)
        aim_inventory_free(&copy);
    return copy;
}

/* ---- quantities ------------------------------------------------------ */

static const struct {
    const char *suffix;
    double factor;
} quantity_suffixes[] = {
    {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
    {"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0}, {"n", 1e-9}, {"u", 1e-6},
    {"m", 1e-3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18},
    {"", 1.0},
};

bool aim_parse_quantity(const char *text, double *out)
{
    char *end;
    double value;

    /* strtod alone would also take hex, "inf" and signs, which are not
       quantities. */
    if (text == NULL || !(isdigit((unsigned char)text[0]) || text[0] == '.') ||
        strpbrk(text, "xXpP") != NULL)
        return false;
    value = strtod(text, &end);
    if (end == text || !isfinite(value))
        return false;
    for (size_t i = 0; i < sizeof quantity_suffixes / sizeof quantity_suffixes[0]; i++) {
        if (strcmp(end, quantity_suffixes[i].suffix) == 0) {
            *out = value * quantity_suffixes[i].factor;
            return isfinite(*out);
        }
    }
    return false;
}

/* ---- reading objects --------------------------------------------------- */

static const char *string_member(const json_t *object, const char *key)
{
    return json_string_value(json_object_get(object, key));
}

static const json_t *path_get(const json_t *object, const char *first, const char *second)
{
    const json_t *value = json_object_get(object, first);

    return second != NULL ? json_object_get(value, second) : value;
}

/* A quantity member of a resource map; absent counts as zero. */
static enum aim_status quantity_member(const json_t *map, const char *key, const char *source,
                                       const char *path, double *out, struct aim_error *err)
{
    const json_t *value = json_object_get(map, key);
    char number[32];

    *out = 0;
    if (value == NULL)
        return AIM_OK;
    if (json_is_integer(value) || json_is_real(value)) {
        snprintf(number, sizeof number, "%.17g", json_number_value(value));
        value = NULL;
    }
    if (value != NULL && !json_is_string(value))
        return aim_error_set(err, AIM_E_INPUT, "%s: %s.%s: expected a Kubernetes quantity",
                             source, path, key);
    if (!aim_parse_quantity(value != NULL ? json_string_value(value) : number, out))
        return aim_error_set(err, AIM_E_INPUT,
                             "%s: %s.%s: expected a Kubernetes quantity, got \"%s\"", source,
                             path, key, value != NULL ? json_string_value(value) : number);
    return AIM_OK;
}

/* ---- GPU type from labels ---------------------------------------------- */

static const struct aim_gpu *gpu_by_name_in(const aim_catalog *catalog, enum aim_vendor vendor,
                                            const char *text)
{
    const struct aim_gpu *best = NULL;
    char upper[128];
    size_t i;

    for (i = 0; text[i] != '\0' && i + 1 < sizeof upper; i++)
        upper[i] = (char)toupper((unsigned char)text[i]);
    upper[i] = '\0';

    /* The longest catalog name inside the label: MI300X before MI300. */
    for (size_t g = 0; g < aim_catalog_gpu_count(catalog); g++) {
        const struct aim_gpu *gpu = aim_catalog_gpu_at(catalog, g);

        if (gpu->vendor != vendor)
            continue;
        if (strcasecmp(gpu->product_label, text) == 0)
            return gpu;
        if (strstr(upper, gpu->name) != NULL &&
            (best == NULL || strlen(gpu->name) > strlen(best->name)))
            best = gpu;
    }
    return best;
}

/* AMD: the device id, in the current or the count-encoded older form. */
static const struct aim_gpu *amd_gpu(const aim_catalog *catalog, const json_t *labels,
                                     struct aim_node *node)
{
    static const char legacy[] = "beta.amd.com/gpu.device-id.";
    const char *id = string_member(labels, "amd.com/gpu.device-id");
    const char *product = string_member(labels, "amd.com/gpu.product-name");
    const char *key;
    json_t *value;
    unsigned pci;

    if (id == NULL) {
        json_object_foreach((json_t *)labels, key, value) {
            if (strncmp(key, legacy, sizeof legacy - 1) == 0)
                id = key + sizeof legacy - 1;
        }
    }
    if (id != NULL) {
        snprintf(node->gpu_label, sizeof node->gpu_label, "device %s", id);
        if (sscanf(id, "%x", &pci) == 1 && aim_catalog_find_gpu_by_pci(catalog, AIM_VENDOR_AMD,
                                                                       pci) != NULL)
            return aim_catalog_find_gpu_by_pci(catalog, AIM_VENDOR_AMD, pci);
    }
    if (product != NULL) {
        snprintf(node->gpu_label, sizeof node->gpu_label, "%s", product);
        return gpu_by_name_in(catalog, AIM_VENDOR_AMD, product);
    }
    return NULL;
}

static const struct aim_gpu *nvidia_gpu(const aim_catalog *catalog, const json_t *labels,
                                        struct aim_node *node)
{
    const char *product = string_member(labels, "nvidia.com/gpu.product");

    if (product == NULL)
        return NULL;
    snprintf(node->gpu_label, sizeof node->gpu_label, "%s", product);
    return gpu_by_name_in(catalog, AIM_VENDOR_NVIDIA, product);
}

/* ---- eligibility ------------------------------------------------------- */

static void exclude(struct aim_node *node, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void exclude(struct aim_node *node, const char *format, ...)
{
    va_list args;

    if (!node->eligible)
        return;
    node->eligible = false;
    va_start(args, format);
    vsnprintf(node->excluded_reason, sizeof node->excluded_reason, format, args);
    va_end(args);
}

static bool is_ready(const json_t *object)
{
    const json_t *conditions = path_get(object, "status", "conditions");
    size_t index;
    json_t *condition;

    json_array_foreach(conditions, index, condition) {
        const char *type = string_member(condition, "type");

        if (type != NULL && strcmp(type, "Ready") == 0)
            return string_member(condition, "status") != NULL &&
                   strcmp(string_member(condition, "status"), "True") == 0;
    }
    return false;
}

/* The rendered pods tolerate only NoSchedule taints on their GPU's key. */
static void check_taints(const json_t *object, struct aim_node *node)
{
    const json_t *taints = path_get(object, "spec", "taints");
    const char *resource = node->gpu != NULL ? node->gpu->resource_name : "";
    size_t index;
    json_t *taint;

    json_array_foreach(taints, index, taint) {
        const char *key = string_member(taint, "key");
        const char *effect = string_member(taint, "effect");
        const char *value = string_member(taint, "value");

        if (key == NULL || effect == NULL || strcmp(effect, "PreferNoSchedule") == 0)
            continue;
        if (strcmp(key, resource) == 0 && strcmp(effect, "NoSchedule") == 0)
            continue;
        exclude(node, "tainted %s%s%s:%s, which the pods do not tolerate", key,
                value != NULL ? "=" : "", value != NULL ? value : "", effect);
    }
}

static void check_eligibility(const json_t *object, struct aim_node *node)
{
    const json_t *unschedulable = path_get(object, "spec", "unschedulable");

    node->eligible = true;
    if (!is_ready(object))
        exclude(node, "NotReady");
    if (json_is_true(unschedulable))
        exclude(node, "cordoned (spec.unschedulable)");
    check_taints(object, node);
    if (node->gpus_total == 0)
        exclude(node, "no allocatable GPUs");
    else if (node->gpu == NULL)
        exclude(node, "GPU type unknown to the catalog (%s)",
                node->gpu_label[0] ? node->gpu_label : "no GPU labels");
}

/* ---- nodes ------------------------------------------------------------- */

static enum aim_status read_allocatable(const json_t *object, const char *source, size_t index,
                                        struct aim_node *node, struct aim_error *err)
{
    const json_t *allocatable = path_get(object, "status", "allocatable");
    char path[64];
    double gpus = 0, amd = 0, nvidia = 0;
    enum aim_status status;

    snprintf(path, sizeof path, "items[%zu].status.allocatable", index);
    status = quantity_member(allocatable, "cpu", source, path, &node->cpu_total, err);
    if (status == AIM_OK)
        status = quantity_member(allocatable, "memory", source, path, &node->memory_total, err);
    if (status == AIM_OK)
        status = quantity_member(allocatable, "amd.com/gpu", source, path, &amd, err);
    if (status == AIM_OK)
        status = quantity_member(allocatable, "nvidia.com/gpu", source, path, &nvidia, err);
    gpus = node->gpu != NULL && node->gpu->vendor == AIM_VENDOR_NVIDIA ? nvidia
           : amd > 0                                                   ? amd
                                                                       : nvidia;
    node->gpus_total = (int)floor(gpus);
    node->gpus_free = node->gpus_total;
    node->cpu_free = node->cpu_total;
    node->memory_free = node->memory_total;
    return status;
}

static enum aim_status read_node(const aim_catalog *catalog, const json_t *object,
                                 const char *source, size_t index, struct aim_node *node,
                                 struct aim_error *err)
{
    const char *name = json_string_value(path_get(object, "metadata", "name"));
    const json_t *labels = path_get(object, "metadata", "labels");
    const char *kind = string_member(object, "kind");
    enum aim_status status;

    memset(node, 0, sizeof *node);
    if (!json_is_object(object) || (kind != NULL && strcmp(kind, "Node") != 0))
        return aim_error_set(err, AIM_E_INPUT, "%s: items[%zu]: expected a Node, got %s",
                             source, index, kind != NULL ? kind : "something else");
    if (name == NULL || name[0] == '\0' || strlen(name) >= sizeof node->name)
        return aim_error_set(err, AIM_E_INPUT,
                             "%s: items[%zu].metadata.name: expected a node name", source,
                             index);
    snprintf(node->name, sizeof node->name, "%s", name);

    node->gpu = amd_gpu(catalog, labels, node);
    if (node->gpu == NULL && node->gpu_label[0] == '\0')
        node->gpu = nvidia_gpu(catalog, labels, node);
    status = read_allocatable(object, source, index, node, err);
    if (status == AIM_OK)
        check_eligibility(object, node);
    return status;
}

static bool reserve_nodes(aim_inventory *inventory, size_t more)
{
    size_t wanted = inventory->count + more;
    size_t capacity = inventory->capacity ? inventory->capacity : 16;
    struct aim_node *nodes;

    if (wanted <= inventory->capacity)
        return true;
    while (capacity < wanted)
        capacity *= 2;
    nodes = realloc(inventory->nodes, capacity * sizeof *nodes);
    if (nodes == NULL)
        return false;
    inventory->nodes = nodes;
    inventory->capacity = capacity;
    return true;
}

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const struct name_entry *)a)->name, ((const struct name_entry *)b)->name);
}

/* Sorts the nodes by name after each change, for the pod lookups. Returns
   the name listed twice, if any, through duplicate. */
static bool index_nodes(aim_inventory *inventory, const char **duplicate)
{
    struct name_entry *entries;

    *duplicate = NULL;
    entries = realloc(inventory->by_name, (inventory->count + 1) * sizeof *entries);
    if (entries == NULL)
        return false;
    for (size_t i = 0; i < inventory->count; i++) {
        entries[i].name = inventory->nodes[i].name;
        entries[i].index = i;
    }
    qsort(entries, inventory->count, sizeof *entries, compare_entries);
    for (size_t i = 1; i < inventory->count && *duplicate == NULL; i++) {
        if (strcmp(entries[i - 1].name, entries[i].name) == 0)
            *duplicate = entries[i].name;
    }
    inventory->by_name = entries;
    inventory->indexed = inventory->count;
    return true;
}

/* Indexes the nodes again; a name listed twice undoes the last add. */
static enum aim_status reindex(aim_inventory *inventory, size_t first, const char *source,
                               struct aim_error *err)
{
    const char *duplicate;
    char name[AIM_NODE_NAME_MAX];

    if (!index_nodes(inventory, &duplicate)) {
        inventory->count = first;
        inventory->indexed = 0;
        return aim_error_set(err, AIM_E_NOMEM, "%s: out of memory", source);
    }
    if (duplicate == NULL)
        return AIM_OK;
    snprintf(name, sizeof name, "%s", duplicate);
    inventory->count = first;
    inventory->indexed = 0;
    return aim_error_set(err, AIM_E_INPUT, "%s: node %s is listed twice", source, name);
}

enum aim_status aim_inventory_add_nodes(aim_inventory *inventory, const aim_catalog *catalog,
                                        const json_t *items, const char *source,
                                        struct aim_error *err)
{
    size_t count = json_array_size(items);
    size_t first = inventory->count;
    enum aim_status status = AIM_OK;

    if (!json_is_array(items))
        return aim_error_set(err, AIM_E_INPUT, "%s: items: expected a list of Nodes", source);
    if (first + count > NODES_MAX)
        return aim_error_set(err, AIM_E_INPUT, "%s: more than %d nodes", source, NODES_MAX);
    if (!reserve_nodes(inventory, count))
        return aim_error_set(err, AIM_E_NOMEM, "%s: out of memory", source);

    for (size_t i = 0; i < count && status == AIM_OK; i++)
        status = read_node(catalog, json_array_get(items, i), source, i,
                           &inventory->nodes[first + i], err);
    if (status != AIM_OK)
        return status;

    inventory->count += count;
    return reindex(inventory, first, source, err);
}

enum aim_status aim_inventory_add_flag_node(aim_inventory *inventory, const struct aim_gpu *gpu,
                                            int gpus, struct aim_error *err)
{
    struct aim_node *node;

    if (!reserve_nodes(inventory, 1))
        return aim_error_set(err, AIM_E_NOMEM, "out of memory");
    node = &inventory->nodes[inventory->count++];
    memset(node, 0, sizeof *node);
    snprintf(node->name, sizeof node->name, "%s-node", gpu->name);
    for (char *c = node->name; *c != '\0'; c++)
        *c = (char)tolower((unsigned char)*c);
    node->gpu = gpu;
    node->gpus_total = node->gpus_free = gpus;

    /* Flags say nothing of host resources: assume they never bind. */
    node->cpu_total = node->cpu_free = 1e6;
    node->memory_total = node->memory_free = 1e18;
    node->eligible = true;
    return reindex(inventory, inventory->count - 1, "--gpu", err);
}

/* ---- pods -------------------------------------------------------------- */

const struct aim_node *aim_inventory_find_node(const aim_inventory *inventory,
                                               const char *name)
{
    struct name_entry key = {.name = name};
    const struct name_entry *found;

    if (inventory->indexed == inventory->count && inventory->by_name != NULL) {
        found = bsearch(&key, inventory->by_name, inventory->count, sizeof key,
                        compare_entries);
        return found != NULL ? &inventory->nodes[found->index] : NULL;
    }
    for (size_t i = 0; i < inventory->count; i++) {
        if (strcmp(inventory->nodes[i].name, name) == 0)
            return &inventory->nodes[i];
    }
    return NULL;
}

/* ---- pods -------------------------------------------------------------- */

struct pod_requests {
    double cpu;
    double memory;
    double amd_gpus;
    double nvidia_gpus;
};

static enum aim_status container_requests(const json_t *container, const char *source,
                                          const char *path, struct pod_requests *out,
                                          struct aim_error *err)
{
    static const char *const keys[] = {"cpu", "memory", "amd.com/gpu", "nvidia.com/gpu"};
    const json_t *requests = path_get(container, "resources", "requests");
    const json_t *limits = path_get(container, "resources", "limits");
    double *slots[] = {&out->cpu, &out->memory, &out->amd_gpus, &out->nvidia_gpus};
    enum aim_status status = AIM_OK;

    memset(out, 0, sizeof *out);
    for (size_t k = 0; k < 4 && status == AIM_OK; k++) {
        /* The API server defaults a missing request to its limit. */
        const json_t *map = json_object_get(requests, keys[k]) != NULL ? requests : limits;

        status = quantity_member(map, keys[k], source, path, slots[k], err);
    }
    return status;
}

static void add_requests(struct pod_requests *sum, const struct pod_requests *more)
{
    sum->cpu += more->cpu;
    sum->memory += more->memory;
    sum->amd_gpus += more->amd_gpus;
    sum->nvidia_gpus += more->nvidia_gpus;
}

static void max_requests(struct pod_requests *into, const struct pod_requests *other)
{
    into->cpu = fmax(into->cpu, other->cpu);
    into->memory = fmax(into->memory, other->memory);
    into->amd_gpus = fmax(into->amd_gpus, other->amd_gpus);
    into->nvidia_gpus = fmax(into->nvidia_gpus, other->nvidia_gpus);
}

/* A pod's effective request: its containers together, or its largest init
   container if that is more, as the scheduler counts it. */
static enum aim_status pod_requests(const json_t *pod, const char *source, size_t index,
                                    struct pod_requests *out, struct aim_error *err)
{
    static const char *const lists[] = {"containers", "initContainers"};
    struct pod_requests one, init = {0};
    char path[96];
    enum aim_status status = AIM_OK;

    memset(out, 0, sizeof *out);
    for (size_t l = 0; l < 2; l++) {
        const json_t *containers = path_get(pod, "spec", lists[l]);

        for (size_t c = 0; c < json_array_size(containers) && status == AIM_OK; c++) {
            snprintf(path, sizeof path, "items[%zu].spec.%s[%zu].resources", index, lists[l],
                     c);
            status = container_requests(json_array_get(containers, c), source, path, &one,
                                        err);
            if (l == 0)
                add_requests(out, &one);
            else
                max_requests(&init, &one);
        }
    }
    max_requests(out, &init);
    return status;
}

static bool terminated(const json_t *pod)
{
    const char *phase = json_string_value(path_get(pod, "status", "phase"));

    return phase != NULL && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0);
}

static enum aim_status take_pod(aim_inventory *inventory, const json_t *pod, const char *source,
                                size_t index, struct aim_error *err)
{
    const char *node_name = json_string_value(path_get(pod, "spec", "nodeName"));
    const char *kind = string_member(pod, "kind");
    struct aim_node *node;
    struct pod_requests requests;
    enum aim_status status;

    if (!json_is_object(pod) || (kind != NULL && strcmp(kind, "Pod") != 0))
        return aim_error_set(err, AIM_E_INPUT, "%s: items[%zu]: expected a Pod, got %s", source,
                             index, kind != NULL ? kind : "something else");
    if (node_name == NULL || terminated(pod))
        return AIM_OK;
    node = (struct aim_node *)aim_inventory_find_node(inventory, node_name);
    if (node == NULL)
        return AIM_OK;

    status = pod_requests(pod, source, index, &requests, err);
    if (status != AIM_OK)
        return status;
    node->cpu_free -= requests.cpu;
    node->memory_free -= requests.memory;
    node->gpus_free -= (int)ceil(node->gpu != NULL && node->gpu->vendor == AIM_VENDOR_NVIDIA
                                     ? requests.nvidia_gpus
                                     : requests.amd_gpus + requests.nvidia_gpus);
    if (node->gpus_free < 0)
        node->gpus_free = 0;
    node->pods++;
    return AIM_OK;
}

enum aim_status aim_inventory_add_pods(aim_inventory *inventory, const json_t *items,
                                       const char *source, struct aim_error *err)
{
    enum aim_status status = AIM_OK;

    if (!json_is_array(items))
        return aim_error_set(err, AIM_E_INPUT, "%s: items: expected a list of Pods", source);
    for (size_t i = 0; i < json_array_size(items) && status == AIM_OK; i++)
        status = take_pod(inventory, json_array_get(items, i), source, i, err);
    return status;
}
