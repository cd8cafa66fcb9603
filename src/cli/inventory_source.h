/*
 * A cluster's inventory read live from its Kubernetes API: every node, and
 * every pod that still holds resources (neither Succeeded nor Failed). The
 * lists' items are what aim_inventory_add_nodes() and
 * aim_pod_usages_from_items() take, as from files.
 */
#ifndef AIM_CLI_INVENTORY_SOURCE_H
#define AIM_CLI_INVENTORY_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "aim/error.h"
#include "aim/inventory.h"
#include "kube_client.h"

#define AIM_CLI_NODES_PATH "/api/v1/nodes"
/* The pods that count against a node's free resources. */
#define AIM_CLI_ACTIVE_PODS_PATH \
    "/api/v1/pods?fieldSelector=status.phase!=Succeeded,status.phase!=Failed"

/*
 * The kubeconfig read when none is named: $KUBECONFIG when it names one
 * file, else $HOME/.kube/config. Fails when $KUBECONFIG lists several files
 * (aimctl does not merge them) or when neither variable is set.
 */
enum aim_status aim_cli_kubeconfig_path(char *out, size_t size, struct aim_error *err);

/*
 * The configuration to reach the cluster: in_cluster, the pod's service
 * account; else the kubeconfig at kubeconfig (NULL: aim_cli_kubeconfig_path's)
 * with context (NULL: its current-context). *out is for
 * aim_cli_kube_config_free().
 */
enum aim_status aim_cli_cluster_config(const char *kubeconfig, const char *context,
                                       bool in_cluster, struct aim_cli_kube_config **out,
                                       struct aim_error *err);

/*
 * Loads the configuration as aim_cli_cluster_config() does with the
 * current context, and fetches both lists. On success *nodes and *pods are
 * new arrays of Node and Pod objects for the caller to json_decref(); on
 * failure both are NULL.
 */
enum aim_status aim_cli_fetch_cluster(const char *kubeconfig, bool in_cluster, json_t **nodes,
                                      json_t **pods, struct aim_error *err);

/* The same from a configuration already loaded, e.g. for another context. */
enum aim_status aim_cli_fetch_cluster_with(const struct aim_cli_kube_config *config,
                                           json_t **nodes, json_t **pods,
                                           struct aim_error *err);

/*
 * The active pods reduced to usage records page by page, appended to *out:
 * a 100,000-pod cluster then never holds more than one page of pods as
 * JSON. Free *out with aim_pod_usages_free() whatever the result.
 */
enum aim_status aim_cli_fetch_pod_usages(const struct aim_cli_kube_config *config,
                                         struct aim_pod_usages *out, struct aim_error *err);

#endif
