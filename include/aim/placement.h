/*
 * Placement: plans a model against an inventory. The ladder runs once per
 * GPU type the eligible nodes carry (with that type's most free GPUs on one
 * node, and its whole free nodes when multi-node is allowed); each type's
 * plan is then placed on a node whose GPUs, CPU and memory all fit, best
 * fit first. The best placed type wins: by the objective's predicted figure,
 * then recipe maturity, then GPU generation, then name.
 *
 * aim_place() does no I/O. The placement holds plans and pointers into the
 * catalog, the inventory and the request's model.
 */
#ifndef AIM_PLACEMENT_H
#define AIM_PLACEMENT_H

#include <stdbool.h>

#include "aim/inventory.h"
#include "aim/render.h"
#include "aim/select.h"

#define AIM_PLACEMENT_TYPES_MAX 16
#define AIM_PLACEMENT_NODES_MAX 16

struct aim_type_outcome {
    const struct aim_gpu *gpu;
    int eligible_nodes;              /* eligible nodes of this type */
    int most_free;                   /* most free GPUs on one of them */
    bool placed;
    struct aim_plan plan;            /* plan.found when the ladder found one */
    size_t nodes[AIM_PLACEMENT_NODES_MAX]; /* inventory indices, leader first */
    int node_count;
    struct aim_host_resources host;  /* per pod */
    char reason[AIM_REASON_MAX];     /* where it goes, or why it does not */
};

struct aim_placement {
    struct aim_type_outcome types[AIM_PLACEMENT_TYPES_MAX];
    int type_count;
    int chosen;                      /* index into types, or -1 */
    int eligible_nodes;
    int excluded_nodes;
};

struct aim_placement_request {
    struct aim_request request;      /* model, pins, objective; gpu and
                                        gpus_free are set per type */
    const struct aim_gpu *gpu_filter; /* only this type, when set */
    bool allow_multi_node;
    struct aim_render_options render; /* per-GPU CPU and memory bases */
};

void aim_placement_request_init(struct aim_placement_request *request);

/*
 * Plans and places. AIM_OK with placement->chosen >= 0; AIM_E_NO_FIT when no
 * type places (each outcome says why); AIM_E_USAGE for a request without a
 * model. placement is large (one plan per GPU type): allocate it.
 */
enum aim_status aim_place(const aim_catalog *catalog, const aim_inventory *inventory,
                          const struct aim_placement_request *request,
                          struct aim_placement *placement, struct aim_error *err);

/* Takes a placed outcome's GPUs, CPU and memory from its nodes (fleets). */
void aim_placement_take(aim_inventory *inventory, const struct aim_type_outcome *outcome);

#endif
