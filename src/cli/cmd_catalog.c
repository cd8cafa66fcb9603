/* aimctl models, gpus, recipes, recipes check and detect. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aim/detect.h"
#include "aim/memory.h"
#include "aim/output.h"
#include "aim/select.h"
#include "catalog_files.h"
#include "cli.h"
#include "host_gpus.h"
#include "message.h"

struct list_options {
    enum cli_format format;
    const char *catalog_dir;
    const char *sysfs_root;
    const char *argument;     /* the optional positional argument */
    const char *argument2;
};

static const struct option list_long_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"catalog", required_argument, NULL, 'c'},
    {"sysfs-root", required_argument, NULL, 's'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Returns -1 after printing help, 0 to go on, or an exit code. */
static int parse_list_options(const char *command, const char *usage, int max_arguments,
                              bool allow_sysfs, int argc, char **argv,
                              struct list_options *options)
{
    int option;

    memset(options, 0, sizeof *options);
    options->sysfs_root = "";
    optind = 1;
    opterr = 0;
    while ((option = getopt_long(argc, argv, "o:h", list_long_options, NULL)) != -1) {
        switch (option) {
        case 'h':
            fputs(usage, stdout);
            return -1;
        case 'o':
            if (!cli_parse_format(optarg, &options->format))
                return aim_cli_usage_error(command, "-o '%s': expected text, json or yaml",
                                           optarg);
            break;
        case 'c':
            options->catalog_dir = optarg;
            break;
        case 's':
            if (!allow_sysfs)
                return aim_cli_usage_error(command, "--sysfs-root is an option of detect");
            options->sysfs_root = optarg;
            break;
        default:
            return aim_cli_usage_error(command, "unknown or incomplete option '%s'",
                                       argv[optind - 1]);
        }
    }
    if (argc - optind > max_arguments)
        return aim_cli_usage_error(command, "unexpected argument '%s'",
                                   argv[optind + max_arguments]);
    if (optind < argc)
        options->argument = argv[optind];
    if (optind + 1 < argc)
        options->argument2 = argv[optind + 1];
    return 0;
}

static int print_array(json_t *array, enum cli_format format)
{
    int code = cli_print_json(array, format);

    json_decref(array);
    return code;
}

/* The steps every catalog listing shares: options, catalog, JSON or text. */
static int list_catalog(const char *command, const char *usage, int argc, char **argv,
                        json_t *(*to_json)(const aim_catalog *catalog),
                        void (*print_text)(const aim_catalog *catalog))
{
    struct list_options options;
    aim_catalog *catalog = NULL;
    int code = parse_list_options(command, usage, 0, false, argc, argv, &options);

    if (code != 0)
        return code < 0 ? 0 : code;
    code = cli_open_catalog(options.catalog_dir, &catalog);
    if (code != 0)
        return code;
    if (options.format != CLI_FORMAT_TEXT)
        code = print_array(to_json(catalog), options.format);
    else
        print_text(catalog);
    aim_catalog_free(&catalog);
    return code;
}

static json_t *models_json(const aim_catalog *catalog)
{
    json_t *array = json_array();

    for (size_t i = 0; i < aim_catalog_model_count(catalog); i++)
        json_array_append_new(array, aim_model_to_json(aim_catalog_model_at(catalog, i)));
    return array;
}

static void models_text(const aim_catalog *catalog)
{
    printf("%-48s %-34s %8s %8s %-5s %9s %8s\n", "MODEL", "ARCHITECTURE", "PARAMS", "ACTIVE",
           "PREC", "SIZE GiB", "CONTEXT");
    for (size_t i = 0; i < aim_catalog_model_count(catalog); i++) {
        const struct aim_model *model = aim_catalog_model_at(catalog, i);

        printf("%-48s %-34s %7.1fB %7.1fB %-5s %9.1f %8d\n", model->id, model->architecture,
               model->params_total / 1e9, model->params_active / 1e9,
               aim_precision_name(model->checkpoint.precision),
               model->checkpoint.bytes / AIM_GIB, model->max_context);
    }
}

int cli_models(int argc, char **argv)
{
    static const char usage[] = "Usage: aimctl models [--catalog DIR] [-o text|json|yaml]\n\n"
                                "Lists the catalog's models.\n";

    return list_catalog("models", usage, argc, argv, models_json, models_text);
}

static void precisions_text(const bool *flags, char *out, size_t size)
{
    size_t used = 0;

    out[0] = '\0';
    for (int p = 0; p < AIM_PRECISION_COUNT; p++) {
        if (flags[p] && used < size)
            used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "," : "",
                                     aim_precision_name((enum aim_precision)p));
    }
}

static json_t *gpus_json(const aim_catalog *catalog)
{
    json_t *array = json_array();

    for (size_t i = 0; i < aim_catalog_gpu_count(catalog); i++)
        json_array_append_new(array, aim_gpu_to_json(aim_catalog_gpu_at(catalog, i)));
    return array;
}

static void gpus_text(const aim_catalog *catalog)
{
    char native[64];

    printf("%-8s %-7s %-7s %10s %9s %9s %9s %-16s %s\n", "GPU", "VENDOR", "ARCH",
           "MEMORY GiB", "BW TB/s", "BF16 TF", "FP8 TF", "NATIVE", "RESOURCE");
    for (size_t i = 0; i < aim_catalog_gpu_count(catalog); i++) {
        const struct aim_gpu *gpu = aim_catalog_gpu_at(catalog, i);

        precisions_text(gpu->native, native, sizeof native);
        printf("%-8s %-7s %-7s %10.2f %9.2f %9.0f %9.0f %-16s %s\n", gpu->name,
               aim_vendor_name(gpu->vendor), gpu->arch, gpu->memory_gib, gpu->bandwidth_tbps,
               gpu->peak_tflops[AIM_PRECISION_BF16], gpu->peak_tflops[AIM_PRECISION_FP8], native,
               gpu->resource_name);
    }
}

int cli_gpus(int argc, char **argv)
{
    static const char usage[] = "Usage: aimctl gpus [--catalog DIR] [-o text|json|yaml]\n\n"
                                "Lists the catalog's GPU types.\n";

    return list_catalog("gpus", usage, argc, argv, gpus_json, gpus_text);
}

static void enabled_counts(const struct aim_recipe *recipe, char *out, size_t size)
{
    size_t used = 0;

    out[0] = '\0';
    for (int i = 0; i < recipe->config_count && used < size; i++) {
        if (recipe->configs[i].enabled)
            used += (size_t)snprintf(out + used, size - used, "%s%d", used ? "," : "",
                                     recipe->configs[i].gpu_count);
    }
}

static bool recipe_matches(const aim_catalog *catalog, const struct aim_recipe *recipe,
                           const char *filter)
{
    const struct aim_model *model;

    if (filter == NULL)
        return true;
    model = aim_catalog_find_model(catalog, filter);
    return model != NULL && strcasecmp(model->id, recipe->model_id) == 0;
}

static int list_recipes(const struct list_options *options, aim_catalog *catalog)
{
    char counts[32];

    if (options->argument != NULL && aim_catalog_find_model(catalog, options->argument) == NULL) {
        aim_cli_error("unknown model '%s' (see 'aimctl models')", options->argument);
        return aim_status_exit_code(AIM_E_NOT_FOUND);
    }
    if (options->format != CLI_FORMAT_TEXT) {
        json_t *array = json_array();

        for (size_t i = 0; i < aim_catalog_recipe_count(catalog); i++) {
            const struct aim_recipe *recipe = aim_catalog_recipe_at(catalog, i);

            if (recipe_matches(catalog, recipe, options->argument))
                json_array_append_new(array, aim_recipe_to_json(recipe));
        }
        return print_array(array, options->format);
    }

    printf("%-44s %-8s %-5s %-7s %-10s %s\n", "RECIPE", "GPU", "PREC", "BACKEND", "MATURITY",
           "GPUS");
    for (size_t i = 0; i < aim_catalog_recipe_count(catalog); i++) {
        const struct aim_recipe *recipe = aim_catalog_recipe_at(catalog, i);

        if (!recipe_matches(catalog, recipe, options->argument))
            continue;
        enabled_counts(recipe, counts, sizeof counts);
        printf("%-44s %-8s %-5s %-7s %-10s %s\n", recipe->id, recipe->gpu,
               aim_precision_name(recipe->precision), aim_backend_name(recipe->backend),
               aim_maturity_name(recipe->maturity), counts);
    }
    return 0;
}

/* Every enabled config of the recipes that came from dir must fit. */
static int check_configs(const aim_catalog *catalog, const char *dir, int *configs)
{
    struct aim_error err = {0};
    size_t prefix = strlen(dir);
    int problems = 0;

    for (size_t i = 0; i < aim_catalog_recipe_count(catalog); i++) {
        const struct aim_recipe *recipe = aim_catalog_recipe_at(catalog, i);

        if (strncmp(recipe->source, dir, prefix) != 0)
            continue;
        for (int c = 0; c < recipe->config_count; c++) {
            const struct aim_recipe_config *config = &recipe->configs[c];

            if (!config->enabled)
                continue;
            (*configs)++;
            if (aim_check_recipe_config(catalog, recipe, config, &err) != AIM_OK) {
                printf("%s:%d: configs[%d] (%d GPU%s): %s\n", recipe->source, config->line, c,
                       config->gpu_count, config->gpu_count == 1 ? "" : "s", err.message);
                problems++;
            }
        }
    }
    return problems;
}

static void print_problem_cb(const struct aim_error *err, void *context)
{
    (void)context;
    printf("%s\n", err->message);
}

static int check_recipes(const struct list_options *options, aim_catalog *catalog)
{
    struct aim_error err = {0};
    int problems = 0;
    int configs = 0;

    if (options->argument2 == NULL)
        return aim_cli_usage_error("recipes", "recipes check needs a folder");

    /* Schema first: a file that does not load is reported and the rest go on. */
    if (aim_cli_check_catalog_dir(catalog, options->argument2, print_problem_cb, NULL,
                                  &problems, &err) != AIM_OK)
        return aim_cli_fail(&err);
    problems += check_configs(catalog, options->argument2, &configs);
    printf("%d enabled config%s checked, %d problem%s\n", configs, configs == 1 ? "" : "s",
           problems, problems == 1 ? "" : "s");
    return problems == 0 ? 0 : aim_status_exit_code(AIM_E_INPUT);
}

int cli_recipes(int argc, char **argv)
{
    static const char usage[] =
        "Usage: aimctl recipes [MODEL] [--catalog DIR] [-o text|json|yaml]\n"
        "       aimctl recipes check DIR\n\n"
        "Lists the authored recipes (of one model), or checks recipe files: their schema,\n"
        "and that every enabled config fits the memory model. 'check' exits 4 on any\n"
        "problem.\n";
    struct list_options options;
    aim_catalog *catalog = NULL;
    int code = parse_list_options("recipes", usage, 2, false, argc, argv, &options);

    if (code != 0)
        return code < 0 ? 0 : code;
    if (options.argument2 != NULL && strcmp(options.argument, "check") != 0)
        return aim_cli_usage_error("recipes", "unexpected argument '%s'", options.argument2);
    code = cli_open_catalog(options.catalog_dir, &catalog);
    if (code != 0)
        return code;
    if (options.argument != NULL && strcmp(options.argument, "check") == 0)
        code = check_recipes(&options, catalog);
    else
        code = list_recipes(&options, catalog);
    aim_catalog_free(&catalog);
    return code;
}

static json_t *detection_to_json(const struct aim_detection *detection)
{
    json_t *array = json_array();
    char hex[8];

    for (int i = 0; i < detection->count; i++) {
        const struct aim_detected_gpu *gpu = &detection->gpus[i];

        snprintf(hex, sizeof hex, "%04x", gpu->pci_device_id);
        json_array_append_new(
            array, json_pack("{s:i, s:s, s:s, s:s, s:s, s:o, s:o, s:b}", "index", gpu->index,
                             "vendor", aim_vendor_name(gpu->vendor), "pci_device_id", hex,
                             "pci_slot", gpu->pci_slot, "gfx_target", gpu->gfx_target,
                             "memory_gib", json_real(gpu->memory_gib),
                             "type", gpu->type != NULL ? json_string(gpu->type->name)
                                                       : json_null(),
                             "visible", gpu->visible));
    }
    return array;
}

static void print_detection(const struct aim_detection *detection)
{
    if (detection->count == 0) {
        printf("No GPUs detected.\n");
        return;
    }
    printf("%-5s %-7s %-6s %-14s %-8s %10s %-8s %s\n", "INDEX", "VENDOR", "PCI ID", "SLOT",
           "TARGET", "MEMORY GiB", "TYPE", "VISIBLE");
    for (int i = 0; i < detection->count; i++) {
        const struct aim_detected_gpu *gpu = &detection->gpus[i];
        char pci[8] = "-";
        char memory[16] = "-";

        /* The NVIDIA driver's files name neither, so unknown shows as '-'. */
        if (gpu->pci_device_id != 0)
            snprintf(pci, sizeof pci, "%04x", gpu->pci_device_id);
        if (gpu->memory_gib > 0)
            snprintf(memory, sizeof memory, "%.2f", gpu->memory_gib);
        printf("%-5d %-7s %-6s %-14s %-8s %10s %-8s %s\n", gpu->index,
               aim_vendor_name(gpu->vendor), pci, gpu->pci_slot,
               gpu->gfx_target[0] ? gpu->gfx_target : "-", memory,
               gpu->type != NULL ? gpu->type->name : "unknown", gpu->visible ? "yes" : "no");
    }
}

int cli_detect(int argc, char **argv)
{
    static const char usage[] =
        "Usage: aimctl detect [--sysfs-root DIR] [--catalog DIR] [-o text|json|yaml]\n\n"
        "Lists this host's GPUs from sysfs and the KFD topology (AMD) and the NVIDIA\n"
        "driver's files, honouring HIP_VISIBLE_DEVICES, ROCR_VISIBLE_DEVICES and\n"
        "CUDA_VISIBLE_DEVICES. --sysfs-root reads those files below DIR instead of /.\n";
    struct list_options options;
    struct aim_detection *detection;
    struct aim_error err = {0};
    aim_catalog *catalog = NULL;
    int code = parse_list_options("detect", usage, 0, true, argc, argv, &options);

    if (code != 0)
        return code < 0 ? 0 : code;
    code = cli_open_catalog(options.catalog_dir, &catalog);
    if (code != 0)
        return code;
    detection = calloc(1, sizeof *detection);
    if (detection == NULL) {
        aim_catalog_free(&catalog);
        aim_cli_error("out of memory");
        return 5;
    }
    if (aim_cli_detect_gpus(catalog, options.sysfs_root, detection, &err) != AIM_OK)
        code = aim_cli_fail(&err);
    else if (options.format != CLI_FORMAT_TEXT)
        code = print_array(detection_to_json(detection), options.format);
    else
        print_detection(detection);
    free(detection);
    aim_catalog_free(&catalog);
    return code;
}
