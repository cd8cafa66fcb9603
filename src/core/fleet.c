#include "aim/fleet.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aim/memory.h"
#include "aim/render.h"

static const char *const deployment_fields[] = {
    "name", "model", "replicas", "precision", "backend", "max_model_len", "objective",
    "concurrency", "gpu", "allow_multi_node", NULL};

void aim_fleet_free(struct aim_fleet *fleet)
{
    for (size_t i = 0; i < fleet->count; i++) {
        for (int v = 0; v < fleet->deployments[i].variant_count; v++)
            free(fleet->deployments[i].variants[v].plan);
    }
    free(fleet->deployments);
    free(fleet->assignments);
    free(fleet->order);
    aim_inventory_free(&fleet->left);
    memset(fleet, 0, sizeof *fleet);
}

/* ---- parsing ------------------------------------------------------------ */

struct field_context {
    const char *source;
    size_t index;
    struct aim_error *err;
};

static enum aim_status field_error(const struct field_context *context, const char *field,
                                   const char *expected)
{
    return aim_error_set(context->err, AIM_E_INPUT, "%s: deployments[%zu].%s: expected %s",
                         context->source, context->index, field, expected);
}

static enum aim_status check_known_fields(const json_t *entry,
                                          const struct field_context *context)
{
    const char *key;
    json_t *value;

    json_object_foreach((json_t *)entry, key, value) {
        bool known = false;

        for (size_t f = 0; deployment_fields[f] != NULL && !known; f++)
            known = strcmp(key, deployment_fields[f]) == 0;
        if (!known)
            return aim_error_set(context->err, AIM_E_INPUT,
                                 "%s: deployments[%zu].%s: unknown field; expected one of "
                                 "name, model, replicas, precision, backend, max_model_len, "
                                 "objective, concurrency, gpu, allow_multi_node",
                                 context->source, context->index, key);
    }
    return AIM_OK;
}

static enum aim_status read_count(const json_t *entry, const char *field, long max,
                                  const struct field_context *context, long *out)
{
    const json_t *value = json_object_get(entry, field);

    if (value == NULL)
        return AIM_OK;
    if (!json_is_integer(value) || json_integer_value(value) < 1 ||
        json_integer_value(value) > max) {
        char expected[64];

        snprintf(expected, sizeof expected, "a whole number from 1 to %ld", max);
        return field_error(context, field, expected);
    }
    *out = (long)json_integer_value(value);
    return AIM_OK;
}

static enum aim_status read_pins(const aim_catalog *catalog, const json_t *entry,
                                 const struct field_context *context,
                                 struct aim_placement_request *request)
{
    const char *precision = json_string_value(json_object_get(entry, "precision"));
    const char *backend = json_string_value(json_object_get(entry, "backend"));
    const char *objective = json_string_value(json_object_get(entry, "objective"));
    const char *gpu = json_string_value(json_object_get(entry, "gpu"));
    const json_t *multi = json_object_get(entry, "allow_multi_node");

    if (json_object_get(entry, "precision") != NULL &&
        !aim_request_pin_precision(&request->request, precision))
        return field_error(context, "precision", "auto, bf16, fp16, fp8 or fp4");
    if (json_object_get(entry, "backend") != NULL &&
        !aim_request_pin_backend(&request->request, backend))
        return field_error(context, "backend", "auto, vllm or sglang");
    if (json_object_get(entry, "objective") != NULL &&
        !aim_objective_parse(objective, &request->request.objective))
        return field_error(context, "objective", "latency or throughput");
    if (json_object_get(entry, "gpu") != NULL &&
        (gpu == NULL || (request->gpu_filter = aim_catalog_find_gpu(catalog, gpu)) == NULL))
        return field_error(context, "gpu", "a GPU type of the catalog (see 'aimctl gpus')");
    if (multi != NULL && !json_is_boolean(multi))
        return field_error(context, "allow_multi_node", "true or false");
    request->allow_multi_node = json_is_true(multi);
    return AIM_OK;
}

static enum aim_status read_deployment(const aim_catalog *catalog, const json_t *entry,
                                       const struct field_context *context,
                                       struct aim_fleet_deployment *out)
{
    const char *name = json_string_value(json_object_get(entry, "name"));
    const char *model = json_string_value(json_object_get(entry, "model"));
    long replicas = 1, length = 0, concurrency = 0;
    enum aim_status status;

    if (!json_is_object(entry))
        return aim_error_set(context->err, AIM_E_INPUT,
                             "%s: deployments[%zu]: expected a mapping", context->source,
                             context->index);
    status = check_known_fields(entry, context);
    if (status != AIM_OK)
        return status;
    if (name == NULL || strlen(name) >= AIM_FLEET_NAME_MAX || !aim_dns_label_valid(name))
        return field_error(context, "name",
                           "a DNS label of at most 63 characters, starting with a letter");
    aim_placement_request_init(&out->request);

    /* A fleet shares the cluster: each deployment takes the fewest GPUs
       that hold its load unless it asks for latency. */
    out->request.request.objective = AIM_OBJECTIVE_THROUGHPUT;
    snprintf(out->name, sizeof out->name, "%s", name);
    out->request.request.model = model != NULL ? aim_catalog_find_model(catalog, model) : NULL;
    if (out->request.request.model == NULL)
        return field_error(context, "model", "a model of the catalog (see 'aimctl models')");

    status = read_count(entry, "replicas", AIM_FLEET_REPLICAS_MAX, context, &replicas);
    if (status == AIM_OK)
        status = read_count(entry, "max_model_len", 16L * 1024 * 1024, context, &length);
    if (status == AIM_OK)
        status = read_count(entry, "concurrency", 100000, context, &concurrency);
    if (status == AIM_OK)
        status = read_pins(catalog, entry, context, &out->request);
    out->replicas = (int)replicas;
    out->request.request.max_model_len = length;
    out->request.request.concurrency = (int)concurrency;
    out->weight_bytes = out->request.request.precision_pinned
                            ? aim_weight_bytes(out->request.request.model,
                                               out->request.request.precision)
                            : out->request.request.model->checkpoint.bytes;
    return status;
}

static enum aim_status check_unique_names(const struct aim_fleet *fleet, const char *source,
                                          struct aim_error *err)
{
    for (size_t i = 0; i < fleet->count; i++) {
        for (size_t j = i + 1; j < fleet->count; j++) {
            if (strcmp(fleet->deployments[i].name, fleet->deployments[j].name) == 0)
                return aim_error_set(err, AIM_E_INPUT,
                                     "%s: deployments[%zu].name: %s is used twice", source, j,
                                     fleet->deployments[j].name);
        }
    }
    return AIM_OK;
}

/* Every replica gets an assignment record: keep their number sane. */
static enum aim_status check_total_replicas(const struct aim_fleet *fleet, const char *source,
                                            struct aim_error *err)
{
    long total = 0;

    for (size_t i = 0; i < fleet->count; i++)
        total += fleet->deployments[i].replicas;
    if (total > AIM_FLEET_TOTAL_REPLICAS_MAX)
        return aim_error_set(err, AIM_E_INPUT, "%s: %ld replicas in all; at most %d", source,
                             total, AIM_FLEET_TOTAL_REPLICAS_MAX);
    return AIM_OK;
}

enum aim_status aim_fleet_parse(const aim_catalog *catalog, const json_t *document,
                                const char *source, struct aim_fleet *out,
                                struct aim_error *err)
{
    const json_t *list = json_object_get(document, "deployments");
    const char *kind = json_string_value(json_object_get(document, "kind"));
    enum aim_status status = AIM_OK;

    memset(out, 0, sizeof *out);
    if (kind == NULL || strcmp(kind, "Fleet") != 0)
        return aim_error_set(err, AIM_E_INPUT, "%s: kind: expected Fleet", source);
    if (!json_is_array(list) || json_array_size(list) == 0 ||
        json_array_size(list) > AIM_FLEET_MAX)
        return aim_error_set(err, AIM_E_INPUT,
                             "%s: deployments: expected a list of 1 to %d deployments", source,
                             AIM_FLEET_MAX);
    out->deployments = calloc(json_array_size(list), sizeof *out->deployments);
    if (out->deployments == NULL)
        return aim_error_set(err, AIM_E_NOMEM, "%s: out of memory", source);

    for (size_t i = 0; i < json_array_size(list) && status == AIM_OK; i++) {
        struct field_context context = {source, i, err};

        status = read_deployment(catalog, json_array_get(list, i), &context,
                                 &out->deployments[i]);
        out->count = i + 1;
    }
    if (status == AIM_OK)
        status = check_unique_names(out, source, err);
    if (status == AIM_OK)
        status = check_total_replicas(out, source, err);
    if (status != AIM_OK)
        aim_fleet_free(out);
    return status;
}

/* ---- packing ------------------------------------------------------------ */

static int compare_size(const void *a, const void *b)
{
    const struct aim_fleet_deployment *x = *(const struct aim_fleet_deployment *const *)a;
    const struct aim_fleet_deployment *y = *(const struct aim_fleet_deployment *const *)b;

    if (x->weight_bytes != y->weight_bytes)
        return x->weight_bytes < y->weight_bytes ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* Largest first: deployments by one replica's weights, then name. */
static bool sort_order(struct aim_fleet *fleet)
{
    const struct aim_fleet_deployment **sorted = malloc(fleet->count * sizeof *sorted);

    fleet->order = malloc(fleet->count * sizeof *fleet->order);
    if (sorted == NULL || fleet->order == NULL) {
        free(sorted);
        return false;
    }
    for (size_t i = 0; i < fleet->count; i++)
        sorted[i] = &fleet->deployments[i];
    qsort(sorted, fleet->count, sizeof *sorted, compare_size);
    for (size_t i = 0; i < fleet->count; i++)
        fleet->order[i] = (size_t)(sorted[i] - fleet->deployments);
    free(sorted);
    return true;
}

static void record_placed(struct aim_fleet_deployment *deployment,
                          const struct aim_type_outcome *outcome,
                          struct aim_fleet_assignment *assignment)
{
    assignment->placed = true;
    assignment->gpu = outcome->gpu;
    assignment->gpu_count = outcome->plan.gpu_count;
    assignment->precision = outcome->plan.precision;
    assignment->backend = outcome->plan.backend;
    snprintf(assignment->recipe, sizeof assignment->recipe, "%s", outcome->plan.recipe_id);
    assignment->node_count = outcome->node_count;
    memcpy(assignment->nodes, outcome->nodes, sizeof assignment->nodes);
    deployment->placed++;
}

/* Each GPU type's reason, joined: "MI300X: ...; H100: ...". */
static void record_reasons(const struct aim_placement *placement, const char *fallback,
                           struct aim_fleet_assignment *assignment)
{
    size_t used = 0;
    size_t size = sizeof assignment->reason;

    assignment->reason[0] = '\0';
    for (int t = 0; t < placement->type_count && used < size; t++)
        used += (size_t)snprintf(assignment->reason + used, size - used, "%s%s: %s",
                                 t > 0 ? "; " : "", placement->types[t].gpu->name,
                                 placement->types[t].reason);
    if (placement->type_count == 0)
        snprintf(assignment->reason, size, "%s", fallback);
}

/* What would fit instead: fp8, or any GPU type when one was pinned. */
static void find_hint(const aim_catalog *catalog, const aim_inventory *inventory,
                      const struct aim_fleet_deployment *deployment,
                      struct aim_placement *scratch, struct aim_fleet_assignment *assignment)
{
    struct aim_placement_request relaxed = deployment->request;
    struct aim_error err;

    if (!relaxed.request.precision_pinned || relaxed.request.precision != AIM_PRECISION_FP8) {
        relaxed.request.precision_pinned = true;
        relaxed.request.precision = AIM_PRECISION_FP8;
        if (aim_place(catalog, inventory, &relaxed, scratch, &err) == AIM_OK) {
            snprintf(assignment->hint, sizeof assignment->hint, "fp8 would fit: %s",
                     scratch->types[scratch->chosen].reason);
            return;
        }
    }
    relaxed = deployment->request;
    if (relaxed.gpu_filter != NULL) {
        relaxed.gpu_filter = NULL;
        if (aim_place(catalog, inventory, &relaxed, scratch, &err) == AIM_OK) {
            snprintf(assignment->hint, sizeof assignment->hint, "another GPU type would fit: %s",
                     scratch->types[scratch->chosen].reason);
            return;
        }
    }
    snprintf(assignment->hint, sizeof assignment->hint,
             "%d of %d replicas fit; free GPUs or lower the replicas", deployment->placed,
             deployment->replicas);
}

static bool same_plan(const struct aim_plan *a, const struct aim_plan *b)
{
    return a->gpu == b->gpu && a->gpu_count == b->gpu_count && a->precision == b->precision &&
           a->backend == b->backend && strcmp(a->recipe_id, b->recipe_id) == 0;
}

/* Counts the replica under the variant with its plan, adding one if new. */
static enum aim_status add_variant(struct aim_fleet_deployment *deployment,
                                   const struct aim_plan *plan)
{
    struct aim_fleet_variant *variant;

    for (int v = 0; v < deployment->variant_count; v++) {
        if (same_plan(deployment->variants[v].plan, plan)) {
            deployment->variants[v].replicas++;
            return AIM_OK;
        }
    }

    /* Past the cap, the replica joins the last variant: its objects then
       carry one replica more of that plan, which the scheduler places. */
    if (deployment->variant_count == AIM_FLEET_VARIANTS_MAX) {
        deployment->variants[AIM_FLEET_VARIANTS_MAX - 1].replicas++;
        return AIM_OK;
    }
    variant = &deployment->variants[deployment->variant_count];
    variant->plan = malloc(sizeof *variant->plan);
    if (variant->plan == NULL)
        return AIM_E_NOMEM;
    *variant->plan = *plan;
    variant->replicas = 1;
    deployment->variant_count++;
    return AIM_OK;
}

static enum aim_status place_replica(const aim_catalog *catalog, struct aim_fleet *fleet,
                                     size_t index, int replica, struct aim_placement *placement,
                                     struct aim_placement *scratch)
{
    struct aim_fleet_deployment *deployment = &fleet->deployments[index];
    struct aim_fleet_assignment *assignment = &fleet->assignments[fleet->assignment_count++];
    struct aim_error err = {0};
    const struct aim_type_outcome *outcome;

    memset(assignment, 0, sizeof *assignment);
    assignment->deployment = index;
    assignment->replica = replica;
    if (aim_place(catalog, fleet->left, &deployment->request, placement, &err) != AIM_OK) {
        record_reasons(placement, err.message, assignment);
        find_hint(catalog, fleet->left, deployment, scratch, assignment);
        return AIM_E_NO_FIT;
    }

    outcome = &placement->types[placement->chosen];
    record_placed(deployment, outcome, assignment);
    aim_placement_take(fleet->left, outcome);
    return add_variant(deployment, &outcome->plan);
}

enum aim_status aim_fleet_pack(const aim_catalog *catalog, const aim_inventory *inventory,
                               struct aim_fleet *fleet, struct aim_error *err)
{
    struct aim_placement *placement = malloc(sizeof *placement);
    struct aim_placement *scratch = malloc(sizeof *scratch);
    size_t replicas = 0;
    enum aim_status result = AIM_OK;

    for (size_t i = 0; i < fleet->count; i++)
        replicas += (size_t)fleet->deployments[i].replicas;
    fleet->assignments = calloc(replicas ? replicas : 1, sizeof *fleet->assignments);
    fleet->left = aim_inventory_copy(inventory);
    if (placement == NULL || scratch == NULL || fleet->assignments == NULL ||
        fleet->left == NULL || !sort_order(fleet)) {
        result = aim_error_set(err, AIM_E_NOMEM, "out of memory while packing the fleet");
        goto out;
    }

    for (size_t i = 0; i < fleet->count; i++) {
        size_t index = fleet->order[i];

        for (int r = 1; r <= fleet->deployments[index].replicas; r++) {
            enum aim_status status = place_replica(catalog, fleet, index, r, placement, scratch);

            if (status == AIM_E_NOMEM) {
                result = aim_error_set(err, status, "out of memory while packing the fleet");
                goto out;
            }
            if (status != AIM_OK && result == AIM_OK)
                result = aim_error_set(err, AIM_E_NO_FIT, "some replicas do not fit");
        }
    }
out:
    free(placement);
    free(scratch);
    return result;
}
