/* aimctl select, explain and command. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aim/command.h"
#include "aim/output.h"
#include "aim/render.h"
#include "cli.h"
#include "message.h"

enum { OPT_GPU = 256, OPT_GPUS, OPT_NODE_COUNT, OPT_PRECISION, OPT_BACKEND, OPT_MAX_MODEL_LEN,
       OPT_OBJECTIVE, OPT_CONCURRENCY, OPT_CATALOG, OPT_SYSFS_ROOT, OPT_DOCKER, OPT_PORT,
       OPT_NODES, OPT_PODS, OPT_KUBECONFIG, OPT_CONTEXT, OPT_IN_CLUSTER, OPT_MULTI_NODE,
       /* render only */
       OPT_NAME, OPT_NAMESPACE, OPT_IMAGE, OPT_REPLICAS, OPT_STORAGE_CLASS, OPT_ACCESS_MODE,
       OPT_CPU_PER_GPU, OPT_MEMORY_PER_GPU, OPT_LIMIT_FACTOR, OPT_MONITORING, OPT_KSERVE,
       OPT_RENDER_LAST };

static const struct option plan_options[] = {
    {"gpu", required_argument, NULL, OPT_GPU},
    {"gpus", required_argument, NULL, OPT_GPUS},
    {"node-count", required_argument, NULL, OPT_NODE_COUNT},
    {"precision", required_argument, NULL, OPT_PRECISION},
    {"backend", required_argument, NULL, OPT_BACKEND},
    {"max-model-len", required_argument, NULL, OPT_MAX_MODEL_LEN},
    {"objective", required_argument, NULL, OPT_OBJECTIVE},
    {"concurrency", required_argument, NULL, OPT_CONCURRENCY},
    {"catalog", required_argument, NULL, OPT_CATALOG},
    {"nodes", required_argument, NULL, OPT_NODES},
    {"pods", required_argument, NULL, OPT_PODS},
    {"kubeconfig", required_argument, NULL, OPT_KUBECONFIG},
    {"context", required_argument, NULL, OPT_CONTEXT},
    {"in-cluster", no_argument, NULL, OPT_IN_CLUSTER},
    {"allow-multi-node", no_argument, NULL, OPT_MULTI_NODE},
    {"sysfs-root", required_argument, NULL, OPT_SYSFS_ROOT},
    {"output", required_argument, NULL, 'o'},
    {"docker", no_argument, NULL, OPT_DOCKER},
    {"port", required_argument, NULL, OPT_PORT},
    {"name", required_argument, NULL, OPT_NAME},
    {"namespace", required_argument, NULL, OPT_NAMESPACE},
    {"image", required_argument, NULL, OPT_IMAGE},
    {"replicas", required_argument, NULL, OPT_REPLICAS},
    {"storage-class", required_argument, NULL, OPT_STORAGE_CLASS},
    {"pvc-access-mode", required_argument, NULL, OPT_ACCESS_MODE},
    {"cpu-per-gpu", required_argument, NULL, OPT_CPU_PER_GPU},
    {"memory-per-gpu", required_argument, NULL, OPT_MEMORY_PER_GPU},
    {"limit-factor", required_argument, NULL, OPT_LIMIT_FACTOR},
    {"monitoring", no_argument, NULL, OPT_MONITORING},
    {"kserve", no_argument, NULL, OPT_KSERVE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char plan_flags_help[] =
    "Model: a Hugging Face id from the catalog ('aimctl models'), a local directory\n"
    "with config.json, or a Hugging Face id found in the local Hugging Face cache.\n\n"
    "Options:\n"
    "  --gpu TYPE            GPU type (see 'aimctl gpus'); default: detected, else MI300X\n"
    "  --gpus N              free GPUs on one node; default: detected, else the node size\n"
    "  --node-count K        K nodes of --gpus N each; used only when one node cannot\n"
    "                        hold the model (tensor parallel within a node, pipeline\n"
    "                        parallel across nodes); default 1\n"
    "  --precision P         auto (default), bf16, fp16, fp8 or fp4\n"
    "  --backend B           auto (default), vllm or sglang\n"
    "  --max-model-len N     context length to serve; default: the model's, capped by\n"
    "                        what fits\n"
    "  --objective O         latency (default: most GPUs) or throughput (fewest GPUs\n"
    "                        that hold --concurrency requests, replicas for the rest)\n"
    "  --concurrency N       concurrent requests for --objective throughput (default 64)\n"
    "  --catalog DIR         add or override catalog entries with DIR/**/*.yaml\n\n"
    "Planning against a cluster (instead of --gpus; --gpu then limits the GPU type):\n"
    "  --nodes FILE          a NodeList (JSON or YAML, as kubectl prints it), or one\n"
    "                        `kubectl get nodes,pods -A -o json` List\n"
    "  --pods FILE           the PodList whose requests are taken from the nodes\n"
    "  --kubeconfig FILE     read nodes and pods live from the cluster (current context)\n"
    "  --context NAME        another context of the kubeconfig\n"
    "  --in-cluster          read them with the pod's service account\n"
    "  --allow-multi-node    span nodes of one GPU type when no node can hold the model\n\n"
    "  --sysfs-root DIR      read GPU detection files below DIR instead of /\n"
    "  -h, --help            show this help\n";

static int apply_option(const char *command, int option, struct cli_plan_options *options)
{
    long value = 0;
    int code = 0;

    switch (option) {
    case OPT_GPU: options->gpu = optarg; break;
    case OPT_GPUS:
        code = cli_parse_whole(command, "--gpus", optarg, 64, &value);
        options->gpus = (int)value;
        break;
    case OPT_NODE_COUNT:
        code = cli_parse_whole(command, "--node-count", optarg, 64, &value);
        options->node_count = (int)value;
        break;
    case OPT_PRECISION: options->precision = optarg; break;
    case OPT_BACKEND: options->backend = optarg; break;
    case OPT_MAX_MODEL_LEN:
        code = cli_parse_whole(command, "--max-model-len", optarg, 16L * 1024 * 1024,
                                   &options->max_model_len);
        break;
    case OPT_OBJECTIVE: options->objective = optarg; break;
    case OPT_CONCURRENCY:
        code = cli_parse_whole(command, "--concurrency", optarg, 100000, &value);
        options->concurrency = (int)value;
        break;
    case OPT_CATALOG: options->catalog_dir = optarg; break;
    case OPT_NODES: options->inventory.nodes_path = optarg; break;
    case OPT_PODS: options->inventory.pods_path = optarg; break;
    case OPT_KUBECONFIG: options->inventory.kubeconfig = optarg; break;
    case OPT_CONTEXT: options->inventory.context = optarg; break;
    case OPT_IN_CLUSTER: options->inventory.in_cluster = true; break;
    case OPT_MULTI_NODE: options->allow_multi_node = true; break;
    case OPT_SYSFS_ROOT: options->sysfs_root = optarg; break;
    case OPT_PORT:
        code = cli_parse_whole(command, "--port", optarg, 65535, &value);
        options->port = (int)value;
        break;
    case 'o':
        if (!cli_parse_format(optarg, &options->format))
            code = aim_cli_usage_error(command, "-o '%s': expected text, json or yaml", optarg);
        break;
    default:
        code = aim_cli_usage_error(command, "unknown option");
        break;
    }
    return code;
}

/* A positive decimal (CPUs, GiB, a factor), with an optional unit suffix. */
static int parse_decimal_option(const char *command, const char *flag, const char *text,
                                const char *suffix, double *out)
{
    char *end;
    double value = strtod(text, &end);

    if (end != text && suffix != NULL && strcmp(end, suffix) == 0)
        end += strlen(suffix);
    if (end == text || *end != '\0' || !(value > 0) || value > 1e6)
        return aim_cli_usage_error(command, "%s '%s': expected a positive number%s%s", flag,
                                   text, suffix != NULL ? " of " : "",
                                   suffix != NULL ? suffix : "");
    *out = value;
    return 0;
}

static int apply_render_option(const char *command, int option,
                               struct aim_render_options *render)
{
    long value = 0;
    int code = 0;

    switch (option) {
    case OPT_NAME: render->name = optarg; break;
    case OPT_NAMESPACE: render->namespace_name = optarg; break;
    case OPT_IMAGE: render->image = optarg; break;
    case OPT_REPLICAS:
        code = cli_parse_whole(command, "--replicas", optarg, 1000, &value);
        render->replicas = (int)value;
        break;
    case OPT_STORAGE_CLASS: render->storage_class = optarg; break;
    case OPT_ACCESS_MODE: render->pvc_access_mode = optarg; break;
    case OPT_CPU_PER_GPU:
        code = parse_decimal_option(command, "--cpu-per-gpu", optarg, NULL, &render->cpu_per_gpu);
        break;
    case OPT_MEMORY_PER_GPU:
        code = parse_decimal_option(command, "--memory-per-gpu", optarg, "Gi",
                                    &render->memory_per_gpu_gib);
        break;
    case OPT_LIMIT_FACTOR:
        code = parse_decimal_option(command, "--limit-factor", optarg, NULL,
                                    &render->limit_factor);
        break;
    case OPT_MONITORING: render->monitoring = true; break;
    case OPT_KSERVE: render->kserve = true; break;
    default: break;
    }
    return code;
}

static bool option_allowed(enum cli_plan_kind kind, int option)
{
    if (option == OPT_DOCKER || option == OPT_PORT)
        return kind == CLI_PLAN_COMMAND || (kind == CLI_PLAN_RENDER && option == OPT_PORT);
    if (option >= OPT_NAME && option < OPT_RENDER_LAST)
        return kind == CLI_PLAN_RENDER;
    return true;
}

int cli_parse_plan_options(const char *command, const char *usage, enum cli_plan_kind kind,
                           int argc, char **argv, struct cli_plan_options *options)
{
    int option;
    int code = 0;

    memset(options, 0, sizeof *options);
    options->sysfs_root = "";
    options->port = 8000;
    aim_render_options_init(&options->render);
    optind = 1;
    opterr = 0;
    while (code == 0 && (option = getopt_long(argc, argv, "o:h", plan_options, NULL)) != -1) {
        if (option == 'h') {
            fputs(usage, stdout);
            fputs(plan_flags_help, stdout);
            return -1;
        }
        if (option == '?')
            return aim_cli_usage_error(command, "unknown or incomplete option '%s'",
                                       argv[optind - 1]);
        if (!option_allowed(kind, option))
            return aim_cli_usage_error(command, "%s is not an option of 'aimctl %s'",
                                       argv[optind - 1], command);
        if (option == OPT_DOCKER)
            options->docker = true;
        else if (option >= OPT_NAME && option < OPT_RENDER_LAST)
            code = apply_render_option(command, option, &options->render);
        else if (option == 'o' && kind == CLI_PLAN_RENDER)
            options->render_format = optarg;
        else
            code = apply_option(command, option, options);
    }
    if (code != 0)
        return code;
    options->render.port = options->port;
    if (optind >= argc)
        return aim_cli_usage_error(command, "a model is required");
    if (optind + 1 < argc)
        return aim_cli_usage_error(command, "unexpected argument '%s'", argv[optind + 1]);
    options->model = argv[optind];
    return 0;
}

/* ---- text views ------------------------------------------------------ */

static const char *arg_value(const struct aim_plan *plan, const char *key)
{
    const struct aim_setting *setting = aim_settings_get(&plan->engine_args, key);

    return setting != NULL ? setting->value : "-";
}

static void print_summary(const struct aim_plan *plan)
{
    const struct aim_memory *memory = &plan->memory;
    const struct aim_performance *performance = &plan->performance;

    if (plan->node_count > 1)
        printf("%s on %d x %s across %d nodes (%d free per node, %d replica%s fit)\n",
               plan->model->id, plan->gpu_count, plan->gpu->name, plan->node_count,
               plan->gpus_free, plan->replicas, plan->replicas == 1 ? "" : "s");
    else
        printf("%s on %d x %s (%d free, %d replica%s fit)\n", plan->model->id,
               plan->gpu_count, plan->gpu->name, plan->gpus_free, plan->replicas,
               plan->replicas == 1 ? "" : "s");
    printf("  recipe       %s (%s)\n", plan->recipe_id, aim_maturity_name(plan->maturity));
    printf("  engine       %s, %s\n", aim_backend_name(plan->backend),
           aim_precision_name(plan->precision));
    printf("  checkpoint   %s\n", plan->checkpoint);
    printf("  context      max_model_len %s, max_num_seqs %s, max_num_batched_tokens %s\n",
           arg_value(plan, "max_model_len"), arg_value(plan, "max_num_seqs"),
           arg_value(plan, "max_num_batched_tokens"));
    printf("  memory/GPU   %.2f GiB usable of %.2f: weights %.2f, activations %.2f, "
           "overhead %.2f, KV cache %.2f (%ld tokens)\n",
           memory->usable_gib, memory->total_gib, memory->weights_gib,
           memory->activations_gib, memory->overhead_gib, memory->kv_cache_gib,
           memory->kv_tokens);
    printf("  performance  %.1f tok/s per sequence, %.0f tok/s at batch %d, TTFT %.0f ms\n",
           performance->decode_tokens_per_s, performance->aggregate_tokens_per_s,
           performance->batch, performance->ttft_ms);
}

static void print_trace(const struct aim_plan *plan)
{
    printf("\n  #  GPUs  precision  backend  maturity   verdict\n");
    for (int i = 0; i < plan->trace_count; i++) {
        const struct aim_candidate *candidate = &plan->trace[i];

        printf("%3d  %4d  %-9s  %-7s  %-9s  %s\n      %s\n", i + 1, candidate->gpu_count,
               aim_precision_name(candidate->precision), aim_backend_name(candidate->backend),
               aim_maturity_name(candidate->maturity),
               candidate->chosen ? "CHOSEN" : candidate->accepted ? "accepted" : "rejected",
               candidate->reason);
    }
}

static void print_bar_segment(char symbol, double gib, double total, int width, int *used)
{
    int cells = total > 0 ? (int)(gib / total * width + 0.5) : 0;

    for (int i = 0; i < cells && *used < width; i++, (*used)++)
        putchar(symbol);
}

static void print_memory_bar(const struct aim_plan *plan)
{
    const struct aim_memory *memory = &plan->memory;
    const int width = 60;
    int used = 0;

    printf("\nMemory per GPU (%s, %.2f GiB)\n  [", plan->gpu->name, memory->total_gib);
    print_bar_segment('W', memory->weights_gib, memory->total_gib, width, &used);
    print_bar_segment('A', memory->activations_gib, memory->total_gib, width, &used);
    print_bar_segment('O', memory->overhead_gib, memory->total_gib, width, &used);
    print_bar_segment('K', memory->kv_cache_gib, memory->total_gib, width, &used);
    while (used < width) {
        putchar('.');
        used++;
    }
    printf("]\n  W weights %.2f  A activations %.2f  O overhead %.2f  K KV cache %.2f"
           "  . headroom %.2f GiB\n",
           memory->weights_gib, memory->activations_gib, memory->overhead_gib,
           memory->kv_cache_gib, memory->headroom_gib);
}

static void print_hints(const struct aim_plan *plan)
{
    if (plan->hint_count == 0)
        return;
    printf("\nWhat would make it fit:\n");
    for (int i = 0; i < plan->hint_count; i++)
        printf("  - %s\n", plan->hints[i]);
}

static void print_no_fit(const struct aim_plan *plan)
{
    printf("Nothing fits: %s on %d free %s GPU%s\n", plan->model->id, plan->gpus_free,
           plan->gpu->name, plan->gpus_free == 1 ? "" : "s");
    print_trace(plan);
    print_hints(plan);
}

/* The cluster side of a plan: exclusions, and each GPU type's outcome. */
static void print_placement(const struct cli_session *session)
{
    const struct aim_placement *placement = session->placement;
    const aim_inventory *inventory = session->inventory;

    printf("Cluster: %zu nodes, %d eligible\n", aim_inventory_node_count(inventory),
           placement->eligible_nodes);
    for (size_t n = 0; n < aim_inventory_node_count(inventory); n++) {
        const struct aim_node *node = aim_inventory_node_at(inventory, n);

        if (!node->eligible)
            printf("  excluded  %-24s %s\n", node->name, node->excluded_reason);
    }
    for (int t = 0; t < placement->type_count; t++) {
        const struct aim_type_outcome *outcome = &placement->types[t];

        printf("  %-8s  %d node%s, %d free at most: %s%s\n", outcome->gpu->name,
               outcome->eligible_nodes, outcome->eligible_nodes == 1 ? "" : "s",
               outcome->most_free, t == placement->chosen ? "CHOSEN " : "", outcome->reason);
    }
    printf("\n");
}

static void print_nodes_line(const struct cli_session *session)
{
    const struct aim_type_outcome *outcome;

    if (session->placement == NULL || session->placement->chosen < 0)
        return;
    outcome = &session->placement->types[session->placement->chosen];
    printf("  %-12s ", outcome->node_count > 1 ? "nodes" : "node");
    for (int i = 0; i < outcome->node_count; i++)
        printf("%s%s", i > 0 ? ", " : "",
               aim_inventory_node_at(session->inventory, outcome->nodes[i])->name);
    printf("\n");
}

static int print_plan_json(const struct cli_session *session, enum cli_format format)
{
    json_t *json;
    int code;

    /* A cluster where no type placed has per-type outcomes, not one plan. */
    if (session->plan.model != NULL)
        json = aim_plan_to_json(session->catalog, &session->plan);
    else
        json = json_pack("{s:s, s:b}", "model", session->request.model->id, "found", 0);
    if (json != NULL && session->placement != NULL)
        json_object_set_new(json, "placement",
                            aim_placement_to_json(session->placement, session->inventory));
    code = json != NULL ? cli_print_json(json, format) : 5;
    json_decref(json);
    return code;
}

/* Prints the plan (or the trace when nothing fits) in the chosen format. */
int cli_print_plan(const struct cli_session *session, enum cli_format format, bool explain)
{
    const struct aim_plan *plan = &session->plan;

    if (format != CLI_FORMAT_TEXT)
        return print_plan_json(session, format);
    if (session->placement != NULL)
        print_placement(session);
    if (!plan->found) {
        if (session->placement == NULL)
            print_no_fit(plan);
        return 0;
    }
    if (explain) {
        printf("Objective %s, %d free %s GPUs; candidates in ladder order:\n",
               aim_objective_name(plan->objective), plan->gpus_free, plan->gpu->name);
        print_trace(plan);
        printf("\n");
    }
    print_summary(plan);
    print_nodes_line(session);
    if (explain)
        print_memory_bar(plan);
    else
        printf("  (%d candidates tried; 'aimctl explain' shows why)\n", plan->trace_count);
    return 0;
}

int cli_finish_plan(int code, struct cli_session *session)
{
    if (code == aim_status_exit_code(AIM_E_NO_FIT) && session->placement != NULL)
        aim_cli_error("nothing fits: %s on any eligible node", session->request.model->id);
    else if (code == aim_status_exit_code(AIM_E_NO_FIT))
        aim_cli_error("nothing fits: %s on %d free %s GPU%s", session->plan.model->id,
                      session->plan.gpus_free, session->plan.gpu->name,
                      session->plan.gpus_free == 1 ? "" : "s");
    cli_session_free(session);
    return code;
}

static int run_plan_command(const char *command, const char *usage, bool explain, int argc,
                            char **argv)
{
    struct cli_plan_options options;
    struct cli_session *session;
    int code = cli_parse_plan_options(command, usage, CLI_PLAN_SELECT, argc, argv, &options);
    int print_code;

    if (code != 0)
        return code < 0 ? 0 : code;
    session = calloc(1, sizeof *session);
    if (session == NULL) {
        aim_cli_error("out of memory");
        return 5;
    }
    code = cli_plan(command, &options, session);
    if (code == 0 || code == aim_status_exit_code(AIM_E_NO_FIT)) {
        print_code = cli_print_plan(session, options.format, explain);
        if (print_code != 0)
            code = print_code;
    }
    code = cli_finish_plan(code, session);
    free(session);
    return code;
}

int cli_select(int argc, char **argv)
{
    return run_plan_command("select",
                            "Usage: aimctl select MODEL [OPTIONS] [-o text|json|yaml]\n\n"
                            "Chooses the serving recipe: GPU count, precision, engine and "
                            "its arguments.\n\n",
                            false, argc, argv);
}

int cli_explain(int argc, char **argv)
{
    return run_plan_command("explain",
                            "Usage: aimctl explain MODEL [OPTIONS] [-o text|json|yaml]\n\n"
                            "The plan for people: every candidate of the ladder with its "
                            "verdict, and the\nmemory of the chosen config as a bar.\n\n",
                            true, argc, argv);
}

static int print_command(const struct cli_session *session, const struct cli_plan_options *options)
{
    struct aim_error err = {0};
    struct aim_argv *argv = malloc(sizeof *argv);
    char *line = malloc(AIM_ARGV_STORAGE * 2);
    const struct aim_plan *plan = &session->plan;
    enum aim_status status;
    int code = 0;

    if (argv == NULL || line == NULL) {
        free(argv);
        free(line);
        aim_cli_error("out of memory");
        return 5;
    }
    aim_argv_init(argv);
    status = options->docker ? aim_docker_argv(session->catalog, plan, options->port, argv, &err)
                             : aim_engine_argv(session->catalog, plan, options->port, argv, &err);
    if (status != AIM_OK) {
        code = aim_cli_fail(&err);
    } else if (options->format != CLI_FORMAT_TEXT) {
        json_t *json = json_object();
        json_t *items = json_array();
        json_t *env = json_object();

        for (int i = 0; i < argv->count; i++)
            json_array_append_new(items, json_string(argv->items[i]));
        json_object_set_new(json, "argv", items);
        for (int i = 0; i < plan->env.count; i++)
            json_object_set_new(env, plan->env.items[i].key,
                                json_string(plan->env.items[i].value));
        json_object_set_new(json, "env", env);
        code = cli_print_json(json, options->format);
        json_decref(json);
    } else if (aim_argv_join(argv, line, AIM_ARGV_STORAGE * 2) != AIM_OK) {
        aim_cli_error("the command line is too long to print");
        code = 5;
    } else {
        /* Docker passes the environment itself; a plain command gets it as
           assignments in front, one per line, so it can be pasted as is. */
        for (int i = 0; !options->docker && i < plan->env.count; i++)
            printf("%s=%s \\\n", plan->env.items[i].key, plan->env.items[i].value);
        printf("%s\n", line);
    }
    free(argv);
    free(line);
    return code;
}

int cli_command(int argc, char **argv)
{
    static const char usage[] =
        "Usage: aimctl command MODEL [OPTIONS] [--docker] [-o text|json|yaml]\n\n"
        "Prints the engine command line of the plan with its environment, or a\n"
        "complete docker run line.\n\n"
        "  --docker              print a complete docker run line\n"
        "  --port N              port the engine listens on (default 8000)\n";
    struct cli_plan_options options;
    struct cli_session *session;
    int code = cli_parse_plan_options("command", usage, CLI_PLAN_COMMAND, argc, argv, &options);

    if (code != 0)
        return code < 0 ? 0 : code;
    session = calloc(1, sizeof *session);
    if (session == NULL) {
        aim_cli_error("out of memory");
        return 5;
    }
    code = cli_plan("command", &options, session);
    if (code == 0)
        code = print_command(session, &options);
    else if (code == aim_status_exit_code(AIM_E_NO_FIT))
        cli_print_plan(session, options.format, false);
    code = cli_finish_plan(code, session);
    free(session);
    return code;
}
