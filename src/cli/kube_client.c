/*
 * LIST requests to the Kubernetes API with libcurl, page by page. See
 * kube_client.h for the contract and the caps.
 */
#include "kube_client.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include "dynlib.h"

/* libcurl's functions, loaded by the first listing (see dynlib.h). */
static const struct aim_cli_curl_api *libcurl;

#define URL_SIZE 4096
#define STATUS_MESSAGE_SIZE 400
#define CONTINUE_MAX 4096
/* First allocation for a page's answer; it doubles from there to the cap. */
#define BODY_START (64u * 1024u)

/* One page's answer, growing up to cap bytes. */
struct body {
    char *data;
    size_t length;
    size_t capacity;
    size_t cap;
    bool too_big;
    bool no_memory;
};

/* One list in progress. */
struct listing {
    const struct aim_cli_kube_config *config;
    const char *path;          /* as the caller wrote it */
    char shown[URL_SIZE];      /* server + path, unencoded, for messages */
    const char *kind;          /* the list kind expected, or NULL for any *List */
    CURL *curl;
    struct curl_slist *headers;
    char curl_error[CURL_ERROR_SIZE];
    struct body body;
    int page;
    char *continue_token;
    aim_cli_kube_page_fn page_cb;
    void *context;
    size_t items;              /* handed to page_cb so far */
    size_t total_bytes;
    struct timespec started;
    struct aim_error *err;
};

/* The list kinds of the resources aimctl reads; others only need "*List". */
static const struct {
    const char *resource;
    const char *kind;
} list_kinds[] = {
    {"nodes", "NodeList"},
    {"pods", "PodList"},
};

/* ------------------------------------------------------------- setup */

static size_t write_cb(char *data, size_t size, size_t count, void *context)
{
    struct body *body = context;
    size_t more = size * count;

    if (more > body->cap - body->length) {
        body->too_big = true;
        return 0;
    }
    if (body->length + more + 1 > body->capacity) {
        size_t capacity = body->capacity ? body->capacity : BODY_START;
        char *grown;

        while (capacity < body->length + more + 1)
            capacity *= 2;
        capacity = capacity > body->cap + 1 ? body->cap + 1 : capacity;
        grown = realloc(body->data, capacity);
        if (grown == NULL) {
            body->no_memory = true;
            return 0;
        }
        body->data = grown;
        body->capacity = capacity;
    }
    memcpy(body->data + body->length, data, more);
    body->length += more;
    body->data[body->length] = '\0';
    return more;
}

/* Trust only the cluster's CA when there is one, as kubectl does. */
static CURLcode set_tls(CURL *curl, const struct aim_cli_kube_config *config)
{
    CURLcode rc = libcurl->easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);

    if (rc == CURLE_OK)
        rc = libcurl->easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (rc == CURLE_OK && config->ca != NULL) {
        struct curl_blob ca = {config->ca, config->ca_length, CURL_BLOB_COPY};

        rc = libcurl->easy_setopt(curl, CURLOPT_CAINFO_BLOB, &ca);
        if (rc == CURLE_OK)
            rc = libcurl->easy_setopt(curl, CURLOPT_CAPATH, NULL);
    }
    if (rc == CURLE_OK && config->cert != NULL) {
        struct curl_blob cert = {config->cert, config->cert_length, CURL_BLOB_COPY};
        struct curl_blob key = {config->key, config->key_length, CURL_BLOB_COPY};

        rc = libcurl->easy_setopt(curl, CURLOPT_SSLCERT_BLOB, &cert);
        if (rc == CURLE_OK)
            rc = libcurl->easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
        if (rc == CURLE_OK)
            rc = libcurl->easy_setopt(curl, CURLOPT_SSLKEY_BLOB, &key);
        if (rc == CURLE_OK)
            rc = libcurl->easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
    }
    return rc;
}

/* libcurl sends the token itself, and only to this host. */
static CURLcode set_token(CURL *curl, const struct aim_cli_kube_config *config)
{
    CURLcode rc;

    if (config->token == NULL)
        return CURLE_OK;
    rc = libcurl->easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
    if (rc == CURLE_OK)
        rc = libcurl->easy_setopt(curl, CURLOPT_XOAUTH2_BEARER, config->token);
    return rc;
}

static CURLcode set_transfer(struct listing *l)
{
    CURL *curl = l->curl;
    CURLcode rc = libcurl->easy_setopt(curl, CURLOPT_ERRORBUFFER, l->curl_error);

    if (rc == CURLE_OK)
        rc = libcurl->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (rc == CURLE_OK)
        rc = libcurl->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
    if (rc == CURLE_OK)
        rc = libcurl->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                              l->config->limits.connect_timeout_ms);
    if (rc == CURLE_OK)
        rc = libcurl->easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                              (curl_off_t)l->config->limits.page_bytes);
    if (rc == CURLE_OK)
        rc = libcurl->easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    if (rc == CURLE_OK)
        rc = libcurl->easy_setopt(curl, CURLOPT_USERAGENT, "aimctl/0.1.0");
    if (rc == CURLE_OK)
        rc = libcurl->easy_setopt(curl, CURLOPT_HTTPHEADER, l->headers);
    if (rc == CURLE_OK)
        rc = libcurl->easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
    if (rc == CURLE_OK)
        rc = libcurl->easy_setopt(curl, CURLOPT_WRITEDATA, &l->body);
    return rc;
}

static enum aim_status open_handle(struct listing *l)
{
    CURLcode rc;

    l->curl = libcurl->easy_init();
    l->headers = libcurl->slist_append(NULL, "Accept: application/json");
    if (l->curl == NULL || l->headers == NULL)
        return aim_error_set(l->err, AIM_E_NOMEM, "out of memory");
    rc = set_transfer(l);
    if (rc == CURLE_OK)
        rc = set_tls(l->curl, l->config);
    if (rc == CURLE_OK)
        rc = set_token(l->curl, l->config);
    if (rc != CURLE_OK)
        return aim_error_set(l->err, AIM_E_INTERNAL, "libcurl cannot be set up for %s: %s",
                             l->config->server, libcurl->easy_strerror(rc));
    return AIM_OK;
}

/* -------------------------------------------------------------- URLs */

/* Adds "name=value" to the query, percent-encoding all but the first '='. */
static bool append_query(CURLU *url, const char *part)
{
    return libcurl->url_set(url, CURLUPART_QUERY, part, CURLU_APPENDQUERY | CURLU_URLENCODE) ==
           CURLUE_OK;
}

/* The caller's query, one "name=value" at a time: its values need encoding. */
static bool append_caller_query(CURLU *url, const char *query)
{
    char *copy = strdup(query), *state = NULL;
    bool ok = copy != NULL;

    for (char *part = ok ? strtok_r(copy, "&", &state) : NULL; part != NULL && ok;
         part = strtok_r(NULL, "&", &state))
        ok = append_query(url, part);
    free(copy);
    return ok;
}

/* "continue=TOKEN", the token from the last page. */
static bool append_continue(CURLU *url, const char *token)
{
    char *part = malloc(strlen(token) + sizeof "continue=");
    bool ok = part != NULL;

    if (ok) {
        sprintf(part, "continue=%s", token);
        ok = append_query(url, part);
    }
    free(part);
    return ok;
}

/* The URL of the next page, for libcurl->free; NULL when it cannot be built. */
static char *page_url(const struct listing *l)
{
    const char *query = strchr(l->path, '?');
    char base[URL_SIZE], part[64];
    char *text = NULL;
    CURLU *url = libcurl->url();
    int used = snprintf(base, sizeof base, "%s%s%.*s", l->config->server,
                        l->path[0] == '/' ? "" : "/",
                        (int)(query != NULL ? query - l->path : (long)strlen(l->path)), l->path);
    bool ok = url != NULL && used > 0 && (size_t)used < sizeof base;

    ok = ok && libcurl->url_set(url, CURLUPART_URL, base, 0) == CURLUE_OK;
    ok = ok && (query == NULL || append_caller_query(url, query + 1));
    snprintf(part, sizeof part, "limit=%ld", l->config->limits.page_items);
    ok = ok && append_query(url, part);
    ok = ok && (l->continue_token == NULL || append_continue(url, l->continue_token));
    if (!ok || libcurl->url_get(url, CURLUPART_URL, &text, 0) != CURLUE_OK)
        text = NULL;
    libcurl->url_cleanup(url);
    return text;
}

/* ---------------------------------------------------------- failures */

/* What the 401 and 403 messages say was shown to the API server. */
static const char *credentials(const struct aim_cli_kube_config *config)
{
    if (config->token != NULL && config->cert != NULL)
        return "the token and client certificate";
    return config->token != NULL ? "the token" : "the client certificate";
}

/* The message of a Kubernetes Status object in body, or "" when there is none. */
static void status_message(const struct body *body, char *out, size_t size)
{
    json_t *status = body->length > 0 ? json_loadb(body->data, body->length, 0, NULL) : NULL;
    const char *message = json_string_value(json_object_get(status, "message"));
    const char *kind = json_string_value(json_object_get(status, "kind"));

    out[0] = '\0';
    if (kind != NULL && strcmp(kind, "Status") == 0 && message != NULL)
        snprintf(out, size, "%s", message);
    /* Messages are one line each: the server's own line breaks become spaces. */
    for (char *c = out; *c != '\0'; c++)
        *c = (unsigned char)*c < 0x20 ? ' ' : *c;
    json_decref(status);
}

static enum aim_status http_error(struct listing *l, long code)
{
    const struct aim_cli_kube_config *config = l->config;
    char message[STATUS_MESSAGE_SIZE];

    status_message(&l->body, message, sizeof message);
    if (message[0] == '\0')
        snprintf(message, sizeof message, "(no Status message)");
    if (code == 401)
        return aim_error_set(l->err, AIM_E_IO,
                             "%s (page %d): 401 Unauthorized: the API server does not accept "
                             "%s of user '%s'; it is expired or wrong: %s",
                             l->shown, l->page, credentials(config), config->user, message);
    if (code == 403)
        return aim_error_set(l->err, AIM_E_IO,
                             "%s (page %d): 403 Forbidden: user '%s' is not allowed to list "
                             "this: %s",
                             l->shown, l->page, config->user, message);
    return aim_error_set(l->err, AIM_E_IO, "%s (page %d): the API server answered HTTP %ld: %s",
                         l->shown, l->page, code, message);
}

/* TLS failures name the CA or certificate involved; curl's text says why. */
static enum aim_status tls_error(struct listing *l, CURLcode rc, const char *why)
{
    const struct aim_cli_kube_config *config = l->config;

    if (rc == CURLE_PEER_FAILED_VERIFICATION)
        return aim_error_set(l->err, AIM_E_IO,
                             "cannot verify the TLS certificate of %s against %s: %s",
                             config->server, config->ca_origin, why);
    if (rc == CURLE_SSL_CACERT_BADFILE)
        return aim_error_set(l->err, AIM_E_INPUT, "cannot use %s as a CA: %s",
                             config->ca_origin, why);
    if (rc == CURLE_SSL_CERTPROBLEM)
        return aim_error_set(l->err, AIM_E_INPUT, "cannot use the client certificate of user "
                             "'%s': %s", config->user, why);
    return aim_error_set(l->err, AIM_E_IO, "TLS with %s failed: %s", config->server, why);
}

/* A first request that timed out before it had a connection never reached it. */
static bool connect_timed_out(struct listing *l, CURLcode rc)
{
    curl_off_t connected = 0;

    if (rc != CURLE_OPERATION_TIMEDOUT || l->page != 1)
        return false;
    return libcurl->easy_getinfo(l->curl, CURLINFO_CONNECT_TIME_T, &connected) == CURLE_OK &&
           connected == 0;
}

static enum aim_status transfer_error(struct listing *l, CURLcode rc)
{
    const char *why = l->curl_error[0] != '\0' ? l->curl_error : libcurl->easy_strerror(rc);

    if (connect_timed_out(l, rc))
        rc = CURLE_COULDNT_CONNECT;
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
        return aim_error_set(l->err, AIM_E_IO, "cannot reach %s: %s", l->config->server, why);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CONNECT_ERROR:
        return tls_error(l, rc, why);
    case CURLE_OPERATION_TIMEDOUT:
        return aim_error_set(l->err, AIM_E_IO, "%s (page %d): timed out: %s", l->shown,
                             l->page, why);
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_WRITE_ERROR:
        if (l->body.no_memory)
            return aim_error_set(l->err, AIM_E_NOMEM, "out of memory");
        return aim_error_set(l->err, AIM_E_INPUT,
                             "%s (page %d): the answer is larger than the %zu-byte limit",
                             l->shown, l->page, l->body.cap);
    case CURLE_PARTIAL_FILE:
        return aim_error_set(l->err, AIM_E_IO, "%s (page %d): the answer was cut short: %s",
                             l->shown, l->page, why);
    default:
        return aim_error_set(l->err, AIM_E_IO, "%s (page %d): %s", l->shown, l->page, why);
    }
}

/* ------------------------------------------------------------- pages */

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - since->tv_sec) * 1000L +
           (long)(now.tv_nsec - since->tv_nsec) / 1000000L;
}

/* A page's budget: its own timeout, cut to what is left of the list's. */
static enum aim_status set_page_timeout(struct listing *l)
{
    const struct aim_cli_kube_limits *limits = &l->config->limits;
    long left = limits->list_timeout_ms - elapsed_ms(&l->started);

    if (left <= 0)
        return aim_error_set(l->err, AIM_E_IO,
                             "%s: not complete after %ld ms and %d pages; giving up", l->shown,
                             limits->list_timeout_ms, l->page - 1);
    if (libcurl->easy_setopt(l->curl, CURLOPT_TIMEOUT_MS,
                         left < limits->timeout_ms ? left : limits->timeout_ms) != CURLE_OK)
        return aim_error_set(l->err, AIM_E_INTERNAL, "libcurl refuses a timeout");
    return AIM_OK;
}

static enum aim_status fetch_page(struct listing *l)
{
    char *url = page_url(l);
    enum aim_status status = AIM_OK;
    long code = 0;
    CURLcode rc;

    if (url == NULL)
        return aim_error_set(l->err, AIM_E_INPUT, "%s: not a valid URL", l->shown);
    l->body.length = 0;
    l->body.too_big = false;
    l->curl_error[0] = '\0';
    rc = libcurl->easy_setopt(l->curl, CURLOPT_URL, url);
    if (rc == CURLE_OK)
        rc = libcurl->easy_perform(l->curl);
    if (rc != CURLE_OK) {
        status = transfer_error(l, rc);
        goto out;
    }
    libcurl->easy_getinfo(l->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200)
        status = http_error(l, code);
out:
    libcurl->free(url);
    return status;
}

/* The kind a list at path must have: from list_kinds, or NULL for any *List. */
static const char *expected_kind(const char *path)
{
    size_t end = strcspn(path, "?"), start = end;

    while (start > 0 && path[start - 1] != '/')
        start--;
    for (size_t i = 0; i < sizeof list_kinds / sizeof list_kinds[0]; i++) {
        if (strlen(list_kinds[i].resource) == end - start &&
            strncmp(path + start, list_kinds[i].resource, end - start) == 0)
            return list_kinds[i].kind;
    }
    return NULL;
}

static enum aim_status check_kind(struct listing *l, const json_t *page)
{
    const char *kind = json_string_value(json_object_get(page, "kind"));
    const char *wanted = l->kind != NULL ? l->kind : "list";
    size_t length = kind != NULL ? strlen(kind) : 0;
    bool ok = l->kind != NULL ? kind != NULL && strcmp(kind, l->kind) == 0
                              : length > 4 && strcmp(kind + length - 4, "List") == 0;

    if (ok)
        return AIM_OK;
    if (kind == NULL)
        return aim_error_set(l->err, AIM_E_INPUT, "%s (page %d): expected a %s, got no kind",
                             l->shown, l->page, wanted);
    return aim_error_set(l->err, AIM_E_INPUT, "%s (page %d): expected a %s, got a %s",
                         l->shown, l->page, wanted, kind);
}

/* Hands the page's items to the callback, within the cap on items. */
static enum aim_status take_items(struct listing *l, json_t *page)
{
    json_t *items = json_object_get(page, "items");
    size_t cap = l->config->limits.items;
    char source[URL_SIZE + 32];

    if (!json_is_array(items))
        return aim_error_set(l->err, AIM_E_INPUT, "%s (page %d): the %s has no items array",
                             l->shown, l->page, l->kind != NULL ? l->kind : "list");
    if (json_array_size(items) > cap - l->items)
        return aim_error_set(l->err, AIM_E_INPUT,
                             "%s: more than %zu items; aimctl reads at most that many",
                             l->shown, cap);
    l->items += json_array_size(items);
    snprintf(source, sizeof source, "%s (page %d)", l->shown, l->page);
    return l->page_cb(items, source, l->context, l->err);
}

/* The next page's continue token from metadata.continue; NULL when done. */
static enum aim_status take_continue(struct listing *l, const json_t *page)
{
    const json_t *token = json_object_get(json_object_get(page, "metadata"), "continue");

    free(l->continue_token);
    l->continue_token = NULL;
    if (token == NULL || (json_is_string(token) && json_string_length(token) == 0))
        return AIM_OK;
    if (!json_is_string(token))
        return aim_error_set(l->err, AIM_E_INPUT,
                             "%s (page %d): metadata.continue is not a string", l->shown,
                             l->page);
    /* Real tokens are a few hundred bytes; each one goes into the next URL. */
    if (json_string_length(token) > CONTINUE_MAX)
        return aim_error_set(l->err, AIM_E_INPUT,
                             "%s (page %d): metadata.continue is longer than %d bytes",
                             l->shown, l->page, CONTINUE_MAX);
    l->continue_token = strdup(json_string_value(token));
    return l->continue_token != NULL ? AIM_OK
                                     : aim_error_set(l->err, AIM_E_NOMEM, "out of memory");
}

static enum aim_status parse_page(struct listing *l)
{
    json_error_t json_error;
    json_t *page = json_loadb(l->body.data, l->body.length, 0, &json_error);
    enum aim_status status;

    if (page == NULL)
        return aim_error_set(l->err, AIM_E_INPUT,
                             "%s (page %d): the answer is not valid JSON: %s at byte %d of %zu",
                             l->shown, l->page, json_error.text, json_error.position,
                             l->body.length);
    status = json_is_object(page) ? check_kind(l, page)
                                  : aim_error_set(l->err, AIM_E_INPUT,
                                                  "%s (page %d): the answer is not a JSON "
                                                  "object", l->shown, l->page);
    if (status == AIM_OK)
        status = take_items(l, page);
    if (status == AIM_OK)
        status = take_continue(l, page);
    json_decref(page);
    return status;
}

/* Reads and hands on the next page; the caps on pages and bytes first. */
static enum aim_status next_page(struct listing *l)
{
    const struct aim_cli_kube_limits *limits = &l->config->limits;
    enum aim_status status;

    if (++l->page > limits->pages)
        return aim_error_set(l->err, AIM_E_INPUT,
                             "%s: still not complete after %d pages (the API server keeps "
                             "sending a continue token); aimctl reads at most %d pages",
                             l->shown, limits->pages, limits->pages);
    status = set_page_timeout(l);
    if (status == AIM_OK)
        status = fetch_page(l);
    if (status != AIM_OK)
        return status;
    l->total_bytes += l->body.length;
    if (l->total_bytes > limits->total_bytes)
        return aim_error_set(l->err, AIM_E_INPUT,
                             "%s: the list is larger than the %zu-byte limit", l->shown,
                             limits->total_bytes);
    return parse_page(l);
}

/* ------------------------------------------------------------- lists */

enum aim_status aim_cli_kube_each_page(const struct aim_cli_kube_config *config,
                                       const char *path, aim_cli_kube_page_fn page_cb,
                                       void *context, struct aim_error *err)
{
    struct listing l = {.config = config, .path = path, .page_cb = page_cb,
                        .context = context, .err = err};
    enum aim_status status;

    libcurl = aim_cli_curl(err);
    if (libcurl == NULL)
        return err != NULL ? err->status : AIM_E_IO;

    l.body.cap = config->limits.page_bytes;
    l.kind = expected_kind(path);
    snprintf(l.shown, sizeof l.shown, "%s%s%s", config->server, path[0] == '/' ? "" : "/",
             path);
    clock_gettime(CLOCK_MONOTONIC, &l.started);
    status = open_handle(&l);
    while (status == AIM_OK) {
        status = next_page(&l);
        if (status == AIM_OK && l.continue_token == NULL)
            break;
    }
    free(l.continue_token);
    free(l.body.data);
    libcurl->slist_free_all(l.headers);
    libcurl->easy_cleanup(l.curl);
    return status;
}

static enum aim_status collect_cb(const json_t *items, const char *source, void *context,
                                  struct aim_error *err)
{
    (void)source;
    if (json_array_extend(context, (json_t *)items) != 0)
        return aim_error_set(err, AIM_E_NOMEM, "out of memory");
    return AIM_OK;
}

enum aim_status aim_cli_kube_list(const struct aim_cli_kube_config *config, const char *path,
                                  json_t **items, struct aim_error *err)
{
    json_t *all = json_array();
    enum aim_status status;

    *items = NULL;
    if (all == NULL)
        return aim_error_set(err, AIM_E_NOMEM, "out of memory");
    status = aim_cli_kube_each_page(config, path, collect_cb, all, err);
    if (status == AIM_OK)
        *items = all;
    else
        json_decref(all);
    return status;
}
