/* The steps shared by select, explain and command: catalog, model, GPUs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aim/detect.h"
#include "aim/output.h"
#include "catalog_files.h"
#include "cli.h"
#include "host_gpus.h"
#include "message.h"
#include "model_files.h"

/* Where no GPU is detected and none is named, plan for the common node. */
#define DEFAULT_GPU "MI300X"
#define DEFAULT_GPUS 8

int cli_parse_whole(const char *command, const char *flag, const char *text, long max,
                    long *out)
{
    char *end;
    long value = strtol(text, &end, 10);

    if (*text == '\0' || *end != '\0' || value < 1 || value > max)
        return aim_cli_usage_error(command, "%s '%s': expected a whole number from 1 to %ld",
                                   flag, text, max);
    *out = value;
    return 0;
}

bool cli_parse_format(const char *text, enum cli_format *out)
{
    if (strcmp(text, "text") == 0)
        *out = CLI_FORMAT_TEXT;
    else if (strcmp(text, "json") == 0)
        *out = CLI_FORMAT_JSON;
    else if (strcmp(text, "yaml") == 0)
        *out = CLI_FORMAT_YAML;
    else
        return false;
    return true;
}

/* Embedded defaults first, then the user's folder, which overrides them. */
static int open_catalog(const char *catalog_dir, bool with_recipes, aim_catalog **out)
{
    struct aim_error err = {0};
    aim_catalog *catalog = aim_catalog_new();
    enum aim_status status;

    if (catalog == NULL) {
        aim_cli_error("out of memory");
        return aim_status_exit_code(AIM_E_NOMEM);
    }
    status = with_recipes ? aim_catalog_add_embedded(catalog, &err)
                          : aim_catalog_add_embedded_base(catalog, &err);
    if (status == AIM_OK && catalog_dir != NULL)
        status = aim_cli_load_catalog_dir(catalog, catalog_dir, &err);
    if (status != AIM_OK) {
        aim_catalog_free(&catalog);
        return aim_cli_fail(&err);
    }
    *out = catalog;
    return 0;
}

int cli_open_catalog(const char *catalog_dir, aim_catalog **out)
{
    return open_catalog(catalog_dir, true, out);
}

int cli_print_json(void *json_value, enum cli_format format)
{
    json_t *value = json_value;
    char *text;

    if (format == CLI_FORMAT_YAML)
        text = aim_json_to_yaml(value);
    else
        text = json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    if (text == NULL) {
        aim_cli_error("out of memory while printing");
        return aim_status_exit_code(AIM_E_NOMEM);
    }
    fputs(text, stdout);
    if (format != CLI_FORMAT_YAML)
        fputc('\n', stdout);
    free(text);
    return 0;
}

static int unknown_model(const aim_catalog *catalog, const char *name)
{
    const char *close[3];
    size_t count = aim_catalog_suggest(catalog, "model", name, close, 3);

    if (count == 0) {
        aim_cli_error("unknown model '%s': not in the catalog, not a local directory, and "
                      "not in the Hugging Face cache (see 'aimctl models')",
                      name);
    } else {
        aim_cli_error("unknown model '%s'; did you mean %s%s%s%s%s?", name, close[0],
                      count > 1 ? ", " : "", count > 1 ? close[1] : "", count > 2 ? ", " : "",
                      count > 2 ? close[2] : "");
    }
    return aim_status_exit_code(AIM_E_NOT_FOUND);
}

/*
 * The model: a local directory, a catalog entry, or a Hugging Face id found
 * in the local cache, in that order.
 */
static int resolve_model(const char *name, struct cli_session *session)
{
    struct aim_error err = {0};
    char path[4096];
    const struct aim_model *known;

    if (aim_cli_is_local_path(name)) {
        if (aim_cli_load_model_dir(name, name, &session->local_model, &err) != AIM_OK)
            return aim_cli_fail(&err);
        session->request.model = &session->local_model;
        return 0;
    }

    /* Only the chosen model's embedded recipes are parsed: loading all of
       them took over half of a whole `aimctl select` run. */
    known = aim_catalog_find_model(session->catalog, name);
    if (known != NULL) {
        if (aim_catalog_add_embedded_recipes(session->catalog, known->id, &err) != AIM_OK)
            return aim_cli_fail(&err);
        session->request.model = aim_catalog_find_model(session->catalog, name);
        return 0;
    }

    if (strchr(name, '/') != NULL &&
        aim_cli_find_hf_cache(name, path, sizeof path, &err) == AIM_OK) {
        if (aim_cli_load_model_dir(path, name, &session->local_model, &err) != AIM_OK)
            return aim_cli_fail(&err);
        session->request.model = &session->local_model;
        return 0;
    }
    return unknown_model(session->catalog, name);
}

static int unknown_gpu(const aim_catalog *catalog, const char *name)
{
    const char *close[3];
    size_t count = aim_catalog_suggest(catalog, "gpu", name, close, 3);

    if (count > 0)
        aim_cli_error("unknown GPU type '%s'; did you mean %s?", name, close[0]);
    else
        aim_cli_error("unknown GPU type '%s' (see 'aimctl gpus')", name);
    return aim_status_exit_code(AIM_E_NOT_FOUND);
}

/* GPUs found on this host, or the assumed default node when there are none. */
static int detect_gpus(const struct cli_plan_options *options, struct cli_session *session)
{
    struct aim_error err = {0};
    struct aim_detection detection;
    const struct aim_gpu *type;
    int count = 0;

    if (aim_cli_detect_gpus(session->catalog, options->sysfs_root, &detection, &err) != AIM_OK)
        return aim_cli_fail(&err);
    type = aim_detection_majority(&detection, &count);
    if (type != NULL) {
        aim_cli_note("detected %d %s GPU%s on this host", count, type->name,
                     count == 1 ? "" : "s");
        session->request.gpu = type;
        session->request.gpus_free = options->gpus > 0 ? options->gpus : count;
        return 0;
    }

    session->request.gpu = aim_catalog_find_gpu(session->catalog, DEFAULT_GPU);
    session->request.gpus_free = options->gpus > 0 ? options->gpus : DEFAULT_GPUS;
    if (session->request.gpu == NULL)
        return unknown_gpu(session->catalog, DEFAULT_GPU);
    aim_cli_note("no GPUs detected on this host; assuming a node of %d %s "
                 "(use --gpu and --gpus to plan for other GPUs)",
                 session->request.gpus_free, DEFAULT_GPU);
    return 0;
}

static int resolve_gpus(const struct cli_plan_options *options, struct cli_session *session)
{
    if (options->gpu == NULL)
        return detect_gpus(options, session);

    session->request.gpu = aim_catalog_find_gpu(session->catalog, options->gpu);
    if (session->request.gpu == NULL)
        return unknown_gpu(session->catalog, options->gpu);
    session->request.gpus_free =
        options->gpus > 0 ? options->gpus : session->request.gpu->gpus_per_node;
    return 0;
}

static int resolve_constraints(const char *command, const struct cli_plan_options *options,
                               struct aim_request *request)
{
    if (options->precision != NULL && !aim_request_pin_precision(request, options->precision))
        return aim_cli_usage_error(command,
                                   "--precision '%s': expected auto, bf16, fp16, fp8 or fp4",
                                   options->precision);
    if (options->backend != NULL && !aim_request_pin_backend(request, options->backend))
        return aim_cli_usage_error(command, "--backend '%s': expected auto, vllm or sglang",
                                   options->backend);
    if (options->objective != NULL &&
        !aim_objective_parse(options->objective, &request->objective))
        return aim_cli_usage_error(command, "--objective '%s': expected latency or throughput",
                                   options->objective);
    request->max_model_len = options->max_model_len;
    request->node_count = options->node_count > 0 ? options->node_count : 1;
    request->concurrency = options->concurrency;
    return 0;
}

/* Conflicting ways to say what the GPUs are. */
static int check_sources(const char *command, const struct cli_plan_options *options)
{
    const struct aim_cli_inventory_source *source = &options->inventory;

    if (!aim_cli_inventory_source_given(source))
        return 0;
    if (options->gpus > 0 || options->node_count > 0)
        return aim_cli_usage_error(command, "--gpus and --node-count describe a node by hand; "
                                            "a cluster inventory says what each node has");
    if ((source->nodes_path != NULL || source->pods_path != NULL) &&
        (source->kubeconfig != NULL || source->context != NULL || source->in_cluster))
        return aim_cli_usage_error(command, "read the inventory from files or from the "
                                            "cluster, not both");
    if (source->pods_path != NULL && source->nodes_path == NULL)
        return aim_cli_usage_error(command, "--pods needs --nodes");
    return 0;
}

/* Plans against the cluster: every GPU type's ladder, then a node. */
static int plan_on_cluster(const char *command, const struct cli_plan_options *options,
                           struct cli_session *session)
{
    struct aim_placement_request request;
    struct aim_error err = {0};
    enum aim_status status;

    aim_placement_request_init(&request);
    request.request = session->request;
    request.allow_multi_node = options->allow_multi_node;
    request.render = options->render;
    if (options->gpu != NULL) {
        request.gpu_filter = aim_catalog_find_gpu(session->catalog, options->gpu);
        if (request.gpu_filter == NULL)
            return unknown_gpu(session->catalog, options->gpu);
    }
    if (aim_cli_load_inventory(session->catalog, &options->inventory, &session->inventory,
                               &err) != AIM_OK)
        return aim_cli_fail(&err);
    session->placement = calloc(1, sizeof *session->placement);
    if (session->placement == NULL) {
        aim_cli_error("out of memory");
        return aim_status_exit_code(AIM_E_NOMEM);
    }

    status = aim_place(session->catalog, session->inventory, &request, session->placement, &err);
    if (status == AIM_OK) {
        session->plan = session->placement->types[session->placement->chosen].plan;
        return 0;
    }
    if (status == AIM_E_NO_FIT)
        return aim_status_exit_code(status);
    return status == AIM_E_USAGE ? aim_cli_usage_error(command, "%s", err.message)
                                 : aim_cli_fail(&err);
}

int cli_plan(const char *command, struct cli_plan_options *options,
             struct cli_session *session)
{
    struct aim_error err = {0};
    enum aim_status status;
    int code;

    memset(session, 0, sizeof *session);
    aim_request_init(&session->request);
    code = resolve_constraints(command, options, &session->request);
    if (code == 0)
        code = check_sources(command, options);
    if (code == 0)
        code = open_catalog(options->catalog_dir, false, &session->catalog);
    if (code == 0)
        code = resolve_model(options->model, session);
    if (code == 0 && aim_cli_inventory_source_given(&options->inventory))
        return plan_on_cluster(command, options, session);
    if (code == 0)
        code = resolve_gpus(options, session);
    if (code != 0)
        return code;

    status = aim_select(session->catalog, &session->request, &session->plan, &err);
    if (status == AIM_E_NO_FIT)
        return aim_status_exit_code(status);
    if (status != AIM_OK) {
        if (status == AIM_E_USAGE)
            return aim_cli_usage_error(command, "%s", err.message);
        return aim_cli_fail(&err);
    }
    return 0;
}

void cli_session_free(struct cli_session *session)
{
    free(session->placement);
    session->placement = NULL;
    aim_inventory_free(&session->inventory);
    aim_catalog_free(&session->catalog);
}
