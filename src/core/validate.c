#include "aim/validate.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aim/memory.h"
#include "aim/select.h"
#include "engine_args.h"

#define FIELD_MAX AIM_FINDING_FIELD_MAX
#define GPU_TYPES_MAX 4
#define MODEL_ANNOTATION "aim.amd.com/model"
#define GPU_LABEL "aim.amd.com/gpu"
#define BETA_DEVICE_ID "beta.amd.com/gpu.device-id."
/* Larger GPU counts are typing errors, and keep products in range. */
#define GPUS_MAX 100000
#define NUMBER_MAX 1000000000L
/* Engine containers checked per object: each runs the selection, and a
   hostile object could hold thousands. */
#define ENGINES_MAX 16
/* Parallel sizes stay small enough that their product is a GPU count. */
#define PARALLEL_MAX 1024L

static const char *const gpu_resources[] = {"amd.com/gpu", "nvidia.com/gpu"};

/* One object being checked. */
struct check {
    const aim_catalog *catalog;
    const struct aim_validate_options *options;
    struct aim_findings *out;
    const json_t *object;
    char label[AIM_FINDING_OBJECT_MAX];
    size_t reported;         /* findings of this object so far */
    enum aim_status status;  /* AIM_E_NOMEM once an append failed */
    bool muted;              /* reading again what was reported once */
};

/* ---- findings --------------------------------------------------------- */

const char *aim_finding_level_name(enum aim_finding_level level)
{
    static const char *const names[] = {"error", "warning", "note"};

    return level < AIM_FINDING_LEVEL_COUNT ? names[level] : "unknown";
}

size_t aim_findings_count(const struct aim_findings *findings, enum aim_finding_level level)
{
    size_t count = 0;

    for (size_t i = 0; i < findings->count; i++)
        count += findings->items[i].level == level;
    return count;
}

void aim_findings_free(struct aim_findings *findings)
{
    free(findings->items);
    memset(findings, 0, sizeof *findings);
}

static bool append(struct aim_findings *findings, const struct aim_finding *finding)
{
    if (findings->count == findings->capacity) {
        size_t capacity = findings->capacity == 0 ? 16 : findings->capacity * 2;
        struct aim_finding *grown = realloc(findings->items, capacity * sizeof *grown);

        if (grown == NULL)
            return false;
        findings->items = grown;
        findings->capacity = capacity;
    }
    findings->items[findings->count++] = *finding;
    return true;
}

/* Findings are printed one per line: no control characters from the input. */
static void make_printable(char *text)
{
    for (; *text != '\0'; text++) {
        if ((unsigned char)*text < 0x20 || *text == 0x7f)
            *text = '?';
    }
}

static void report(struct check *check, enum aim_finding_level level, const char *field,
                   const char *format, ...) __attribute__((format(printf, 4, 5)));

static void report(struct check *check, enum aim_finding_level level, const char *field,
                   const char *format, ...)
{
    struct aim_finding finding = {.level = level};
    va_list args;

    if (check->muted || check->status != AIM_OK ||
        check->reported > AIM_FINDINGS_PER_OBJECT_MAX)
        return;
    snprintf(finding.object, sizeof finding.object, "%s", check->label);
    snprintf(finding.field, sizeof finding.field, "%s", field);
    if (check->reported++ == AIM_FINDINGS_PER_OBJECT_MAX) {
        finding.level = AIM_FINDING_NOTE;
        finding.field[0] = '\0';
        snprintf(finding.message, sizeof finding.message,
                 "more findings left out: at most %d per object", AIM_FINDINGS_PER_OBJECT_MAX);
    } else {
        va_start(args, format);
        vsnprintf(finding.message, sizeof finding.message, format, args);
        va_end(args);
    }
    make_printable(finding.object);
    make_printable(finding.field);
    make_printable(finding.message);
    if (!append(check->out, &finding))
        check->status = AIM_E_NOMEM;
}

void aim_object_label(const json_t *object, char *out, size_t size)
{
    const json_t *metadata = json_object_get(object, "metadata");
    const char *kind = json_string_value(json_object_get(object, "kind"));
    const char *space = json_string_value(json_object_get(metadata, "namespace"));
    const char *name = json_string_value(json_object_get(metadata, "name"));

    if (kind == NULL || kind[0] == '\0')
        kind = "(no kind)";
    if (name == NULL || name[0] == '\0')
        name = "(unnamed)";
    if (space != NULL && space[0] != '\0')
        snprintf(out, size, "%.64s/%.64s/%.253s", kind, space, name);
    else
        snprintf(out, size, "%.64s/%.253s", kind, name);
}

/* ---- JSON access ------------------------------------------------------ */

static void path_key(char *out, const char *prefix, const char *key)
{
    if (prefix[0] == '\0')
        snprintf(out, FIELD_MAX, "%s", key);
    else
        snprintf(out, FIELD_MAX, "%s.%s", prefix, key);
}

static void path_index(char *out, const char *prefix, size_t index)
{
    snprintf(out, FIELD_MAX, "%s[%zu]", prefix, index);
}

/* Keys of free-form maps (labels, nodeSelector, limits) go in brackets. */
static void path_map(char *out, const char *prefix, const char *key)
{
    snprintf(out, FIELD_MAX, "%s[%.120s]", prefix, key);
}

static const char *describe(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "a mapping";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static const char *type_name(json_type type)
{
    return type == JSON_OBJECT ? "a mapping" : type == JSON_ARRAY ? "a list" : "a string";
}

/*
 * The value under key when it has the type. A value of another type is an
 * error; a missing one (or null, which Kubernetes treats alike) is an error
 * only when required.
 */
static const json_t *member(struct check *check, const json_t *parent, const char *parent_path,
                            const char *key, json_type type, bool required)
{
    const json_t *value = json_object_get(parent, key);
    char path[FIELD_MAX];

    path_key(path, parent_path, key);
    if (value == NULL || json_is_null(value)) {
        if (required)
            report(check, AIM_FINDING_ERROR, path, "required, but missing");
        return NULL;
    }
    if (json_typeof(value) != type) {
        report(check, AIM_FINDING_ERROR, path, "expected %s, got %s", type_name(type),
               describe(value));
        return NULL;
    }
    return value;
}

/* Whether key holds a value; null counts as absent, as in Kubernetes. */
static bool present(const json_t *parent, const char *key)
{
    const json_t *value = json_object_get(parent, key);

    return value != NULL && !json_is_null(value);
}

/* A label or annotation value: a string under metadata.<map>[key]. */
static const char *metadata_value(const json_t *metadata, const char *map, const char *key)
{
    return json_string_value(json_object_get(json_object_get(metadata, map), key));
}

/* ---- workloads -------------------------------------------------------- */

/* A pod template, or what stands for one. */
struct pod {
    const json_t *metadata;      /* the template's metadata; may be NULL */
    char metadata_path[FIELD_MAX];
    const json_t *spec;          /* nodeSelector, affinity, volumes, containers */
    char spec_path[FIELD_MAX];
    const json_t *containers;    /* a list, or one container when single */
    bool single;
    char containers_path[FIELD_MAX];
    long copies;                 /* pods made from it in a group */
    long gpus;                   /* per pod, over its containers */
};

struct workload {
    struct pod pods[2];
    int pod_count;
    bool group;                  /* a LeaderWorkerSet: the engine spans its pods */
    long size;
    bool deployment;
};

static bool read_containers(struct check *check, struct pod *pod)
{
    path_key(pod->containers_path, pod->spec_path, "containers");
    pod->containers = member(check, pod->spec, pod->spec_path, "containers", JSON_ARRAY, true);
    return pod->containers != NULL;
}

static bool read_template(struct check *check, const json_t *parent, const char *parent_path,
                          const char *key, bool required, struct pod *pod)
{
    char path[FIELD_MAX];
    const json_t *template = member(check, parent, parent_path, key, JSON_OBJECT, required);

    if (template == NULL)
        return false;
    path_key(path, parent_path, key);
    path_key(pod->metadata_path, path, "metadata");
    pod->metadata = member(check, template, path, "metadata", JSON_OBJECT, false);
    pod->spec = member(check, template, path, "spec", JSON_OBJECT, true);
    path_key(pod->spec_path, path, "spec");
    pod->copies = 1;
    return pod->spec != NULL && read_containers(check, pod);
}

static bool read_pod(struct check *check, struct workload *workload)
{
    struct pod *pod = &workload->pods[0];

    pod->metadata = json_object_get(check->object, "metadata");
    snprintf(pod->metadata_path, sizeof pod->metadata_path, "metadata");
    pod->spec = member(check, check->object, "", "spec", JSON_OBJECT, true);
    snprintf(pod->spec_path, sizeof pod->spec_path, "spec");
    pod->copies = 1;
    workload->pod_count = 1;
    return pod->spec != NULL && read_containers(check, pod);
}

/* Deployment and StatefulSet: spec.template. */
static bool read_templated(struct check *check, struct workload *workload)
{
    const json_t *spec = member(check, check->object, "", "spec", JSON_OBJECT, true);

    workload->pod_count = 1;
    return spec != NULL &&
           read_template(check, spec, "spec", "template", true, &workload->pods[0]);
}

static bool read_group_size(struct check *check, const json_t *lwt, const char *path,
                            long *size)
{
    const json_t *value = json_object_get(lwt, "size");
    char size_path[FIELD_MAX];

    *size = 1;
    if (value == NULL || json_is_null(value))
        return true;
    path_key(size_path, path, "size");
    if (!json_is_integer(value) || json_integer_value(value) < 1 ||
        json_integer_value(value) > GPUS_MAX) {
        report(check, AIM_FINDING_ERROR, size_path, "expected a whole number from 1 to %d",
               GPUS_MAX);
        return false;
    }
    *size = (long)json_integer_value(value);
    return true;
}

/* LeaderWorkerSet: a leader pod (its own template, or the worker's) and size-1 workers. */
static bool read_leader_worker_set(struct check *check, struct workload *workload)
{
    const char *path = "spec.leaderWorkerTemplate";
    const json_t *spec = member(check, check->object, "", "spec", JSON_OBJECT, true);
    const json_t *lwt = member(check, spec, "spec", "leaderWorkerTemplate", JSON_OBJECT,
                               spec != NULL);
    struct pod *worker = &workload->pods[0];

    if (lwt == NULL || !read_group_size(check, lwt, path, &workload->size))
        return false;
    workload->group = true;
    if (present(lwt, "leaderTemplate")) {
        if (!read_template(check, lwt, path, "leaderTemplate", true, &workload->pods[0]))
            return false;
        worker = &workload->pods[1];
        workload->pod_count = 1;
    }
    if (!read_template(check, lwt, path, "workerTemplate", true, worker))
        return false;
    worker->copies = workload->pod_count == 1 ? workload->size - 1 : workload->size;
    workload->pod_count++;
    return true;
}

/* InferenceService: spec.predictor is the pod spec; its containers or its model. */
static bool read_inference_service(struct check *check, struct workload *workload)
{
    const json_t *spec = member(check, check->object, "", "spec", JSON_OBJECT, true);
    struct pod *pod = &workload->pods[0];
    const json_t *model;

    pod->spec = member(check, spec, "spec", "predictor", JSON_OBJECT, spec != NULL);
    if (pod->spec == NULL)
        return false;
    pod->metadata = json_object_get(check->object, "metadata");
    snprintf(pod->metadata_path, sizeof pod->metadata_path, "metadata");
    snprintf(pod->spec_path, sizeof pod->spec_path, "spec.predictor");
    pod->copies = 1;
    workload->pod_count = 1;
    if (present(pod->spec, "containers"))
        return read_containers(check, pod);
    model = member(check, pod->spec, pod->spec_path, "model", JSON_OBJECT, false);
    if (model == NULL)
        return false;
    pod->containers = model;
    pod->single = true;
    snprintf(pod->containers_path, sizeof pod->containers_path, "spec.predictor.model");
    return true;
}

/* Reads the pods of a workload kind; false for other kinds or broken shapes. */
static bool read_workload(struct check *check, const char *kind, struct workload *workload)
{
    memset(workload, 0, sizeof *workload);
    workload->size = 1;
    if (strcmp(kind, "Pod") == 0)
        return read_pod(check, workload);
    if (strcmp(kind, "Deployment") == 0 || strcmp(kind, "StatefulSet") == 0) {
        workload->deployment = strcmp(kind, "Deployment") == 0;
        return read_templated(check, workload);
    }
    if (strcmp(kind, "LeaderWorkerSet") == 0)
        return read_leader_worker_set(check, workload);
    if (strcmp(kind, "InferenceService") == 0)
        return read_inference_service(check, workload);
    return false;
}

static size_t container_count(const struct pod *pod)
{
    return pod->single ? 1 : json_array_size(pod->containers);
}

static const json_t *container_at(const struct pod *pod, size_t index, char *path)
{
    if (pod->single) {
        snprintf(path, FIELD_MAX, "%s", pod->containers_path);
        return pod->containers;
    }
    path_index(path, pod->containers_path, index);
    return json_array_get(pod->containers, index);
}

/* ---- GPU requests ----------------------------------------------------- */

struct gpu_request {
    const char *resource;        /* NULL: the container asks for no GPUs */
    long count;
    char path[FIELD_MAX];        /* the limit (or request) that says so */
};

static bool whole_text(const char *text, size_t length, long max, long *out)
{
    long value = 0;

    if (length == 0 || length > 10)
        return false;
    for (size_t i = 0; i < length; i++) {
        if (!isdigit((unsigned char)text[i]))
            return false;
        value = value * 10 + (text[i] - '0');
        if (value > max)
            return false;
    }
    *out = value;
    return true;
}

/* A resource quantity that is a whole number of GPUs: 8 or "8". */
static bool gpu_quantity(struct check *check, const json_t *value, const char *path, long *out)
{
    if (json_is_integer(value) && json_integer_value(value) >= 0 &&
        json_integer_value(value) <= GPUS_MAX) {
        *out = (long)json_integer_value(value);
        return true;
    }
    if (json_is_string(value) &&
        whole_text(json_string_value(value), json_string_length(value), GPUS_MAX, out))
        return true;
    if (json_is_string(value))
        report(check, AIM_FINDING_ERROR, path, "expected a whole number of GPUs, got '%.40s'",
               json_string_value(value));
    else
        report(check, AIM_FINDING_ERROR, path, "expected a whole number of GPUs, got %s",
               describe(value));
    return false;
}

/* Limits and requests of one GPU resource; false when it is absent or bad. */
static bool read_resource(struct check *check, const json_t *limits, const json_t *requests,
                          const char *resources_path, const char *resource,
                          struct gpu_request *out)
{
    const json_t *limit = json_object_get(limits, resource);
    const json_t *request = json_object_get(requests, resource);
    char limit_path[FIELD_MAX], request_path[FIELD_MAX], base[FIELD_MAX];
    long limit_count = 0, request_count = 0;
    bool has_limit, has_request;

    path_key(base, resources_path, "limits");
    path_map(limit_path, base, resource);
    path_key(base, resources_path, "requests");
    path_map(request_path, base, resource);
    has_limit = limit != NULL && gpu_quantity(check, limit, limit_path, &limit_count);
    has_request = request != NULL && gpu_quantity(check, request, request_path, &request_count);
    if (!has_limit && !has_request)
        return false;
    if (limit == NULL)
        report(check, AIM_FINDING_WARNING, request_path,
               "a GPU request without a limit: Kubernetes wants GPU limits, equal to requests");
    else if (has_limit && has_request && request_count != limit_count)
        report(check, AIM_FINDING_WARNING, request_path,
               "requests %ld but the limit is %ld: Kubernetes wants GPU requests equal to "
               "limits", request_count, limit_count);
    out->resource = resource;
    out->count = has_limit ? limit_count : request_count;
    snprintf(out->path, sizeof out->path, "%s", has_limit ? limit_path : request_path);
    return true;
}

static void read_gpus(struct check *check, const json_t *container, const char *path,
                      struct gpu_request *out)
{
    char resources_path[FIELD_MAX];
    const json_t *resources = member(check, container, path, "resources", JSON_OBJECT, false);
    const json_t *limits, *requests;
    struct gpu_request found = {0};

    memset(out, 0, sizeof *out);
    path_key(resources_path, path, "resources");
    limits = member(check, resources, resources_path, "limits", JSON_OBJECT, false);
    requests = member(check, resources, resources_path, "requests", JSON_OBJECT, false);
    for (size_t i = 0; i < sizeof gpu_resources / sizeof gpu_resources[0]; i++) {
        if (read_resource(check, limits, requests, resources_path, gpu_resources[i], &found) &&
            out->resource == NULL)
            *out = found;
    }
}

/* GPUs of every container of every pod of the workload. */
static long workload_gpus(struct check *check, struct workload *workload)
{
    struct gpu_request request;
    char path[FIELD_MAX];
    long total = 0;

    for (int p = 0; p < workload->pod_count; p++) {
        struct pod *pod = &workload->pods[p];

        pod->gpus = 0;
        for (size_t i = 0; i < container_count(pod); i++) {
            const json_t *container = container_at(pod, i, path);

            if (!json_is_object(container))
                continue;
            read_gpus(check, container, path, &request);
            pod->gpus += request.count;
        }
        total += pod->gpus * pod->copies;
    }
    return total;
}

/* ---- GPU types -------------------------------------------------------- */

struct gpu_types {
    const struct aim_gpu *items[GPU_TYPES_MAX];
    int count;
    const char *source;   /* how the type was named, for messages */
};

static void add_type(struct gpu_types *types, const struct aim_gpu *gpu)
{
    for (int i = 0; i < types->count; i++) {
        if (types->items[i] == gpu)
            return;
    }
    if (types->count < GPU_TYPES_MAX)
        types->items[types->count++] = gpu;
}

static const struct aim_gpu *gpu_by_device_id(const aim_catalog *catalog, const char *text)
{
    char *end;
    unsigned long id;

    if (text[0] == '\0' || strlen(text) > 4 || !isxdigit((unsigned char)text[0]))
        return NULL;
    id = strtoul(text, &end, 16);
    return *end == '\0' ? aim_catalog_find_gpu_by_pci(catalog, AIM_VENDOR_AMD, (unsigned)id)
                        : NULL;
}

static const struct aim_gpu *gpu_by_product(const aim_catalog *catalog, const char *text)
{
    for (size_t i = 0; i < aim_catalog_gpu_count(catalog); i++) {
        const struct aim_gpu *gpu = aim_catalog_gpu_at(catalog, i);

        if (gpu->product_label[0] != '\0' && strcasecmp(gpu->product_label, text) == 0)
            return gpu;
    }
    return aim_catalog_find_gpu(catalog, text);
}

/* A label value as text: node label values may be written as plain numbers. */
static const char *label_text(const json_t *value, char *buffer, size_t size)
{
    if (json_is_string(value))
        return json_string_value(value);
    if (json_is_integer(value)) {
        snprintf(buffer, size, "%lld", (long long)json_integer_value(value));
        return buffer;
    }
    return NULL;
}

/*
 * A node label that names a GPU type; returns false for other labels. An
 * unknown value is a warning, and names no type.
 */
static bool gpu_from_label(struct check *check, const char *key, const char *value,
                           const char *path, struct gpu_types *types)
{
    /* The old labeller puts the id in the key: beta.amd.com/gpu.device-id.74a1=8. */
    bool beta = strncmp(key, BETA_DEVICE_ID, strlen(BETA_DEVICE_ID)) == 0;
    const struct aim_gpu *gpu;

    if (beta)
        value = key + strlen(BETA_DEVICE_ID);
    if (beta || strcmp(key, "amd.com/gpu.device-id") == 0)
        gpu = gpu_by_device_id(check->catalog, value);
    else if (strcmp(key, "amd.com/gpu.product-name") == 0 ||
             strcmp(key, "nvidia.com/gpu.product") == 0)
        gpu = gpu_by_product(check->catalog, value);
    else
        return false;
    if (gpu == NULL)
        report(check, AIM_FINDING_WARNING, path,
               "'%.64s' is no GPU type in the catalog (see 'aimctl gpus')", value);
    else
        add_type(types, gpu);
    return true;
}

static void types_from_node_selector(struct check *check, const struct pod *pod,
                                     struct gpu_types *types)
{
    const json_t *selector = json_object_get(pod->spec, "nodeSelector");
    char path[FIELD_MAX], base[FIELD_MAX], buffer[32];
    const char *key, *text;
    json_t *value;

    path_key(base, pod->spec_path, "nodeSelector");
    json_object_foreach((json_t *)selector, key, value) {
        text = label_text(value, buffer, sizeof buffer);
        path_map(path, base, key);
        if (text != NULL)
            gpu_from_label(check, key, text, path, types);
    }
}

/* One matchExpression of a required node affinity term. */
static void types_from_expression(struct check *check, const json_t *expression,
                                  const char *path, struct gpu_types *types)
{
    const char *key = json_string_value(json_object_get(expression, "key"));
    const char *op = json_string_value(json_object_get(expression, "operator"));
    const json_t *values = json_object_get(expression, "values");
    char value_path[FIELD_MAX], base[FIELD_MAX], buffer[32];
    size_t index;
    json_t *value;

    if (key == NULL || op == NULL)
        return;
    /* Exists names a type only in the old count-encoded form. */
    if (strcmp(op, "Exists") == 0 &&
        strncmp(key, BETA_DEVICE_ID, strlen(BETA_DEVICE_ID)) == 0) {
        gpu_from_label(check, key, "", path, types);
        return;
    }
    if (strcmp(op, "In") != 0)
        return;
    path_key(base, path, "values");
    json_array_foreach(values, index, value) {
        const char *text = label_text(value, buffer, sizeof buffer);

        path_index(value_path, base, index);
        if (text != NULL && !gpu_from_label(check, key, text, value_path, types))
            return;
    }
}

static void types_from_affinity(struct check *check, const struct pod *pod,
                                struct gpu_types *types)
{
    const json_t *terms = json_object_get(
        json_object_get(json_object_get(json_object_get(pod->spec, "affinity"), "nodeAffinity"),
                        "requiredDuringSchedulingIgnoredDuringExecution"),
        "nodeSelectorTerms");
    char base[FIELD_MAX], term_path[FIELD_MAX], expressions_path[FIELD_MAX], path[FIELD_MAX];
    size_t t, e;
    json_t *term, *expression;

    snprintf(base, sizeof base,
             "%s.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
             "nodeSelectorTerms",
             pod->spec_path);
    json_array_foreach(terms, t, term) {
        path_index(term_path, base, t);
        path_key(expressions_path, term_path, "matchExpressions");
        json_array_foreach(json_object_get(term, "matchExpressions"), e, expression) {
            path_index(path, expressions_path, e);
            types_from_expression(check, expression, path, types);
        }
    }
}

static void types_from_aim_label(struct check *check, const struct pod *pod,
                                 struct gpu_types *types)
{
    const json_t *object_metadata = json_object_get(check->object, "metadata");
    const json_t *sources[] = {pod->metadata, object_metadata};
    const char *source_paths[] = {pod->metadata_path, "metadata"};
    const char *maps[] = {"labels", "annotations"};

    for (size_t s = 0; s < 2; s++) {
        for (size_t m = 0; m < 2; m++) {
            const char *value = metadata_value(sources[s], maps[m], GPU_LABEL);
            const struct aim_gpu *gpu;

            if (value == NULL)
                continue;
            gpu = aim_catalog_find_gpu(check->catalog, value);
            if (gpu == NULL) {
                char path[FIELD_MAX], base[FIELD_MAX];

                path_key(base, source_paths[s], maps[m]);
                path_map(path, base, GPU_LABEL);
                report(check, AIM_FINDING_WARNING, path,
                       "'%.64s' is no GPU type in the catalog (see 'aimctl gpus')", value);
                continue;
            }
            add_type(types, gpu);
            return;
        }
    }
}

/*
 * The GPU types the pod can land on: from its node selector or required
 * node affinity, else the aim.amd.com/gpu label or annotation, else the
 * caller's default when it is of the requested resource.
 */
static void resolve_gpu_types(struct check *check, const struct pod *pod,
                              const char *resource, struct gpu_types *types)
{
    const struct aim_gpu *fallback = check->options != NULL ? check->options->gpu : NULL;

    memset(types, 0, sizeof *types);
    types->source = "the node selector";
    types_from_node_selector(check, pod, types);
    if (types->count == 0) {
        types->source = "the node affinity";
        types_from_affinity(check, pod, types);
    }
    if (types->count == 0) {
        types->source = "the " GPU_LABEL " label";
        types_from_aim_label(check, pod, types);
    }
    if (types->count == 0 && fallback != NULL &&
        (resource == NULL || strcmp(fallback->resource_name, resource) == 0)) {
        types->source = "the default GPU type";
        add_type(types, fallback);
    }
}

/* ---- the engine container --------------------------------------------- */

/* What the rules know about one engine container. */
struct engine_view {
    struct ea_command command;
    const json_t *container;
    const struct pod *pod;
    char path[FIELD_MAX];
    struct gpu_request gpus;
    const char *engine_name;       /* "vLLM", "SGLang" */
    long tp, pp, dp;               /* 1 when absent */
    long max_len;                  /* 0 when absent */
    double memory_share;           /* the engine's share of GPU memory; 0 when absent */
    bool parallel_ok;              /* tp, pp and dp were read */
    bool length_ok;                /* max_len and memory_share were read */
    bool count_ok;                 /* the GPU count rule passed */
    const struct aim_model *model; /* NULL when unknown */
    char model_id[AIM_MODEL_ID_MAX];
    enum aim_precision checkpoint_precision;
    int model_token;               /* -1 when named by the annotation */
};

static void token_path(const struct engine_view *view, int token, char *out)
{
    const struct ea_token *item;

    if (token < 0) {
        snprintf(out, FIELD_MAX, "%s", view->path);
        return;
    }
    item = &view->command.tokens[token];
    snprintf(out, FIELD_MAX, "%s.%s[%zu]", view->path, item->in_args ? "args" : "command",
             item->index);
}

static void value_path(const struct engine_view *view, enum ea_slot slot, char *out)
{
    const struct ea_value *value = &view->command.values[slot];

    token_path(view, value->set ? value->token : -1, out);
}

/* Kubernetes expands $(NAME) in args from the container's literal env. */
static void expand(const json_t *container, const char **text, size_t *length)
{
    size_t index;
    json_t *item;

    if (*length < 4 || memcmp(*text, "$(", 2) != 0 || (*text)[*length - 1] != ')')
        return;
    json_array_foreach(json_object_get(container, "env"), index, item) {
        const char *name = json_string_value(json_object_get(item, "name"));
        const json_t *value = json_object_get(item, "value");

        if (name != NULL && json_is_string(value) && strlen(name) == *length - 3 &&
            memcmp(name, *text + 2, *length - 3) == 0) {
            *text = json_string_value(value);
            *length = json_string_length(value);
            return;
        }
    }
}

/* "32768", or with vLLM's suffixes: 32k (x1000), 32K (x1024), 1m, 1M. */
static bool parse_length(const char *text, size_t length, bool suffixes, long *out)
{
    static const char units[] = "kKmM";
    static const long scale[] = {1000L, 1024L, 1000000L, 1048576L};
    const char *unit = length > 1 && suffixes ? strchr(units, text[length - 1]) : NULL;

    if (unit != NULL && *unit != '\0') {
        if (!whole_text(text, length - 1, NUMBER_MAX / scale[unit - units], out))
            return false;
        *out *= scale[unit - units];
        return true;
    }
    return whole_text(text, length, NUMBER_MAX, out);
}

/* A whole-number flag; false (after reporting) when it cannot be read. */
static bool read_number(struct check *check, struct engine_view *view, enum ea_slot slot,
                        long max, long *out)
{
    const struct ea_value *value = &view->command.values[slot];
    const char *text = value->text;
    size_t length = value->length;
    char path[FIELD_MAX];

    if (!value->set)
        return true;
    expand(view->container, &text, &length);
    value_path(view, slot, path);
    if (memchr(text, '$', length) != NULL) {
        report(check, AIM_FINDING_NOTE, path,
               "%.*s '%.*s' is not a literal value; the checks that need it are skipped",
               (int)value->flag_length, value->flag, (int)(length > 60 ? 60 : length), text);
        return false;
    }
    if (!parse_length(text, length, slot == EA_MAX_LEN, out) || *out < 1 || *out > max) {
        report(check, AIM_FINDING_ERROR, path,
               "%.*s '%.*s': expected a whole number from 1 to %ld", (int)value->flag_length,
               value->flag, (int)(length > 60 ? 60 : length), text, max);
        return false;
    }
    return true;
}

/* --gpu-memory-utilization or --mem-fraction-static: a share of the GPU's memory. */
static bool read_share(struct check *check, struct engine_view *view)
{
    const struct ea_value *value = &view->command.values[EA_MEMORY_SHARE];
    const char *text = value->text;
    size_t length = value->length;
    char buffer[32], path[FIELD_MAX];
    char *end;

    view->memory_share = 0;
    if (!value->set)
        return true;
    expand(view->container, &text, &length);
    snprintf(buffer, sizeof buffer, "%.*s", (int)(length < 31 ? length : 31), text);
    view->memory_share = strtod(buffer, &end);
    if (length < sizeof buffer && end != buffer && *end == '\0' && view->memory_share > 0 &&
        view->memory_share <= 1)
        return true;
    value_path(view, EA_MEMORY_SHARE, path);
    report(check, AIM_FINDING_ERROR, path, "%.*s '%s': expected a number above 0, at most 1",
           (int)value->flag_length, value->flag, buffer);
    return false;
}

static void read_numbers(struct check *check, struct engine_view *view)
{
    bool ok = true;

    view->tp = view->pp = view->dp = 1;
    view->max_len = 0;
    ok = read_number(check, view, EA_TP, PARALLEL_MAX, &view->tp) && ok;
    ok = read_number(check, view, EA_PP, PARALLEL_MAX, &view->pp) && ok;
    ok = read_number(check, view, EA_DP, PARALLEL_MAX, &view->dp) && ok;
    view->parallel_ok = ok;
    ok = read_number(check, view, EA_MAX_LEN, NUMBER_MAX, &view->max_len);
    view->length_ok = read_share(check, view) && ok;
    /* SGLang's DP attention splits the tensor-parallel GPUs, adding none. */
    if (view->command.values[EA_DP_ATTENTION].set)
        view->dp = 1;
}

/* ---- rules: GPU count, environment, shared memory ---------------------- */

static void describe_parallelism(const struct engine_view *view, char *out, size_t size)
{
    int used = snprintf(out, size, "tensor parallel size %ld%s", view->tp,
                        view->command.values[EA_TP].set ? "" : ", the default");

    if (view->pp > 1 && used > 0 && (size_t)used < size)
        used += snprintf(out + used, size - (size_t)used, " x pipeline parallel size %ld",
                         view->pp);
    if (view->dp > 1 && used > 0 && (size_t)used < size)
        snprintf(out + used, size - (size_t)used, " x data parallel size %ld", view->dp);
}

static void check_gpu_count(struct check *check, const struct workload *workload,
                            long group_gpus, struct engine_view *view)
{
    long uses = view->tp * view->pp * view->dp;
    char how[160];
    const char *path = view->gpus.resource != NULL ? view->gpus.path : view->path;

    describe_parallelism(view, how, sizeof how);
    view->count_ok = false;
    if (workload->group && group_gpus != uses) {
        report(check, AIM_FINDING_ERROR, path,
               "the group of %ld pod%s holds %ld GPU%s but %s uses %ld (%s)", workload->size,
               workload->size == 1 ? "" : "s", group_gpus, group_gpus == 1 ? "" : "s",
               view->engine_name, uses, how);
    } else if (!workload->group && view->gpus.count == 0) {
        report(check, AIM_FINDING_ERROR, path, "requests no GPUs but %s uses %ld (%s)",
               view->engine_name, uses, how);
    } else if (!workload->group && view->gpus.count != uses) {
        report(check, AIM_FINDING_ERROR, path, "requests %ld GPU%s (%s) but %s uses %ld (%s)",
               view->gpus.count, view->gpus.count == 1 ? "" : "s", view->gpus.resource,
               view->engine_name, uses, how);
    } else {
        view->count_ok = true;
    }
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t length = strlen(text), suffix_length = strlen(suffix);

    return length >= suffix_length && strcmp(text + length - suffix_length, suffix) == 0;
}

static void check_env(struct check *check, const struct engine_view *view)
{
    char base[FIELD_MAX], path[FIELD_MAX];
    size_t index;
    json_t *item;

    path_key(base, view->path, "env");
    json_array_foreach(json_object_get(view->container, "env"), index, item) {
        const char *name = json_string_value(json_object_get(item, "name"));

        if (name == NULL || !ends_with(name, "_VISIBLE_DEVICES"))
            continue;
        path_index(path, base, index);
        report(check, AIM_FINDING_WARNING, path,
               "%.64s is set: the device plugin already assigns the GPUs, and vLLM and Ray "
               "mishandle it on ROCm (\"invalid device ordinal\")",
               name);
    }
}

static bool mounts_shm(const json_t *container)
{
    size_t index;
    json_t *mount;

    json_array_foreach(json_object_get(container, "volumeMounts"), index, mount) {
        const char *path = json_string_value(json_object_get(mount, "mountPath"));

        if (path != NULL && (strcmp(path, "/dev/shm") == 0 || strcmp(path, "/dev/shm/") == 0))
            return true;
    }
    return false;
}

static void check_shm(struct check *check, const struct engine_view *view)
{
    if (view->tp <= 1 || mounts_shm(view->container) ||
        json_is_true(json_object_get(view->pod->spec, "hostIPC")))
        return;
    report(check, AIM_FINDING_WARNING, view->path,
           "tensor parallel size %ld with no /dev/shm volume: the runtime's 64 MiB /dev/shm "
           "is too small for NCCL/RCCL; mount an emptyDir with medium: Memory there",
           view->tp);
}

/* ---- rules: the model ------------------------------------------------- */

/* Finds a model by checkpoint id; *precision is that checkpoint's. */
static const struct aim_model *find_checkpoint(const aim_catalog *catalog, const char *id,
                                               enum aim_precision *precision)
{
    const struct aim_model *model = aim_catalog_find_model(catalog, id);
    char base[AIM_MODEL_ID_MAX];
    const char *suffix;

    if (model != NULL) {
        *precision = model->checkpoint.precision;
        for (int v = 0; v < model->variant_count; v++) {
            if (strcasecmp(model->variants[v].id, id) == 0)
                *precision = model->variants[v].precision;
        }
        return model;
    }
    /* Org/Name-FP8 (or -FP8-dynamic, -FP8-KV): an FP8 checkpoint of Org/Name. */
    snprintf(base, sizeof base, "%s", id);
    for (suffix = strchr(base, '-'); suffix != NULL; suffix = strchr(suffix + 1, '-')) {
        if (strncasecmp(suffix, "-fp8", 4) == 0 && (suffix[4] == '\0' || suffix[4] == '-')) {
            base[suffix - base] = '\0';
            *precision = AIM_PRECISION_FP8;
            return aim_catalog_find_model(catalog, base);
        }
    }
    return NULL;
}

static const char *model_annotation(const struct check *check, const struct pod *pod)
{
    const char *value = metadata_value(pod->metadata, "annotations", MODEL_ANNOTATION);

    if (value == NULL)
        value = metadata_value(json_object_get(check->object, "metadata"), "annotations",
                               MODEL_ANNOTATION);
    return value;
}

/* Looks id up; on success it becomes the view's model, named at token. */
static bool try_model(const struct check *check, struct engine_view *view, const char *id,
                      int token)
{
    const struct aim_model *model = find_checkpoint(check->catalog, id,
                                                    &view->checkpoint_precision);

    if (model == NULL)
        return false;
    view->model = model;
    view->model_token = token;
    snprintf(view->model_id, sizeof view->model_id, "%s", id);
    return true;
}

/*
 * The model: the engine's flag or positional when the catalog knows it,
 * else the aim.amd.com/model annotation. Unknown or unnamed is a warning.
 */
static void resolve_model(struct check *check, struct engine_view *view)
{
    const struct ea_value *value = &view->command.values[EA_MODEL];
    const char *annotation = model_annotation(check, view->pod);
    const char *text = value->text;
    size_t length = value->length;
    char named[AIM_MODEL_ID_MAX] = "", path[FIELD_MAX];

    view->model = NULL;
    if (value->set) {
        expand(view->container, &text, &length);
        snprintf(named, sizeof named, "%.*s", (int)length, text);
        if (try_model(check, view, named, value->token))
            return;
    }
    if (annotation != NULL && try_model(check, view, annotation, -1))
        return;
    if (named[0] == '\0' && annotation != NULL)
        snprintf(named, sizeof named, "%s", annotation);
    value_path(view, EA_MODEL, path);
    if (named[0] == '\0')
        report(check, AIM_FINDING_WARNING, path,
               "%s names no model (flag or " MODEL_ANNOTATION " annotation); the model checks "
               "are skipped", view->engine_name);
    else
        report(check, AIM_FINDING_WARNING, path,
               "unknown model '%s' (see 'aimctl models'); the model checks are skipped", named);
}

static bool check_context(struct check *check, const struct engine_view *view)
{
    const struct ea_value *value = &view->command.values[EA_MAX_LEN];
    char path[FIELD_MAX];

    if (view->max_len <= view->model->max_context)
        return true;
    value_path(view, EA_MAX_LEN, path);
    report(check, AIM_FINDING_ERROR, path, "%.*s %ld exceeds the %d tokens %s supports",
           (int)value->flag_length, value->flag, view->max_len, view->model->max_context,
           view->model->id);
    return false;
}

static bool check_heads(struct check *check, const struct engine_view *view)
{
    const struct aim_model *model = view->model;
    long tp = view->tp;
    char path[FIELD_MAX];

    value_path(view, EA_TP, path);
    if (model->num_attention_heads > 0 && model->num_attention_heads % tp != 0) {
        report(check, AIM_FINDING_ERROR, path,
               "tensor parallel size %ld does not divide the %d attention heads of %s", tp,
               model->num_attention_heads, model->id);
        return false;
    }
    if (!aim_model_uses_mla(model) && model->num_kv_heads > 0 &&
        model->num_kv_heads % tp != 0 && tp % model->num_kv_heads != 0) {
        report(check, AIM_FINDING_ERROR, path,
               "tensor parallel size %ld and the %d KV heads of %s do not divide one another",
               tp, model->num_kv_heads, model->id);
        return false;
    }
    return true;
}

static bool check_architecture(struct check *check, const struct engine_view *view)
{
    const struct aim_engine *engine = aim_catalog_engine(check->catalog, view->command.backend);

    if (engine == NULL || aim_engine_serves(engine, view->model->architecture))
        return true;
    report(check, AIM_FINDING_WARNING, view->path,
           "%s does not list %s among the architectures it serves; the memory check is "
           "skipped",
           view->engine_name, view->model->architecture);
    return false;
}

/* ---- rules: precision and memory, per GPU type ------------------------- */

struct precision_choice {
    enum aim_precision weights;
    bool online_fp8;       /* --quantization fp8 over 16-bit weights */
};

static bool value_is(const struct ea_value *value, const char *word)
{
    return value->set && value->length == strlen(word) &&
           strncasecmp(value->text, word, value->length) == 0;
}

/*
 * The precision of the weights as served: a quantized checkpoint's own,
 * online fp8, else --dtype over 16-bit weights. False (after a note) for a
 * dtype aimctl does not size.
 */
static bool choose_precision(struct check *check, const struct engine_view *view,
                             struct precision_choice *out)
{
    const struct ea_value *dtype = &view->command.values[EA_DTYPE];
    enum aim_precision own = view->checkpoint_precision;
    bool sixteen = own == AIM_PRECISION_BF16 || own == AIM_PRECISION_FP16;
    char text[32], path[FIELD_MAX];

    out->weights = own;
    out->online_fp8 = sixteen && value_is(&view->command.values[EA_QUANTIZATION], "fp8");
    if (out->online_fp8)
        out->weights = AIM_PRECISION_FP8;
    if (!sixteen || out->online_fp8 || !dtype->set || value_is(dtype, "auto"))
        return true;
    snprintf(text, sizeof text, "%.*s", (int)dtype->length, dtype->text);
    if (aim_precision_parse(text, &out->weights) &&
        (out->weights == AIM_PRECISION_BF16 || out->weights == AIM_PRECISION_FP16))
        return true;
    value_path(view, EA_DTYPE, path);
    report(check, AIM_FINDING_NOTE, path,
           "--dtype '%.30s' is not one aimctl sizes (auto, bfloat16, float16); the precision "
           "and memory checks are skipped",
           text);
    return false;
}

/* Whether the GPU can run the weights; reports why not. */
static bool check_precision(struct check *check, const struct engine_view *view,
                            const struct precision_choice *precision, const struct aim_gpu *gpu)
{
    char path[FIELD_MAX];

    if (precision->online_fp8 && !gpu->native[AIM_PRECISION_FP8]) {
        value_path(view, EA_QUANTIZATION, path);
        report(check, AIM_FINDING_ERROR, path,
               "%s has no native fp8, which online quantization (--quantization fp8) needs",
               gpu->name);
        return false;
    }
    if (precision->online_fp8 || aim_gpu_runs_precision(gpu, precision->weights))
        return true;
    token_path(view, view->model_token, path);
    report(check, AIM_FINDING_ERROR, path, "%s cannot run %s weights (%s)", gpu->name,
           aim_precision_name(precision->weights), view->model_id);
    return false;
}

/* The selection's precision: a 16-bit dtype over the other 16-bit checkpoint
   weighs the same, and the ladder only knows published checkpoints. */
static enum aim_precision sizing_precision(const struct engine_view *view,
                                           const struct precision_choice *precision)
{
    enum aim_precision own = view->model->checkpoint.precision;

    if ((precision->weights == AIM_PRECISION_BF16 || precision->weights == AIM_PRECISION_FP16) &&
        aim_model_checkpoint_for(view->model, precision->weights) == NULL &&
        (own == AIM_PRECISION_BF16 || own == AIM_PRECISION_FP16))
        return own;
    return precision->weights;
}

/* The context the engine serves: the container's, else the engine's default. */
static long served_length(const struct check *check, const struct engine_view *view)
{
    long floor_length = aim_catalog_calibration(check->catalog)->min_context_tokens;

    if (view->max_len > 0)
        return view->max_len;
    /* vLLM takes the model's whole context and refuses to start when it does
       not fit; SGLang shrinks its KV pool, so only a short request must fit. */
    if (view->command.backend == AIM_BACKEND_VLLM)
        return view->model->max_context;
    return floor_length < view->model->max_context ? floor_length : view->model->max_context;
}

/*
 * The memory model without recipes: the engine's default batch, the GPU's
 * (or the container's) memory share. Returns false with the reason when
 * the model does not fit.
 */
static bool estimate_fit(const struct check *check, const struct engine_view *view,
                         enum aim_precision precision, const struct aim_gpu *gpu,
                         char *reason, size_t size, bool *too_long)
{
    const struct aim_engine *engine = aim_catalog_engine(check->catalog, view->command.backend);
    const struct aim_checkpoint *checkpoint = aim_model_checkpoint_for(view->model, precision);
    bool large = engine == NULL || gpu->memory_gib >= engine->large_gpu_gib;
    struct aim_memory_input input = {
        .model = view->model,
        .gpu = gpu,
        .calibration = aim_catalog_calibration(check->catalog),
        .tensor_parallel = (int)view->tp,
        .pipeline_parallel = (int)view->pp,
        .weight_bytes = aim_weight_bytes(view->model, precision),
        .kv_bytes = checkpoint != NULL && checkpoint->kv_cache_fp8 ? 1.0 : 2.0,
        .gpu_memory_utilization = view->memory_share > 0 ? view->memory_share
                                                         : gpu->gpu_memory_utilization,
        .max_num_batched_tokens = engine == NULL ? 8192
                                  : large        ? engine->max_num_batched_tokens_large
                                                 : engine->max_num_batched_tokens_small,
        .max_model_len = served_length(check, view),
    };
    struct aim_memory memory;
    double before;

    aim_memory_estimate(&input, &memory);
    before = memory.weights_gib + memory.activations_gib + memory.overhead_gib;
    *too_long = memory.kv_cache_gib > 0;
    if (memory.kv_cache_gib <= 0) {
        snprintf(reason, size,
                 "needs %.1f GiB per GPU before any KV cache (weights %.1f), has %.1f usable",
                 before, memory.weights_gib, memory.usable_gib);
        return false;
    }
    if (memory.longest_fit >= input.max_model_len)
        return true;
    snprintf(reason, size,
             "needs %.1f GiB per GPU for a %ld-token request, has %.1f usable; the largest "
             "max_model_len that fits is %ld",
             before + aim_kv_bytes_for_length(view->model, input.tensor_parallel,
                                              input.kv_bytes, input.max_model_len) *
                          aim_pipeline_layer_share(view->model, input.pipeline_parallel) /
                          AIM_GIB,
             input.max_model_len, memory.usable_gib, memory.longest_fit);
    return false;
}

/* too_long: the weights fit, a request of the served length does not. */
static void report_no_fit(struct check *check, const struct engine_view *view,
                          enum aim_precision precision, const struct aim_gpu *gpu,
                          const char *reason, bool too_long)
{
    bool defaulted = too_long && view->max_len == 0 &&
                     view->command.backend == AIM_BACKEND_VLLM;

    long gpus = view->tp * view->pp;

    report(check, AIM_FINDING_ERROR, view->path, "%s at %s does not fit %ld %s GPU%s: %s%s",
           view->model_id, aim_precision_name(precision), gpus, gpu->name,
           gpus == 1 ? "" : "s", reason,
           defaulted ? " (no --max-model-len: vLLM serves the model's whole context)" : "");
}

/*
 * The selection's verdict on the candidate the container is. When the
 * ladder refuses it for a policy (a recipe disables the count, a derived
 * recipe would not spread so few weights), the memory model decides alone,
 * and the policy is a note.
 */
static void judge_candidate(struct check *check, const struct engine_view *view,
                            const struct aim_request *request,
                            const struct aim_candidate *candidate)
{
    char reason[AIM_REASON_MAX];
    bool too_long;

    if (candidate->accepted)
        return;
    if (candidate->need_gib > 0) {
        report_no_fit(check, view, request->precision, request->gpu, candidate->reason,
                      candidate->longest_fit > 0);
        return;
    }
    if (!estimate_fit(check, view, request->precision, request->gpu, reason, sizeof reason,
                      &too_long)) {
        report_no_fit(check, view, request->precision, request->gpu, reason, too_long);
        return;
    }
    report(check, AIM_FINDING_NOTE, view->path,
           "it fits, but aimctl would not serve %s at %s on %d %s GPU%s: %s", view->model_id,
           aim_precision_name(request->precision), candidate->gpu_count, request->gpu->name,
           candidate->gpu_count == 1 ? "" : "s", candidate->reason);
}

/* The candidate of the trace the container is, or NULL. */
static const struct aim_candidate *candidate_for(const struct aim_plan *plan, long tp,
                                                 long pp)
{
    for (int i = 0; i < plan->trace_count; i++) {
        const struct aim_candidate *candidate = &plan->trace[i];

        if (candidate->gpu_count == tp * pp && candidate->node_count == pp)
            return candidate;
    }
    return NULL;
}

static bool on_the_ladder(long tp)
{
    return tp == 1 || tp == 2 || tp == 4 || tp == 8;
}

/*
 * Runs the selection pinned to what the container asks for: its tensor
 * parallel size on one node, its pipeline stages as nodes. What the ladder
 * does not walk (other sizes, the container's own memory share, a count
 * skipped because fewer GPUs already hold the model) the memory model
 * decides alone.
 */
static void check_memory(struct check *check, const struct engine_view *view,
                         enum aim_precision precision, const struct aim_gpu *gpu)
{
    struct aim_request request;
    struct aim_plan *plan;
    struct aim_error err = {0};
    char reason[AIM_REASON_MAX];
    enum aim_status status;
    bool too_long;

    /* The selection sizes with the recipe's memory share; the container's own
       share only the memory model takes. */
    if (view->memory_share > 0 || !on_the_ladder(view->tp)) {
        if (!estimate_fit(check, view, precision, gpu, reason, sizeof reason, &too_long))
            report_no_fit(check, view, precision, gpu, reason, too_long);
        return;
    }
    plan = malloc(sizeof *plan);
    if (plan == NULL) {
        check->status = AIM_E_NOMEM;
        return;
    }
    aim_request_init(&request);
    request.model = view->model;
    request.gpu = gpu;
    request.gpus_free = (int)view->tp;
    request.node_count = (int)view->pp;
    request.precision_pinned = true;
    request.precision = precision;
    request.backend_pinned = true;
    request.backend = view->command.backend;
    request.max_model_len = view->max_len > 0 || view->command.backend == AIM_BACKEND_VLLM
                                ? served_length(check, view)
                                : 0;
    status = aim_select(check->catalog, &request, plan, &err);
    if (status == AIM_OK || status == AIM_E_NO_FIT) {
        const struct aim_candidate *candidate = candidate_for(plan, view->tp, view->pp);

        if (candidate != NULL)
            judge_candidate(check, view, &request, candidate);
        else if (!estimate_fit(check, view, precision, gpu, reason, sizeof reason, &too_long))
            report_no_fit(check, view, precision, gpu, reason, too_long);
    } else {
        report(check, AIM_FINDING_NOTE, view->path, "the memory check failed: %s",
               err.message);
    }
    free(plan);
}

/* With a cluster: some eligible node of the type must have the pod's GPUs free. */
static void check_capacity(struct check *check, const struct engine_view *view,
                           const struct aim_gpu *gpu)
{
    const aim_inventory *inventory = check->options->inventory;
    const struct aim_node *most = NULL;
    int eligible = 0;

    if (inventory == NULL || view->pod->gpus <= 0)
        return;
    for (size_t n = 0; n < aim_inventory_node_count(inventory); n++) {
        const struct aim_node *node = aim_inventory_node_at(inventory, n);

        if (!node->eligible || node->gpu != gpu)
            continue;
        eligible++;
        if (most == NULL || node->gpus_free > most->gpus_free)
            most = node;
    }
    if (most == NULL)
        report(check, AIM_FINDING_ERROR, view->gpus.path,
               "no eligible node of the cluster has %s GPUs", gpu->name);
    else if (most->gpus_free < view->pod->gpus)
        report(check, AIM_FINDING_ERROR, view->gpus.path,
               "no node can hold it: %ld %s GPUs per pod, and the most free on one of the %d "
               "eligible %s nodes is %d (%s)",
               view->pod->gpus, gpu->name, eligible, gpu->name, most->gpus_free, most->name);
}

static void check_on_gpu(struct check *check, const struct engine_view *view,
                         const struct precision_choice *precision, bool size_memory,
                         const struct gpu_types *types, const struct aim_gpu *gpu)
{
    if (view->gpus.resource != NULL && strcmp(gpu->resource_name, view->gpus.resource) != 0) {
        report(check, AIM_FINDING_ERROR, view->gpus.path,
               "requests %s, but %s picks %s GPUs, which are %s", view->gpus.resource,
               types->source, gpu->name, gpu->resource_name);
        return;
    }
    check_capacity(check, view, gpu);
    if (!check_precision(check, view, precision, gpu) || !size_memory)
        return;
    check_memory(check, view, sizing_precision(view, precision), gpu);
}

static void check_gpu_types(struct check *check, const struct engine_view *view,
                            bool model_ok)
{
    struct precision_choice precision;
    struct gpu_types types;
    bool size_memory = model_ok && view->count_ok;

    resolve_gpu_types(check, view->pod, view->gpus.resource, &types);
    if (types.count == 0) {
        report(check, AIM_FINDING_WARNING, view->pod->spec_path,
               "GPU type unknown: no GPU node selector or affinity, no " GPU_LABEL
               " label, no default type (--gpu); the precision and memory checks are skipped");
        return;
    }
    if (!choose_precision(check, view, &precision))
        return;
    for (int i = 0; i < types.count; i++)
        check_on_gpu(check, view, &precision, size_memory, &types, types.items[i]);
}

static void check_model(struct check *check, struct engine_view *view)
{
    bool model_ok;

    resolve_model(check, view);
    if (view->model == NULL || !view->parallel_ok)
        return;
    /* Without a readable length or memory share the memory check cannot run. */
    model_ok = view->length_ok && check_context(check, view);
    model_ok = check_heads(check, view) && model_ok;
    model_ok = model_ok && check_architecture(check, view);
    check_gpu_types(check, view, model_ok);
}

/* ---- objects ---------------------------------------------------------- */

static void report_bad_item(struct check *check, const struct engine_view *view)
{
    const struct ea_command *command = &view->command;
    const json_t *items = json_object_get(view->container, command->bad_in_args ? "args"
                                                                                : "command");
    char path[FIELD_MAX];

    snprintf(path, sizeof path, "%s.%s[%zu]", view->path,
             command->bad_in_args ? "args" : "command", command->bad_index);
    report(check, AIM_FINDING_ERROR, path, "expected a string, got %s",
           describe(json_array_get(items, command->bad_index)));
}

static void check_engine(struct check *check, const struct workload *workload,
                         long group_gpus, struct engine_view *view)
{
    const struct aim_engine *engine = aim_catalog_engine(check->catalog, view->command.backend);

    view->engine_name = engine != NULL ? engine->display_name
                                       : aim_backend_name(view->command.backend);
    check_env(check, view);
    read_numbers(check, view);
    if (view->parallel_ok)
        check_gpu_count(check, workload, group_gpus, view);
    if (view->parallel_ok)
        check_shm(check, view);
    check_model(check, view);
}

/* Checks each engine container of a pod, counting them in *engines. */
static void check_pod(struct check *check, const struct workload *workload, long group_gpus,
                      const struct pod *pod, struct engine_view *view, int *engines)
{
    for (size_t i = 0; i < container_count(pod); i++) {
        memset(view, 0, sizeof *view);
        view->pod = pod;
        view->container = container_at(pod, i, view->path);
        if (!json_is_object(view->container)) {
            report(check, AIM_FINDING_ERROR, view->path, "expected a mapping, got %s",
                   describe(view->container));
            continue;
        }
        ea_read(view->container, &view->command);
        if (view->command.has_bad_item)
            report_bad_item(check, view);
        if (!view->command.found)
            continue;
        if (++*engines > ENGINES_MAX) {
            report(check, AIM_FINDING_NOTE, view->path,
                   "more than %d engine containers: the rest are not checked", ENGINES_MAX);
            return;
        }
        /* workload_gpus() reported what is wrong with the GPU requests. */
        check->muted = true;
        read_gpus(check, view->container, view->path, &view->gpus);
        check->muted = false;
        check_engine(check, workload, group_gpus, view);
    }
}

static void check_strategy(struct check *check, const struct workload *workload, long gpus)
{
    const json_t *spec = json_object_get(check->object, "spec");
    const char *type = json_string_value(json_object_get(json_object_get(spec, "strategy"),
                                                          "type"));

    if (!workload->deployment || gpus == 0 || (type != NULL && strcmp(type, "Recreate") == 0))
        return;
    report(check, AIM_FINDING_WARNING, "spec.strategy.type",
           "%s%s starts the new pod while the old one holds its GPUs, so on a full node the "
           "update never schedules; use Recreate",
           type != NULL ? type : "RollingUpdate", type != NULL ? "" : " (the default)");
}

static void check_workload(struct check *check, struct workload *workload)
{
    struct engine_view *view = malloc(sizeof *view);
    long gpus = workload_gpus(check, workload);
    int engines = 0;

    if (view == NULL) {
        check->status = AIM_E_NOMEM;
        return;
    }
    check_strategy(check, workload, gpus);
    /* In a group the leader runs the engine; workers may only join it. */
    for (int p = 0; p < workload->pod_count && engines == 0; p++)
        check_pod(check, workload, gpus, &workload->pods[p], view, &engines);
    if (engines == 0 && gpus > 0)
        report(check, AIM_FINDING_NOTE, workload->pods[0].containers_path,
               "requests %ld GPU%s but no container runs vLLM or SGLang; nothing else checked",
               gpus, gpus == 1 ? "" : "s");
    free(view);
}

static void check_service(struct check *check)
{
    const char *name = json_string_value(
        json_object_get(json_object_get(check->object, "metadata"), "name"));

    if (name == NULL || strcmp(name, "vllm") != 0)
        return;
    report(check, AIM_FINDING_WARNING, "metadata.name",
           "a Service named vllm makes Kubernetes inject VLLM_PORT and other VLLM_* "
           "variables into the pods of its namespace, which collide with vLLM's own "
           "settings; rename it");
}

enum aim_status aim_validate_object(const aim_catalog *catalog, const json_t *object,
                                    const struct aim_validate_options *options,
                                    struct aim_findings *out, struct aim_error *err)
{
    struct check check = {catalog, options, out, object, "", 0, AIM_OK, false};
    const char *kind = json_string_value(json_object_get(object, "kind"));
    struct workload workload;

    if (kind == NULL)
        return AIM_OK;
    aim_object_label(object, check.label, sizeof check.label);
    if (strcmp(kind, "Service") == 0)
        check_service(&check);
    else if (read_workload(&check, kind, &workload))
        check_workload(&check, &workload);
    if (check.status != AIM_OK)
        return aim_error_set(err, check.status, "out of memory while validating %s",
                             check.label);
    return AIM_OK;
}
