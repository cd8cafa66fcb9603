#include "aim/render.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aim/command.h"
#include "aim/memory.h"
#include "aim/output.h"

#define NAME_MAX_LENGTH 63
#define HF_SUBDIR "/hf"

/*
 * Start-up budget: a fixed part for the engine to come up, and time per GiB
 * of checkpoint to download and load (about 100 MiB/s, a cautious figure
 * for a cold cache on a shared network).
 */
#define STARTUP_BASE_SECONDS 600.0
#define STARTUP_SECONDS_PER_GIB 10.0
#define PROBE_PERIOD_SECONDS 10

/* Host memory beyond the per-GPU base that loading needs: safetensors are
   read through the page cache a tenth at a time, plus a fixed margin. */
#define LOAD_MEMORY_SHARE 0.1
#define LOAD_MEMORY_MARGIN_GIB 16

/* The PVC holds the checkpoint with room for a second revision's delta. */
#define STORAGE_HEADROOM 1.2
#define STORAGE_EXTRA_GIB 10

void aim_render_options_init(struct aim_render_options *options)
{
    memset(options, 0, sizeof *options);
    options->cpu_per_gpu = 4;
    options->memory_per_gpu_gib = 16;
    options->limit_factor = 2;
    options->replicas = 1;
    options->port = 8000;
}

/* ---- names and labels ------------------------------------------------ */

static uint32_t fnv1a(const char *text)
{
    uint32_t hash = 2166136261u;

    for (; *text != '\0'; text++) {
        hash ^= (unsigned char)*text;
        hash *= 16777619u;
    }
    return hash;
}

/* Lower-case alphanumerics with single dashes between runs of the rest. */
static void dns_part(const char *text, char *out, size_t size)
{
    size_t used = 0;
    bool dash = false;

    for (; *text != '\0' && used + 1 < size; text++) {
        unsigned char c = (unsigned char)*text;

        if (isalnum(c)) {
            if (dash && used > 0 && used + 2 < size)
                out[used++] = '-';
            out[used++] = (char)tolower(c);
            dash = false;
        } else {
            dash = true;
        }
    }
    out[used] = '\0';
}

void aim_render_name(const char *model_id, char *out, size_t size)
{
    const char *slash = strrchr(model_id, '/');
    char part[NAME_MAX_LENGTH + 1];

    /* 63 = "m-" when needed, the name part, a dash and eight hex digits. */
    dns_part(slash != NULL ? slash + 1 : model_id, part, NAME_MAX_LENGTH - 11 + 1);
    while (strlen(part) > 0 && part[strlen(part) - 1] == '-')
        part[strlen(part) - 1] = '\0';
    /* Services and InferenceServices want a letter first (RFC 1035). */
    snprintf(out, size, "%s%s%s%08x", isalpha((unsigned char)part[0]) ? "" : "m-", part,
             part[0] != '\0' ? "-" : "", fnv1a(model_id));
}

void aim_label_value(const char *text, char *out, size_t size)
{
    size_t used = 0;
    size_t limit = size - 1 < NAME_MAX_LENGTH ? size - 1 : NAME_MAX_LENGTH;

    for (; *text != '\0' && used < limit; text++) {
        unsigned char c = (unsigned char)*text;

        out[used++] = isalnum(c) || c == '.' || c == '_' || c == '-' ? (char)c : '-';
    }
    out[used] = '\0';

    /* Label values begin and end with an alphanumeric. */
    while (used > 0 && !isalnum((unsigned char)out[used - 1]))
        out[--used] = '\0';
    while (out[0] != '\0' && !isalnum((unsigned char)out[0]))
        memmove(out, out + 1, strlen(out));
}

/* ---- resources ------------------------------------------------------- */

static double served_checkpoint_gib(const struct aim_plan *plan)
{
    const struct aim_checkpoint *checkpoint =
        aim_model_checkpoint_for(plan->model, plan->precision);

    return (checkpoint != NULL ? checkpoint->bytes : plan->model->checkpoint.bytes) / AIM_GIB;
}

void aim_plan_host_resources(const struct aim_plan *plan,
                             const struct aim_render_options *options,
                             struct aim_host_resources *out)
{
    int nodes = aim_plan_nodes(plan);
    int gpus = plan->gpu_count / nodes;
    double checkpoint_gib = served_checkpoint_gib(plan);
    long load_gib = (long)ceil(checkpoint_gib / nodes * LOAD_MEMORY_SHARE) +
                    LOAD_MEMORY_MARGIN_GIB;

    out->cpu_request = options->cpu_per_gpu * gpus;
    out->cpu_limit = out->cpu_request * options->limit_factor;
    out->memory_request_gib = (long)ceil(options->memory_per_gpu_gib * gpus);
    if (out->memory_request_gib < load_gib)
        out->memory_request_gib = load_gib;
    out->memory_limit_gib = (long)ceil(out->memory_request_gib * options->limit_factor);
    out->shared_memory_gib = gpus * 4 > 8 ? gpus * 4 : 8;
    out->storage_gib = (long)ceil(checkpoint_gib * STORAGE_HEADROOM) + STORAGE_EXTRA_GIB;
}

/* ---- values ----------------------------------------------------------- */

/* Appends the items of other, a new reference this call releases. */
static void extend_new(json_t *array, json_t *other)
{
    json_array_extend(array, other);
    json_decref(other);
}

static json_t *string_list(const struct aim_argv *argv)
{
    json_t *list = json_array();

    for (int i = 0; i < argv->count; i++)
        json_array_append_new(list, json_string(argv->items[i]));
    return list;
}

static json_t *quantity(double value, const char *unit)
{
    char text[32];

    snprintf(text, sizeof text, "%.12g%s", value, unit);
    return json_string(text);
}

static json_t *gpu_values(const struct aim_plan *plan)
{
    const struct aim_gpu *gpu = plan->gpu;
    json_t *ids = json_array();
    json_t *node_labels;
    char text[64];
    int nodes = aim_plan_nodes(plan);

    for (int i = 0; i < gpu->pci_id_count; i++) {
        snprintf(text, sizeof text, "%04x", gpu->pci_ids[i]);
        json_array_append_new(ids, json_string(text));
    }
    if (gpu->vendor == AIM_VENDOR_AMD)
        node_labels = json_pack("{s:s, s:o, s:s}", "key", "amd.com/gpu.device-id", "values",
                                ids, "legacyKeyPrefix", "beta.amd.com/gpu.device-id.");
    else
        node_labels = json_pack("{s:s, s:[s], s:s}", "key", "nvidia.com/gpu.product", "values",
                                gpu->product_label, "legacyKeyPrefix", "");
    if (gpu->vendor != AIM_VENDOR_AMD)
        json_decref(ids);
    return json_pack("{s:s, s:s, s:i, s:i, s:s, s:o}", "type", gpu->name, "vendor",
                     aim_vendor_name(gpu->vendor), "count", plan->gpu_count / nodes,
                     "perNode", gpu->gpus_per_node, "resourceName", gpu->resource_name,
                     "nodeLabels", node_labels);
}

/* The engine arguments other than those the templates set themselves. */
static const char *const templated_keys[] = {
    "tensor_parallel_size", "pipeline_parallel_size", "dtype", "quantization", NULL};

static json_t *multi_node_values(const struct aim_plan *plan)
{
    json_t *leader = json_array();
    json_t *worker = json_array();
    char nodes[16];

    snprintf(nodes, sizeof nodes, "%d", aim_plan_nodes(plan));
    if (plan->node_count > 1 && plan->backend == AIM_BACKEND_SGLANG) {
        extend_new(leader, json_pack("[s,s,s,s,s,s]", "--nnodes", nodes, "--node-rank",
                                            "0", "--dist-init-addr",
                                            "$(LWS_LEADER_ADDRESS):5000"));
        extend_new(worker, json_pack("[s,s,s,s,s,s]", "--nnodes", nodes, "--node-rank",
                                            "$(LWS_WORKER_INDEX)", "--dist-init-addr",
                                            "$(LWS_LEADER_ADDRESS):5000"));
    } else if (plan->node_count > 1) {
        extend_new(leader, json_pack("[s,s,s,s,s,s,s,s]", "--distributed-executor-backend",
                                            "mp", "--nnodes", nodes, "--node-rank", "0",
                                            "--master-addr", "$(LWS_LEADER_ADDRESS)"));
        extend_new(worker, json_pack("[s,s,s,s,s,s,s,s,s]",
                                            "--distributed-executor-backend", "mp", "--nnodes",
                                            nodes, "--node-rank", "$(LWS_WORKER_INDEX)",
                                            "--master-addr", "$(LWS_LEADER_ADDRESS)",
                                            "--headless"));
    }
    return json_pack("{s:i, s:o, s:o}", "nodes", aim_plan_nodes(plan),
                     "leaderArgs", leader, "workerArgs", worker);
}

static json_t *engine_values(const aim_catalog *catalog, const struct aim_plan *plan,
                             int port, struct aim_error *err)
{
    const struct aim_engine *engine = aim_catalog_engine(catalog, plan->backend);
    struct aim_argv *argv = malloc(sizeof *argv);
    char tp_flag[64], pp_flag[64];
    json_t *values = NULL;

    if (argv == NULL || engine == NULL) {
        aim_error_set(err, engine == NULL ? AIM_E_NOT_FOUND : AIM_E_NOMEM,
                      "cannot build the engine arguments");
        goto out;
    }
    aim_argv_init(argv);
    if (aim_engine_flags(catalog, plan, templated_keys, argv) != AIM_OK) {
        aim_error_set(err, AIM_E_INPUT, "the engine arguments are too long");
        goto out;
    }
    aim_engine_flag_for(engine, "tensor_parallel_size", tp_flag, sizeof tp_flag);
    aim_engine_flag_for(engine, "pipeline_parallel_size", pp_flag, sizeof pp_flag);
    values = json_pack("{s:[s,s,s], s:s, s:s, s:I, s:s, s:o, s:[], s:i}",
                       "command", "python3", "-m", engine->entrypoint,
                       "modelFlag", engine->model_flag,
                       "tensorParallelFlag", tp_flag,
                       "tensorParallelSize",
                       (json_int_t)aim_settings_get_int(&plan->engine_args,
                                                        "tensor_parallel_size", 1),
                       "pipelineParallelFlag", pp_flag,
                       "args", string_list(argv), "extraArgs", "port", port);
out:
    free(argv);
    return values;
}

static json_t *env_values(const struct aim_settings *env)
{
    json_t *list = json_array();

    for (int i = 0; i < env->count; i++)
        json_array_append_new(list, json_pack("{s:s, s:s}", "name", env->items[i].key, "value",
                                              env->items[i].value));
    return list;
}

static json_t *performance_values(const struct aim_performance *performance)
{
    char decode[32], aggregate[32], ttft[32];

    snprintf(decode, sizeof decode, "%.1f", performance->decode_tokens_per_s);
    snprintf(aggregate, sizeof aggregate, "%.0f", performance->aggregate_tokens_per_s);
    snprintf(ttft, sizeof ttft, "%.0f", performance->ttft_ms);
    return json_pack("{s:s, s:s, s:s}", "decodeTokensPerSecond", decode,
                     "aggregateTokensPerSecond", aggregate, "ttftMilliseconds", ttft);
}

static const char *served_precision(const struct aim_plan *plan)
{
    const struct aim_checkpoint *checkpoint =
        aim_model_checkpoint_for(plan->model, plan->precision);

    return aim_precision_name(checkpoint != NULL ? checkpoint->precision
                                                 : plan->model->checkpoint.precision);
}

static json_t *model_values(const struct aim_plan *plan)
{
    char label[NAME_MAX_LENGTH + 1];

    aim_label_value(plan->model->id, label, sizeof label);
    return json_pack("{s:s, s:s, s:s, s:s, s:i}", "id", plan->model->id, "label", label,
                     "checkpoint", plan->checkpoint, "checkpointPrecision",
                     served_precision(plan), "maxContext", plan->model->max_context);
}

static json_t *storage_values(const struct aim_plan *plan,
                              const struct aim_render_options *options,
                              const struct aim_host_resources *resources)
{
    const char *mode = options->pvc_access_mode;

    /* Pods of a multi-node group sit on different nodes and share the cache. */
    if (mode == NULL)
        mode = plan->node_count > 1 ? "ReadWriteMany" : "ReadWriteOnce";
    return json_pack("{s:o, s:s, s:s, s:s}", "size",
                     quantity((double)resources->storage_gib, "Gi"), "storageClass",
                     options->storage_class != NULL ? options->storage_class : "",
                     "accessMode", mode, "mountPath", "/models");
}

static json_t *resource_values(const struct aim_host_resources *resources)
{
    return json_pack("{s:{s:o, s:o}, s:{s:o, s:o}}", "requests", "cpu",
                     quantity(resources->cpu_request, ""), "memory",
                     quantity((double)resources->memory_request_gib, "Gi"), "limits", "cpu",
                     quantity(resources->cpu_limit, ""), "memory",
                     quantity((double)resources->memory_limit_gib, "Gi"));
}

static int startup_failure_threshold(const struct aim_plan *plan)
{
    int nodes = aim_plan_nodes(plan);
    double seconds = STARTUP_BASE_SECONDS +
                     STARTUP_SECONDS_PER_GIB * served_checkpoint_gib(plan) / nodes;

    return (int)ceil(seconds / PROBE_PERIOD_SECONDS);
}

static enum aim_status check_options(const struct aim_render_options *options,
                                     struct aim_error *err)
{
    const char *mode = options->pvc_access_mode;

    if (options->cpu_per_gpu <= 0 || options->memory_per_gpu_gib <= 0)
        return aim_error_set(err, AIM_E_USAGE, "CPU and memory per GPU must be positive");
    if (options->limit_factor < 1)
        return aim_error_set(err, AIM_E_USAGE, "--limit-factor must be at least 1");
    if (mode != NULL && strcmp(mode, "ReadWriteOnce") != 0 &&
        strcmp(mode, "ReadWriteMany") != 0 && strcmp(mode, "ReadWriteOncePod") != 0 &&
        strcmp(mode, "ReadOnlyMany") != 0)
        return aim_error_set(err, AIM_E_USAGE,
                             "--pvc-access-mode '%s': expected ReadWriteOnce, ReadWriteMany, "
                             "ReadWriteOncePod or ReadOnlyMany",
                             mode);
    return AIM_OK;
}

bool aim_dns_label_valid(const char *name)
{
    size_t length = strlen(name);

    if (length == 0 || length > NAME_MAX_LENGTH || !islower((unsigned char)name[0]) ||
        !isalnum((unsigned char)name[length - 1]))
        return false;
    for (const char *c = name; *c != '\0'; c++) {
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-'))
            return false;
    }
    return true;
}

/* A name given by the user must already be a DNS label. */
static enum aim_status check_name(const char *name, struct aim_error *err)
{
    if (aim_dns_label_valid(name))
        return AIM_OK;
    return aim_error_set(err, AIM_E_USAGE,
                         "--name '%s': expected a DNS label: at most 63 lower-case letters, "
                         "digits and '-', starting with a letter and ending with a letter or "
                         "digit",
                         name);
}

json_t *aim_render_values(const aim_catalog *catalog, const struct aim_plan *plan,
                          const struct aim_render_options *options, struct aim_error *err)
{
    const struct aim_engine *engine = aim_catalog_engine(catalog, plan->backend);
    struct aim_host_resources resources;
    char name[NAME_MAX_LENGTH + 1];
    char recipe_label[NAME_MAX_LENGTH + 1];
    json_t *engine_json;
    json_t *values;

    if (!plan->found || engine == NULL) {
        aim_error_set(err, AIM_E_INTERNAL, "no plan to render");
        return NULL;
    }
    if (check_options(options, err) != AIM_OK ||
        (options->name != NULL && check_name(options->name, err) != AIM_OK))
        return NULL;
    engine_json = engine_values(catalog, plan, options->port, err);
    if (engine_json == NULL)
        return NULL;

    aim_plan_host_resources(plan, options, &resources);
    if (options->name != NULL)
        snprintf(name, sizeof name, "%s", options->name);
    else
        aim_render_name(plan->model->id, name, sizeof name);
    aim_label_value(plan->recipe_id, recipe_label, sizeof recipe_label);

    values = json_pack(
        "{s:s, s:s, s:i, s:s, s:o, s:{s:s, s:s, s:s}, s:o, s:s, s:s, s:o, s:o, s:o, s:[], "
        "s:o, s:o, s:o, s:{s:i, s:i}, s:o, s:b, s:b, s:s}",
        "name", name, "namespace",
        options->namespace_name != NULL ? options->namespace_name : "default", "replicas",
        options->replicas > 0 ? options->replicas : 1, "image",
        options->image != NULL ? options->image
                                : aim_engine_image(engine, plan->gpu),
        "model", model_values(plan), "recipe", "id", plan->recipe_id, "label", recipe_label,
        "maturity", aim_maturity_name(plan->maturity), "gpu", gpu_values(plan), "precision",
        aim_precision_name(plan->precision), "backend", aim_backend_name(plan->backend),
        "engine", engine_json, "multiNode", multi_node_values(plan), "env",
        env_values(&plan->env), "extraEnv", "resources", resource_values(&resources),
        "sharedMemory", quantity((double)resources.shared_memory_gib, "Gi"), "storage",
        storage_values(plan, options, &resources), "probes", "startupFailureThreshold",
        startup_failure_threshold(plan), "periodSeconds", PROBE_PERIOD_SECONDS, "performance",
        performance_values(&plan->performance), "kserve", options->kserve, "monitoring",
        options->monitoring, "managedBy", "aimctl");

    /* jansson refuses text that is not UTF-8: an option given as raw bytes. */
    if (values == NULL)
        aim_error_set(err, AIM_E_USAGE,
                      "--name, --namespace, --image and --storage-class must be UTF-8 text");
    return values;
}

/* ---- objects: the chart's templates in C ------------------------------ */

/* Reads the values; the first missing or mistyped field is the error. */
struct values_reader {
    const json_t *root;
    struct aim_error *err;
    bool failed;
};

static const json_t *lookup(struct values_reader *reader, const char *path, json_type type,
                            const char *expected)
{
    char key[64];
    const json_t *node = reader->root;
    const char *start = path;

    while (node != NULL && *start != '\0') {
        const char *dot = strchr(start, '.');
        size_t length = dot != NULL ? (size_t)(dot - start) : strlen(start);

        snprintf(key, sizeof key, "%.*s", (int)length, start);
        node = json_is_object(node) ? json_object_get(node, key) : NULL;
        start += length + (dot != NULL);
    }
    if (node != NULL && (json_typeof(node) == type ||
                         (type == JSON_TRUE && json_is_boolean(node))))
        return node;
    if (!reader->failed)
        aim_error_set(reader->err, AIM_E_INPUT, "values: %s: expected %s", path, expected);
    reader->failed = true;
    return NULL;
}

static const char *text_at(struct values_reader *reader, const char *path)
{
    const json_t *node = lookup(reader, path, JSON_STRING, "a string");

    return node != NULL ? json_string_value(node) : "";
}

static json_int_t int_at(struct values_reader *reader, const char *path)
{
    const json_t *node = lookup(reader, path, JSON_INTEGER, "an integer");

    return node != NULL ? json_integer_value(node) : 0;
}

static bool bool_at(struct values_reader *reader, const char *path)
{
    const json_t *node = lookup(reader, path, JSON_TRUE, "true or false");

    return node != NULL && json_is_true(node);
}

/* A deep copy of a list of values, or an empty list after an error. */
static json_t *list_at(struct values_reader *reader, const char *path)
{
    const json_t *node = lookup(reader, path, JSON_ARRAY, "a list");

    return node != NULL ? json_deep_copy(node) : json_array();
}

static json_t *integer_text(json_int_t value)
{
    char text[32];

    snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, value);
    return json_string(text);
}

static json_t *selector_labels(struct values_reader *reader)
{
    return json_pack("{s:s, s:s}", "app.kubernetes.io/name", "aim-model",
                     "app.kubernetes.io/instance", text_at(reader, "name"));
}

static json_t *labels(struct values_reader *reader)
{
    json_t *object = selector_labels(reader);

    json_object_set_new(object, "app.kubernetes.io/component", json_string("inference"));
    json_object_set_new(object, "app.kubernetes.io/managed-by",
                        json_string(text_at(reader, "managedBy")));
    json_object_set_new(object, "aim.amd.com/model", json_string(text_at(reader, "model.label")));
    json_object_set_new(object, "aim.amd.com/recipe",
                        json_string(text_at(reader, "recipe.label")));
    json_object_set_new(object, "aim.amd.com/gpu", json_string(text_at(reader, "gpu.type")));
    json_object_set_new(object, "aim.amd.com/precision",
                        json_string(text_at(reader, "precision")));
    json_object_set_new(object, "aim.amd.com/backend", json_string(text_at(reader, "backend")));
    return object;
}

static json_t *annotations(struct values_reader *reader)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s}", "aim.amd.com/model-id", text_at(reader, "model.id"),
        "aim.amd.com/recipe-id", text_at(reader, "recipe.id"), "aim.amd.com/recipe-maturity",
        text_at(reader, "recipe.maturity"), "aim.amd.com/predicted-decode-tokens-per-second",
        text_at(reader, "performance.decodeTokensPerSecond"),
        "aim.amd.com/predicted-aggregate-tokens-per-second",
        text_at(reader, "performance.aggregateTokensPerSecond"),
        "aim.amd.com/predicted-ttft-milliseconds",
        text_at(reader, "performance.ttftMilliseconds"));
}

static json_t *metadata(struct values_reader *reader, const char *name, bool annotated)
{
    json_t *object = json_pack("{s:s, s:s, s:o}", "name", name, "namespace",
                               text_at(reader, "namespace"), "labels", labels(reader));

    if (annotated)
        json_object_set_new(object, "annotations", annotations(reader));
    return object;
}

/* The engine's dtype or quantization flags for the precision served. */
static void precision_args(struct values_reader *reader, json_t *args)
{
    const char *precision = text_at(reader, "precision");
    const char *served = text_at(reader, "model.checkpointPrecision");

    if (strcmp(precision, "bf16") == 0)
        extend_new(args, json_pack("[s,s]", "--dtype", "bfloat16"));
    else if (strcmp(precision, "fp16") == 0)
        extend_new(args, json_pack("[s,s]", "--dtype", "float16"));
    else if (strcmp(precision, "fp8") == 0 && strcmp(served, "fp8") != 0)
        extend_new(args, json_pack("[s,s]", "--quantization", "fp8"));
}

enum pod_role { ROLE_SINGLE, ROLE_LEADER, ROLE_WORKER, ROLE_KSERVE };

static json_t *container_args(struct values_reader *reader, enum pod_role role)
{
    json_int_t nodes = int_at(reader, "multiNode.nodes");
    json_t *args = json_pack("[s,s,s,o]", text_at(reader, "engine.modelFlag"),
                             text_at(reader, "model.checkpoint"),
                             text_at(reader, "engine.tensorParallelFlag"),
                             integer_text(int_at(reader, "engine.tensorParallelSize")));

    if (nodes > 1)
        extend_new(args, json_pack("[s,o]", text_at(reader, "engine.pipelineParallelFlag"),
                                          integer_text(nodes)));
    precision_args(reader, args);
    extend_new(args, list_at(reader, "engine.args"));
    if (role == ROLE_LEADER)
        extend_new(args, list_at(reader, "multiNode.leaderArgs"));
    if (role == ROLE_WORKER)
        extend_new(args, list_at(reader, "multiNode.workerArgs"));
    extend_new(args, json_pack("[s,s,s,o]", "--host", "0.0.0.0", "--port",
                                      integer_text(int_at(reader, "engine.port"))));
    extend_new(args, list_at(reader, "engine.extraArgs"));
    return args;
}

static json_t *env_pair(const char *name, const char *value)
{
    return json_pack("{s:s, s:s}", "name", name, "value", value);
}

static json_t *container_env(struct values_reader *reader)
{
    json_t *env = list_at(reader, "env");
    const char *precision = text_at(reader, "precision");
    char hf_home[256];

    snprintf(hf_home, sizeof hf_home, "%s%s", text_at(reader, "storage.mountPath"), HF_SUBDIR);
    json_array_append_new(env, env_pair("HF_HOME", hf_home));
    json_array_append_new(env, env_pair("AIM_MODEL", text_at(reader, "model.id")));
    json_array_append_new(env, env_pair("AIM_RECIPE", text_at(reader, "recipe.id")));
    json_array_append_new(env, env_pair("AIM_GPU", text_at(reader, "gpu.type")));
    json_array_append_new(env, env_pair("AIM_PRECISION", precision));
    json_array_append_new(env, env_pair("AIM_BACKEND", text_at(reader, "backend")));
    if (strcmp(text_at(reader, "backend"), "vllm") == 0)
        json_array_append_new(env, env_pair("VLLM_DTYPE",
                                            strcmp(precision, "bf16") == 0   ? "bfloat16"
                                            : strcmp(precision, "fp16") == 0 ? "float16"
                                                                             : "auto"));
    extend_new(env, list_at(reader, "extraEnv"));
    return env;
}

static json_t *container_resources(struct values_reader *reader)
{
    const char *gpu = text_at(reader, "gpu.resourceName");
    json_int_t count = int_at(reader, "gpu.count");
    json_t *requests = json_deep_copy(lookup(reader, "resources.requests", JSON_OBJECT,
                                             "a mapping"));
    json_t *limits = json_deep_copy(lookup(reader, "resources.limits", JSON_OBJECT,
                                           "a mapping"));

    /* GPUs cannot be overcommitted: requests equal limits. */
    if (requests == NULL)
        requests = json_object();
    if (limits == NULL)
        limits = json_object();
    json_object_set_new(requests, gpu, integer_text(count));
    json_object_set_new(limits, gpu, integer_text(count));
    return json_pack("{s:o, s:o}", "requests", requests, "limits", limits);
}

static json_t *http_probe(const char *path, int period, json_int_t failures, int timeout)
{
    return json_pack("{s:{s:s, s:s}, s:i, s:I, s:i}", "httpGet", "path", path, "port", "http",
                     "periodSeconds", period, "failureThreshold", failures, "timeoutSeconds",
                     timeout);
}

static json_t *container(struct values_reader *reader, enum pod_role role)
{
    json_t *object = json_pack(
        "{s:s, s:s, s:o, s:o, s:[{s:s, s:I, s:s}], s:o, s:o, s:[{s:s, s:s}, {s:s, s:s}], "
        "s:{s:b, s:b}}",
        "name", role == ROLE_KSERVE ? "kserve-container" : "engine", "image",
        text_at(reader, "image"), "command", list_at(reader, "engine.command"), "args",
        container_args(reader, role), "ports", "name", "http", "containerPort",
        int_at(reader, "engine.port"), "protocol", "TCP", "env", container_env(reader),
        "resources", container_resources(reader), "volumeMounts", "name", "model-cache",
        "mountPath", text_at(reader, "storage.mountPath"), "name", "dshm", "mountPath",
        "/dev/shm", "securityContext", "privileged", 0, "allowPrivilegeEscalation", 0);

    /* Workers of a multi-node group serve no HTTP; the leader answers. */
    if (role != ROLE_WORKER) {
        json_object_set_new(object, "startupProbe",
                            http_probe("/health", (int)int_at(reader, "probes.periodSeconds"),
                                       int_at(reader, "probes.startupFailureThreshold"), 5));
        json_object_set_new(object, "readinessProbe", http_probe("/v1/models", 10, 3, 5));
        json_object_set_new(object, "livenessProbe", http_probe("/health", 30, 3, 5));
    }
    return object;
}

/* Node affinity on the GPU's device-id labels, in both label forms. */
static json_t *affinity(struct values_reader *reader)
{
    const char *prefix = text_at(reader, "gpu.nodeLabels.legacyKeyPrefix");
    json_t *values = list_at(reader, "gpu.nodeLabels.values");
    json_t *terms = json_pack("[{s:[{s:s, s:s, s:O}]}]", "matchExpressions", "key",
                              text_at(reader, "gpu.nodeLabels.key"), "operator", "In", "values",
                              values);
    size_t index;
    json_t *value;
    char key[128];

    json_array_foreach(values, index, value) {
        if (prefix[0] == '\0' || !json_is_string(value))
            continue;
        snprintf(key, sizeof key, "%s%s", prefix, json_string_value(value));
        json_array_append_new(terms, json_pack("{s:[{s:s, s:s}]}", "matchExpressions", "key",
                                               key, "operator", "Exists"));
    }
    json_decref(values);
    return json_pack("{s:{s:{s:o}}}", "nodeAffinity",
                     "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms",
                     terms);
}

static json_t *volumes(struct values_reader *reader, const char *claim)
{
    return json_pack("[{s:s, s:{s:s}}, {s:s, s:{s:s, s:s}}]", "name", "model-cache",
                     "persistentVolumeClaim", "claimName", claim, "name", "dshm", "emptyDir",
                     "medium", "Memory", "sizeLimit", text_at(reader, "sharedMemory"));
}

static json_t *pod_spec(struct values_reader *reader, enum pod_role role, const char *claim)
{
    return json_pack("{s:o, s:[{s:s, s:s, s:s}], s:[o], s:o, s:i}", "affinity",
                     affinity(reader), "tolerations", "key",
                     text_at(reader, "gpu.resourceName"), "operator", "Exists", "effect",
                     "NoSchedule", "containers", container(reader, role), "volumes",
                     volumes(reader, claim), "terminationGracePeriodSeconds", 60);
}

static json_t *pod_template(struct values_reader *reader, enum pod_role role,
                            const char *claim)
{
    return json_pack("{s:{s:o, s:o}, s:o}", "metadata", "labels", labels(reader),
                     "annotations", annotations(reader), "spec",
                     pod_spec(reader, role, claim));
}

static json_t *claim_object(struct values_reader *reader, const char *claim)
{
    json_t *spec = json_pack("{s:[s], s:{s:{s:s}}}", "accessModes",
                             text_at(reader, "storage.accessMode"), "resources", "requests",
                             "storage", text_at(reader, "storage.size"));
    const char *storage_class = text_at(reader, "storage.storageClass");

    if (storage_class[0] != '\0')
        json_object_set_new(spec, "storageClassName", json_string(storage_class));
    return json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "v1", "kind",
                     "PersistentVolumeClaim", "metadata", metadata(reader, claim, false), "spec",
                     spec);
}

static json_t *deployment(struct values_reader *reader, const char *name, const char *claim)
{
    return json_pack("{s:s, s:s, s:o, s:{s:I, s:{s:s}, s:{s:o}, s:o}}", "apiVersion", "apps/v1",
                     "kind", "Deployment", "metadata", metadata(reader, name, true), "spec",
                     "replicas", int_at(reader, "replicas"), "strategy", "type", "Recreate",
                     "selector", "matchLabels", selector_labels(reader), "template",
                     pod_template(reader, ROLE_SINGLE, claim));
}

static json_t *leader_worker_set(struct values_reader *reader, const char *name,
                                 const char *claim)
{
    return json_pack("{s:s, s:s, s:o, s:{s:I, s:{s:I, s:s, s:o, s:o}}}", "apiVersion",
                     "leaderworkerset.x-k8s.io/v1", "kind", "LeaderWorkerSet", "metadata",
                     metadata(reader, name, true), "spec", "replicas",
                     int_at(reader, "replicas"), "leaderWorkerTemplate", "size",
                     int_at(reader, "multiNode.nodes"), "restartPolicy",
                     "RecreateGroupOnPodRestart", "leaderTemplate",
                     pod_template(reader, ROLE_LEADER, claim), "workerTemplate",
                     pod_template(reader, ROLE_WORKER, claim));
}

static json_t *inference_service(struct values_reader *reader, const char *name,
                                 const char *claim)
{
    json_t *meta = metadata(reader, name, true);
    json_t *spec = pod_spec(reader, ROLE_KSERVE, claim);
    json_int_t replicas = int_at(reader, "replicas");

    /* Raw deployment: a plain Deployment and Service, no Knative. */
    json_object_set_new(json_object_get(meta, "annotations"), "serving.kserve.io/deploymentMode",
                        json_string("RawDeployment"));
    json_object_del(spec, "terminationGracePeriodSeconds");
    json_object_set_new(spec, "minReplicas", json_integer(replicas));
    json_object_set_new(spec, "maxReplicas", json_integer(replicas));
    return json_pack("{s:s, s:s, s:o, s:{s:o}}", "apiVersion", "serving.kserve.io/v1beta1",
                     "kind", "InferenceService", "metadata", meta, "spec", "predictor", spec);
}

static json_t *service(struct values_reader *reader, const char *name, bool leader_only)
{
    json_t *selector = selector_labels(reader);

    /* Only the leader of a multi-node group serves the API. */
    if (leader_only)
        json_object_set_new(selector, "leaderworkerset.sigs.k8s.io/worker-index",
                            json_string("0"));
    return json_pack("{s:s, s:s, s:o, s:{s:s, s:o, s:[{s:s, s:I, s:s, s:s}]}}", "apiVersion",
                     "v1", "kind", "Service", "metadata", metadata(reader, name, false), "spec",
                     "type", "ClusterIP", "selector", selector, "ports", "name", "http", "port",
                     int_at(reader, "engine.port"), "targetPort", "http", "protocol", "TCP");
}

static json_t *service_monitor(struct values_reader *reader, const char *name, bool kserve)
{
    json_t *selector = kserve ? json_pack("{s:s}", "serving.kserve.io/inferenceservice", name)
                              : selector_labels(reader);

    return json_pack("{s:s, s:s, s:o, s:{s:{s:o}, s:[{s:s, s:s, s:s}]}}", "apiVersion",
                     "monitoring.coreos.com/v1", "kind", "ServiceMonitor", "metadata",
                     metadata(reader, name, false), "spec", "selector", "matchLabels",
                     selector, "endpoints", "port", "http", "path", "/metrics", "interval",
                     "30s");
}

json_t *aim_render_objects(const json_t *values, struct aim_error *err)
{
    struct values_reader reader = {.root = values, .err = err};
    json_t *objects = json_array();
    const char *name = text_at(&reader, "name");
    bool kserve = bool_at(&reader, "kserve");
    bool multi_node = int_at(&reader, "multiNode.nodes") > 1;
    char claim[NAME_MAX_LENGTH + 16];

    snprintf(claim, sizeof claim, "%s-cache", name);
    if (kserve && multi_node && !reader.failed) {
        aim_error_set(err, AIM_E_USAGE, "--kserve serves one node; this plan spans %d",
                      (int)int_at(&reader, "multiNode.nodes"));
        reader.failed = true;
    }

    json_array_append_new(objects, claim_object(&reader, claim));
    if (kserve)
        json_array_append_new(objects, inference_service(&reader, name, claim));
    else if (multi_node)
        json_array_append_new(objects, leader_worker_set(&reader, name, claim));
    else
        json_array_append_new(objects, deployment(&reader, name, claim));
    if (!kserve)
        json_array_append_new(objects, service(&reader, name, multi_node));
    if (bool_at(&reader, "monitoring"))
        json_array_append_new(objects, service_monitor(&reader, name, kserve));

    if (reader.failed) {
        json_decref(objects);
        return NULL;
    }
    return objects;
}
