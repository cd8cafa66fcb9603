#include "inventory_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_SIZE 4096

enum aim_status aim_cli_kubeconfig_path(char *out, size_t size, struct aim_error *err)
{
    const char *variable = getenv("KUBECONFIG");
    const char *home = getenv("HOME");
    int used;

    if (variable != NULL && variable[0] != '\0') {
        if (strchr(variable, ':') != NULL)
            return aim_error_set(err, AIM_E_USAGE,
                                 "KUBECONFIG lists several files (%s); aimctl reads one: "
                                 "name it explicitly", variable);
        used = snprintf(out, size, "%s", variable);
    } else if (home != NULL && home[0] != '\0') {
        used = snprintf(out, size, "%s/.kube/config", home);
    } else {
        return aim_error_set(err, AIM_E_USAGE,
                             "no kubeconfig: neither KUBECONFIG nor HOME is set");
    }
    if (used < 0 || (size_t)used >= size)
        return aim_error_set(err, AIM_E_USAGE, "the kubeconfig's path is too long");
    return AIM_OK;
}

enum aim_status aim_cli_cluster_config(const char *kubeconfig, const char *context,
                                       bool in_cluster, struct aim_cli_kube_config **out,
                                       struct aim_error *err)
{
    char path[PATH_SIZE];
    enum aim_status status = AIM_OK;

    *out = NULL;
    if (in_cluster)
        return aim_cli_kube_config_in_cluster(NULL, out, err);
    if (kubeconfig == NULL) {
        status = aim_cli_kubeconfig_path(path, sizeof path, err);
        kubeconfig = path;
    }
    if (status == AIM_OK)
        status = aim_cli_kube_config_load(kubeconfig, context, out, err);
    return status;
}

enum aim_status aim_cli_fetch_cluster_with(const struct aim_cli_kube_config *config,
                                           json_t **nodes, json_t **pods,
                                           struct aim_error *err)
{
    enum aim_status status = aim_cli_kube_list(config, AIM_CLI_NODES_PATH, nodes, err);

    *pods = NULL;
    if (status == AIM_OK)
        status = aim_cli_kube_list(config, AIM_CLI_ACTIVE_PODS_PATH, pods, err);
    if (status != AIM_OK) {
        json_decref(*nodes);
        *nodes = NULL;
    }
    return status;
}

enum aim_status aim_cli_fetch_cluster(const char *kubeconfig, bool in_cluster, json_t **nodes,
                                      json_t **pods, struct aim_error *err)
{
    struct aim_cli_kube_config *config = NULL;
    enum aim_status status = aim_cli_cluster_config(kubeconfig, NULL, in_cluster, &config, err);

    *nodes = NULL;
    *pods = NULL;
    if (status == AIM_OK)
        status = aim_cli_fetch_cluster_with(config, nodes, pods, err);
    aim_cli_kube_config_free(&config);
    return status;
}

static enum aim_status usages_cb(const json_t *items, const char *source, void *context,
                                 struct aim_error *err)
{
    return aim_pod_usages_from_items(items, source, context, err);
}

enum aim_status aim_cli_fetch_pod_usages(const struct aim_cli_kube_config *config,
                                         struct aim_pod_usages *out, struct aim_error *err)
{
    return aim_cli_kube_each_page(config, AIM_CLI_ACTIVE_PODS_PATH, usages_cb, out, err);
}
