/*
 * Benchmark: a 5,000-node NodeList and a 100,000-pod PodList, as kubectl
 * prints them, parsed into an inventory, and 500 deployments packed onto
 * it. Prints each phase's time and the process's peak memory. With a path
 * to aimctl, also times `aimctl plan` on the same files as a whole process.
 *
 * Usage: aim_bench_cluster [PATH_TO_AIMCTL]
 */
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aim/fleet.h"

#define NODES 5000
#define PODS 100000
#define DEPLOYMENTS 500

extern char **environ;

static const char *const node_labels[] = {
    "\"amd.com/gpu.device-id\": \"74a1\", \"amd.com/gpu.product-name\": "
    "\"AMD_Instinct_MI300X_OAM\"",
    "\"amd.com/gpu.device-id\": \"74a5\", \"amd.com/gpu.product-name\": "
    "\"AMD_Instinct_MI325_OAM\"",
    "\"amd.com/gpu.device-id\": \"75a3\", \"amd.com/gpu.product-name\": "
    "\"AMD_Instinct_MI355X_OAM\"",
    "\"nvidia.com/gpu.product\": \"NVIDIA-H100-80GB-HBM3\"",
};

static const char *const models[] = {
    "Qwen/Qwen3-8B", "Qwen/Qwen3-32B", "meta-llama/Llama-3.1-8B-Instruct",
    "meta-llama/Llama-3.1-70B-Instruct", "openai/gpt-oss-20b", "Qwen/Qwen3-30B-A3B",
    "mistralai/Mistral-7B-Instruct-v0.3", "microsoft/phi-4",
};

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Appends printf output to a growing buffer. */
static void append(char **buffer, size_t *length, size_t *capacity, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char **buffer, size_t *length, size_t *capacity, const char *format, ...)
{
    va_list args;
    int written;

    for (;;) {
        va_start(args, format);
        written = vsnprintf(*buffer + *length, *capacity - *length, format, args);
        va_end(args);
        if ((size_t)written < *capacity - *length)
            break;
        *capacity *= 2;
        *buffer = realloc(*buffer, *capacity);
        if (*buffer == NULL)
            exit(1);
    }
    *length += (size_t)written;
}

static char *node_list(size_t *length)
{
    size_t capacity = 1 << 20;
    char *text = malloc(capacity);

    *length = 0;
    append(&text, length, &capacity, "{\"apiVersion\": \"v1\", \"kind\": \"NodeList\", "
                                     "\"items\": [");
    for (int n = 0; n < NODES; n++) {
        bool nvidia = n % 4 == 3;

        append(&text, length, &capacity,
               "%s{\"apiVersion\": \"v1\", \"kind\": \"Node\", \"metadata\": {\"name\": "
               "\"node-%05d\", \"labels\": {\"kubernetes.io/hostname\": \"node-%05d\", %s}}, "
               "\"spec\": {%s}, \"status\": {\"allocatable\": {\"cpu\": \"192\", \"memory\": "
               "\"2113412624Ki\", \"%s\": \"8\", \"pods\": \"110\"}, \"conditions\": "
               "[{\"type\": \"Ready\", \"status\": \"%s\"}]}}",
               n ? ", " : "", n, n, node_labels[n % 4],
               n % 97 == 0 ? "\"unschedulable\": true" : "",
               nvidia ? "nvidia.com/gpu" : "amd.com/gpu", n % 101 == 0 ? "False" : "True");
    }
    append(&text, length, &capacity, "]}");
    return text;
}

/* 20 pods a node; one in five holds GPUs, some have finished. */
static char *pod_list(size_t *length)
{
    size_t capacity = 1 << 20;
    char *text = malloc(capacity);

    *length = 0;
    append(&text, length, &capacity, "{\"apiVersion\": \"v1\", \"kind\": \"PodList\", "
                                     "\"items\": [");
    for (int p = 0; p < PODS; p++) {
        int node = p % NODES;
        bool gpu = p % 5 == 0;

        append(&text, length, &capacity,
               "%s{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": "
               "\"pod-%06d\", \"namespace\": \"ns-%d\"}, \"spec\": {\"nodeName\": "
               "\"node-%05d\", \"containers\": [{\"name\": \"main\", \"image\": \"app:1\", "
               "\"resources\": {\"requests\": {\"cpu\": \"500m\", \"memory\": \"2Gi\"}, "
               "\"limits\": {\"cpu\": \"2\", \"memory\": \"4Gi\"%s}}}]}, \"status\": "
               "{\"phase\": \"%s\"}}",
               p ? ", " : "", p, p % 50, node,
               gpu ? (node % 4 == 3 ? ", \"nvidia.com/gpu\": \"1\"" : ", \"amd.com/gpu\": \"1\"")
                   : "",
               p % 17 == 0 ? "Succeeded" : "Running");
    }
    append(&text, length, &capacity, "]}");
    return text;
}

static json_t *fleet_document(void)
{
    json_t *deployments = json_array();

    for (int d = 0; d < DEPLOYMENTS; d++) {
        char name[32];

        snprintf(name, sizeof name, "app-%03d", d);
        json_array_append_new(deployments,
                              json_pack("{s:s, s:s, s:i, s:s}", "name", name, "model",
                                        models[d % 8], "replicas", 1 + d % 3, "objective",
                                        d % 2 ? "throughput" : "latency"));
    }
    return json_pack("{s:s, s:o}", "kind", "Fleet", "deployments", deployments);
}

static void write_file(const char *path, const char *text, size_t length)
{
    FILE *file = fopen(path, "wb");

    if (file == NULL || fwrite(text, 1, length, file) != length || fclose(file) != 0) {
        fprintf(stderr, "aim_bench_cluster: cannot write %s\n", path);
        exit(1);
    }
}

static void whole_process(const char *aimctl, const char *dir)
{
    char nodes[512], pods[512], fleet[512];
    char *argv[] = {(char *)aimctl, "plan", "-f", fleet, "--nodes", nodes, "--pods", pods,
                    "-o", "json", NULL};
    posix_spawn_file_actions_t actions;
    struct rusage usage;
    double start;
    pid_t pid;
    int status;

    snprintf(nodes, sizeof nodes, "%s/nodes.json", dir);
    snprintf(pods, sizeof pods, "%s/pods.json", dir);
    snprintf(fleet, sizeof fleet, "%s/fleet.json", dir);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", 1, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", 1, 0);
    start = now_seconds();
    if (posix_spawn(&pid, aimctl, &actions, NULL, argv, environ) != 0) {
        fprintf(stderr, "aim_bench_cluster: cannot run %s\n", aimctl);
        exit(1);
    }
    waitpid(pid, &status, 0);
    posix_spawn_file_actions_destroy(&actions);
    getrusage(RUSAGE_CHILDREN, &usage);
    printf("whole process: aimctl plan -f fleet.json --nodes nodes.json --pods pods.json\n");
    printf("  wall time                  %8.1f ms  (exit %d)\n", (now_seconds() - start) * 1e3,
           WEXITSTATUS(status));
    printf("  peak resident memory       %8.1f MiB (target 512 MiB)\n", usage.ru_maxrss / 1024.0);
}

int main(int argc, char **argv)
{
    size_t node_length, pod_length;
    char *nodes_text = node_list(&node_length);
    char *pods_text = pod_list(&pod_length);
    json_t *fleet_json = fleet_document();
    aim_catalog *catalog = aim_catalog_new();
    aim_inventory *inventory = aim_inventory_new();
    struct aim_fleet fleet;
    struct aim_error err;
    struct rusage usage;
    double t0, t1, t2, t3;
    json_t *nodes;
    struct aim_pod_usages usages = {0};
    size_t placed = 0;
    char dir[] = "/tmp/aim-bench-XXXXXX";

    aim_catalog_add_embedded(catalog, NULL);
    printf("inventory: %d nodes (%.1f MiB of JSON), %d pods (%.1f MiB), %d deployments\n",
           NODES, node_length / 1048576.0, PODS, pod_length / 1048576.0, DEPLOYMENTS);

    /* Nodes as a tree (jansson), pods streamed (yajl): as aimctl reads them. */
    t0 = now_seconds();
    nodes = json_loadb(nodes_text, node_length, 0, NULL);
    if (aim_pod_usages_from_json(pods_text, pod_length, "pods", &usages, &err) != AIM_OK) {
        fprintf(stderr, "aim_bench_cluster: %s\n", err.message);
        return 1;
    }
    t1 = now_seconds();
    if (aim_inventory_add_nodes(inventory, catalog, json_object_get(nodes, "items"), "nodes",
                                &err) != AIM_OK) {
        fprintf(stderr, "aim_bench_cluster: %s\n", err.message);
        return 1;
    }
    aim_inventory_apply_pods(inventory, &usages);
    t2 = now_seconds();
    if (aim_fleet_parse(catalog, fleet_json, "fleet", &fleet, &err) != AIM_OK) {
        fprintf(stderr, "aim_bench_cluster: %s\n", err.message);
        return 1;
    }
    aim_fleet_pack(catalog, inventory, &fleet, &err);
    t3 = now_seconds();
    for (size_t i = 0; i < fleet.assignment_count; i++)
        placed += fleet.assignments[i].placed;

    getrusage(RUSAGE_SELF, &usage);
    printf("in process:\n");
    printf("  parse nodes and pods       %8.1f ms  (%zu pods hold resources)\n",
           (t1 - t0) * 1e3, usages.count);
    printf("  build the inventory        %8.1f ms\n", (t2 - t1) * 1e3);
    printf("  plan and pack the fleet    %8.1f ms  (%zu of %zu replicas placed)\n",
           (t3 - t2) * 1e3, placed, fleet.assignment_count);
    printf("  total                      %8.1f ms  (target 1000 ms)\n", (t3 - t0) * 1e3);
    printf("  peak resident memory       %8.1f MiB (target 512 MiB, includes the generated "
           "text)\n",
           usage.ru_maxrss / 1024.0);

    if (argc > 1 && mkdtemp(dir) != NULL) {
        char path[512];
        char *fleet_text = json_dumps(fleet_json, 0);

        snprintf(path, sizeof path, "%s/nodes.json", dir);
        write_file(path, nodes_text, node_length);
        snprintf(path, sizeof path, "%s/pods.json", dir);
        write_file(path, pods_text, pod_length);
        snprintf(path, sizeof path, "%s/fleet.json", dir);
        write_file(path, fleet_text, strlen(fleet_text));
        free(fleet_text);
        whole_process(argv[1], dir);
        snprintf(path, sizeof path, "rm -rf %s", dir);
        if (system(path) != 0)
            return 1;
    }

    aim_fleet_free(&fleet);
    aim_inventory_free(&inventory);
    aim_catalog_free(&catalog);
    json_decref(nodes);
    aim_pod_usages_free(&usages);
    json_decref(fleet_json);
    free(nodes_text);
    free(pods_text);
    return 0;
}
