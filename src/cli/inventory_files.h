/*
 * Building an inventory from what the user points at: NodeList and PodList
 * files (JSON or YAML, as kubectl prints them, or one `kubectl get
 * nodes,pods -A -o json` List), or the live cluster.
 */
#ifndef AIM_CLI_INVENTORY_FILES_H
#define AIM_CLI_INVENTORY_FILES_H

#include <stdbool.h>

#include "aim/inventory.h"

/* Largest inventory file read: a 5,000-node cluster's pods fit well within. */
#define AIM_CLI_INVENTORY_FILE_MAX (1024u * 1024u * 1024u)

struct aim_cli_inventory_source {
    const char *nodes_path;   /* --nodes FILE: a NodeList, or a List of both */
    const char *pods_path;    /* --pods FILE */
    const char *kubeconfig;   /* --kubeconfig FILE */
    const char *context;      /* --context NAME */
    bool in_cluster;          /* --in-cluster */
};

/* True when any cluster source is named. */
bool aim_cli_inventory_source_given(const struct aim_cli_inventory_source *source);

/*
 * Reads the files or the cluster into a new inventory the caller frees.
 * Nodes of every file come first, then the pods of every file.
 */
enum aim_status aim_cli_load_inventory(const aim_catalog *catalog,
                                       const struct aim_cli_inventory_source *source,
                                       aim_inventory **out, struct aim_error *err);

#endif
