/* aimctl validate: what in Kubernetes manifests cannot work, or is unwise. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aim/manifest.h"
#include "aim/output.h"
#include "aim/validate.h"
#include "catalog_files.h"
#include "cli.h"
#include "message.h"

/* `validate` exits 1 when an object has an error: the manifests were read,
   and they cannot work as written. */
#define EXIT_FINDINGS 1
#define FILES_MAX 256

enum { OPT_GPU = 256, OPT_CATALOG, OPT_NODES, OPT_PODS, OPT_KUBECONFIG, OPT_CONTEXT,
       OPT_IN_CLUSTER };

static const struct option validate_options[] = {
    {"filename", required_argument, NULL, 'f'},
    {"gpu", required_argument, NULL, OPT_GPU},
    {"catalog", required_argument, NULL, OPT_CATALOG},
    {"nodes", required_argument, NULL, OPT_NODES},
    {"pods", required_argument, NULL, OPT_PODS},
    {"kubeconfig", required_argument, NULL, OPT_KUBECONFIG},
    {"context", required_argument, NULL, OPT_CONTEXT},
    {"in-cluster", no_argument, NULL, OPT_IN_CLUSTER},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char usage[] =
    "Usage: aimctl validate -f FILE... [--gpu TYPE] [--catalog DIR] [-o text|json|yaml]\n\n"
    "Reports what in Kubernetes manifests cannot work for serving an LLM (errors) and\n"
    "what is only unwise (warnings): Pods, Deployments, StatefulSets, LeaderWorkerSets\n"
    "and KServe InferenceServices running vLLM or SGLang, in YAML or JSON, several\n"
    "documents per file; other kinds are skipped.\n\n"
    "Options:\n"
    "  -f, --filename FILE   a manifest file, '-' for standard input; repeatable\n"
    "  --gpu TYPE            GPU type of objects that name none (see 'aimctl gpus')\n"
    "  --catalog DIR         add or override catalog entries with DIR/**/*.yaml\n"
    "  --nodes FILE [--pods FILE], --kubeconfig FILE [--context NAME], --in-cluster\n"
    "                        also check that some eligible node of the cluster has each\n"
    "                        pod's GPUs free (see 'aimctl inventory')\n"
    "  -o, --output FORMAT   text (default), json or yaml\n"
    "  -h, --help            show this help\n\n"
    "Exit status: 0 no errors, 1 an object has an error, 2 usage error,\n"
    "4 a file cannot be read or parsed, 5 internal error.\n";

struct validate_options {
    const char *files[FILES_MAX];
    int file_count;
    const char *gpu;
    const char *catalog_dir;
    struct aim_cli_inventory_source cluster;
    enum cli_format format;
};

/* What the run found, over all files. */
struct tally {
    size_t objects;
    size_t counts[AIM_FINDING_LEVEL_COUNT];
    bool unreadable;          /* a file could not be read or parsed */
    json_t *findings;         /* for -o json and yaml */
};

/* Returns -1 after printing help, 0 to go on, or an exit code. */
static int parse_options(int argc, char **argv, struct validate_options *options)
{
    int option;

    memset(options, 0, sizeof *options);
    optind = 1;
    opterr = 0;
    while ((option = getopt_long(argc, argv, "f:o:h", validate_options, NULL)) != -1) {
        switch (option) {
        case 'h': fputs(usage, stdout); return -1;
        case 'f':
            if (options->file_count == FILES_MAX)
                return aim_cli_usage_error("validate", "at most %d files", FILES_MAX);
            options->files[options->file_count++] = optarg;
            break;
        case OPT_GPU: options->gpu = optarg; break;
        case OPT_CATALOG: options->catalog_dir = optarg; break;
        case OPT_NODES: options->cluster.nodes_path = optarg; break;
        case OPT_PODS: options->cluster.pods_path = optarg; break;
        case OPT_KUBECONFIG: options->cluster.kubeconfig = optarg; break;
        case OPT_CONTEXT: options->cluster.context = optarg; break;
        case OPT_IN_CLUSTER: options->cluster.in_cluster = true; break;
        case 'o':
            if (!cli_parse_format(optarg, &options->format))
                return aim_cli_usage_error("validate", "-o '%s': expected text, json or yaml",
                                           optarg);
            break;
        default:
            return aim_cli_usage_error("validate", "unknown or incomplete option '%s'",
                                       argv[optind - 1]);
        }
    }
    if (optind < argc)
        return aim_cli_usage_error("validate", "unexpected argument '%s' (files go after -f)",
                                   argv[optind]);
    if (options->file_count == 0)
        return aim_cli_usage_error("validate", "at least one -f FILE is required");
    return 0;
}

static int resolve_gpu(const aim_catalog *catalog, const char *name,
                       const struct aim_gpu **out)
{
    const char *close[1];

    *out = NULL;
    if (name == NULL)
        return 0;
    *out = aim_catalog_find_gpu(catalog, name);
    if (*out != NULL)
        return 0;
    if (aim_catalog_suggest(catalog, "gpu", name, close, 1) > 0)
        aim_cli_error("unknown GPU type '%s'; did you mean %s?", name, close[0]);
    else
        aim_cli_error("unknown GPU type '%s' (see 'aimctl gpus')", name);
    return aim_status_exit_code(AIM_E_NOT_FOUND);
}

static void print_finding(const char *file, const struct aim_manifest_object *object,
                          const struct aim_finding *finding)
{
    printf("%s:%d: %s: ", file, object->line, finding->object);
    if (finding->field[0] != '\0')
        printf("%s: ", finding->field);
    printf("%s: %s\n", aim_finding_level_name(finding->level), finding->message);
}

static json_t *finding_to_json(const char *file, const struct aim_manifest_object *object,
                               const struct aim_finding *finding)
{
    return json_pack("{s:s, s:i, s:i, s:s, s:s, s:s, s:s}", "file", file, "line", object->line,
                     "document", object->document, "object", finding->object, "field",
                     finding->field, "level", aim_finding_level_name(finding->level),
                     "message", finding->message);
}

/* Records the findings of one object and prints them in text mode. */
static int emit(const char *file, const struct aim_manifest_object *object,
                const struct aim_findings *findings, enum cli_format format,
                struct tally *tally)
{
    for (size_t i = 0; i < findings->count; i++) {
        const struct aim_finding *finding = &findings->items[i];

        tally->counts[finding->level]++;
        if (format == CLI_FORMAT_TEXT) {
            print_finding(file, object, finding);
        } else if (json_array_append_new(tally->findings,
                                         finding_to_json(file, object, finding)) != 0) {
            aim_cli_error("out of memory");
            return aim_status_exit_code(AIM_E_NOMEM);
        }
    }
    return 0;
}

static int validate_manifest(const aim_catalog *catalog,
                             const struct aim_validate_options *validate, const char *file,
                             const struct aim_manifest *manifest, enum cli_format format,
                             struct tally *tally)
{
    struct aim_findings findings = {0};
    struct aim_error err = {0};
    int code = 0;

    for (size_t i = 0; i < manifest->count && code == 0; i++) {
        findings.count = 0;
        if (aim_validate_object(catalog, manifest->objects[i].object, validate, &findings,
                                &err) != AIM_OK) {
            code = aim_cli_fail(&err);
            break;
        }
        tally->objects++;
        code = emit(file, &manifest->objects[i], &findings, format, tally);
    }
    aim_findings_free(&findings);
    return code;
}

/*
 * Reads, parses and validates one file. A file that cannot be read or
 * parsed is reported and marked in the tally; the others still run.
 */
static int validate_file(const aim_catalog *catalog, const struct aim_validate_options *validate,
                         const char *path, enum cli_format format, struct tally *tally)
{
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    struct aim_manifest manifest = {0};
    struct aim_error err = {0};
    enum aim_status status;
    char *text = NULL;
    size_t length = 0;
    int code = 0;

    status = aim_cli_read_file(is_stdin ? "/dev/stdin" : path, AIM_MANIFEST_MAX_BYTES, &text,
                               &length, &err);
    if (status == AIM_OK)
        status = aim_manifest_parse(name, text, length, &manifest, &err);
    if (status == AIM_E_NOMEM) {
        code = aim_cli_fail(&err);
    } else if (status != AIM_OK) {
        aim_cli_error("%s", err.message);
        tally->unreadable = true;
    } else {
        code = validate_manifest(catalog, validate, name, &manifest, format, tally);
    }
    aim_manifest_free(&manifest);
    free(text);
    return code;
}

static const char *plural(size_t count, const char *one, const char *many)
{
    return count == 1 ? one : many;
}

static int print_summary(const struct tally *tally, enum cli_format format)
{
    size_t errors = tally->counts[AIM_FINDING_ERROR];
    size_t warnings = tally->counts[AIM_FINDING_WARNING];
    json_t *json;
    int code;

    if (format == CLI_FORMAT_TEXT) {
        printf("%zu %s checked, %zu %s, %zu %s\n", tally->objects,
               plural(tally->objects, "object", "objects"), errors,
               plural(errors, "error", "errors"), warnings,
               plural(warnings, "warning", "warnings"));
        return 0;
    }
    json = json_pack("{s:I, s:I, s:I, s:I, s:O}", "objects", (json_int_t)tally->objects,
                     "errors", (json_int_t)errors, "warnings", (json_int_t)warnings, "notes",
                     (json_int_t)tally->counts[AIM_FINDING_NOTE], "findings",
                     tally->findings);
    if (json == NULL) {
        aim_cli_error("out of memory");
        return aim_status_exit_code(AIM_E_NOMEM);
    }
    code = cli_print_json(json, format);
    json_decref(json);
    return code;
}

static int run(const struct validate_options *options, aim_catalog *catalog,
               struct tally *tally)
{
    struct aim_validate_options validate = {0};
    struct aim_error err = {0};
    aim_inventory *inventory = NULL;
    int code = resolve_gpu(catalog, options->gpu, &validate.gpu);

    if (code == 0 && aim_cli_inventory_source_given(&options->cluster) &&
        aim_cli_load_inventory(catalog, &options->cluster, &inventory, &err) != AIM_OK)
        code = aim_cli_fail(&err);
    validate.inventory = inventory;
    for (int i = 0; i < options->file_count && code == 0; i++)
        code = validate_file(catalog, &validate, options->files[i], options->format, tally);
    aim_inventory_free(&inventory);
    if (code == 0)
        code = print_summary(tally, options->format);
    if (code != 0)
        return code;
    if (tally->unreadable)
        return aim_status_exit_code(AIM_E_INPUT);
    return tally->counts[AIM_FINDING_ERROR] > 0 ? EXIT_FINDINGS : 0;
}

int cli_validate(int argc, char **argv)
{
    struct validate_options options;
    struct tally tally = {0};
    aim_catalog *catalog = NULL;
    int code = parse_options(argc, argv, &options);

    if (code != 0)
        return code < 0 ? 0 : code;
    code = cli_open_catalog(options.catalog_dir, &catalog);
    if (code != 0)
        return code;
    tally.findings = json_array();
    if (tally.findings == NULL) {
        aim_cli_error("out of memory");
        code = aim_status_exit_code(AIM_E_NOMEM);
    } else {
        code = run(&options, catalog, &tally);
    }
    json_decref(tally.findings);
    aim_catalog_free(&catalog);
    return code;
}
