/*
 * The live inventory path against tests/kube/fake_apiserver.py, an HTTPS
 * server on 127.0.0.1 with certificates made for this run by
 * tests/kube/make_certs.sh: kubeconfig and in-cluster loading, pagination,
 * tokens and client certificates, and every failure the client must name,
 * with its exact message. Each test starts its own server and its teardown
 * stops it, whatever the test's outcome.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "catalog_files.h"
#include "inventory_source.h"
#include "kube_client.h"

#define KUBE_DIR AIM_TEST_DATA "/../kube"
#define PATH_SIZE 4096
#define TEXT_SIZE 16384
#define SERVER_ARGS_MAX 24

/* The temporary folder holding the certificates, for the whole run. */
static char world[PATH_SIZE];

/* What one test holds; teardown releases it all and stops the server. */
struct test {
    pid_t server;
    int port;
    struct aim_cli_kube_config *config;
    json_t *items;
    json_t *nodes;
    json_t *pods;
    struct aim_error err;
    char kubeconfig[PATH_SIZE];
    char text[TEXT_SIZE]; /* expected messages, YAML snippets */
};

/* Strings that must never reach a message: the tokens and any PEM. */
static const char *const secrets[] = {"good-token", "expired-token", "viewer-token",
                                      "-----BEGIN"};

/* ------------------------------------------------------------ helpers */

static int run(const char *const argv[])
{
    pid_t child = fork();
    int status = -1;

    if (child == 0) {
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (child < 0 || waitpid(child, &status, 0) != child)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *in_world(char *out, const char *name)
{
    snprintf(out, PATH_SIZE, "%s/%s", world, name);
    return out;
}

static void write_text(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");

    assert_non_null(file);
    assert_int_equal(fputs(text, file) >= 0, 1);
    assert_int_equal(fclose(file), 0);
}

/* A file of the world as one line of base64, for the *-data fields. */
static char *base64_of(const char *name)
{
    char path[PATH_SIZE], *text = NULL, *encoded;
    size_t length = 0;
    struct aim_error err = {0};

    assert_int_equal(aim_cli_read_file(in_world(path, name), 65536, &text, &length, &err),
                     AIM_OK);
    encoded = malloc(length / 3 * 4 + 8);
    assert_non_null(encoded);
    EVP_EncodeBlock((unsigned char *)encoded, (const unsigned char *)text, (int)length);
    free(text);
    return encoded;
}

static void sleep_ms(long ms)
{
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&pause, NULL);
}

/* ------------------------------------------------------------ servers */

/* Waits for the port the server writes once it listens; 0 if it died. */
static int wait_for_port(pid_t server, const char *port_file)
{
    for (int tries = 0; tries < 500; tries++) {
        FILE *file = fopen(port_file, "r");
        int port = 0;

        if (file != NULL) {
            int read = fscanf(file, "%d", &port);

            fclose(file);
            if (read == 1)
                return port;
        }
        if (waitpid(server, NULL, WNOHANG) == server)
            return 0;
        sleep_ms(20);
    }
    return 0;
}

/* Starts the fake API server with extra arguments (NULL-terminated). */
static void start_server(struct test *t, ...)
{
    const char *argv[SERVER_ARGS_MAX + 10];
    char port_file[PATH_SIZE], log[PATH_SIZE];
    int argc = 0;
    va_list extras;

    argv[argc++] = "python3";
    argv[argc++] = KUBE_DIR "/fake_apiserver.py";
    argv[argc++] = "--cert-dir";
    argv[argc++] = world;
    argv[argc++] = "--port-file";
    argv[argc++] = in_world(port_file, "port");
    argv[argc++] = "--request-log";
    argv[argc++] = in_world(log, "requests.log");
    va_start(extras, t);
    for (const char *arg = va_arg(extras, const char *); arg != NULL && argc < SERVER_ARGS_MAX;
         arg = va_arg(extras, const char *))
        argv[argc++] = arg;
    va_end(extras);
    argv[argc] = NULL;
    unlink(port_file);
    unlink(log);

    t->server = fork();
    if (t->server == 0) {
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    assert_true(t->server > 0);
    t->port = wait_for_port(t->server, port_file);
    assert_true(t->port > 0);
}

static void stop_server(struct test *t)
{
    if (t->server <= 0)
        return;
    kill(t->server, SIGTERM);
    waitpid(t->server, NULL, 0);
    t->server = 0;
}

/* The requests the server saw, one JSON object per line. */
static size_t requests_logged(char *last, size_t size)
{
    char path[PATH_SIZE], line[4096];
    FILE *file = fopen(in_world(path, "requests.log"), "r");
    size_t count = 0;

    if (file == NULL)
        return 0;
    while (fgets(line, sizeof line, file) != NULL) {
        count++;
        if (last != NULL)
            snprintf(last, size, "%s", line);
    }
    fclose(file);
    return count;
}

/* A port nothing listens on: one the kernel just handed out and took back. */
static int closed_port(void)
{
    struct sockaddr_in address = {.sin_family = AF_INET};
    socklen_t length = sizeof address;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&address, sizeof address), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&address, &length), 0);
    close(fd);
    return ntohs(address.sin_port);
}

/* -------------------------------------------------------- kubeconfigs */

/*
 * Writes kubeconfig.yaml: context "test" joins cluster "test-cluster" and
 * user "tester", whose fields are the given lines (indented by four).
 */
static const char *write_kubeconfig(struct test *t, const char *cluster, const char *user)
{
    char text[TEXT_SIZE];

    snprintf(text, sizeof text,
             "apiVersion: v1\n"
             "kind: Config\n"
             "current-context: test\n"
             "contexts:\n"
             "- name: test\n"
             "  context:\n"
             "    cluster: test-cluster\n"
             "    user: tester\n"
             "clusters:\n"
             "- name: test-cluster\n"
             "  cluster:\n"
             "%s"
             "users:\n"
             "- name: tester\n"
             "  user:\n"
             "%s",
             cluster, user);
    write_text(in_world(t->kubeconfig, "kubeconfig.yaml"), text);
    return t->kubeconfig;
}

/* The cluster's fields: the server on port and its CA as base64 of ca_file. */
static const char *cluster_fields(char *out, int port, const char *ca_file)
{
    char *ca = base64_of(ca_file);

    snprintf(out, TEXT_SIZE,
             "    server: https://127.0.0.1:%d/\n"
             "    certificate-authority-data: %s\n",
             port, ca);
    free(ca);
    return out;
}

/* Loads a kubeconfig with the given token, trusting the test CA. */
static void load_with_token(struct test *t, const char *token)
{
    char cluster[TEXT_SIZE], user[256];

    snprintf(user, sizeof user, "    token: %s\n", token);
    write_kubeconfig(t, cluster_fields(cluster, t->port, "ca.crt"), user);
    assert_int_equal(aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                     AIM_OK);
}

/* ---------------------------------------------------------- assertions */

static void assert_no_secret(const char *message)
{
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        if (strstr(message, secrets[i]) != NULL)
            fail_msg("a secret (%s) leaked into: %s", secrets[i], message);
    }
}

/* The call failed with status and exactly the formatted message. */
__attribute__((format(printf, 4, 5))) static void
assert_error(struct test *t, enum aim_status got, enum aim_status status, const char *format,
             ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(t->text, sizeof t->text, format, args);
    va_end(args);
    assert_no_secret(t->err.message);
    assert_string_equal(t->err.message, t->text);
    assert_int_equal(got, status);
}

/* The call failed with status and a message that starts as formatted. */
__attribute__((format(printf, 4, 5))) static void
assert_error_prefix(struct test *t, enum aim_status got, enum aim_status status,
                    const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(t->text, sizeof t->text, format, args);
    va_end(args);
    assert_no_secret(t->err.message);
    if (strncmp(t->err.message, t->text, strlen(t->text)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", t->err.message, t->text);
    assert_int_equal(got, status);
}

static enum aim_status list_nodes(struct test *t)
{
    return aim_cli_kube_list(t->config, "/api/v1/nodes", &t->items, &t->err);
}

static const char *item_name(const json_t *items, size_t index)
{
    return json_string_value(
        json_object_get(json_object_get(json_array_get(items, index), "metadata"), "name"));
}

/* --------------------------------------------------------- set-up */

static int group_setup(void **state)
{
    const char *tmp = getenv("TMPDIR");
    const char *certs[] = {"sh", KUBE_DIR "/make_certs.sh", world, NULL};
    const char *proxies[] = {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy",
                             "ALL_PROXY"};

    (void)state;
    snprintf(world, sizeof world, "%s/aim-kube-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(world) == NULL)
        return -1;
    /* The server is on this machine; a proxy from the environment is not. */
    for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
        unsetenv(proxies[i]);
    unsetenv("KUBECONFIG");
    return run(certs) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    const char *remove[] = {"rm", "-rf", world, NULL};

    (void)state;
    return run(remove) == 0 ? 0 : -1;
}

static int setup(void **state)
{
    struct test *t = calloc(1, sizeof *t);

    *state = t;
    return t != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    struct test *t = *state;

    stop_server(t);
    aim_cli_kube_config_free(&t->config);
    json_decref(t->items);
    json_decref(t->nodes);
    json_decref(t->pods);
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    unsetenv("KUBECONFIG");
    free(t);
    return 0;
}

/* ------------------------------------------------------- pagination */

static void test_pages_of_500_make_2500_nodes(void **state)
{
    struct test *t = *state;
    char last[4096];

    start_server(t, "--replicate-nodes", "2500", NULL);
    load_with_token(t, "good-token");
    assert_int_equal(list_nodes(t), AIM_OK);

    assert_int_equal(json_array_size(t->items), 2500);
    assert_string_equal(item_name(t->items, 0), "node-00000");
    assert_string_equal(item_name(t->items, 1234), "node-01234");
    assert_string_equal(item_name(t->items, 2499), "node-02499");
    assert_int_equal(requests_logged(last, sizeof last), 5);
    assert_non_null(strstr(last, "\"limit\": \"500\""));
    assert_non_null(strstr(last, "\"continue\": "));
}

static void test_one_page_when_the_list_is_small(void **state)
{
    struct test *t = *state;
    char last[4096];

    start_server(t, NULL);
    load_with_token(t, "good-token");
    assert_int_equal(list_nodes(t), AIM_OK);

    assert_int_equal(json_array_size(t->items), 3);
    assert_string_equal(item_name(t->items, 2), "cpu-node-3");
    assert_int_equal(requests_logged(last, sizeof last), 1);
    assert_string_equal(last, "{\"path\": \"/api/v1/nodes\", \"query\": {\"limit\": \"500\"}}\n");
}

/* The field selector reaches the server intact: '!', '=' and ',' encoded. */
static void test_fetch_cluster_skips_finished_pods(void **state)
{
    struct test *t = *state;
    char last[4096];

    start_server(t, NULL);
    load_with_token(t, "good-token");
    assert_int_equal(aim_cli_fetch_cluster(t->kubeconfig, false, &t->nodes, &t->pods, &t->err),
                     AIM_OK);

    assert_int_equal(json_array_size(t->nodes), 3);
    assert_int_equal(json_array_size(t->pods), 4);
    assert_string_equal(item_name(t->pods, 2), "qwen-32b-1");
    requests_logged(last, sizeof last);
    assert_string_equal(last, "{\"path\": \"/api/v1/pods\", \"query\": {\"fieldSelector\": "
                              "\"status.phase!=Succeeded,status.phase!=Failed\", "
                              "\"limit\": \"500\"}}\n");
}

/* Pods reduced page by page: the same records as from one list. */
static void test_pod_usages_page_by_page(void **state)
{
    struct test *t = *state;
    struct aim_pod_usages usages = {0};
    enum aim_status status;
    size_t count;
    double gpus = 0;

    start_server(t, NULL);
    load_with_token(t, "good-token");
    t->config->limits.page_items = 1;
    status = aim_cli_fetch_pod_usages(t->config, &usages, &t->err);
    count = usages.count;
    for (size_t i = 0; i < usages.count; i++)
        gpus += usages.items[i].amd_gpus;
    aim_pod_usages_free(&usages);

    assert_int_equal(status, AIM_OK);
    assert_int_equal(requests_logged(NULL, 0), 4);
    /* Bound and not finished: llama-70b-0 (4 GPUs), qwen-32b-0 (2), metrics-agent. */
    assert_int_equal(count, 3);
    assert_true(gpus == 6.0);
}

static enum aim_status stop_at_page_2_cb(const json_t *items, const char *source,
                                         void *context, struct aim_error *err)
{
    int *pages = context;

    (void)items;
    if (++*pages < 2)
        return AIM_OK;
    return aim_error_set(err, AIM_E_INPUT, "%s: enough", source);
}

/* A page callback's failure ends the list: no further page is asked for. */
static void test_page_callback_stops_the_list(void **state)
{
    struct test *t = *state;
    int pages = 0;

    start_server(t, NULL);
    load_with_token(t, "good-token");
    t->config->limits.page_items = 1;
    assert_error(t, aim_cli_kube_each_page(t->config, "/api/v1/nodes", stop_at_page_2_cb,
                                           &pages, &t->err),
                 AIM_E_INPUT, "https://127.0.0.1:%d/api/v1/nodes (page 2): enough", t->port);
    assert_int_equal(requests_logged(NULL, 0), 2);
}

/* A context other than the current one, through the CLI's loader. */
static void test_cluster_config_with_context(void **state)
{
    struct test *t = *state;
    char text[TEXT_SIZE];

    snprintf(text, sizeof text,
             "current-context: broken\n"
             "contexts:\n"
             "- {name: broken, context: {cluster: none, user: none}}\n"
             "- {name: good, context: {cluster: c, user: u}}\n"
             "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]\n"
             "users: [{name: u, user: {token: good-token}}]\n");
    write_text(in_world(t->kubeconfig, "kubeconfig.yaml"), text);
    assert_int_equal(aim_cli_cluster_config(t->kubeconfig, "good", false, &t->config, &t->err),
                     AIM_OK);
    assert_string_equal(t->config->server, "https://127.0.0.1:6443");
    aim_cli_kube_config_free(&t->config);
    assert_error(t, aim_cli_cluster_config(t->kubeconfig, NULL, false, &t->config, &t->err),
                 AIM_E_NOT_FOUND,
                 "%s: context 'broken' names cluster 'none', which is not in its clusters "
                 "(known: c)",
                 t->kubeconfig);
}

static void test_kubeconfig_variable_names_the_default(void **state)
{
    struct test *t = *state;

    start_server(t, NULL);
    load_with_token(t, "good-token");
    setenv("KUBECONFIG", t->kubeconfig, 1);
    assert_int_equal(aim_cli_fetch_cluster(NULL, false, &t->nodes, &t->pods, &t->err), AIM_OK);
    assert_int_equal(json_array_size(t->nodes), 3);
    json_decref(t->nodes);
    json_decref(t->pods);

    setenv("KUBECONFIG", "/a/config:/b/config", 1);
    assert_error(t, aim_cli_fetch_cluster(NULL, false, &t->nodes, &t->pods, &t->err),
                 AIM_E_USAGE,
                 "KUBECONFIG lists several files (/a/config:/b/config); aimctl reads one: "
                 "name it explicitly");
    assert_null(t->nodes);
    assert_null(t->pods);
}

/* --------------------------------------------------------- credentials */

static void test_client_certificate_data(void **state)
{
    struct test *t = *state;
    char cluster[TEXT_SIZE], user[TEXT_SIZE];
    char *cert = base64_of("client.crt"), *key = base64_of("client.key");

    start_server(t, "--client-cert", NULL);
    snprintf(user, sizeof user, "    client-certificate-data: %s\n    client-key-data: %s\n",
             cert, key);
    free(cert);
    free(key);
    write_kubeconfig(t, cluster_fields(cluster, t->port, "ca.crt"), user);
    assert_int_equal(aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                     AIM_OK);
    assert_null(t->config->token);
    assert_int_equal(list_nodes(t), AIM_OK);
    assert_int_equal(json_array_size(t->items), 3);
}

/* File names in a kubeconfig are relative to its folder, as in kubectl. */
static void test_certificate_files_and_token_file(void **state)
{
    struct test *t = *state;
    char cluster[TEXT_SIZE], path[PATH_SIZE];

    start_server(t, "--client-cert", NULL);
    snprintf(cluster, sizeof cluster,
             "    server: https://127.0.0.1:%d\n    certificate-authority: ca.crt\n", t->port);
    write_kubeconfig(t, cluster, "    client-certificate: client.crt\n"
                                 "    client-key: client.key\n");
    assert_int_equal(aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                     AIM_OK);
    snprintf(t->text, sizeof t->text, "the certificate-authority of cluster 'test-cluster' "
                                      "(ca.crt)");
    assert_string_equal(t->config->ca_origin, t->text);
    assert_int_equal(list_nodes(t), AIM_OK);
    aim_cli_kube_config_free(&t->config);
    json_decref(t->items);

    write_text(in_world(path, "token"), "good-token\n");
    write_kubeconfig(t, cluster, "    tokenFile: token\n");
    assert_int_equal(aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                     AIM_OK);
    assert_string_equal(t->config->token, "good-token");
    assert_int_equal(list_nodes(t), AIM_OK);
    assert_int_equal(json_array_size(t->items), 3);
}

static void test_expired_token_is_401(void **state)
{
    struct test *t = *state;

    start_server(t, NULL);
    load_with_token(t, "expired-token");
    assert_error(t, list_nodes(t), AIM_E_IO,
                 "https://127.0.0.1:%d/api/v1/nodes (page 1): 401 Unauthorized: the API server "
                 "does not accept the token of user 'tester'; it is expired or wrong: "
                 "Unauthorized",
                 t->port);
    assert_null(t->items);
}

static void test_missing_credentials_are_401(void **state)
{
    struct test *t = *state;
    char cluster[TEXT_SIZE];
    char *cert = base64_of("client.crt"), *key = base64_of("client.key");

    /* Without --client-cert the server asks for no certificate. */
    start_server(t, NULL);
    snprintf(t->text, sizeof t->text, "    client-certificate-data: %s\n"
                                      "    client-key-data: %s\n", cert, key);
    free(cert);
    free(key);
    write_kubeconfig(t, cluster_fields(cluster, t->port, "ca.crt"), t->text);
    assert_int_equal(aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                     AIM_OK);
    assert_error(t, list_nodes(t), AIM_E_IO,
                 "https://127.0.0.1:%d/api/v1/nodes (page 1): 401 Unauthorized: the API server "
                 "does not accept the client certificate of user 'tester'; it is expired or "
                 "wrong: Unauthorized",
                 t->port);
}

static void test_forbidden_user_is_403(void **state)
{
    struct test *t = *state;

    start_server(t, NULL);
    load_with_token(t, "viewer-token");
    assert_error(t, list_nodes(t), AIM_E_IO,
                 "https://127.0.0.1:%d/api/v1/nodes (page 1): 403 Forbidden: user 'tester' is "
                 "not allowed to list this: nodes is forbidden: User "
                 "\"system:serviceaccount:default:viewer\" cannot list resource \"nodes\" in "
                 "API group \"\" at the cluster scope",
                 t->port);
}

/* -------------------------------------------------- transport failures */

static void test_unreachable_server(void **state)
{
    struct test *t = *state;
    int port = closed_port();

    t->port = port;
    load_with_token(t, "good-token");
    assert_error_prefix(t, list_nodes(t), AIM_E_IO,
                        "cannot reach https://127.0.0.1:%d: Failed to connect to 127.0.0.1 "
                        "port %d",
                        port, port);
}

/* A listener whose queue is full drops new connections' SYNs: they hang. */
static void test_connect_timeout(void **state)
{
    struct test *t = *state;
    struct sockaddr_in address = {.sin_family = AF_INET};
    socklen_t length = sizeof address;
    int listener = socket(AF_INET, SOCK_STREAM, 0), queued[4];

    assert_true(listener >= 0);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(listener, (struct sockaddr *)&address, sizeof address), 0);
    assert_int_equal(listen(listener, 0), 0);
    assert_int_equal(getsockname(listener, (struct sockaddr *)&address, &length), 0);
    for (size_t i = 0; i < sizeof queued / sizeof queued[0]; i++) {
        queued[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(queued[i], (struct sockaddr *)&address, sizeof address);
    }
    t->port = ntohs(address.sin_port);
    load_with_token(t, "good-token");
    t->config->limits.connect_timeout_ms = 300;
    assert_error_prefix(t, list_nodes(t), AIM_E_IO,
                        "cannot reach https://127.0.0.1:%d: ", t->port);
    for (size_t i = 0; i < sizeof queued / sizeof queued[0]; i++)
        close(queued[i]);
    close(listener);
}

static void test_server_not_signed_by_the_ca(void **state)
{
    struct test *t = *state;
    char cluster[TEXT_SIZE];

    start_server(t, NULL);
    write_kubeconfig(t, cluster_fields(cluster, t->port, "other-ca.crt"),
                     "    token: good-token\n");
    assert_int_equal(aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                     AIM_OK);
    assert_error(t, list_nodes(t), AIM_E_IO,
                 "cannot verify the TLS certificate of https://127.0.0.1:%d against the "
                 "certificate-authority-data of cluster 'test-cluster': SSL certificate "
                 "problem: unable to get local issuer certificate",
                 t->port);
}

static void test_slow_server_times_out(void **state)
{
    struct test *t = *state;

    start_server(t, "--fail", "slow", "--delay", "3", NULL);
    load_with_token(t, "good-token");
    t->config->limits.timeout_ms = 500;
    assert_error_prefix(t, list_nodes(t), AIM_E_IO,
                        "https://127.0.0.1:%d/api/v1/nodes (page 1): timed out: Operation "
                        "timed out after ",
                        t->port);
}

/* The list's own budget ends it even when every page is within its own. */
static void test_list_timeout_spans_pages(void **state)
{
    struct test *t = *state;

    start_server(t, "--fail", "slow", "--delay", "1", "--fail-page", "2", NULL);
    load_with_token(t, "good-token");
    t->config->limits.page_items = 1;
    t->config->limits.list_timeout_ms = 1500;
    /* Page 3 on a quiet machine; page 2 when starting the server was slow. */
    assert_error_prefix(t, list_nodes(t), AIM_E_IO, "https://127.0.0.1:%d/api/v1/nodes (page ",
                        t->port);
    assert_non_null(strstr(t->err.message, "): timed out: Operation timed out after "));
}

/* ------------------------------------------------------- bad answers */

static void test_status_500(void **state)
{
    struct test *t = *state;

    start_server(t, "--fail", "status-500", NULL);
    load_with_token(t, "good-token");
    assert_error(t, list_nodes(t), AIM_E_IO,
                 "https://127.0.0.1:%d/api/v1/nodes (page 1): the API server answered HTTP "
                 "500: etcdserver: request timed out",
                 t->port);
}

static void test_unknown_resource_is_404(void **state)
{
    struct test *t = *state;

    start_server(t, NULL);
    load_with_token(t, "good-token");
    assert_error(t, aim_cli_kube_list(t->config, "/api/v1/widgets", &t->items, &t->err),
                 AIM_E_IO,
                 "https://127.0.0.1:%d/api/v1/widgets (page 1): the API server answered HTTP "
                 "404: the server could not find the requested resource",
                 t->port);
}

static void test_truncated_body(void **state)
{
    struct test *t = *state;

    start_server(t, "--fail", "truncated", "--fail-page", "2", NULL);
    load_with_token(t, "good-token");
    t->config->limits.page_items = 1;
    assert_error_prefix(t, list_nodes(t), AIM_E_IO,
                        "https://127.0.0.1:%d/api/v1/nodes (page 2): the answer was cut short: "
                        "transfer closed with ",
                        t->port);
}

static void test_truncated_json(void **state)
{
    struct test *t = *state;

    start_server(t, "--fail", "truncated-json", "--fail-page", "3", NULL);
    load_with_token(t, "good-token");
    t->config->limits.page_items = 1;
    assert_error_prefix(t, list_nodes(t), AIM_E_INPUT,
                        "https://127.0.0.1:%d/api/v1/nodes (page 3): the answer is not valid "
                        "JSON: ",
                        t->port);
    assert_non_null(strstr(t->err.message, "premature end of input"));
}

static void test_malformed_json(void **state)
{
    struct test *t = *state;

    start_server(t, "--fail", "malformed", "--fail-page", "3", NULL);
    load_with_token(t, "good-token");
    t->config->limits.page_items = 1;
    assert_error(t, list_nodes(t), AIM_E_INPUT,
                 "https://127.0.0.1:%d/api/v1/nodes (page 3): the answer is not valid JSON: "
                 "string or '}' expected near '}' at byte 64 of 67",
                 t->port);
}

static void test_wrong_kind(void **state)
{
    struct test *t = *state;

    start_server(t, "--fail", "wrong-kind", NULL);
    load_with_token(t, "good-token");
    assert_error(t, list_nodes(t), AIM_E_INPUT,
                 "https://127.0.0.1:%d/api/v1/nodes (page 1): expected a NodeList, got a "
                 "PodList",
                 t->port);
}

static void test_page_without_items(void **state)
{
    struct test *t = *state;

    start_server(t, "--fail", "no-items", "--fail-page", "2", NULL);
    load_with_token(t, "good-token");
    t->config->limits.page_items = 2;
    assert_error(t, list_nodes(t), AIM_E_INPUT,
                 "https://127.0.0.1:%d/api/v1/nodes (page 2): the NodeList has no items array",
                 t->port);
}

/* ----------------------------------------------------------------- caps */

static void test_looping_continue_stops_at_the_page_cap(void **state)
{
    struct test *t = *state;

    start_server(t, "--fail", "loop", NULL);
    load_with_token(t, "good-token");
    t->config->limits.pages = 7;
    assert_error(t, list_nodes(t), AIM_E_INPUT,
                 "https://127.0.0.1:%d/api/v1/nodes: still not complete after 7 pages (the API "
                 "server keeps sending a continue token); aimctl reads at most 7 pages",
                 t->port);
    assert_int_equal(requests_logged(NULL, 0), 7);
}

static void test_item_cap(void **state)
{
    struct test *t = *state;

    start_server(t, "--replicate-nodes", "2500", NULL);
    load_with_token(t, "good-token");
    t->config->limits.items = 1200;
    assert_error(t, list_nodes(t), AIM_E_INPUT,
                 "https://127.0.0.1:%d/api/v1/nodes: more than 1200 items; aimctl reads at most "
                 "that many",
                 t->port);
    assert_int_equal(requests_logged(NULL, 0), 3);
}

/* With a Content-Length libcurl refuses early; without one, the cap stops the read. */
static void test_page_size_cap(void **state)
{
    struct test *t = *state;

    start_server(t, NULL);
    load_with_token(t, "good-token");
    t->config->limits.page_bytes = 2000;
    assert_error(t, list_nodes(t), AIM_E_INPUT,
                 "https://127.0.0.1:%d/api/v1/nodes (page 1): the answer is larger than the "
                 "2000-byte limit",
                 t->port);
    stop_server(t);
    aim_cli_kube_config_free(&t->config);

    start_server(t, "--no-content-length", NULL);
    load_with_token(t, "good-token");
    t->config->limits.page_bytes = 2000;
    assert_error(t, list_nodes(t), AIM_E_INPUT,
                 "https://127.0.0.1:%d/api/v1/nodes (page 1): the answer is larger than the "
                 "2000-byte limit",
                 t->port);
}

static void test_total_size_cap(void **state)
{
    struct test *t = *state;

    start_server(t, NULL);
    load_with_token(t, "good-token");
    t->config->limits.page_items = 1;
    t->config->limits.total_bytes = 2000;
    assert_error(t, list_nodes(t), AIM_E_INPUT,
                 "https://127.0.0.1:%d/api/v1/nodes: the list is larger than the 2000-byte "
                 "limit",
                 t->port);
}

/* ------------------------------------------------------------ in cluster */

static void make_service_account(const char *token)
{
    char root[PATH_SIZE], folder[PATH_SIZE], path[PATH_SIZE], *ca = NULL;
    size_t length = 0;
    struct aim_error err = {0};
    const char *mkdir[] = {"mkdir", "-p", folder, NULL};

    snprintf(folder, sizeof folder, "%s/var/run/secrets/kubernetes.io/serviceaccount",
             in_world(root, "root"));
    assert_int_equal(run(mkdir), 0);
    snprintf(path, sizeof path, "%s/token", folder);
    write_text(path, token);
    assert_int_equal(aim_cli_read_file(in_world(path, "ca.crt"), 65536, &ca, &length, &err),
                     AIM_OK);
    snprintf(path, sizeof path, "%s/ca.crt", folder);
    write_text(path, ca);
    free(ca);
}

static void test_in_cluster(void **state)
{
    struct test *t = *state;
    char root[PATH_SIZE], port[16];

    start_server(t, NULL);
    make_service_account("good-token\n");
    snprintf(port, sizeof port, "%d", t->port);
    setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1", 1);
    setenv("KUBERNETES_SERVICE_PORT", port, 1);
    assert_int_equal(aim_cli_kube_config_in_cluster(in_world(root, "root"), &t->config, &t->err),
                     AIM_OK);
    assert_string_equal(t->config->token, "good-token");
    assert_int_equal(list_nodes(t), AIM_OK);
    assert_int_equal(json_array_size(t->items), 3);
}

static void test_in_cluster_failures(void **state)
{
    struct test *t = *state;
    char root[PATH_SIZE];

    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    assert_error(t, aim_cli_kube_config_in_cluster(world, &t->config, &t->err), AIM_E_INPUT,
                 "not in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
                 "must both be set");
    setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "https", 1);
    assert_error(t, aim_cli_kube_config_in_cluster(world, &t->config, &t->err), AIM_E_INPUT,
                 "KUBERNETES_SERVICE_PORT 'https' is not a port");
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    assert_error(t, aim_cli_kube_config_in_cluster(world, &t->config, &t->err), AIM_E_IO,
                 "%s/var/run/secrets/kubernetes.io/serviceaccount/token: cannot read: No such "
                 "file or directory",
                 world);
    make_service_account("\n");
    assert_error(t, aim_cli_kube_config_in_cluster(in_world(root, "root"), &t->config, &t->err),
                 AIM_E_INPUT,
                 "%s/var/run/secrets/kubernetes.io/serviceaccount/token: the token is empty",
                 root);
    make_service_account("good-token");
    assert_int_equal(aim_cli_kube_config_in_cluster(root, &t->config, &t->err), AIM_OK);
    assert_string_equal(t->config->server, "https://[fd00::1]:443");
    assert_null(t->items);
}

/* ---------------------------------------------------- kubeconfig errors */

/* Loads a kubeconfig whose text is given whole; returns the status. */
static enum aim_status load_text(struct test *t, const char *context, const char *text)
{
    write_text(in_world(t->kubeconfig, "kubeconfig.yaml"), text);
    return aim_cli_kube_config_load(t->kubeconfig, context, &t->config, &t->err);
}

static const char valid_head[] = "clusters:\n"
                                 "- name: test-cluster\n"
                                 "  cluster:\n"
                                 "    server: https://127.0.0.1:6443\n"
                                 "users:\n"
                                 "- name: tester\n"
                                 "  user:\n"
                                 "    token: good-token\n"
                                 "- name: robot\n"
                                 "  user: {token: good-token}\n";

static void test_unknown_contexts(void **state)
{
    struct test *t = *state;
    char text[TEXT_SIZE];

    snprintf(text, sizeof text,
             "%scurrent-context: nowhere\n"
             "contexts:\n"
             "- name: test\n"
             "  context: {cluster: test-cluster, user: tester}\n"
             "- name: prod\n"
             "  context: {cluster: test-cluster, user: robot}\n",
             valid_head);
    assert_error(t, load_text(t, NULL, text), AIM_E_NOT_FOUND,
                 "%s: context 'nowhere' is not in its contexts (known: test, prod)",
                 t->kubeconfig);
    assert_null(t->config);
    assert_error(t, load_text(t, "staging", text), AIM_E_NOT_FOUND,
                 "%s: context 'staging' is not in its contexts (known: test, prod)",
                 t->kubeconfig);
    assert_int_equal(load_text(t, "prod", text), AIM_OK);
    assert_string_equal(t->config->user, "robot");
    assert_string_equal(t->config->context, "prod");
    assert_string_equal(t->config->ca_origin, "the system's CA store");
    aim_cli_kube_config_free(&t->config);

    snprintf(text, sizeof text, "%scontexts: []\n", valid_head);
    assert_error(t, load_text(t, NULL, text), AIM_E_INPUT,
                 "%s: no current-context is set; pick a context", t->kubeconfig);
}

static void test_missing_user_and_cluster(void **state)
{
    struct test *t = *state;
    char text[TEXT_SIZE];

    snprintf(text, sizeof text,
             "%scurrent-context: test\n"
             "contexts:\n"
             "- name: test\n"
             "  context: {cluster: test-cluster, user: ghost}\n",
             valid_head);
    assert_error(t, load_text(t, NULL, text), AIM_E_NOT_FOUND,
                 "%s: context 'test' names user 'ghost', which is not in its users (known: "
                 "tester, robot)",
                 t->kubeconfig);
    snprintf(text, sizeof text,
             "%scurrent-context: test\n"
             "contexts:\n"
             "- name: test\n"
             "  context: {cluster: elsewhere, user: tester}\n",
             valid_head);
    assert_error(t, load_text(t, NULL, text), AIM_E_NOT_FOUND,
                 "%s: context 'test' names cluster 'elsewhere', which is not in its clusters "
                 "(known: test-cluster)",
                 t->kubeconfig);
    assert_error(t,
                 load_text(t, NULL,
                           "current-context: test\n"
                           "contexts: [{name: test, context: {cluster: c}}]\n"
                           "clusters: [{name: c, cluster: {server: https://a}}]\n"),
                 AIM_E_INPUT, "%s: context 'test' names no user", t->kubeconfig);
}

static void test_unsupported_users(void **state)
{
    struct test *t = *state;

    write_kubeconfig(t, "    server: https://127.0.0.1:6443\n",
                     "    exec:\n"
                     "      apiVersion: client.authentication.k8s.io/v1beta1\n"
                     "      command: aws\n"
                     "      args: [eks, get-token, --cluster-name, prod]\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT,
                 "%s: user 'tester' gets its credentials from the exec plugin 'aws', which "
                 "aimctl does not support: use a user with a token or a client certificate",
                 t->kubeconfig);
    write_kubeconfig(t, "    server: https://127.0.0.1:6443\n",
                     "    auth-provider:\n      name: gcp\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT,
                 "%s: user 'tester' uses the auth-provider 'gcp', which aimctl does not "
                 "support: use a user with a token or a client certificate",
                 t->kubeconfig);
    write_kubeconfig(t, "    server: https://127.0.0.1:6443\n", "    username: admin\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT,
                 "%s: user 'tester' uses a username and password, which aimctl does not "
                 "support: use a token or a client certificate",
                 t->kubeconfig);
    write_kubeconfig(t, "    server: https://127.0.0.1:6443\n", "    {}\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT, "%s: user 'tester' has no token, tokenFile or client certificate",
                 t->kubeconfig);
    write_kubeconfig(t, "    server: https://127.0.0.1:6443\n", "    token: \"two words\"\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT,
                 "%s: user 'tester': the token holds a space or control character",
                 t->kubeconfig);
}

static void test_bad_base64_and_pem(void **state)
{
    struct test *t = *state;
    char user[TEXT_SIZE];
    char *cert = base64_of("client.crt");

    write_kubeconfig(t, "    server: https://127.0.0.1:6443\n"
                        "    certificate-authority-data: not*base64!\n",
                     "    token: good-token\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT,
                 "%s: cluster 'test-cluster': certificate-authority-data is not valid base64",
                 t->kubeconfig);
    /* "hello world", base64'd: valid base64, not a certificate. */
    write_kubeconfig(t, "    server: https://127.0.0.1:6443\n"
                        "    certificate-authority-data: aGVsbG8gd29ybGQ=\n",
                     "    token: good-token\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT,
                 "%s: cluster 'test-cluster': certificate-authority-data holds no PEM "
                 "CERTIFICATE",
                 t->kubeconfig);
    snprintf(user, sizeof user, "    client-certificate-data: %s\n    client-key-data: QUJD=x\n",
             cert);
    free(cert);
    write_kubeconfig(t, "    server: https://127.0.0.1:6443\n", user);
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT, "%s: user 'tester': client-key-data is not valid base64",
                 t->kubeconfig);
    write_kubeconfig(t, "    server: https://127.0.0.1:6443\n",
                     "    client-certificate: client.crt\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT, "%s: user 'tester' has a client certificate but no client key",
                 t->kubeconfig);
}

static void test_refused_clusters(void **state)
{
    struct test *t = *state;

    write_kubeconfig(t, "    server: https://127.0.0.1:6443\n"
                        "    insecure-skip-tls-verify: true\n",
                     "    token: good-token\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT,
                 "%s: cluster 'test-cluster' sets insecure-skip-tls-verify; aimctl always "
                 "verifies the API server: give it certificate-authority-data instead",
                 t->kubeconfig);
    write_kubeconfig(t, "    server: http://127.0.0.1:8001\n", "    token: good-token\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT,
                 "%s: cluster 'test-cluster': server 'http://127.0.0.1:8001' is not https://; "
                 "aimctl talks to API servers over TLS only",
                 t->kubeconfig);
    write_kubeconfig(t, "    certificate-authority: missing.crt\n", "    token: good-token\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT, "%s: cluster 'test-cluster' has no server", t->kubeconfig);
    write_kubeconfig(t, "    server: https://127.0.0.1:6443\n"
                        "    certificate-authority: missing.crt\n",
                     "    token: good-token\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_IO, "%s/missing.crt: cannot read: No such file or directory", world);
    write_kubeconfig(t, "    server: [https://127.0.0.1:6443]\n", "    token: good-token\n");
    assert_error(t, aim_cli_kube_config_load(t->kubeconfig, NULL, &t->config, &t->err),
                 AIM_E_INPUT, "%s: cluster 'test-cluster': server: expected text, got a list",
                 t->kubeconfig);
}

static void test_unreadable_kubeconfigs(void **state)
{
    struct test *t = *state;
    char path[PATH_SIZE];

    assert_error(t,
                 aim_cli_kube_config_load(in_world(path, "none.yaml"), NULL, &t->config,
                                          &t->err),
                 AIM_E_IO, "%s/none.yaml: cannot read: No such file or directory", world);
    assert_error(t, load_text(t, NULL, "clusters: [\n  - name: a\n"), AIM_E_INPUT,
                 "%s:2: not a kubeconfig: did not find expected node content", t->kubeconfig);
    assert_error(t, load_text(t, NULL, "- just\n- a list\n"), AIM_E_INPUT,
                 "%s: not a kubeconfig: expected a mapping", t->kubeconfig);
    assert_error(t, load_text(t, NULL, ""), AIM_E_INPUT,
                 "%s: not a kubeconfig: expected a mapping", t->kubeconfig);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_pages_of_500_make_2500_nodes),
        TEST(test_one_page_when_the_list_is_small),
        TEST(test_fetch_cluster_skips_finished_pods),
        TEST(test_pod_usages_page_by_page),
        TEST(test_page_callback_stops_the_list),
        TEST(test_cluster_config_with_context),
        TEST(test_kubeconfig_variable_names_the_default),
        TEST(test_client_certificate_data),
        TEST(test_certificate_files_and_token_file),
        TEST(test_expired_token_is_401),
        TEST(test_missing_credentials_are_401),
        TEST(test_forbidden_user_is_403),
        TEST(test_unreachable_server),
        TEST(test_connect_timeout),
        TEST(test_server_not_signed_by_the_ca),
        TEST(test_slow_server_times_out),
        TEST(test_list_timeout_spans_pages),
        TEST(test_status_500),
        TEST(test_unknown_resource_is_404),
        TEST(test_truncated_body),
        TEST(test_truncated_json),
        TEST(test_malformed_json),
        TEST(test_wrong_kind),
        TEST(test_page_without_items),
        TEST(test_looping_continue_stops_at_the_page_cap),
        TEST(test_item_cap),
        TEST(test_page_size_cap),
        TEST(test_total_size_cap),
        TEST(test_in_cluster),
        TEST(test_in_cluster_failures),
        TEST(test_unknown_contexts),
        TEST(test_missing_user_and_cluster),
        TEST(test_unsupported_users),
        TEST(test_bad_base64_and_pem),
        TEST(test_refused_clusters),
        TEST(test_unreadable_kubeconfigs),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
