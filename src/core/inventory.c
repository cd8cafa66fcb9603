#include "aim/inventory.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_parse.h>

/* A cluster larger than this is not one aimctl is meant to read at once. */
#define NODES_MAX 100000
/* More GPUs than this on one node is a broken label or quantity. */
#define NODE_GPUS_MAX 1024

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
    if (status == AIM_OK && gpus > NODE_GPUS_MAX)
        return aim_error_set(err, AIM_E_INPUT,
                             "%s: %s: expected at most %d GPUs on a node, got %.0f", source, path,
                             NODE_GPUS_MAX, gpus);
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

    /* The nodes may have moved: the name index points at the old ones. */
    inventory->indexed = 0;

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
    snprintf(node->name, sizeof node->name, "%s-%zu", gpu->name, inventory->count);
    for (char *c = node->name; *c != '\0'; c++)
        *c = (char)tolower((unsigned char)*c);
    node->gpu = gpu;
    node->gpus_total = node->gpus_free = gpus;

    /* Flags say nothing of host resources: assume they never bind. */
    node->cpu_total = node->cpu_free = 1e6;
    node->memory_total = node->memory_free = 1e18;
    node->eligible = true;
    /* Names are unique by construction; lookups scan until the next index
       rather than sorting again for every node added. */
    inventory->indexed = 0;
    return AIM_OK;
}

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

/*
 * Both readers feed one accumulator, so the scheduler's arithmetic lives in
 * one place: per container a request, or its limit when the request is
 * absent (as the API server defaults it); per pod the containers' sum, or
 * the largest init container when that is more.
 */
enum { RESOURCE_CPU, RESOURCE_MEMORY, RESOURCE_AMD, RESOURCE_NVIDIA, RESOURCE_COUNT };

static const char *const resource_keys[RESOURCE_COUNT] = {"cpu", "memory", "amd.com/gpu",
                                                          "nvidia.com/gpu"};

struct pod_accumulator {
    const char *source;
    struct aim_error *err;
    size_t index;                   /* the item being read */
    char node[AIM_NODE_NAME_MAX];
    bool terminated;
    bool not_pod;
    bool init;                      /* the container is an init container */
    double requests[RESOURCE_COUNT];
    double limits[RESOURCE_COUNT];
    bool has_request[RESOURCE_COUNT];
    double sum[RESOURCE_COUNT];
    double init_max[RESOURCE_COUNT];
};

static int resource_index(const char *key)
{
    for (int r = 0; r < RESOURCE_COUNT; r++) {
        if (strcmp(key, resource_keys[r]) == 0)
            return r;
    }
    return -1;
}

static void begin_pod(struct pod_accumulator *pod)
{
    pod->node[0] = '\0';
    pod->terminated = false;
    pod->not_pod = false;
    memset(pod->sum, 0, sizeof pod->sum);
    memset(pod->init_max, 0, sizeof pod->init_max);
}

static void begin_container(struct pod_accumulator *pod, bool init)
{
    pod->init = init;
    memset(pod->requests, 0, sizeof pod->requests);
    memset(pod->limits, 0, sizeof pod->limits);
    memset(pod->has_request, 0, sizeof pod->has_request);
}

/* One quantity of a container's requests or limits. */
static enum aim_status container_quantity(struct pod_accumulator *pod, bool request,
                                          const char *key, const char *text)
{
    int r = resource_index(key);
    double value;

    if (r < 0)
        return AIM_OK;
    if (!aim_parse_quantity(text, &value))
        return aim_error_set(pod->err, AIM_E_INPUT,
                             "%s: items[%zu]: resources.%s.%s: expected a Kubernetes "
                             "quantity, got \"%s\"",
                             pod->source, pod->index, request ? "requests" : "limits", key, text);
    if (request) {
        pod->requests[r] = value;
        pod->has_request[r] = true;
    } else {
        pod->limits[r] = value;
    }
    return AIM_OK;
}

static void end_container(struct pod_accumulator *pod)
{
    for (int r = 0; r < RESOURCE_COUNT; r++) {
        double value = pod->has_request[r] ? pod->requests[r] : pod->limits[r];

        if (pod->init)
            pod->init_max[r] = fmax(pod->init_max[r], value);
        else
            pod->sum[r] += value;
    }
}

static enum aim_status end_pod(struct pod_accumulator *pod, struct aim_pod_usages *out)
{
    struct aim_pod_usage *usage;

    if (pod->not_pod) {
        out->other_items++;
        return AIM_OK;
    }
    if (pod->terminated || pod->node[0] == '\0')
        return AIM_OK;
    if (out->count == out->capacity) {
        size_t capacity = out->capacity ? out->capacity * 2 : 1024;
        struct aim_pod_usage *items = realloc(out->items, capacity * sizeof *items);

        if (items == NULL)
            return aim_error_set(pod->err, AIM_E_NOMEM, "%s: out of memory", pod->source);
        out->items = items;
        out->capacity = capacity;
    }
    usage = &out->items[out->count++];
    snprintf(usage->node, sizeof usage->node, "%s", pod->node);
    usage->cpu = fmax(pod->sum[RESOURCE_CPU], pod->init_max[RESOURCE_CPU]);
    usage->memory = fmax(pod->sum[RESOURCE_MEMORY], pod->init_max[RESOURCE_MEMORY]);
    usage->amd_gpus = fmax(pod->sum[RESOURCE_AMD], pod->init_max[RESOURCE_AMD]);
    usage->nvidia_gpus = fmax(pod->sum[RESOURCE_NVIDIA], pod->init_max[RESOURCE_NVIDIA]);
    return AIM_OK;
}

static void set_phase(struct pod_accumulator *pod, const char *phase)
{
    pod->terminated = strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0;
}

void aim_pod_usages_free(struct aim_pod_usages *usages)
{
    free(usages->items);
    memset(usages, 0, sizeof *usages);
}

/* ---- pods from jansson values ---------------------------------------------- */

static enum aim_status feed_resources(struct pod_accumulator *pod, const json_t *container)
{
    static const char *const maps[] = {"requests", "limits"};
    enum aim_status status = AIM_OK;
    char number[32];

    for (int m = 0; m < 2 && status == AIM_OK; m++) {
        const json_t *map = path_get(json_object_get(container, "resources"), maps[m], NULL);
        const char *key;
        json_t *value;

        json_object_foreach((json_t *)map, key, value) {
            const char *text = json_string_value(value);

            if (json_is_number(value)) {
                snprintf(number, sizeof number, "%.17g", json_number_value(value));
                text = number;
            }
            status = container_quantity(pod, m == 0, key, text != NULL ? text : "");
            if (status != AIM_OK)
                break;
        }
    }
    return status;
}

static enum aim_status feed_pod(struct pod_accumulator *pod, const json_t *object,
                                struct aim_pod_usages *out)
{
    static const char *const lists[] = {"containers", "initContainers"};
    const char *kind = string_member(object, "kind");
    const char *node = json_string_value(path_get(object, "spec", "nodeName"));
    const char *phase = json_string_value(path_get(object, "status", "phase"));
    enum aim_status status = AIM_OK;

    begin_pod(pod);
    if (!json_is_object(object) || (kind != NULL && strcmp(kind, "Pod") != 0))
        return aim_error_set(pod->err, AIM_E_INPUT, "%s: items[%zu]: expected a Pod, got %s",
                             pod->source, pod->index, kind != NULL ? kind : "something else");
    if (node != NULL)
        snprintf(pod->node, sizeof pod->node, "%s", node);
    if (phase != NULL)
        set_phase(pod, phase);
    for (int l = 0; l < 2 && status == AIM_OK; l++) {
        const json_t *containers = path_get(object, "spec", lists[l]);

        for (size_t c = 0; c < json_array_size(containers) && status == AIM_OK; c++) {
            begin_container(pod, l == 1);
            status = feed_resources(pod, json_array_get(containers, c));
            end_container(pod);
        }
    }
    return status == AIM_OK ? end_pod(pod, out) : status;
}

enum aim_status aim_pod_usages_from_items(const json_t *items, const char *source,
                                          struct aim_pod_usages *out, struct aim_error *err)
{
    struct pod_accumulator pod = {.source = source, .err = err};
    enum aim_status status = AIM_OK;

    if (!json_is_array(items))
        return aim_error_set(err, AIM_E_INPUT, "%s: items: expected a list of Pods", source);
    for (size_t i = 0; i < json_array_size(items) && status == AIM_OK; i++) {
        pod.index = i;
        status = feed_pod(&pod, json_array_get(items, i), out);
    }
    return status;
}

void aim_inventory_apply_pods(aim_inventory *inventory, const struct aim_pod_usages *usages)
{
    for (size_t i = 0; i < usages->count; i++) {
        const struct aim_pod_usage *usage = &usages->items[i];
        struct aim_node *node = (struct aim_node *)aim_inventory_find_node(inventory,
                                                                           usage->node);
        double gpus;

        if (node == NULL)
            continue;
        gpus = node->gpu != NULL && node->gpu->vendor == AIM_VENDOR_NVIDIA
                   ? usage->nvidia_gpus
                   : usage->amd_gpus + usage->nvidia_gpus;
        node->cpu_free -= usage->cpu;
        node->memory_free -= usage->memory;
        node->gpus_free -= gpus > node->gpus_free ? node->gpus_free : (int)ceil(gpus);
        node->pods++;
    }
}

enum aim_status aim_inventory_add_pods(aim_inventory *inventory, const json_t *items,
                                       const char *source, struct aim_error *err)
{
    struct aim_pod_usages usages = {0};
    enum aim_status status = aim_pod_usages_from_items(items, source, &usages, err);

    if (status == AIM_OK)
        aim_inventory_apply_pods(inventory, &usages);
    aim_pod_usages_free(&usages);
    return status;
}

/* ---- pods streamed from JSON text ------------------------------------------- */

#define STREAM_DEPTH_MAX 64

struct stream_frame {
    bool is_map;
    char key[64];
};

struct pod_stream {
    struct pod_accumulator pod;
    struct aim_pod_usages *out;
    struct stream_frame frames[STREAM_DEPTH_MAX];
    int depth;                      /* frames in use */
    size_t items;
    enum aim_status status;
    char list_kind[32];
};

/* The key of frame at depth d (1-based), "" when it is an array. */
static const char *key_at(const struct pod_stream *stream, int d)
{
    return d >= 1 && d <= stream->depth && stream->frames[d - 1].is_map
               ? stream->frames[d - 1].key
               : "";
}

static bool in_items(const struct pod_stream *stream)
{
    return stream->depth >= 3 && strcmp(key_at(stream, 1), "items") == 0 &&
           !stream->frames[1].is_map;
}

static bool in_container(const struct pod_stream *stream)
{
    return in_items(stream) && stream->depth >= 6 && strcmp(key_at(stream, 3), "spec") == 0 &&
           (strcmp(key_at(stream, 4), "containers") == 0 ||
            strcmp(key_at(stream, 4), "initContainers") == 0);
}

static int stream_push(struct pod_stream *stream, bool is_map)
{
    if (stream->depth == STREAM_DEPTH_MAX) {
        stream->status = aim_error_set(stream->pod.err, AIM_E_INPUT,
                                       "%s: nested deeper than %d levels", stream->pod.source,
                                       STREAM_DEPTH_MAX);
        return 0;
    }
    stream->frames[stream->depth].is_map = is_map;
    stream->frames[stream->depth].key[0] = '\0';
    stream->depth++;
    return 1;
}

static int start_map_cb(void *context)
{
    struct pod_stream *stream = context;

    if (!stream_push(stream, true))
        return 0;
    if (stream->depth == 3 && in_items(stream)) {
        stream->pod.index = stream->items++;
        begin_pod(&stream->pod);
    }
    if (stream->depth == 6 && in_container(stream))
        begin_container(&stream->pod, strcmp(key_at(stream, 4), "initContainers") == 0);
    return 1;
}

static int end_map_cb(void *context)
{
    struct pod_stream *stream = context;

    if (stream->depth == 6 && in_container(stream))
        end_container(&stream->pod);
    if (stream->depth == 3 && in_items(stream)) {
        stream->status = end_pod(&stream->pod, stream->out);
        if (stream->status != AIM_OK)
            return 0;
    }
    stream->depth--;
    return 1;
}

static int start_array_cb(void *context)
{
    return stream_push(context, false);
}

static int end_array_cb(void *context)
{
    ((struct pod_stream *)context)->depth--;
    return 1;
}

static int map_key_cb(void *context, const unsigned char *key, size_t length)
{
    struct pod_stream *stream = context;
    struct stream_frame *frame = &stream->frames[stream->depth - 1];

    /* Longer keys are none of those looked for; keep them distinct anyway.
       memcpy, not snprintf: this runs for every key of a 30 MiB list. */
    if (length >= sizeof frame->key) {
        frame->key[0] = '\x01';
        frame->key[1] = '\0';
        return 1;
    }
    memcpy(frame->key, key, length);
    frame->key[length] = '\0';
    return 1;
}

static bool is_quantity_position(const struct pod_stream *stream)
{
    return stream->depth == 8 && in_container(stream) &&
           strcmp(key_at(stream, 6), "resources") == 0 &&
           (strcmp(key_at(stream, 7), "requests") == 0 ||
            strcmp(key_at(stream, 7), "limits") == 0);
}

/* A scalar: the few the pod records need, by where it stands; the rest
   are passed over without a copy. */
static int scalar(struct pod_stream *stream, const char *value, size_t length)
{
    const char *key = key_at(stream, stream->depth);
    char text[AIM_NODE_NAME_MAX];
    bool wanted = (stream->depth == 1 && strcmp(key, "kind") == 0) ||
                  (in_items(stream) &&
                   ((stream->depth == 3 && strcmp(key, "kind") == 0) ||
                    (stream->depth == 4 && strcmp(key_at(stream, 3), "spec") == 0 &&
                     strcmp(key, "nodeName") == 0) ||
                    (stream->depth == 4 && strcmp(key_at(stream, 3), "status") == 0 &&
                     strcmp(key, "phase") == 0) ||
                    is_quantity_position(stream)));

    if (!wanted)
        return 1;
    snprintf(text, sizeof text, "%.*s", (int)length, value);
    if (stream->depth == 1)
        snprintf(stream->list_kind, sizeof stream->list_kind, "%s", text);
    else if (stream->depth == 3)
        stream->pod.not_pod = strcmp(text, "Pod") != 0;
    else if (strcmp(key, "nodeName") == 0)
        snprintf(stream->pod.node, sizeof stream->pod.node, "%s", text);
    else if (stream->depth == 4)
        set_phase(&stream->pod, text);
    else
        stream->status = container_quantity(&stream->pod,
                                            strcmp(key_at(stream, 7), "requests") == 0, key,
                                            text);
    return stream->status == AIM_OK;
}

static int string_cb(void *context, const unsigned char *value, size_t length)
{
    return scalar(context, (const char *)value, length);
}

static int number_cb(void *context, const char *value, size_t length)
{
    return scalar(context, value, length);
}

static int other_cb(void *context)
{
    (void)context;
    return 1;
}

static int boolean_cb(void *context, int value)
{
    (void)value;
    return other_cb(context);
}

static const yajl_callbacks stream_callbacks = {
    .yajl_null = other_cb,
    .yajl_boolean = boolean_cb,
    .yajl_number = number_cb,
    .yajl_string = string_cb,
    .yajl_start_map = start_map_cb,
    .yajl_map_key = map_key_cb,
    .yajl_end_map = end_map_cb,
    .yajl_start_array = start_array_cb,
    .yajl_end_array = end_array_cb,
};

enum aim_status aim_pod_usages_from_json(const char *text, size_t length, const char *source,
                                         struct aim_pod_usages *out, struct aim_error *err)
{
    struct pod_stream *stream = calloc(1, sizeof *stream);
    yajl_handle parser = NULL;
    yajl_status parsed;
    enum aim_status status = AIM_OK;

    if (stream == NULL || (parser = yajl_alloc(&stream_callbacks, NULL, stream)) == NULL) {
        status = aim_error_set(err, AIM_E_NOMEM, "%s: out of memory", source);
        goto out;
    }
    stream->pod.source = source;
    stream->pod.err = err;
    stream->out = out;

    parsed = yajl_parse(parser, (const unsigned char *)text, length);
    if (parsed == yajl_status_ok)
        parsed = yajl_complete_parse(parser);
    snprintf(out->list_kind, sizeof out->list_kind, "%s", stream->list_kind);
    if (stream->status != AIM_OK) {
        status = stream->status;
    } else if (parsed != yajl_status_ok) {
        unsigned char *message = yajl_get_error(parser, 0, (const unsigned char *)text, length);

        status = aim_error_set(err, AIM_E_INPUT, "%s: invalid JSON at byte %zu: %s", source,
                               yajl_get_bytes_consumed(parser), (const char *)message);
        yajl_free_error(parser, message);
    }
out:
    if (parser != NULL)
        yajl_free(parser);
    free(stream);
    return status;
}
