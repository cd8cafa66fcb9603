#include "aim/output.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "aim/command.h"
#include "aim/memory.h"
#include "aim/render.h"

/* Figures in GiB and rates are printed to two decimals: more is noise. */
static json_t *rounded(double value)
{
    return json_real(round(value * 100.0) / 100.0);
}

static json_t *setting_value(const struct aim_setting *item)
{
    switch (item->type) {
    case AIM_VALUE_INT:
        return json_integer(strtoll(item->value, NULL, 10));
    case AIM_VALUE_FLOAT:
        return json_real(strtod(item->value, NULL));
    case AIM_VALUE_BOOL:
        return json_boolean(strcmp(item->value, "true") == 0);
    case AIM_VALUE_STRING:
        break;
    }
    return json_string(item->value);
}

static json_t *settings_to_json(const struct aim_settings *settings, bool typed)
{
    json_t *object = json_object();

    for (int i = 0; i < settings->count; i++) {
        const struct aim_setting *item = &settings->items[i];

        json_object_set_new(object, item->key,
                            typed ? setting_value(item) : json_string(item->value));
    }
    return object;
}

static json_t *memory_to_json(const struct aim_memory *memory)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I}",
                     "total", rounded(memory->total_gib),
                     "usable", rounded(memory->usable_gib),
                     "weights", rounded(memory->weights_gib),
                     "kv_cache", rounded(memory->kv_cache_gib),
                     "activations", rounded(memory->activations_gib),
                     "overhead", rounded(memory->overhead_gib),
                     "headroom", rounded(memory->headroom_gib),
                     "kv_tokens", (json_int_t)memory->kv_tokens,
                     "kv_bytes_per_token", (json_int_t)llround(memory->kv_bytes_per_token),
                     "longest_request", (json_int_t)memory->longest_fit);
}

static json_t *performance_to_json(const struct aim_performance *performance)
{
    return json_pack("{s:o, s:o, s:i, s:o, s:o, s:o}",
                     "decode_tokens_per_s", rounded(performance->decode_tokens_per_s),
                     "decode_step_ms", rounded(performance->step_ms),
                     "batch", performance->batch,
                     "batch_step_ms", rounded(performance->batch_step_ms),
                     "aggregate_tokens_per_s", rounded(performance->aggregate_tokens_per_s),
                     "ttft_ms", rounded(performance->ttft_ms));
}

/* The host resources `aimctl render` requests with its default bases. */
static json_t *resources_to_json(const struct aim_plan *plan)
{
    struct aim_render_options options;
    struct aim_host_resources host;
    int nodes = aim_plan_nodes(plan);

    aim_render_options_init(&options);
    aim_plan_host_resources(plan, &options, &host);
    return json_pack("{s:s, s:i, s:i, s:f, s:I, s:I, s:I, s:I}", "gpu_resource",
                     plan->gpu->resource_name, "gpus", plan->gpu_count / nodes, "pods", nodes,
                     "cpu", host.cpu_request, "memory_gib", (json_int_t)host.memory_request_gib,
                     "memory_limit_gib", (json_int_t)host.memory_limit_gib,
                     "shared_memory_gib", (json_int_t)host.shared_memory_gib, "storage_gib",
                     (json_int_t)host.storage_gib);
}

static json_t *trace_to_json(const struct aim_plan *plan)
{
    json_t *trace = json_array();

    for (int i = 0; i < plan->trace_count; i++) {
        const struct aim_candidate *candidate = &plan->trace[i];

        json_array_append_new(
            trace, json_pack("{s:i, s:i, s:s, s:s, s:s, s:b, s:s, s:o, s:s}",
                             "gpu_count", candidate->gpu_count,
                             "node_count", candidate->node_count,
                             "precision", aim_precision_name(candidate->precision),
                             "backend", aim_backend_name(candidate->backend),
                             "verdict", candidate->accepted ? "accepted" : "rejected",
                             "chosen", candidate->chosen,
                             "maturity", aim_maturity_name(candidate->maturity),
                             "recipe", candidate->recipe != NULL
                                           ? json_string(candidate->recipe->id)
                                           : json_null(),
                             "reason", candidate->reason));
    }
    return trace;
}

static json_t *command_to_json(const aim_catalog *catalog, const struct aim_plan *plan)
{
    struct aim_argv *argv = malloc(sizeof *argv);
    json_t *array = json_array();

    if (argv == NULL)
        return array;
    aim_argv_init(argv);
    if (aim_engine_argv(catalog, plan, 8000, argv, NULL) == AIM_OK) {
        for (int i = 0; i < argv->count; i++)
            json_array_append_new(array, json_string(argv->items[i]));
    }
    free(argv);
    return array;
}

static json_t *hints_to_json(const struct aim_plan *plan)
{
    json_t *hints = json_array();

    for (int i = 0; i < plan->hint_count; i++)
        json_array_append_new(hints, json_string(plan->hints[i]));
    return hints;
}

json_t *aim_plan_to_json(const aim_catalog *catalog, const struct aim_plan *plan)
{
    json_t *root = json_object();

    json_object_set_new(root, "model", json_string(plan->model->id));
    json_object_set_new(root, "gpu", json_string(plan->gpu->name));
    json_object_set_new(root, "gpus_free", json_integer(plan->gpus_free));
    json_object_set_new(root, "objective", json_string(aim_objective_name(plan->objective)));
    json_object_set_new(root, "found", json_boolean(plan->found));
    if (plan->found) {
        json_object_set_new(root, "gpu_count", json_integer(plan->gpu_count));
        json_object_set_new(root, "node_count", json_integer(plan->node_count));
        json_object_set_new(root, "replicas", json_integer(plan->replicas));
        json_object_set_new(root, "precision",
                            json_string(aim_precision_name(plan->precision)));
        json_object_set_new(root, "backend", json_string(aim_backend_name(plan->backend)));
        json_object_set_new(root, "recipe", plan->recipe != NULL
                                                ? json_string(plan->recipe->id)
                                                : json_null());
        json_object_set_new(root, "recipe_name", json_string(plan->recipe_id));
        json_object_set_new(root, "maturity", json_string(aim_maturity_name(plan->maturity)));
        json_object_set_new(root, "checkpoint", json_string(plan->checkpoint));
        json_object_set_new(root, "engine_args", settings_to_json(&plan->engine_args, true));
        json_object_set_new(root, "env", settings_to_json(&plan->env, false));
        json_object_set_new(root, "resources", resources_to_json(plan));
        json_object_set_new(root, "memory", memory_to_json(&plan->memory));
        json_object_set_new(root, "performance", performance_to_json(&plan->performance));
        json_object_set_new(root, "command", command_to_json(catalog, plan));
    }
    json_object_set_new(root, "trace", trace_to_json(plan));
    json_object_set_new(root, "hints", hints_to_json(plan));
    return root;
}

static json_t *precision_list(const bool *flags)
{
    json_t *list = json_array();

    for (int p = 0; p < AIM_PRECISION_COUNT; p++) {
        if (flags[p])
            json_array_append_new(list, json_string(aim_precision_name((enum aim_precision)p)));
    }
    return list;
}

json_t *aim_gpu_to_json(const struct aim_gpu *gpu)
{
    json_t *ids = json_array();
    json_t *peaks = json_object();
    char hex[8];

    for (int i = 0; i < gpu->pci_id_count; i++) {
        snprintf(hex, sizeof hex, "%04x", gpu->pci_ids[i]);
        json_array_append_new(ids, json_string(hex));
    }
    for (int p = 0; p < AIM_PRECISION_COUNT; p++) {
        if (gpu->peak_tflops[p] > 0)
            json_object_set_new(peaks, aim_precision_name((enum aim_precision)p),
                                json_real(gpu->peak_tflops[p]));
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:s, "
                     "s:s, s:b}",
                     "name", gpu->name, "display_name", gpu->display_name,
                     "vendor", aim_vendor_name(gpu->vendor), "arch", gpu->arch,
                     "generation", gpu->generation, "pci_ids", ids,
                     "memory_gib", json_real(gpu->memory_gib),
                     "bandwidth_tbps", json_real(gpu->bandwidth_tbps),
                     "peak_tflops", peaks, "native", precision_list(gpu->native),
                     "emulated", precision_list(gpu->emulated),
                     "gpu_memory_utilization", json_real(gpu->gpu_memory_utilization),
                     "gpus_per_node", gpu->gpus_per_node,
                     "resource_name", gpu->resource_name,
                     "product_label", gpu->product_label,
                     "inferred", gpu->figures_inferred);
}

static json_t *checkpoint_to_json(const struct aim_checkpoint *checkpoint)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:b}", "id", checkpoint->id,
                     "precision", aim_precision_name(checkpoint->precision),
                     "quantization", checkpoint->quantization,
                     "bytes", (json_int_t)llround(checkpoint->bytes),
                     "kv_cache_fp8", checkpoint->kv_cache_fp8);
}

json_t *aim_model_to_json(const struct aim_model *model)
{
    json_t *variants = json_array();
    json_t *root;

    for (int i = 0; i < model->variant_count; i++)
        json_array_append_new(variants, checkpoint_to_json(&model->variants[i]));
    root = json_pack("{s:s, s:s, s:s, s:I, s:I, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
                     "id", model->id, "architecture", model->architecture,
                     "model_type", model->model_type,
                     "params_total", (json_int_t)llround(model->params_total),
                     "params_active", (json_int_t)llround(model->params_active),
                     "hidden_size", model->hidden_size, "num_layers", model->num_layers,
                     "num_attention_heads", model->num_attention_heads,
                     "num_kv_heads", model->num_kv_heads, "head_dim", model->head_dim,
                     "vocab_size", model->vocab_size, "max_context", model->max_context,
                     "num_experts", model->num_experts,
                     "experts_per_token", model->experts_per_token);
    json_object_set_new(root, "kv_lora_rank", json_integer(model->kv_lora_rank));
    json_object_set_new(root, "sliding_window", json_integer(model->sliding_window));
    json_object_set_new(root, "sliding_layers", json_integer(model->sliding_layers));
    json_object_set_new(root, "checkpoint", checkpoint_to_json(&model->checkpoint));
    json_object_set_new(root, "variants", variants);
    json_object_set_new(root, "source", json_string(model->source));
    return root;
}

json_t *aim_recipe_to_json(const struct aim_recipe *recipe)
{
    json_t *configs = json_array();

    for (int i = 0; i < recipe->config_count; i++) {
        const struct aim_recipe_config *config = &recipe->configs[i];

        json_array_append_new(configs,
                              json_pack("{s:i, s:b, s:s, s:s, s:o, s:o}", "gpus",
                                        config->gpu_count, "enabled", config->enabled,
                                        "maturity", aim_maturity_name(config->maturity),
                                        "reason", config->disabled_reason,
                                        "args", settings_to_json(&config->args, true),
                                        "env", settings_to_json(&config->env, false)));
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s}",
                     "id", recipe->id, "model", recipe->model_id, "gpu", recipe->gpu,
                     "precision", aim_precision_name(recipe->precision),
                     "backend", aim_backend_name(recipe->backend),
                     "maturity", aim_maturity_name(recipe->maturity),
                     "checkpoint", recipe->checkpoint,
                     "args", settings_to_json(&recipe->args, true),
                     "env", settings_to_json(&recipe->env, false),
                     "configs", configs, "source", recipe->source);
}

static json_t *node_to_json(const struct aim_node *node)
{
    json_t *object = json_pack("{s:s, s:o, s:i, s:i, s:o, s:o, s:o, s:o, s:i, s:b}",
                               "name", node->name, "gpu",
                               node->gpu != NULL ? json_string(node->gpu->name) : json_null(),
                               "gpus_total", node->gpus_total, "gpus_free", node->gpus_free,
                               "cpu_total", rounded(node->cpu_total), "cpu_free",
                               rounded(node->cpu_free), "memory_total_gib",
                               rounded(node->memory_total / AIM_GIB),
                               "memory_free_gib",
                               rounded(node->memory_free / AIM_GIB), "pods",
                               node->pods, "eligible", node->eligible);

    if (!node->eligible)
        json_object_set_new(object, "excluded", json_string(node->excluded_reason));
    return object;
}

json_t *aim_inventory_to_json(const aim_inventory *inventory)
{
    json_t *nodes = json_array();

    for (size_t i = 0; i < aim_inventory_node_count(inventory); i++)
        json_array_append_new(nodes, node_to_json(aim_inventory_node_at(inventory, i)));
    return nodes;
}

static json_t *node_names(const aim_inventory *inventory, const size_t *indices, int count)
{
    json_t *names = json_array();

    for (int i = 0; i < count; i++)
        json_array_append_new(names,
                              json_string(aim_inventory_node_at(inventory, indices[i])->name));
    return names;
}

json_t *aim_placement_to_json(const struct aim_placement *placement,
                              const aim_inventory *inventory)
{
    json_t *types = json_array();
    json_t *excluded = json_array();

    for (int t = 0; t < placement->type_count; t++) {
        const struct aim_type_outcome *outcome = &placement->types[t];
        json_t *object = json_pack("{s:s, s:i, s:i, s:b, s:b, s:s}", "gpu", outcome->gpu->name,
                                   "eligible_nodes", outcome->eligible_nodes, "most_free",
                                   outcome->most_free, "placed", outcome->placed, "chosen",
                                   t == placement->chosen, "reason", outcome->reason);

        if (outcome->plan.found) {
            json_object_set_new(object, "gpu_count", json_integer(outcome->plan.gpu_count));
            json_object_set_new(object, "precision",
                                json_string(aim_precision_name(outcome->plan.precision)));
            json_object_set_new(object, "backend",
                                json_string(aim_backend_name(outcome->plan.backend)));
        }
        if (outcome->placed)
            json_object_set_new(object, "nodes",
                                node_names(inventory, outcome->nodes, outcome->node_count));

        /* Each type's own ladder, so a type that did not fit says why. */
        if (outcome->plan.model != NULL) {
            json_object_set_new(object, "trace", trace_to_json(&outcome->plan));
            json_object_set_new(object, "hints", hints_to_json(&outcome->plan));
        }
        json_array_append_new(types, object);
    }
    for (size_t n = 0; n < aim_inventory_node_count(inventory); n++) {
        const struct aim_node *node = aim_inventory_node_at(inventory, n);

        if (!node->eligible)
            json_array_append_new(excluded, json_pack("{s:s, s:s}", "node", node->name,
                                                      "reason", node->excluded_reason));
    }
    return json_pack("{s:i, s:i, s:o, s:o, s:o}", "eligible_nodes", placement->eligible_nodes,
                     "excluded_nodes", placement->excluded_nodes, "nodes",
                     placement->chosen >= 0
                         ? node_names(inventory, placement->types[placement->chosen].nodes,
                                      placement->types[placement->chosen].node_count)
                         : json_array(),
                     "types", types, "excluded", excluded);
}

json_t *aim_fleet_to_json(const struct aim_fleet *fleet)
{
    json_t *assignments = json_array();

    for (size_t i = 0; i < fleet->assignment_count; i++) {
        const struct aim_fleet_assignment *assignment = &fleet->assignments[i];
        json_t *object = json_pack("{s:s, s:i, s:b}", "deployment",
                                   fleet->deployments[assignment->deployment].name, "replica",
                                   assignment->replica, "placed", assignment->placed);

        if (assignment->placed) {
            json_object_set_new(object, "gpu", json_string(assignment->gpu->name));
            json_object_set_new(object, "gpu_count", json_integer(assignment->gpu_count));
            json_object_set_new(object, "precision",
                                json_string(aim_precision_name(assignment->precision)));
            json_object_set_new(object, "backend",
                                json_string(aim_backend_name(assignment->backend)));
            json_object_set_new(object, "recipe", json_string(assignment->recipe));
            json_object_set_new(object, "nodes", node_names(fleet->left, assignment->nodes,
                                                            assignment->node_count));
        } else {
            json_object_set_new(object, "reason", json_string(assignment->reason));
            json_object_set_new(object, "hint", json_string(assignment->hint));
        }
        json_array_append_new(assignments, object);
    }
    return json_pack("{s:s, s:o, s:o}", "strategy", "largest first, best fit", "assignments",
                     assignments, "nodes_after", aim_inventory_to_json(fleet->left));
}

/* ---- YAML ------------------------------------------------------------ */

struct text_buffer {
    char *data;
    size_t length;
    size_t capacity;
    bool failed;
};

static int write_cb(void *context, unsigned char *bytes, size_t size)
{
    struct text_buffer *buffer = context;

    if (buffer->length + size + 1 > buffer->capacity) {
        size_t capacity = (buffer->capacity + size + 1) * 2;
        char *data = realloc(buffer->data, capacity);

        if (data == NULL) {
            buffer->failed = true;
            return 0;
        }
        buffer->data = data;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->length, bytes, size);
    buffer->length += size;
    buffer->data[buffer->length] = '\0';
    return 1;
}

/* A string a YAML reader would take for another type must be quoted. */
static bool needs_quotes(const char *text)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on", "off",
                                        "null", "~", "y", "n"};
    char *end;

    if (*text == '\0' || isspace((unsigned char)*text))
        return true;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strcasecmp(text, words[i]) == 0)
            return true;
    }
    strtod(text, &end);
    return *end == '\0';
}

static int emit_scalar(yaml_emitter_t *emitter, const char *text, yaml_scalar_style_t style)
{
    yaml_event_t event;

    if (!yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *)text,
                                      (int)strlen(text), 1, 1, style))
        return 0;
    return yaml_emitter_emit(emitter, &event);
}

static int emit_value(yaml_emitter_t *emitter, const json_t *value);

static int emit_object(yaml_emitter_t *emitter, const json_t *value)
{
    yaml_event_t event;
    const char *key;
    json_t *member;

    if (!yaml_mapping_start_event_initialize(&event, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) ||
        !yaml_emitter_emit(emitter, &event))
        return 0;
    json_object_foreach((json_t *)value, key, member) {
        if (!emit_scalar(emitter, key, YAML_PLAIN_SCALAR_STYLE) ||
            !emit_value(emitter, member))
            return 0;
    }
    return yaml_mapping_end_event_initialize(&event) && yaml_emitter_emit(emitter, &event);
}

static int emit_array(yaml_emitter_t *emitter, const json_t *value)
{
    yaml_event_t event;
    size_t index;
    json_t *member;

    if (!yaml_sequence_start_event_initialize(&event, NULL, NULL, 1,
                                              YAML_BLOCK_SEQUENCE_STYLE) ||
        !yaml_emitter_emit(emitter, &event))
        return 0;
    json_array_foreach(value, index, member) {
        if (!emit_value(emitter, member))
            return 0;
    }
    return yaml_sequence_end_event_initialize(&event) && yaml_emitter_emit(emitter, &event);
}

static int emit_value(yaml_emitter_t *emitter, const json_t *value)
{
    char number[64];

    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return emit_object(emitter, value);
    case JSON_ARRAY:
        return emit_array(emitter, value);
    case JSON_STRING:
        return emit_scalar(emitter, json_string_value(value),
                           needs_quotes(json_string_value(value))
                               ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                               : YAML_ANY_SCALAR_STYLE);
    case JSON_INTEGER:
        snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
        return emit_scalar(emitter, number, YAML_PLAIN_SCALAR_STYLE);
    case JSON_REAL:
        snprintf(number, sizeof number, "%.12g", json_real_value(value));
        return emit_scalar(emitter, number, YAML_PLAIN_SCALAR_STYLE);
    case JSON_TRUE:
        return emit_scalar(emitter, "true", YAML_PLAIN_SCALAR_STYLE);
    case JSON_FALSE:
        return emit_scalar(emitter, "false", YAML_PLAIN_SCALAR_STYLE);
    case JSON_NULL:
        break;
    }
    return emit_scalar(emitter, "null", YAML_PLAIN_SCALAR_STYLE);
}

static int emit_document(yaml_emitter_t *emitter, const json_t *value, int implicit)
{
    yaml_event_t event;

    if (!yaml_document_start_event_initialize(&event, NULL, NULL, NULL, implicit) ||
        !yaml_emitter_emit(emitter, &event))
        return 0;
    if (!emit_value(emitter, value))
        return 0;
    return yaml_document_end_event_initialize(&event, 1) && yaml_emitter_emit(emitter, &event);
}

/* Emits the documents of values (one when single) into a new string. */
static char *emit_stream(const json_t *values, bool single)
{
    struct text_buffer buffer = {0};
    yaml_emitter_t emitter;
    yaml_event_t event;
    size_t index;
    json_t *item;
    int ok;

    if (!yaml_emitter_initialize(&emitter))
        return NULL;
    yaml_emitter_set_output(&emitter, write_cb, &buffer);
    yaml_emitter_set_unicode(&emitter, 1);
    yaml_emitter_set_width(&emitter, 100);
    ok = yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING) &&
         yaml_emitter_emit(&emitter, &event);
    if (single) {
        ok = ok && emit_document(&emitter, values, 1);
    } else {
        json_array_foreach(values, index, item) {
            ok = ok && emit_document(&emitter, item, 0);
        }
    }
    ok = ok && yaml_stream_end_event_initialize(&event) && yaml_emitter_emit(&emitter, &event);
    yaml_emitter_delete(&emitter);

    if (!ok || buffer.failed) {
        free(buffer.data);
        return NULL;
    }
    return buffer.data != NULL ? buffer.data : strdup("");
}

char *aim_json_to_yaml(const json_t *value)
{
    return emit_stream(value, true);
}

char *aim_json_documents_to_yaml(const json_t *array)
{
    return emit_stream(array, false);
}
