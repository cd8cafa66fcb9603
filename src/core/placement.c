#include "aim/placement.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aim/memory.h"

/* Predicted figures closer than this are a tie, left to the next criteria:
   the roofline is not that precise. */
#define FIGURE_TIE 0.01

void aim_placement_request_init(struct aim_placement_request *request)
{
    memset(request, 0, sizeof *request);
    aim_request_init(&request->request);
    aim_render_options_init(&request->render);
}

static bool usable_node(const struct aim_node *node, const struct aim_gpu *gpu)
{
    return node->eligible && node->gpu == gpu;
}

struct type_tally {
    const struct aim_gpu *gpu;
    int eligible_nodes;
    int most_free;
};

static int compare_tallies(const void *a, const void *b)
{
    const struct aim_gpu *x = ((const struct type_tally *)a)->gpu;
    const struct aim_gpu *y = ((const struct type_tally *)b)->gpu;

    /* The catalog keeps its GPU types in one array: address order is
       catalog order. */
    return (x > y) - (x < y);
}

/*
 * The GPU types of eligible nodes, in catalog order so the output is
 * stable. One pass over the nodes into small tallies, sorted before the
 * large outcomes are written: fleets call this once per replica on
 * clusters of thousands of nodes.
 */
static int collect_types(const aim_inventory *inventory, const struct aim_gpu *filter,
                         struct aim_placement *placement)
{
    struct type_tally tallies[AIM_PLACEMENT_TYPES_MAX];
    size_t count = aim_inventory_node_count(inventory);
    int types = 0;

    for (size_t n = 0; n < count; n++) {
        const struct aim_node *node = aim_inventory_node_at(inventory, n);
        int t = 0;

        if (!node->eligible || node->gpu == NULL || (filter != NULL && node->gpu != filter))
            continue;
        while (t < types && tallies[t].gpu != node->gpu)
            t++;
        if (t == types) {
            if (types == AIM_PLACEMENT_TYPES_MAX)
                continue;
            tallies[types++] = (struct type_tally){.gpu = node->gpu};
        }
        tallies[t].eligible_nodes++;
        if (node->gpus_free > tallies[t].most_free)
            tallies[t].most_free = node->gpus_free;
    }
    qsort(tallies, (size_t)types, sizeof tallies[0], compare_tallies);

    for (int t = 0; t < types; t++) {
        struct aim_type_outcome *outcome = &placement->types[t];

        memset(outcome, 0, sizeof *outcome);
        outcome->gpu = tallies[t].gpu;
        outcome->eligible_nodes = tallies[t].eligible_nodes;
        outcome->most_free = tallies[t].most_free;
    }
    placement->type_count = types;
    return types;
}

static bool node_fits(const struct aim_node *node, int gpus, const struct aim_host_resources *host)
{
    return node->gpus_free >= gpus && node->cpu_free >= host->cpu_request &&
           node->memory_free >= (double)host->memory_request_gib * AIM_GIB;
}

/* Whether a is a better fit than b: fewer GPUs left over, then by name. */
static bool better_fit(const struct aim_node *a, const struct aim_node *b)
{
    if (b == NULL)
        return true;
    if (a->gpus_free != b->gpus_free)
        return a->gpus_free < b->gpus_free;
    return strcmp(a->name, b->name) < 0;
}

/* Picks the best-fit nodes for a placed plan, one per pipeline stage. */
static bool pick_nodes(const aim_inventory *inventory, struct aim_type_outcome *outcome,
                       int gpus_per_node, int nodes_wanted)
{
    size_t count = aim_inventory_node_count(inventory);

    outcome->node_count = 0;
    if (nodes_wanted > AIM_PLACEMENT_NODES_MAX)
        return false;
    while (outcome->node_count < nodes_wanted) {
        const struct aim_node *best = NULL;
        size_t best_index = 0;

        for (size_t n = 0; n < count; n++) {
            const struct aim_node *node = aim_inventory_node_at(inventory, n);
            bool taken = false;

            for (int t = 0; t < outcome->node_count; t++)
                taken = taken || outcome->nodes[t] == n;
            if (taken || !usable_node(node, outcome->gpu) ||
                !node_fits(node, gpus_per_node, &outcome->host) || !better_fit(node, best))
                continue;
            best = node;
            best_index = n;
        }
        if (best == NULL)
            return false;
        outcome->nodes[outcome->node_count++] = best_index;
    }
    return true;
}

/* Why no node takes the plan: the node with the most free GPUs, in numbers. */
static void explain_no_node(const aim_inventory *inventory, struct aim_type_outcome *outcome,
                            int gpus_per_node, int nodes_wanted)
{
    const struct aim_node *most = NULL;

    for (size_t n = 0; n < aim_inventory_node_count(inventory); n++) {
        const struct aim_node *node = aim_inventory_node_at(inventory, n);

        if (usable_node(node, outcome->gpu) &&
            (most == NULL || node->gpus_free > most->gpus_free ||
             (node->gpus_free == most->gpus_free && node->cpu_free > most->cpu_free)))
            most = node;
    }
    snprintf(outcome->reason, sizeof outcome->reason,
             "needs %d node%s with %d GPU%s, %.1f CPUs and %ld GiB free; best is %s with %d "
             "GPUs, %.1f CPUs and %.0f GiB",
             nodes_wanted, nodes_wanted == 1 ? "" : "s", gpus_per_node,
             gpus_per_node == 1 ? "" : "s", outcome->host.cpu_request,
             outcome->host.memory_request_gib,
             most != NULL ? most->name : "none", most != NULL ? most->gpus_free : 0,
             most != NULL ? most->cpu_free : 0, most != NULL ? most->memory_free / AIM_GIB : 0);
}

/* Nodes of the type whose free GPUs can hold one pipeline stage. */
static int whole_nodes(const aim_inventory *inventory, const struct aim_gpu *gpu, int gpus)
{
    int nodes = 0;

    for (size_t n = 0; n < aim_inventory_node_count(inventory); n++) {
        const struct aim_node *node = aim_inventory_node_at(inventory, n);

        nodes += usable_node(node, gpu) && node->gpus_free >= gpus;
    }
    return nodes;
}

/*
 * Plans one type and places it. Returns AIM_OK whether or not it placed
 * (the outcome says); another status only for a request that cannot be
 * planned anywhere (a usage error) or a failure.
 */
static enum aim_status plan_type(const aim_catalog *catalog, const aim_inventory *inventory,
                                 const struct aim_placement_request *request,
                                 struct aim_type_outcome *outcome, struct aim_error *err)
{
    struct aim_request type_request = request->request;
    enum aim_status status;
    int nodes_wanted, per_node, whole;

    if (outcome->most_free == 0) {
        snprintf(outcome->reason, sizeof outcome->reason,
                 "no free GPUs on its %d eligible node%s", outcome->eligible_nodes,
                 outcome->eligible_nodes == 1 ? "" : "s");
        return AIM_OK;
    }
    type_request.gpu = outcome->gpu;
    type_request.gpus_free = outcome->most_free;

    /* A placement names at most AIM_PLACEMENT_NODES_MAX nodes. */
    whole = whole_nodes(inventory, outcome->gpu, outcome->most_free);
    type_request.node_count = !request->allow_multi_node        ? 1
                              : whole > AIM_PLACEMENT_NODES_MAX ? AIM_PLACEMENT_NODES_MAX
                                                                : whole;
    status = aim_select(catalog, &type_request, &outcome->plan, err);
    if (status != AIM_OK) {
        snprintf(outcome->reason, sizeof outcome->reason, "%s", err->message);
        return status == AIM_E_NO_FIT ? AIM_OK : status;
    }

    nodes_wanted = aim_plan_nodes(&outcome->plan);
    per_node = outcome->plan.gpu_count / nodes_wanted;
    aim_plan_host_resources(&outcome->plan, &request->render, &outcome->host);
    if (!pick_nodes(inventory, outcome, per_node, nodes_wanted)) {
        explain_no_node(inventory, outcome, per_node, nodes_wanted);
        return AIM_OK;
    }
    outcome->placed = true;
    snprintf(outcome->reason, sizeof outcome->reason, "%d x %s on %s%s", outcome->plan.gpu_count,
             outcome->gpu->name, aim_inventory_node_at(inventory, outcome->nodes[0])->name,
             nodes_wanted > 1 ? " and more" : "");
    return AIM_OK;
}

/* The figure the objective ranks types by. */
static double objective_figure(const struct aim_type_outcome *outcome)
{
    const struct aim_plan *plan = &outcome->plan;

    if (plan->objective == AIM_OBJECTIVE_THROUGHPUT)
        return plan->performance.aggregate_tokens_per_s / plan->gpu_count;
    return plan->performance.decode_tokens_per_s;
}

static bool better_type(const struct aim_type_outcome *a, const struct aim_type_outcome *b)
{
    double fa = objective_figure(a), fb = objective_figure(b);

    if (fabs(fa - fb) > FIGURE_TIE * fmax(fa, fb))
        return fa > fb;
    if (a->plan.maturity != b->plan.maturity)
        return a->plan.maturity < b->plan.maturity;
    if (a->gpu->generation != b->gpu->generation)
        return a->gpu->generation > b->gpu->generation;
    return strcmp(a->gpu->name, b->gpu->name) < 0;
}

enum aim_status aim_place(const aim_catalog *catalog, const aim_inventory *inventory,
                          const struct aim_placement_request *request,
                          struct aim_placement *placement, struct aim_error *err)
{
    placement->type_count = 0;
    placement->chosen = -1;
    placement->eligible_nodes = 0;
    placement->excluded_nodes = 0;
    if (request->request.model == NULL)
        return aim_error_set(err, AIM_E_USAGE, "a model is required");
    for (size_t n = 0; n < aim_inventory_node_count(inventory); n++) {
        bool eligible = aim_inventory_node_at(inventory, n)->eligible;

        placement->eligible_nodes += eligible;
        placement->excluded_nodes += !eligible;
    }

    if (collect_types(inventory, request->gpu_filter, placement) == 0)
        return aim_error_set(err, AIM_E_NO_FIT, "no eligible node has %s%s",
                             request->gpu_filter != NULL ? request->gpu_filter->name
                                                         : "a GPU type the catalog knows",
                             request->gpu_filter != NULL ? " GPUs" : "");

    for (int t = 0; t < placement->type_count; t++) {
        struct aim_type_outcome *outcome = &placement->types[t];
        enum aim_status status = plan_type(catalog, inventory, request, outcome, err);

        if (status != AIM_OK)
            return status;
        if (outcome->placed &&
            (placement->chosen < 0 || better_type(outcome, &placement->types[placement->chosen])))
            placement->chosen = t;
    }
    if (placement->chosen >= 0)
        return AIM_OK;
    return aim_error_set(err, AIM_E_NO_FIT, "nothing fits: %s on any eligible node",
                         request->request.model->id);
}

void aim_placement_take(aim_inventory *inventory, const struct aim_type_outcome *outcome)
{
    int per_node = outcome->plan.gpu_count / (outcome->node_count > 0 ? outcome->node_count : 1);

    for (int i = 0; i < outcome->node_count; i++) {
        struct aim_node *node = aim_inventory_node_mut(inventory, outcome->nodes[i]);

        node->gpus_free -= per_node;
        node->cpu_free -= outcome->host.cpu_request;
        node->memory_free -= (double)outcome->host.memory_request_gib * AIM_GIB;
    }
}
