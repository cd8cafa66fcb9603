/*
 * Selection: walks the fallback ladder for one model on one GPU type and
 * returns the plan (the chosen config, tuned) and the trace of every
 * candidate tried.
 *
 * The ladder: GPU count 8, 4, 2, 1 (only counts up to the free GPUs, and
 * only those the recipe enables), then, when nothing fits one node and more
 * are on offer, 2, 3, ... whole nodes (tensor parallel within a node,
 * pipeline parallel across them, always a derived recipe); within a count,
 * precision bf16, fp16, fp8 (a model published in fp8 or fp4 tries its own
 * first); within a precision, vLLM then SGLang. Pinned values (precision,
 * backend, max_model_len) narrow the ladder and are never changed.
 * Objective latency takes the first candidate that runs; throughput the one
 * with the fewest GPUs that holds the wanted concurrency, the rest of the
 * node left to replicas.
 *
 * aim_select() does no I/O and allocates nothing: the plan is filled in
 * place and holds pointers into the catalog and the request's model.
 */
#ifndef AIM_SELECT_H
#define AIM_SELECT_H

#include <stdbool.h>

#include "aim/catalog.h"
#include "aim/memory.h"
#include "aim/perf.h"
#include "aim/settings.h"

#define AIM_TRACE_MAX 64
#define AIM_REASON_MAX 240
#define AIM_HINTS_MAX 6

struct aim_request {
    const struct aim_model *model;   /* from the catalog or from hf.h */
    const struct aim_gpu *gpu;
    int gpus_free;                   /* free GPUs on one node */
    int node_count;                  /* nodes of gpus_free GPUs each on offer; a plan
                                        spans several only when nothing fits one */
    bool precision_pinned;
    enum aim_precision precision;
    bool backend_pinned;
    enum aim_backend backend;
    long max_model_len;              /* 0: automatic */
    enum aim_objective objective;
    int concurrency;                 /* 0: calibration default */
};

struct aim_candidate {
    int gpu_count;                   /* in all: tensor x pipeline parallel */
    int node_count;                  /* pipeline stages, one per node */
    enum aim_precision precision;
    enum aim_backend backend;
    bool accepted;
    bool chosen;
    enum aim_maturity maturity;
    const struct aim_recipe *recipe; /* NULL when derived */
    double need_gib;                 /* per GPU, before KV; 0 if not reached */
    double usable_gib;
    long longest_fit;                /* longest request that fits; 0 if none */
    char reason[AIM_REASON_MAX];
};

struct aim_plan {
    const struct aim_model *model;
    const struct aim_gpu *gpu;
    int gpus_free;
    enum aim_objective objective;
    int concurrency;

    bool found;
    int gpu_count;                   /* in all, across nodes */
    int node_count;                  /* 1, or the nodes a multi-node plan spans */
    int replicas;                    /* copies that fit the free GPUs */
    enum aim_precision precision;
    enum aim_backend backend;
    const struct aim_recipe *recipe; /* NULL when derived */
    enum aim_maturity maturity;
    char recipe_id[AIM_RECIPE_ID_MAX]; /* the recipe's, or the derived name */
    char checkpoint[AIM_MODEL_ID_MAX]; /* what --model points at */
    struct aim_settings engine_args;   /* snake_case, engine-neutral keys */
    struct aim_settings env;
    struct aim_memory memory;
    struct aim_performance performance;

    struct aim_candidate trace[AIM_TRACE_MAX];
    int trace_count;
    char hints[AIM_HINTS_MAX][AIM_REASON_MAX]; /* when nothing fits */
    int hint_count;
};

/* Nodes a plan spans: 1 unless it is a multi-node plan. */
static inline int aim_plan_nodes(const struct aim_plan *plan)
{
    return plan->node_count > 1 ? plan->node_count : 1;
}

/*
 * Pins the precision or the backend from text as flags and fleet files spell
 * it; "auto" leaves it free. False for text that names none.
 */
bool aim_request_pin_precision(struct aim_request *request, const char *text);
bool aim_request_pin_backend(struct aim_request *request, const char *text);

/* Fills a request with defaults: objective latency, nothing pinned. */
void aim_request_init(struct aim_request *request);

/*
 * Selects the plan. Returns AIM_OK with plan->found set, AIM_E_NO_FIT when
 * no candidate runs (the plan's trace and hints then say why), or
 * AIM_E_USAGE for a request that makes no sense (no model, no GPUs, a pinned
 * precision or backend the request forbids otherwise), with err set.
 */
enum aim_status aim_select(const aim_catalog *catalog, const struct aim_request *request,
                           struct aim_plan *plan, struct aim_error *err);

/*
 * The config of a recipe as the selector would serve it, for `recipes
 * check`: the same memory model and tuning; returns AIM_OK when it runs,
 * AIM_E_NO_FIT with the reason in err otherwise.
 */
enum aim_status aim_check_recipe_config(const aim_catalog *catalog,
                                        const struct aim_recipe *recipe,
                                        const struct aim_recipe_config *config,
                                        struct aim_error *err);

#endif
