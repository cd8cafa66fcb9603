/*
 * Benchmark: median in-process aim_select() time for every catalog model on
 * every GPU type (a node of that type's size), and the wall time and peak
 * memory of whole `aimctl select` processes.
 *
 * Usage: aim_bench PATH_TO_AIMCTL [ROUNDS]
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "aim/catalog.h"
#include "aim/select.h"

extern char **environ;

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *values, int count)
{
    qsort(values, (size_t)count, sizeof values[0], compare_doubles);
    return values[count / 2];
}

/* Median of `rounds` selections of one model on one GPU type, in seconds. */
static double time_pair(const aim_catalog *catalog, const struct aim_model *model,
                        const struct aim_gpu *gpu, struct aim_plan *plan, int rounds)
{
    struct aim_request request;
    double *samples = malloc((size_t)rounds * sizeof *samples);
    double result;

    aim_request_init(&request);
    request.model = model;
    request.gpu = gpu;
    request.gpus_free = gpu->gpus_per_node;
    for (int r = 0; r < rounds; r++) {
        double start = now_seconds();

        aim_select(catalog, &request, plan, NULL);
        samples[r] = now_seconds() - start;
    }
    result = median(samples, rounds);
    free(samples);
    return result;
}

static void bench_in_process(int rounds)
{
    aim_catalog *catalog = aim_catalog_new();
    struct aim_plan *plan = malloc(sizeof *plan);
    size_t models, gpus, pairs = 0;
    double *medians;
    double worst = 0;
    const char *worst_model = "", *worst_gpu = "";

    if (catalog == NULL || plan == NULL || aim_catalog_add_embedded(catalog, NULL) != AIM_OK) {
        fprintf(stderr, "aim_bench: cannot load the embedded catalog\n");
        exit(1);
    }
    models = aim_catalog_model_count(catalog);
    gpus = aim_catalog_gpu_count(catalog);
    medians = malloc(models * gpus * sizeof *medians);

    for (size_t m = 0; m < models; m++) {
        for (size_t g = 0; g < gpus; g++) {
            const struct aim_model *model = aim_catalog_model_at(catalog, m);
            const struct aim_gpu *gpu = aim_catalog_gpu_at(catalog, g);
            double seconds = time_pair(catalog, model, gpu, plan, rounds);

            medians[pairs++] = seconds;
            if (seconds > worst) {
                worst = seconds;
                worst_model = model->id;
                worst_gpu = gpu->name;
            }
        }
    }
    printf("in-process aim_select: %zu models x %zu GPU types, %d rounds each\n", models, gpus,
           rounds);
    printf("  median of per-pair medians  %8.2f us\n", median(medians, (int)pairs) * 1e6);
    printf("  slowest pair (median)       %8.2f us  (%s on %s)\n", worst * 1e6, worst_model,
           worst_gpu);
    printf("  target                      %8.2f us\n", 20.0);
    free(medians);
    free(plan);
    aim_catalog_free(&catalog);
}

/* Runs aimctl once; returns wall seconds and the children's peak RSS in KiB. */
static double run_once(char **argv, long *peak_kib)
{
    pid_t pid;
    int status;
    struct rusage usage;
    double start = now_seconds();
    posix_spawn_file_actions_t actions;

    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", 1, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", 1, 0);
    if (posix_spawn(&pid, argv[0], &actions, NULL, argv, environ) != 0) {
        fprintf(stderr, "aim_bench: cannot run %s\n", argv[0]);
        exit(1);
    }
    waitpid(pid, &status, 0);
    posix_spawn_file_actions_destroy(&actions);

    /* The largest peak of any child waited for so far: the worst run. */
    getrusage(RUSAGE_CHILDREN, &usage);
    *peak_kib = usage.ru_maxrss;
    return now_seconds() - start;
}

static void bench_process(const char *aimctl, int rounds)
{
    char *argv[] = {(char *)aimctl, "select", "meta-llama/Llama-3.1-405B-Instruct", "--gpu",
                    "MI300X", "--gpus", "8", "-o", "json", NULL};
    double *samples = malloc((size_t)rounds * sizeof *samples);
    long peak = 0, worst_peak = 0;

    for (int r = 0; r < rounds; r++) {
        samples[r] = run_once(argv, &peak);
        if (peak > worst_peak)
            worst_peak = peak;
    }
    printf("whole process: aimctl select meta-llama/Llama-3.1-405B-Instruct --gpu MI300X "
           "--gpus 8 -o json, %d runs\n", rounds);
    printf("  median wall time            %8.2f ms  (target 5 ms)\n",
           median(samples, rounds) * 1e3);
    printf("  peak resident memory        %8.2f MiB (target 20 MiB)\n", worst_peak / 1024.0);
    free(samples);
}

int main(int argc, char **argv)
{
    int rounds = argc > 2 ? atoi(argv[2]) : 101;

    if (argc < 2 || rounds < 1) {
        fprintf(stderr, "usage: aim_bench PATH_TO_AIMCTL [ROUNDS]\n");
        return 2;
    }
    bench_in_process(rounds);
    bench_process(argv[1], rounds);
    return 0;
}
