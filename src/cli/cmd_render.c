/* aimctl render: the plan as Kubernetes objects or Helm values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aim/output.h"
#include "aim/render.h"
#include "cli.h"
#include "message.h"

static const char usage[] =
    "Usage: aimctl render MODEL [OPTIONS] [-o yaml|json|helm-values]\n\n"
    "Prints the Kubernetes objects that serve the plan: a PersistentVolumeClaim for the\n"
    "Hugging Face cache, a Deployment (a LeaderWorkerSet across nodes, or a KServe\n"
    "InferenceService with --kserve) and a Service; or the values of the Helm chart\n"
    "deploy/helm/aim-model that produce the same objects.\n\n"
    "  --name NAME           object name (default: from the model, with a hash)\n"
    "  --namespace NS        namespace (default: default)\n"
    "  --image IMAGE         container image (default: the engine's for the GPU vendor)\n"
    "  --replicas N          copies of the deployment (default 1)\n"
    "  --storage-class SC    storage class of the cache volume (default: the cluster's)\n"
    "  --pvc-access-mode M   ReadWriteOnce (default), ReadWriteMany across nodes\n"
    "  --cpu-per-gpu N       CPU request per GPU (default 4)\n"
    "  --memory-per-gpu NGi  memory request per GPU (default 16Gi)\n"
    "  --limit-factor F      limits = requests x F (default 2)\n"
    "  --monitoring          add a ServiceMonitor for the engine's /metrics\n"
    "  --kserve              a KServe InferenceService instead of Deployment and Service\n"
    "  --port N              port the engine listens on (default 8000)\n\n";

enum render_output { RENDER_YAML, RENDER_JSON, RENDER_VALUES };

static int parse_output(const char *text, enum render_output *out)
{
    if (text == NULL || strcmp(text, "yaml") == 0)
        *out = RENDER_YAML;
    else if (strcmp(text, "json") == 0)
        *out = RENDER_JSON;
    else if (strcmp(text, "helm-values") == 0)
        *out = RENDER_VALUES;
    else
        return aim_cli_usage_error("render", "-o '%s': expected yaml, json or helm-values",
                                   text);
    return 0;
}

/* Objects as a YAML stream, or a JSON List as kubectl prints one. */
static int print_objects(json_t *objects, enum render_output output)
{
    json_t *list;
    char *text;
    int code;

    if (output == RENDER_JSON) {
        list = json_pack("{s:s, s:s, s:O, s:{}}", "apiVersion", "v1", "kind", "List", "items",
                         objects, "metadata");
        code = cli_print_json(list, CLI_FORMAT_JSON);
        json_decref(list);
        return code;
    }
    text = aim_json_documents_to_yaml(objects);
    if (text == NULL) {
        aim_cli_error("out of memory while printing");
        return 5;
    }
    fputs(text, stdout);
    free(text);
    return 0;
}

static int render_plan(const struct cli_session *session, const struct cli_plan_options *options,
                       enum render_output output)
{
    struct aim_error err = {0};
    json_t *values = aim_render_values(session->catalog, &session->plan, &options->render, &err);
    json_t *objects = NULL;
    int code;

    if (values == NULL)
        return err.status == AIM_E_USAGE ? aim_cli_usage_error("render", "%s", err.message)
                                         : aim_cli_fail(&err);
    if (output == RENDER_VALUES) {
        code = cli_print_json(values, CLI_FORMAT_YAML);
    } else {
        objects = aim_render_objects(values, &err);
        if (objects == NULL)
            code = err.status == AIM_E_USAGE ? aim_cli_usage_error("render", "%s", err.message)
                                             : aim_cli_fail(&err);
        else
            code = print_objects(objects, output);
    }
    json_decref(objects);
    json_decref(values);
    return code;
}

int cli_render(int argc, char **argv)
{
    struct cli_plan_options options;
    struct cli_session *session;
    enum render_output output = RENDER_YAML;
    int code = cli_parse_plan_options("render", usage, CLI_PLAN_RENDER, argc, argv, &options);

    if (code != 0)
        return code < 0 ? 0 : code;
    code = parse_output(options.render_format, &output);
    if (code != 0)
        return code;
    session = calloc(1, sizeof *session);
    if (session == NULL) {
        aim_cli_error("out of memory");
        return 5;
    }
    code = cli_plan("render", &options, session);
    if (code == 0)
        code = render_plan(session, &options, output);
    else if (code == aim_status_exit_code(AIM_E_NO_FIT))
        cli_print_plan(session, output == RENDER_JSON ? CLI_FORMAT_JSON : CLI_FORMAT_TEXT,
                       false);
    code = cli_finish_plan(code, session);
    free(session);
    return code;
}
