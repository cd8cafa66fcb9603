/*
 * Inventory: what a cluster can run. Nodes with their GPU type and free
 * GPUs, CPU and memory, built from NodeList and PodList items (as kubectl
 * prints them or the API returns them) handed over as jansson values, or
 * from the --gpu/--gpus flags as a single node.
 *
 * A node is eligible when it is Ready, not cordoned, and carries no
 * NoSchedule or NoExecute taint that the rendered pods do not tolerate
 * (they tolerate their GPU resource's key); an excluded node keeps the
 * reason. Free = allocatable minus the requests of the pods bound to it
 * that have not terminated.
 *
 * Ownership: aim_inventory_free() takes the handle's address and sets it to
 * NULL; node pointers stay valid until the next add or the free.
 */
#ifndef AIM_INVENTORY_H
#define AIM_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "aim/catalog.h"

#define AIM_NODE_NAME_MAX 128
#define AIM_NODE_REASON_MAX 200

struct aim_node {
    char name[AIM_NODE_NAME_MAX];
    const struct aim_gpu *gpu;        /* NULL: no GPUs, or a type the catalog lacks */
    char gpu_label[64];               /* the labels' own word for an unknown type */
    int gpus_total;                   /* allocatable GPUs */
    int gpus_free;
    double cpu_total;                 /* cores */
    double cpu_free;
    double memory_total;              /* bytes */
    double memory_free;
    int pods;                         /* non-terminated pods bound to it */
    bool eligible;
    char excluded_reason[AIM_NODE_REASON_MAX];
};

typedef struct aim_inventory aim_inventory;

aim_inventory *aim_inventory_new(void);
void aim_inventory_free(aim_inventory **inventory);

/*
 * Adds the nodes of a NodeList's items (or any array of Node objects).
 * source names the input in errors: "nodes.json: items[3].status.allocatable.cpu:
 * expected a Kubernetes quantity, got \"lots\"".
 */
enum aim_status aim_inventory_add_nodes(aim_inventory *inventory, const aim_catalog *catalog,
                                        const json_t *items, const char *source,
                                        struct aim_error *err);

/*
 * Subtracts the requests of Pod objects bound to known nodes. Pods in phase
 * Succeeded or Failed, or not yet scheduled, take nothing. A container's
 * request defaults to its limit, as the API server does.
 */
enum aim_status aim_inventory_add_pods(aim_inventory *inventory, const json_t *items,
                                       const char *source, struct aim_error *err);

/*
 * What the pods of a PodList hold, reduced to one record per bound,
 * non-terminated pod. Pod lists are the largest input aimctl reads (a
 * 100,000-pod list is over 30 MiB of JSON), so JSON text is read by a
 * streaming parser (yajl) that keeps only these records; pods already
 * parsed into jansson values reduce to the same records.
 */
struct aim_pod_usage {
    char node[AIM_NODE_NAME_MAX];
    double cpu;
    double memory;
    double amd_gpus;
    double nvidia_gpus;
};

struct aim_pod_usages {
    struct aim_pod_usage *items;
    size_t count;
    size_t capacity;
    size_t other_items;               /* list items that are not pods (Nodes) */
    char list_kind[32];               /* the top-level kind, when streamed */
};

/* Streams a PodList, or a List holding pods, from JSON text. */
enum aim_status aim_pod_usages_from_json(const char *text, size_t length, const char *source,
                                         struct aim_pod_usages *out, struct aim_error *err);

/* The same from Pod objects already parsed (YAML files, the live API). */
enum aim_status aim_pod_usages_from_items(const json_t *items, const char *source,
                                          struct aim_pod_usages *out, struct aim_error *err);

void aim_pod_usages_free(struct aim_pod_usages *usages);

/* Subtracts the records from the nodes they are bound to. */
void aim_inventory_apply_pods(aim_inventory *inventory, const struct aim_pod_usages *usages);

/* One node with gpus free GPUs of a type and room for any host needs,
   named after the type and its place: "mi300x-1", "mi300x-2". */
enum aim_status aim_inventory_add_flag_node(aim_inventory *inventory, const struct aim_gpu *gpu,
                                            int gpus, struct aim_error *err);

size_t aim_inventory_node_count(const aim_inventory *inventory);
const struct aim_node *aim_inventory_node_at(const aim_inventory *inventory, size_t index);
struct aim_node *aim_inventory_node_mut(aim_inventory *inventory, size_t index);
const struct aim_node *aim_inventory_find_node(const aim_inventory *inventory,
                                               const char *name);

/* A deep copy, for planning that takes GPUs away (fleets). NULL when out
   of memory. */
aim_inventory *aim_inventory_copy(const aim_inventory *inventory);

/*
 * Parses a Kubernetes resource quantity ("500m", "4", "16Gi", "1.5G",
 * "129e6") into base units (cores, bytes). Returns false when it is not one.
 */
bool aim_parse_quantity(const char *text, double *out);

#endif
