/*
 * Fleet planning: many deployments (model, replicas, constraints) placed
 * together on one inventory.
 *
 * Packing strategy: largest first, best fit. Deployments are taken in
 * order of the GPU memory one replica's weights need (ties by name), and
 * each replica in turn is planned and placed with aim_place() on what the
 * replicas before it left, on the node that fits it most tightly. A replica
 * that does not fit is reported with each GPU type's reason and what would
 * fit instead (fp8, another GPU type, fewer replicas).
 *
 * The fleet document (YAML or JSON):
 *
 *   kind: Fleet
 *   deployments:
 *     - name: chat                  # DNS-1123 label, unique
 *       model: Qwen/Qwen3-32B       # a catalog model
 *       replicas: 2                 # default 1
 *       precision: fp8              # optional pins, as the select flags
 *       backend: vllm
 *       max_model_len: 32768
 *       objective: throughput       # throughput (default: the fewest GPUs that
 *                                   # hold the concurrency) or latency
 *       concurrency: 64
 *       gpu: MI300X                 # only this GPU type
 *       allow_multi_node: false
 *
 * Ownership: aim_fleet_free() releases what aim_fleet_parse() and
 * aim_fleet_pack() allocated.
 */
#ifndef AIM_FLEET_H
#define AIM_FLEET_H

#include <stdbool.h>
#include <jansson.h>

#include "aim/placement.h"

#define AIM_FLEET_NAME_MAX 64
#define AIM_FLEET_MAX 10000
#define AIM_FLEET_REPLICAS_MAX 1000
#define AIM_FLEET_TOTAL_REPLICAS_MAX 100000
#define AIM_FLEET_VARIANTS_MAX 8

/* Replicas of one deployment that landed with the same plan (GPU type,
   count, precision, engine): one set of objects when rendered. */
struct aim_fleet_variant {
    struct aim_plan *plan;
    int replicas;
};

struct aim_fleet_deployment {
    char name[AIM_FLEET_NAME_MAX];
    int replicas;
    struct aim_placement_request request;
    double weight_bytes;             /* one replica's, for the packing order */
    int placed;                      /* replicas placed */
    struct aim_fleet_variant variants[AIM_FLEET_VARIANTS_MAX];
    int variant_count;
};

/* Where one replica went, or why it did not. */
struct aim_fleet_assignment {
    size_t deployment;
    int replica;                     /* 1-based */
    bool placed;
    const struct aim_gpu *gpu;
    int gpu_count;
    enum aim_precision precision;
    enum aim_backend backend;
    char recipe[AIM_RECIPE_ID_MAX];
    size_t nodes[AIM_PLACEMENT_NODES_MAX];
    int node_count;
    char reason[2 * AIM_REASON_MAX]; /* why not, per GPU type */
    char hint[AIM_REASON_MAX];       /* what would fit instead */
};

struct aim_fleet {
    struct aim_fleet_deployment *deployments;
    size_t count;
    struct aim_fleet_assignment *assignments;
    size_t assignment_count;
    size_t *order;                   /* packing order of deployments */
    aim_inventory *left;             /* the inventory after packing */
};

/* Reads a Fleet document. Errors name the source and the field. */
enum aim_status aim_fleet_parse(const aim_catalog *catalog, const json_t *document,
                                const char *source, struct aim_fleet *out,
                                struct aim_error *err);

/*
 * Packs the fleet onto a copy of the inventory. Returns AIM_OK when every
 * replica is placed, AIM_E_NO_FIT when some are not (the assignments say
 * which and why), AIM_E_NOMEM.
 */
enum aim_status aim_fleet_pack(const aim_catalog *catalog, const aim_inventory *inventory,
                               struct aim_fleet *fleet, struct aim_error *err);

void aim_fleet_free(struct aim_fleet *fleet);

#endif
