/*
 * A read-only client for the Kubernetes API: where the cluster is and how to
 * prove who we are (from a kubeconfig or from a pod's service account), and
 * LIST requests that follow the API's pagination to the end.
 *
 * TLS is always verified: against the cluster's CA when the configuration
 * names one, else against the system's CA store. insecure-skip-tls-verify,
 * plain http:// servers, exec and auth-provider users are refused with a
 * message naming what to change, never silently worked around.
 *
 * Secrets (tokens, client keys) never appear in a message, and are wiped
 * from memory when the configuration is freed.
 *
 * Ownership: the load functions allocate a struct aim_cli_kube_config that
 * owns every string and byte buffer in it; aim_cli_kube_config_free()
 * releases it and sets the pointer to NULL. aim_cli_kube_list() hands the
 * caller a new jansson array to json_decref().
 */
#ifndef AIM_CLI_KUBE_CLIENT_H
#define AIM_CLI_KUBE_CLIENT_H

#include <stddef.h>

#include <jansson.h>

#include "aim/error.h"

/* Largest kubeconfig, CA, certificate, key or token file read. */
#define AIM_CLI_KUBE_FILE_MAX (4u * 1024u * 1024u)

/* The items asked for per page; kubectl asks for the same. */
#define AIM_CLI_KUBE_PAGE_ITEMS 500
/* The largest answer read for one page: a page of 500 big pods is ~10 MiB. */
#define AIM_CLI_KUBE_PAGE_BYTES (64u * 1024u * 1024u)
/* The most bytes read for one list, all pages together. */
#define AIM_CLI_KUBE_TOTAL_BYTES (1024u * 1024u * 1024u)
/* The most items in one list: ten times the largest cluster Kubernetes tests. */
#define AIM_CLI_KUBE_ITEMS 1000000
/* Twice the pages the item cap needs at the default page size, for servers
 * that answer with smaller pages than asked. */
#define AIM_CLI_KUBE_PAGES 4000
#define AIM_CLI_KUBE_CONNECT_TIMEOUT_MS 5000L
/* Per page request. */
#define AIM_CLI_KUBE_TIMEOUT_MS 60000L
/* For a whole list, all pages together. */
#define AIM_CLI_KUBE_LIST_TIMEOUT_MS 600000L

/* Caps on what one list may cost; the load functions set the defaults above. */
struct aim_cli_kube_limits {
    long page_items;         /* limit=N of each request */
    size_t page_bytes;       /* the largest answer body of one page */
    size_t total_bytes;      /* all pages of one list */
    size_t items;            /* items in one list */
    int pages;               /* requests for one list */
    long connect_timeout_ms; /* TCP and TLS set-up */
    long timeout_ms;         /* one page request, from start to last byte */
    long list_timeout_ms;    /* all pages of one list */
};

/* Where the API server is and the credentials to show it. */
struct aim_cli_kube_config {
    char *server;    /* "https://HOST[:PORT][/PREFIX]", no trailing '/' */
    char *source;    /* the kubeconfig's path, or "the in-cluster service account" */
    char *context;   /* the context used; NULL in the cluster */
    char *user;      /* the kubeconfig user, or "the pod's service account" */
    unsigned char *ca; /* PEM bytes of the CA bundle; NULL: the system's CAs */
    size_t ca_length;
    char *ca_origin; /* where ca came from, for messages */
    char *token;     /* bearer token, or NULL */
    unsigned char *cert; /* PEM client certificate, or NULL */
    size_t cert_length;
    unsigned char *key;  /* PEM client key, or NULL (set exactly when cert is) */
    size_t key_length;
    struct aim_cli_kube_limits limits;
};

/*
 * Reads the kubeconfig at path and resolves context (NULL: its
 * current-context) to its cluster and user. Relative file names in it
 * (certificate-authority, client-certificate, client-key, tokenFile) are
 * taken from the kubeconfig's folder, as kubectl does. On success *out is a
 * new configuration; on failure *out is NULL and err says which context,
 * cluster, user or field is wrong.
 */
enum aim_status aim_cli_kube_config_load(const char *path, const char *context,
                                         struct aim_cli_kube_config **out,
                                         struct aim_error *err);

/*
 * The configuration of a pod: KUBERNETES_SERVICE_HOST and _PORT, and the
 * service account's token and ca.crt below
 * ROOT/var/run/secrets/kubernetes.io/serviceaccount. root prefixes that
 * path ("" or NULL for the real one) so tests can point at a fake tree.
 */
enum aim_status aim_cli_kube_config_in_cluster(const char *root,
                                               struct aim_cli_kube_config **out,
                                               struct aim_error *err);

/* Wipes the secrets, frees everything, sets *config to NULL. NULL is fine. */
void aim_cli_kube_config_free(struct aim_cli_kube_config **config);

/*
 * Called with each page's items, in order. items is borrowed: it is freed
 * after the call, so a caller that reduces pages as they come holds one
 * page of JSON at a time. source names the page for messages
 * ("https://HOST/api/v1/pods (page 2)"). A status other than AIM_OK, with
 * err set, stops the list and is returned.
 */
typedef enum aim_status (*aim_cli_kube_page_fn)(const json_t *items, const char *source,
                                                void *context, struct aim_error *err);

/*
 * GETs path (e.g. "/api/v1/nodes", or "/api/v1/pods?fieldSelector=a!=b"
 * with its query written unencoded: this function encodes it) page by page,
 * following metadata.continue, and sets *items to one new array of every
 * page's items, in the server's order. Fails when the server cannot be
 * reached, TLS does not verify, the answer is not 200, not JSON, not the
 * expected kind of list or has no items, or when any cap in config->limits
 * is passed. Messages name the URL and the page; *items is NULL then.
 */
enum aim_status aim_cli_kube_list(const struct aim_cli_kube_config *config, const char *path,
                                  json_t **items, struct aim_error *err);

/* The same request, handing each page's items to page_cb instead. */
enum aim_status aim_cli_kube_each_page(const struct aim_cli_kube_config *config,
                                       const char *path, aim_cli_kube_page_fn page_cb,
                                       void *context, struct aim_error *err);

#endif
