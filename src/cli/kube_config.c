/*
 * Where the cluster is and who we are: a kubeconfig read with libyaml's
 * document API, or a pod's service account. See kube_client.h.
 */
/* explicit_bzero wipes secrets without the compiler dropping the stores. */
#define _DEFAULT_SOURCE

#include "kube_client.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "catalog_files.h"
#include "dynlib.h"

#define PATH_SIZE 4096
#define NAMES_SIZE 200
#define SERVICE_ACCOUNT "/var/run/secrets/kubernetes.io/serviceaccount"

/* A loaded kubeconfig and what its messages name. */
struct kubeconfig {
    yaml_document_t document;
    bool loaded;
    const char *path;
    char folder[PATH_SIZE]; /* relative file names start here */
    struct aim_error *err;
};

/* The three entries a context ties together, each "name" plus its fields. */
struct selection {
    const char *context;
    const char *cluster;
    const char *user;
    yaml_node_t *context_fields;
    yaml_node_t *cluster_fields;
    yaml_node_t *user_fields;
};

/* ----------------------------------------------------------- memory */

static void wipe_free(void *data, size_t length)
{
    if (data != NULL)
        explicit_bzero(data, length);
    free(data);
}

static void wipe_free_string(char *text)
{
    if (text != NULL)
        wipe_free(text, strlen(text));
}

void aim_cli_kube_config_free(struct aim_cli_kube_config **config)
{
    struct aim_cli_kube_config *c;

    if (config == NULL || *config == NULL)
        return;
    c = *config;
    free(c->server);
    free(c->source);
    free(c->context);
    free(c->user);
    free(c->ca);
    free(c->ca_origin);
    wipe_free_string(c->token);
    free(c->cert);
    wipe_free(c->key, c->key_length);
    free(c);
    *config = NULL;
}

static struct aim_cli_kube_config *config_new(void)
{
    struct aim_cli_kube_config *config = calloc(1, sizeof *config);

    if (config == NULL)
        return NULL;
    config->limits = (struct aim_cli_kube_limits){
        .page_items = AIM_CLI_KUBE_PAGE_ITEMS,
        .page_bytes = AIM_CLI_KUBE_PAGE_BYTES,
        .total_bytes = AIM_CLI_KUBE_TOTAL_BYTES,
        .items = AIM_CLI_KUBE_ITEMS,
        .pages = AIM_CLI_KUBE_PAGES,
        .connect_timeout_ms = AIM_CLI_KUBE_CONNECT_TIMEOUT_MS,
        .timeout_ms = AIM_CLI_KUBE_TIMEOUT_MS,
        .list_timeout_ms = AIM_CLI_KUBE_LIST_TIMEOUT_MS,
    };
    return config;
}

/* strdup into *out; false (with err set) when memory runs out. */
static bool copy_text(char **out, const char *text, struct aim_error *err)
{
    *out = strdup(text);
    if (*out == NULL)
        aim_error_set(err, AIM_E_NOMEM, "out of memory");
    return *out != NULL;
}

/* ------------------------------------------------------------ files */

/* A secret or certificate file, wiped when it is dropped. */
static enum aim_status read_secret_file(const char *path, unsigned char **data, size_t *length,
                                        struct aim_error *err)
{
    char *text = NULL;
    enum aim_status status = aim_cli_read_file(path, AIM_CLI_KUBE_FILE_MAX, &text, length, err);

    if (status != AIM_OK)
        return status;
    if (*length == 0) {
        free(text);
        return aim_error_set(err, AIM_E_INPUT, "%s: empty file", path);
    }
    *data = (unsigned char *)text;
    return AIM_OK;
}

/* The bearer token: printable ASCII only, so it cannot break the header. */
static enum aim_status check_token(const char *token, const char *where, const char *owner,
                                   struct aim_error *err)
{
    if (token[0] == '\0')
        return aim_error_set(err, AIM_E_INPUT, "%s: %sthe token is empty", where, owner);
    for (const char *c = token; *c != '\0'; c++) {
        if (*c < 0x21 || *c > 0x7e)
            return aim_error_set(err, AIM_E_INPUT,
                                 "%s: %sthe token holds a space or control character", where,
                                 owner);
    }
    return AIM_OK;
}

/* A token file's text without the trailing newline editors and kubelet add. */
static enum aim_status read_token_file(const char *path, char **token, struct aim_error *err)
{
    unsigned char *data = NULL;
    size_t length = 0;
    enum aim_status status = read_secret_file(path, &data, &length, err);

    if (status != AIM_OK)
        return status;
    while (length > 0 && (data[length - 1] == '\n' || data[length - 1] == '\r' ||
                          data[length - 1] == ' ' || data[length - 1] == '\t'))
        data[--length] = '\0';
    status = check_token((const char *)data, path, "", err);
    if (status != AIM_OK) {
        wipe_free(data, length);
        return status;
    }
    *token = (char *)data;
    return AIM_OK;
}

/* -------------------------------------------------------- YAML nodes */

/* The text of a scalar; NULL for other nodes and for null or empty ones. */
static const char *text_of(const yaml_node_t *node)
{
    const char *text;

    if (node == NULL || node->type != YAML_SCALAR_NODE)
        return NULL;
    text = (const char *)node->data.scalar.value;
    if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        (strcmp(text, "null") == 0 || strcmp(text, "~") == 0))
        return NULL;
    return text[0] != '\0' ? text : NULL;
}

/* The value under key in a mapping; NULL when absent or not a mapping. */
static yaml_node_t *lookup(struct kubeconfig *kc, yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        const char *name = text_of(yaml_document_get_node(&kc->document, pair->key));

        if (name != NULL && strcmp(name, key) == 0)
            return yaml_document_get_node(&kc->document, pair->value);
    }
    return NULL;
}

/* Text under key, or NULL when absent or empty; an error when not text. */
static enum aim_status field_text(struct kubeconfig *kc, yaml_node_t *map, const char *owner,
                                  const char *key, const char **out)
{
    yaml_node_t *node = lookup(kc, map, key);

    *out = text_of(node);
    if (node != NULL && node->type != YAML_SCALAR_NODE)
        return aim_error_set(kc->err, AIM_E_INPUT, "%s: %s: %s: expected text, got a %s",
                             kc->path, owner, key,
                             node->type == YAML_MAPPING_NODE ? "mapping" : "list");
    return AIM_OK;
}

/* The names of a list's entries, "a, b, c", for "not found" messages. */
static void entry_names(struct kubeconfig *kc, yaml_node_t *list, char *out, size_t size)
{
    size_t used = 0;

    out[0] = '\0';
    if (list == NULL || list->type != YAML_SEQUENCE_NODE)
        return;
    for (yaml_node_item_t *item = list->data.sequence.items.start;
         item < list->data.sequence.items.top && used + 1 < size; item++) {
        const char *name = text_of(lookup(kc, yaml_document_get_node(&kc->document, *item),
                                          "name"));
        int more = snprintf(out + used, size - used, "%s%s", used ? ", " : "",
                            name != NULL ? name : "(unnamed)");

        used += more > 0 ? (size_t)more : 0;
    }
    if (used >= size && size > 4)
        strcpy(out + size - 4, "...");
}

/*
 * The fields of the entry called name in the top-level list ("clusters",
 * "contexts" or "users"): the mapping under its "cluster", "context" or
 * "user" key. *fields is NULL when there is no such entry.
 */
static enum aim_status find_entry(struct kubeconfig *kc, const char *list_key, const char *name,
                                  yaml_node_t **fields)
{
    yaml_node_t *root = yaml_document_get_root_node(&kc->document);
    yaml_node_t *list = lookup(kc, root, list_key);
    char inner[16];

    *fields = NULL;
    if (list == NULL || list->type != YAML_SEQUENCE_NODE)
        return AIM_OK;
    snprintf(inner, sizeof inner, "%.*s", (int)strlen(list_key) - 1, list_key);
    for (yaml_node_item_t *item = list->data.sequence.items.start;
         item < list->data.sequence.items.top; item++) {
        yaml_node_t *entry = yaml_document_get_node(&kc->document, *item);
        const char *entry_name = text_of(lookup(kc, entry, "name"));

        if (entry_name == NULL || strcmp(entry_name, name) != 0)
            continue;
        *fields = lookup(kc, entry, inner);
        if (*fields == NULL || (*fields)->type != YAML_MAPPING_NODE)
            return aim_error_set(kc->err, AIM_E_INPUT, "%s: %s '%s' has no '%s' mapping",
                                 kc->path, inner, name, inner);
        return AIM_OK;
    }
    return AIM_OK;
}

/* "known: a, b" or "it has none", naming what a list holds. */
static void known_names(struct kubeconfig *kc, const char *list_key, char *out, size_t size)
{
    char names[NAMES_SIZE];

    entry_names(kc, lookup(kc, yaml_document_get_root_node(&kc->document), list_key), names,
                sizeof names);
    if (names[0] == '\0')
        snprintf(out, size, "it has none");
    else
        snprintf(out, size, "known: %s", names);
}

/* ------------------------------------------------- opening the file */

/* Tokens and keys live in the document's scalars: wipe them before freeing. */
static void kubeconfig_close(struct kubeconfig *kc)
{
    if (!kc->loaded)
        return;
    for (yaml_node_t *node = kc->document.nodes.start; node < kc->document.nodes.top; node++) {
        if (node->type == YAML_SCALAR_NODE)
            explicit_bzero(node->data.scalar.value, node->data.scalar.length);
    }
    yaml_document_delete(&kc->document);
    kc->loaded = false;
}

static enum aim_status parse_yaml(struct kubeconfig *kc, const char *text, size_t length)
{
    yaml_parser_t parser;
    enum aim_status status = AIM_OK;

    if (!yaml_parser_initialize(&parser))
        return aim_error_set(kc->err, AIM_E_NOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, length);
    if (!yaml_parser_load(&parser, &kc->document)) {
        status = aim_error_set(kc->err, AIM_E_INPUT, "%s:%zu: not a kubeconfig: %s", kc->path,
                               parser.problem_mark.line + 1,
                               parser.problem != NULL ? parser.problem : "bad YAML");
        goto out;
    }
    kc->loaded = true;
    if (yaml_document_get_root_node(&kc->document) == NULL ||
        yaml_document_get_root_node(&kc->document)->type != YAML_MAPPING_NODE)
        status = aim_error_set(kc->err, AIM_E_INPUT, "%s: not a kubeconfig: expected a mapping",
                               kc->path);
out:
    yaml_parser_delete(&parser);
    return status;
}

static enum aim_status kubeconfig_open(struct kubeconfig *kc, const char *path,
                                       struct aim_error *err)
{
    const char *slash = strrchr(path, '/');
    char *text = NULL;
    size_t length = 0;
    enum aim_status status;

    *kc = (struct kubeconfig){.path = path, .err = err};
    if (slash == NULL)
        snprintf(kc->folder, sizeof kc->folder, ".");
    else
        snprintf(kc->folder, sizeof kc->folder, "%.*s", (int)(slash - path + (slash == path)),
                 path);
    status = aim_cli_read_file(path, AIM_CLI_KUBE_FILE_MAX, &text, &length, err);
    if (status != AIM_OK)
        return status;
    status = parse_yaml(kc, text, length);
    wipe_free(text, length);
    return status;
}

/* A name from the kubeconfig made absolute against its folder. */
static enum aim_status resolve_path(struct kubeconfig *kc, const char *name, char *out)
{
    int used = name[0] == '/' ? snprintf(out, PATH_SIZE, "%s", name)
                              : snprintf(out, PATH_SIZE, "%s/%s", kc->folder, name);

    if (used < 0 || used >= PATH_SIZE)
        return aim_error_set(kc->err, AIM_E_INPUT, "%s: file name too long: %s", kc->path,
                             name);
    return AIM_OK;
}

/* ---------------------------------------------------- the selection */

static enum aim_status select_context(struct kubeconfig *kc, const char *context,
                                      struct selection *sel)
{
    yaml_node_t *root = yaml_document_get_root_node(&kc->document);
    char known[NAMES_SIZE + 16];
    enum aim_status status;

    if (context == NULL) {
        status = field_text(kc, root, "the file", "current-context", &context);
        if (status != AIM_OK)
            return status;
        if (context == NULL)
            return aim_error_set(kc->err, AIM_E_INPUT,
                                 "%s: no current-context is set; pick a context", kc->path);
    }
    sel->context = context;
    status = find_entry(kc, "contexts", context, &sel->context_fields);
    if (status != AIM_OK || sel->context_fields != NULL)
        return status;
    known_names(kc, "contexts", known, sizeof known);
    return aim_error_set(kc->err, AIM_E_NOT_FOUND, "%s: context '%s' is not in its contexts (%s)",
                         kc->path, context, known);
}

/* The cluster or user ("cluster", "clusters") the selected context names. */
static enum aim_status select_named(struct kubeconfig *kc, struct selection *sel,
                                    const char *kind, const char *list_key, const char **name,
                                    yaml_node_t **fields)
{
    char owner[PATH_SIZE], known[NAMES_SIZE + 16];
    enum aim_status status;

    snprintf(owner, sizeof owner, "context '%s'", sel->context);
    status = field_text(kc, sel->context_fields, owner, kind, name);
    if (status != AIM_OK)
        return status;
    if (*name == NULL)
        return aim_error_set(kc->err, AIM_E_INPUT, "%s: context '%s' names no %s", kc->path,
                             sel->context, kind);
    status = find_entry(kc, list_key, *name, fields);
    if (status != AIM_OK || *fields != NULL)
        return status;
    known_names(kc, list_key, known, sizeof known);
    return aim_error_set(kc->err, AIM_E_NOT_FOUND,
                         "%s: context '%s' names %s '%s', which is not in its %s (%s)", kc->path,
                         sel->context, kind, *name, list_key, known);
}

/* ------------------------------------------------- base64 and files */

/* Decodes base64 (line breaks allowed) into a new NUL-terminated buffer. */
static bool decode_base64(const struct aim_cli_crypto_api *crypto, const char *text,
                          unsigned char **out, size_t *length)
{
    size_t size = strlen(text);
    EVP_ENCODE_CTX *ctx = crypto->encode_ctx_new();
    unsigned char *buffer = malloc(size / 4 * 3 + 4);
    int used = 0, more = 0;
    bool ok = false;

    if (ctx == NULL || buffer == NULL || size > AIM_CLI_KUBE_FILE_MAX)
        goto out;
    crypto->decode_init(ctx);
    if (crypto->decode_update(ctx, buffer, &used, (const unsigned char *)text, (int)size) < 0 ||
        crypto->decode_final(ctx, buffer + used, &more) != 1 || used + more == 0)
        goto out;
    *length = (size_t)(used + more);
    buffer[*length] = '\0';
    *out = buffer;
    buffer = NULL;
    ok = true;
out:
    free(buffer);
    crypto->encode_ctx_free(ctx);
    return ok;
}

/*
 * The bytes of KEY-data (base64) or, when that is absent, of the file KEY
 * names. *data stays NULL when neither is set. pem_label ("CERTIFICATE",
 * "PRIVATE KEY") catches data that is not PEM, e.g. base64 done twice.
 */
static enum aim_status data_or_file(struct kubeconfig *kc, yaml_node_t *fields,
                                    const char *owner, const char *key, const char *pem_label,
                                    unsigned char **data, size_t *length)
{
    char data_key[64], path[PATH_SIZE];
    const char *text = NULL, *file = NULL;
    enum aim_status status;

    snprintf(data_key, sizeof data_key, "%s-data", key);
    status = field_text(kc, fields, owner, data_key, &text);
    if (status == AIM_OK && text == NULL)
        status = field_text(kc, fields, owner, key, &file);
    if (status != AIM_OK || (text == NULL && file == NULL))
        return status;
    if (text != NULL) {
        const struct aim_cli_crypto_api *crypto = aim_cli_crypto(kc->err);

        if (crypto == NULL)
            return kc->err != NULL ? kc->err->status : AIM_E_IO;
        if (!decode_base64(crypto, text, data, length))
            return aim_error_set(kc->err, AIM_E_INPUT, "%s: %s: %s is not valid base64",
                                 kc->path, owner, data_key);
    }
    if (file != NULL) {
        status = resolve_path(kc, file, path);
        if (status == AIM_OK)
            status = read_secret_file(path, data, length, kc->err);
        if (status != AIM_OK)
            return status;
    }
    if (strstr((const char *)*data, "-----BEGIN ") == NULL ||
        strstr((const char *)*data, pem_label) == NULL)
        return aim_error_set(kc->err, AIM_E_INPUT, "%s: %s: %s holds no PEM %s", kc->path,
                             owner, text != NULL ? data_key : file, pem_label);
    return AIM_OK;
}

/* -------------------------------------------------------- the cluster */

/* Fields kubectl knows that aimctl cannot honour; refused, never ignored. */
static enum aim_status refuse_cluster_fields(struct kubeconfig *kc, const char *owner,
                                             yaml_node_t *fields)
{
    const char *insecure = text_of(lookup(kc, fields, "insecure-skip-tls-verify"));

    if (insecure != NULL && strcasecmp(insecure, "false") != 0)
        return aim_error_set(kc->err, AIM_E_INPUT,
                             "%s: %s sets insecure-skip-tls-verify; aimctl always verifies the "
                             "API server: give it certificate-authority-data instead",
                             kc->path, owner);
    if (lookup(kc, fields, "tls-server-name") != NULL)
        return aim_error_set(kc->err, AIM_E_INPUT, "%s: %s: tls-server-name is not supported",
                             kc->path, owner);
    if (lookup(kc, fields, "proxy-url") != NULL)
        return aim_error_set(kc->err, AIM_E_INPUT,
                             "%s: %s: proxy-url is not supported (HTTPS_PROXY is honoured)",
                             kc->path, owner);
    return AIM_OK;
}

static enum aim_status load_server(struct kubeconfig *kc, const char *owner, yaml_node_t *fields,
                                   struct aim_cli_kube_config *config)
{
    const char *server = NULL;
    enum aim_status status = field_text(kc, fields, owner, "server", &server);
    size_t length;

    if (status != AIM_OK)
        return status;
    if (server == NULL)
        return aim_error_set(kc->err, AIM_E_INPUT, "%s: %s has no server", kc->path, owner);
    if (strncasecmp(server, "https://", 8) != 0)
        return aim_error_set(kc->err, AIM_E_INPUT,
                             "%s: %s: server '%s' is not https://; aimctl talks to API servers "
                             "over TLS only",
                             kc->path, owner, server);
    if (!copy_text(&config->server, server, kc->err))
        return AIM_E_NOMEM;
    length = strlen(config->server);
    while (length > 8 && config->server[length - 1] == '/')
        config->server[--length] = '\0';
    return AIM_OK;
}

static enum aim_status load_cluster(struct kubeconfig *kc, const struct selection *sel,
                                    struct aim_cli_kube_config *config)
{
    char owner[PATH_SIZE], origin[PATH_SIZE];
    enum aim_status status;

    snprintf(owner, sizeof owner, "cluster '%s'", sel->cluster);
    status = refuse_cluster_fields(kc, owner, sel->cluster_fields);
    if (status == AIM_OK)
        status = load_server(kc, owner, sel->cluster_fields, config);
    if (status == AIM_OK)
        status = data_or_file(kc, sel->cluster_fields, owner, "certificate-authority",
                              "CERTIFICATE", &config->ca, &config->ca_length);
    if (status != AIM_OK)
        return status;
    if (config->ca == NULL)
        snprintf(origin, sizeof origin, "the system's CA store");
    else if (lookup(kc, sel->cluster_fields, "certificate-authority-data") != NULL)
        snprintf(origin, sizeof origin, "the certificate-authority-data of %s", owner);
    else
        snprintf(origin, sizeof origin, "the certificate-authority of %s (%s)", owner,
                 text_of(lookup(kc, sel->cluster_fields, "certificate-authority")));
    return copy_text(&config->ca_origin, origin, kc->err) ? AIM_OK : AIM_E_NOMEM;
}

/* ----------------------------------------------------------- the user */

/* Credential plugins and basic auth need what aimctl does not do. */
static enum aim_status refuse_user_fields(struct kubeconfig *kc, const struct selection *sel)
{
    yaml_node_t *fields = sel->user_fields;
    yaml_node_t *exec = lookup(kc, fields, "exec");
    yaml_node_t *provider = lookup(kc, fields, "auth-provider");
    const char *name;

    if (exec != NULL) {
        name = text_of(lookup(kc, exec, "command"));
        return aim_error_set(kc->err, AIM_E_INPUT,
                             "%s: user '%s' gets its credentials from the exec plugin '%s', "
                             "which aimctl does not support: use a user with a token or a "
                             "client certificate",
                             kc->path, sel->user, name != NULL ? name : "?");
    }
    if (provider != NULL) {
        name = text_of(lookup(kc, provider, "name"));
        return aim_error_set(kc->err, AIM_E_INPUT,
                             "%s: user '%s' uses the auth-provider '%s', which aimctl does not "
                             "support: use a user with a token or a client certificate",
                             kc->path, sel->user, name != NULL ? name : "?");
    }
    if (lookup(kc, fields, "username") != NULL || lookup(kc, fields, "password") != NULL)
        return aim_error_set(kc->err, AIM_E_INPUT,
                             "%s: user '%s' uses a username and password, which aimctl does "
                             "not support: use a token or a client certificate",
                             kc->path, sel->user);
    return AIM_OK;
}

static enum aim_status load_token(struct kubeconfig *kc, const char *owner, yaml_node_t *fields,
                                  struct aim_cli_kube_config *config)
{
    const char *token = NULL, *file = NULL;
    char path[PATH_SIZE];
    enum aim_status status = field_text(kc, fields, owner, "token", &token);

    if (status == AIM_OK && token == NULL)
        status = field_text(kc, fields, owner, "tokenFile", &file);
    if (status != AIM_OK)
        return status;
    if (token != NULL) {
        char where[PATH_SIZE + 8];

        snprintf(where, sizeof where, "%s: ", owner);
        status = check_token(token, kc->path, where, kc->err);
        if (status != AIM_OK)
            return status;
        return copy_text(&config->token, token, kc->err) ? AIM_OK : AIM_E_NOMEM;
    }
    if (file == NULL)
        return AIM_OK;
    status = resolve_path(kc, file, path);
    return status == AIM_OK ? read_token_file(path, &config->token, kc->err) : status;
}

static enum aim_status load_user(struct kubeconfig *kc, const struct selection *sel,
                                 struct aim_cli_kube_config *config)
{
    char owner[PATH_SIZE];
    enum aim_status status = refuse_user_fields(kc, sel);

    snprintf(owner, sizeof owner, "user '%s'", sel->user);
    if (status == AIM_OK)
        status = load_token(kc, owner, sel->user_fields, config);
    if (status == AIM_OK)
        status = data_or_file(kc, sel->user_fields, owner, "client-certificate", "CERTIFICATE",
                              &config->cert, &config->cert_length);
    if (status == AIM_OK)
        status = data_or_file(kc, sel->user_fields, owner, "client-key", "PRIVATE KEY",
                              &config->key, &config->key_length);
    if (status != AIM_OK)
        return status;
    if ((config->cert == NULL) != (config->key == NULL))
        return aim_error_set(kc->err, AIM_E_INPUT, "%s: %s has a client %s but no client %s",
                             kc->path, owner, config->cert ? "certificate" : "key",
                             config->cert ? "key" : "certificate");
    if (config->token == NULL && config->cert == NULL)
        return aim_error_set(kc->err, AIM_E_INPUT,
                             "%s: %s has no token, tokenFile or client certificate", kc->path,
                             owner);
    return copy_text(&config->user, sel->user, kc->err) ? AIM_OK : AIM_E_NOMEM;
}

/* ----------------------------------------------------------- loading */

static enum aim_status load_selection(struct kubeconfig *kc, const char *context,
                                      struct aim_cli_kube_config *config)
{
    struct selection sel = {0};
    enum aim_status status = select_context(kc, context, &sel);

    if (status == AIM_OK)
        status = select_named(kc, &sel, "cluster", "clusters", &sel.cluster,
                              &sel.cluster_fields);
    if (status == AIM_OK)
        status = select_named(kc, &sel, "user", "users", &sel.user, &sel.user_fields);
    if (status == AIM_OK)
        status = load_cluster(kc, &sel, config);
    if (status == AIM_OK)
        status = load_user(kc, &sel, config);
    if (status == AIM_OK && !copy_text(&config->context, sel.context, kc->err))
        status = AIM_E_NOMEM;
    return status;
}

enum aim_status aim_cli_kube_config_load(const char *path, const char *context,
                                         struct aim_cli_kube_config **out,
                                         struct aim_error *err)
{
    struct aim_cli_kube_config *config = config_new();
    struct kubeconfig kc;
    enum aim_status status;

    *out = NULL;
    if (config == NULL)
        return aim_error_set(err, AIM_E_NOMEM, "out of memory");
    status = kubeconfig_open(&kc, path, err);
    if (status == AIM_OK)
        status = load_selection(&kc, context, config);
    if (status == AIM_OK && !copy_text(&config->source, path, err))
        status = AIM_E_NOMEM;
    kubeconfig_close(&kc);
    if (status != AIM_OK) {
        aim_cli_kube_config_free(&config);
        return status;
    }
    *out = config;
    return AIM_OK;
}

/* -------------------------------------------------------- in cluster */

/* https://HOST:PORT from the variables the kubelet sets in every pod. */
static enum aim_status in_cluster_server(struct aim_cli_kube_config *config,
                                         struct aim_error *err)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST");
    const char *port = getenv("KUBERNETES_SERVICE_PORT");
    char server[512];

    if (host == NULL || host[0] == '\0' || port == NULL || port[0] == '\0')
        return aim_error_set(err, AIM_E_INPUT,
                             "not in a Kubernetes pod: KUBERNETES_SERVICE_HOST and "
                             "KUBERNETES_SERVICE_PORT must both be set");
    if (strspn(port, "0123456789") != strlen(port) || strlen(port) > 5)
        return aim_error_set(err, AIM_E_INPUT, "KUBERNETES_SERVICE_PORT '%s' is not a port",
                             port);
    /* An IPv6 address needs brackets in a URL. */
    snprintf(server, sizeof server, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s",
             host, port);
    return copy_text(&config->server, server, err) ? AIM_OK : AIM_E_NOMEM;
}

static enum aim_status in_cluster_files(const char *root, struct aim_cli_kube_config *config,
                                        struct aim_error *err)
{
    char path[PATH_SIZE], origin[PATH_SIZE + 64];
    enum aim_status status;

    snprintf(path, sizeof path, "%s" SERVICE_ACCOUNT "/token", root);
    status = read_token_file(path, &config->token, err);
    if (status != AIM_OK)
        return status;
    snprintf(path, sizeof path, "%s" SERVICE_ACCOUNT "/ca.crt", root);
    status = read_secret_file(path, &config->ca, &config->ca_length, err);
    if (status != AIM_OK)
        return status;
    snprintf(origin, sizeof origin, "the service account's CA (%s)", path);
    if (!copy_text(&config->ca_origin, origin, err) ||
        !copy_text(&config->source, "the in-cluster service account", err) ||
        !copy_text(&config->user, "the pod's service account", err))
        return AIM_E_NOMEM;
    return AIM_OK;
}

enum aim_status aim_cli_kube_config_in_cluster(const char *root,
                                               struct aim_cli_kube_config **out,
                                               struct aim_error *err)
{
    struct aim_cli_kube_config *config = config_new();
    enum aim_status status;

    *out = NULL;
    if (config == NULL)
        return aim_error_set(err, AIM_E_NOMEM, "out of memory");
    status = in_cluster_server(config, err);
    if (status == AIM_OK)
        status = in_cluster_files(root != NULL ? root : "", config, err);
    if (status != AIM_OK) {
        aim_cli_kube_config_free(&config);
        return status;
    }
    *out = config;
    return AIM_OK;
}
