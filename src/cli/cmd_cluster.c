/* aimctl inventory and aimctl plan: the cluster as aimctl sees it, and fleets on it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aim/fleet.h"
#include "aim/manifest.h"
#include "aim/memory.h"
#include "aim/output.h"
#include "aim/render.h"
#include "catalog_files.h"
#include "cli.h"
#include "message.h"

enum { OPT_NODES = 256, OPT_PODS, OPT_KUBECONFIG, OPT_CONTEXT, OPT_IN_CLUSTER, OPT_CATALOG,
       OPT_GPU, OPT_GPUS, OPT_NODE_COUNT, OPT_RENDER, OPT_MULTI_NODE };

static const struct option cluster_options[] = {
    {"nodes", required_argument, NULL, OPT_NODES},
    {"pods", required_argument, NULL, OPT_PODS},
    {"kubeconfig", required_argument, NULL, OPT_KUBECONFIG},
    {"context", required_argument, NULL, OPT_CONTEXT},
    {"in-cluster", no_argument, NULL, OPT_IN_CLUSTER},
    {"catalog", required_argument, NULL, OPT_CATALOG},
    {"gpu", required_argument, NULL, OPT_GPU},
    {"gpus", required_argument, NULL, OPT_GPUS},
    {"node-count", required_argument, NULL, OPT_NODE_COUNT},
    {"render", no_argument, NULL, OPT_RENDER},
    {"allow-multi-node", no_argument, NULL, OPT_MULTI_NODE},
    {"file", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct cluster_options {
    struct aim_cli_inventory_source source;
    const char *catalog_dir;
    const char *fleet_path;
    const char *gpu;
    long gpus;
    long node_count;
    bool render;
    bool allow_multi_node;
    enum cli_format format;
};

static const char source_help[] =
    "The cluster:\n"
    "  --nodes FILE          a NodeList (JSON or YAML, as kubectl prints it), or one\n"
    "                        `kubectl get nodes,pods -A -o json` List\n"
    "  --pods FILE           the PodList whose requests are taken from the nodes\n"
    "  --kubeconfig FILE     read them live from the cluster (current context)\n"
    "  --context NAME        another context of the kubeconfig\n"
    "  --in-cluster          read them with the pod's service account\n"
    "  --catalog DIR         add or override catalog entries with DIR/**/*.yaml\n"
    "  -o, --output FORMAT   text (default), json or yaml\n";

static int apply(const char *command, int option, struct cluster_options *options)
{
    switch (option) {
    case OPT_NODES: options->source.nodes_path = optarg; break;
    case OPT_PODS: options->source.pods_path = optarg; break;
    case OPT_KUBECONFIG: options->source.kubeconfig = optarg; break;
    case OPT_CONTEXT: options->source.context = optarg; break;
    case OPT_IN_CLUSTER: options->source.in_cluster = true; break;
    case OPT_CATALOG: options->catalog_dir = optarg; break;
    case OPT_GPU: options->gpu = optarg; break;
    case OPT_GPUS: return cli_parse_whole(command, "--gpus", optarg, 64, &options->gpus);
    case OPT_NODE_COUNT:
        return cli_parse_whole(command, "--node-count", optarg, 10000, &options->node_count);
    case OPT_RENDER: options->render = true; break;
    case OPT_MULTI_NODE: options->allow_multi_node = true; break;
    case 'f': options->fleet_path = optarg; break;
    case 'o':
        if (!cli_parse_format(optarg, &options->format))
            return aim_cli_usage_error(command, "-o '%s': expected text, json or yaml", optarg);
        break;
    default:
        return aim_cli_usage_error(command, "unknown or incomplete option");
    }
    return 0;
}

/* Returns -1 after help, 0 to go on, or an exit code. */
static int parse(const char *command, const char *usage, bool fleet, int argc, char **argv,
                 struct cluster_options *options)
{
    int option;
    int code = 0;

    memset(options, 0, sizeof *options);
    optind = 1;
    opterr = 0;
    while (code == 0 && (option = getopt_long(argc, argv, "f:o:h", cluster_options, NULL)) != -1) {
        if (option == 'h') {
            fputs(usage, stdout);
            fputs(source_help, stdout);
            return -1;
        }
        if (option == '?')
            return aim_cli_usage_error(command, "unknown or incomplete option '%s'",
                                       argv[optind - 1]);
        if (!fleet && (option == 'f' || option == OPT_RENDER || option == OPT_MULTI_NODE ||
                       option == OPT_GPU || option == OPT_GPUS || option == OPT_NODE_COUNT))
            return aim_cli_usage_error(command, "%s is an option of 'aimctl plan'",
                                       argv[optind - 1]);
        code = apply(command, option, options);
    }
    if (code == 0 && optind < argc)
        code = aim_cli_usage_error(command, "unexpected argument '%s'", argv[optind]);
    return code;
}

/* ---- aimctl inventory ---------------------------------------------------- */

static void print_inventory(const aim_inventory *inventory)
{
    printf("%-24s %-8s %11s %10s %12s %5s  %s\n", "NODE", "GPU", "GPUS FREE", "CPU FREE",
           "MEMORY FREE", "PODS", "STATUS");
    for (size_t n = 0; n < aim_inventory_node_count(inventory); n++) {
        const struct aim_node *node = aim_inventory_node_at(inventory, n);
        char gpus[24];

        snprintf(gpus, sizeof gpus, "%d/%d", node->gpus_free, node->gpus_total);
        printf("%-24s %-8s %11s %10.1f %9.1f Gi %5d  %s\n", node->name,
               node->gpu != NULL ? node->gpu->name : "-", gpus, node->cpu_free,
               node->memory_free / AIM_GIB, node->pods,
               node->eligible ? "eligible" : node->excluded_reason);
    }
}

int cli_inventory(int argc, char **argv)
{
    static const char usage[] =
        "Usage: aimctl inventory (--nodes FILE [--pods FILE] | --kubeconfig FILE |\n"
        "                         --in-cluster) [-o text|json|yaml]\n\n"
        "Lists the cluster's nodes: GPU type, GPUs free of allocatable, CPU and memory\n"
        "free after the requests of running pods, and whether aimctl would place on\n"
        "them (Ready, not cordoned, no taint the rendered pods do not tolerate).\n\n";
    struct cluster_options options;
    struct aim_error err = {0};
    aim_catalog *catalog = NULL;
    aim_inventory *inventory = NULL;
    int code = parse("inventory", usage, false, argc, argv, &options);

    if (code != 0)
        return code < 0 ? 0 : code;
    if (!aim_cli_inventory_source_given(&options.source))
        return aim_cli_usage_error("inventory", "name the cluster: --nodes FILE, "
                                                "--kubeconfig FILE or --in-cluster");
    code = cli_open_catalog(options.catalog_dir, &catalog);
    if (code != 0)
        return code;
    if (aim_cli_load_inventory(catalog, &options.source, &inventory, &err) != AIM_OK)
        code = aim_cli_fail(&err);
    else if (options.format != CLI_FORMAT_TEXT) {
        json_t *json = aim_inventory_to_json(inventory);

        code = cli_print_json(json, options.format);
        json_decref(json);
    } else {
        print_inventory(inventory);
    }
    aim_inventory_free(&inventory);
    aim_catalog_free(&catalog);
    return code;
}

/* ---- aimctl plan -f FLEET ------------------------------------------------ */

static enum aim_status read_fleet(const aim_catalog *catalog, const char *path,
                                  struct aim_fleet *fleet, struct aim_error *err)
{
    struct aim_manifest manifest = {0};
    char *text = NULL;
    size_t length = 0;
    enum aim_status status = aim_cli_read_file(path, AIM_MANIFEST_MAX_BYTES, &text, &length, err);

    if (status == AIM_OK)
        status = aim_manifest_parse(path, text, length, &manifest, err);
    if (status == AIM_OK && manifest.count != 1)
        status = aim_error_set(err, AIM_E_INPUT, "%s: expected one Fleet document, found %zu",
                               path, manifest.count);
    if (status == AIM_OK)
        status = aim_fleet_parse(catalog, manifest.objects[0].object, path, fleet, err);
    aim_manifest_free(&manifest);
    free(text);
    return status;
}

/* Without a cluster, K nodes of --gpus GPUs of --gpu (MI300X, a node's worth). */
static enum aim_status flag_inventory(const aim_catalog *catalog,
                                      const struct cluster_options *options,
                                      aim_inventory **out, struct aim_error *err)
{
    const struct aim_gpu *gpu = aim_catalog_find_gpu(catalog, options->gpu != NULL ? options->gpu
                                                                                 : "MI300X");
    aim_inventory *inventory;
    enum aim_status status = AIM_OK;

    if (gpu == NULL)
        return aim_error_set(err, AIM_E_NOT_FOUND, "unknown GPU type '%s' (see 'aimctl gpus')",
                             options->gpu);
    inventory = aim_inventory_new();
    if (inventory == NULL)
        return aim_error_set(err, AIM_E_NOMEM, "out of memory");
    for (long n = 0; n < (options->node_count > 0 ? options->node_count : 1) && status == AIM_OK;
         n++)
        status = aim_inventory_add_flag_node(inventory, gpu,
                                             options->gpus > 0 ? (int)options->gpus
                                                               : gpu->gpus_per_node,
                                             err);
    if (status != AIM_OK)
        aim_inventory_free(&inventory);
    *out = inventory;
    return status;
}

static void print_fleet(const struct aim_fleet *fleet)
{
    const aim_inventory *left = fleet->left;

    printf("Packing: largest first, best fit\n\n");
    printf("%-20s %7s  %-24s %-8s %4s  %-5s %-7s %s\n", "DEPLOYMENT", "REPLICA", "NODE", "GPU",
           "GPUS", "PREC", "BACKEND", "RECIPE");
    for (size_t i = 0; i < fleet->assignment_count; i++) {
        const struct aim_fleet_assignment *a = &fleet->assignments[i];

        if (!a->placed)
            continue;
        printf("%-20s %7d  %-24s %-8s %4d  %-5s %-7s %s\n", fleet->deployments[a->deployment].name,
               a->replica, aim_inventory_node_at(left, a->nodes[0])->name, a->gpu->name,
               a->gpu_count, aim_precision_name(a->precision), aim_backend_name(a->backend),
               a->recipe);
    }
    printf("\nGPUs left per node:\n");
    for (size_t n = 0; n < aim_inventory_node_count(left); n++) {
        const struct aim_node *node = aim_inventory_node_at(left, n);

        if (node->eligible)
            printf("  %-24s %-8s %d of %d\n", node->name, node->gpu->name, node->gpus_free,
                   node->gpus_total);
    }
    for (size_t i = 0; i < fleet->assignment_count; i++) {
        const struct aim_fleet_assignment *a = &fleet->assignments[i];

        if (a->placed)
            continue;
        printf("\nNot placed: %s replica %d\n  why: %s\n  what would fit: %s\n",
               fleet->deployments[a->deployment].name, a->replica, a->reason, a->hint);
    }
}

/*
 * One object set per variant: a deployment whose replicas all share a plan
 * keeps its name; replicas that landed on different GPU types or counts get
 * a set each, named NAME-1, NAME-2, ...
 */
static int render_variant(const aim_catalog *catalog,
                          const struct aim_fleet_deployment *deployment, int v, json_t *all)
{
    struct aim_render_options options = deployment->request.render;
    struct aim_error err = {0};
    char name[AIM_FLEET_NAME_MAX + 8];
    json_t *values, *objects = NULL;
    int code = 0;

    snprintf(name, sizeof name, "%s-%d", deployment->name, v + 1);
    options.name = deployment->variant_count == 1 ? deployment->name : name;
    options.replicas = deployment->variants[v].replicas;
    values = aim_render_values(catalog, deployment->variants[v].plan, &options, &err);
    if (values != NULL)
        objects = aim_render_objects(values, &err);
    if (objects == NULL)
        code = aim_cli_fail(&err);
    else
        json_array_extend(all, objects);
    json_decref(objects);
    json_decref(values);
    return code;
}

/* Every placed deployment's objects, as one YAML stream. */
static int render_fleet(const aim_catalog *catalog, const struct aim_fleet *fleet)
{
    json_t *all = json_array();
    int code = 0;

    for (size_t i = 0; i < fleet->count && code == 0; i++) {
        const struct aim_fleet_deployment *deployment = &fleet->deployments[i];

        for (int v = 0; v < deployment->variant_count && code == 0; v++)
            code = render_variant(catalog, deployment, v, all);
    }
    if (code == 0) {
        char *text = aim_json_documents_to_yaml(all);

        if (text != NULL)
            fputs(text, stdout);
        code = text != NULL ? 0 : 5;
        free(text);
    }
    json_decref(all);
    return code;
}

static int run_fleet(const aim_catalog *catalog, const struct cluster_options *options)
{
    struct aim_error err = {0};
    struct aim_fleet fleet = {0};
    aim_inventory *inventory = NULL;
    enum aim_status status;
    int code = 0;

    status = read_fleet(catalog, options->fleet_path, &fleet, &err);
    if (status == AIM_OK)
        status = aim_cli_inventory_source_given(&options->source)
                     ? aim_cli_load_inventory(catalog, &options->source, &inventory, &err)
                     : flag_inventory(catalog, options, &inventory, &err);
    for (size_t i = 0; status == AIM_OK && i < fleet.count; i++)
        fleet.deployments[i].request.allow_multi_node |= options->allow_multi_node;
    if (status == AIM_OK)
        status = aim_fleet_pack(catalog, inventory, &fleet, &err);
    if (status != AIM_OK && status != AIM_E_NO_FIT) {
        code = aim_cli_fail(&err);
        goto out;
    }

    if (options->render) {
        code = render_fleet(catalog, &fleet);
    } else if (options->format != CLI_FORMAT_TEXT) {
        json_t *json = aim_fleet_to_json(&fleet);

        code = cli_print_json(json, options->format);
        json_decref(json);
    } else {
        print_fleet(&fleet);
    }
    if (code == 0 && status == AIM_E_NO_FIT) {
        aim_cli_error("some replicas do not fit%s",
                      options->render || options->format != CLI_FORMAT_TEXT
                          ? ": run without --render and -o to see why"
                          : " (see 'Not placed')");
        code = aim_status_exit_code(status);
    }
out:
    aim_fleet_free(&fleet);
    aim_inventory_free(&inventory);
    return code;
}

int cli_fleet_plan(int argc, char **argv)
{
    static const char usage[] =
        "Usage: aimctl plan -f FLEET.yaml [cluster] [--render] [-o text|json|yaml]\n\n"
        "Places a fleet of deployments (model, replicas, constraints) together on the\n"
        "cluster, largest first, best fit; prints what goes where, the GPUs left per\n"
        "node, and for what does not fit, why and what would. Exits 3 when a replica\n"
        "does not fit. Without a cluster, plans on --node-count nodes of --gpus --gpu.\n\n"
        "  -f, --file FLEET      the fleet (kind: Fleet; see the README)\n"
        "  --render              print the Kubernetes objects of every placed deployment\n"
        "  --allow-multi-node    let deployments span nodes when no node holds them\n"
        "  --gpu TYPE --gpus N --node-count K   a cluster by hand\n\n";
    struct cluster_options options;
    aim_catalog *catalog = NULL;
    int code = parse("plan", usage, true, argc, argv, &options);

    if (code != 0)
        return code < 0 ? 0 : code;
    if (options.fleet_path == NULL)
        return aim_cli_usage_error("plan", "a fleet is required: -f FLEET.yaml");
    if (aim_cli_inventory_source_given(&options.source) &&
        (options.gpu != NULL || options.gpus > 0 || options.node_count > 0))
        return aim_cli_usage_error("plan", "--gpu, --gpus and --node-count describe nodes by "
                                           "hand; a cluster inventory says what each node has");
    code = cli_open_catalog(options.catalog_dir, &catalog);
    if (code == 0)
        code = run_fleet(catalog, &options);
    aim_catalog_free(&catalog);
    return code;
}
