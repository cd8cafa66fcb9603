#include "aim/select.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const int ladder_counts[] = {8, 4, 2, 1};
#define LADDER_COUNTS ((int)(sizeof ladder_counts / sizeof ladder_counts[0]))

/* Everything one candidate needs, worked out once and shared by the memory
   check, the tuning and the performance figures. */
struct candidate_work {
    int tensor_parallel;
    int stages;                      /* pipeline stages, one per node */
    const struct aim_recipe *recipe;
    const struct aim_recipe_config *config;
    enum aim_maturity maturity;
    const struct aim_engine *engine;
    const char *checkpoint_id;
    bool online_fp8;
    double weight_bytes;
    double kv_bytes;
    double gpu_memory_utilization;
    int max_num_batched_tokens;
    long max_model_len;
    bool length_pinned;
    struct aim_memory memory;
};

struct selection {
    const aim_catalog *catalog;
    const struct aim_calibration *calibration;
    const struct aim_request *request;
    int concurrency;
};

static void reason(struct aim_candidate *candidate, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * GiB figures in reasons have one decimal. Printing them as two integers
 * avoids printf's floating-point path, which was half of aim_select's time
 * (callgrind, 27 models x 12 GPU types).
 */
#define GIB "%lld.%lld"
#define GIB_ARGS(value) llround((value) * 10) / 10, llround((value) * 10) % 10

static void reason(struct aim_candidate *candidate, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(candidate->reason, sizeof candidate->reason, format, args);
    va_end(args);
}

static bool is_sixteen_bit(enum aim_precision precision)
{
    return precision == AIM_PRECISION_BF16 || precision == AIM_PRECISION_FP16;
}

static void lower_copy(const char *text, char *out, size_t size)
{
    size_t i;

    for (i = 0; text[i] != '\0' && i + 1 < size; i++)
        out[i] = (char)tolower((unsigned char)text[i]);
    out[i] = '\0';
}

/* The lower-case part of a model id after the organisation. */
static void short_name(const char *id, char *out, size_t size)
{
    const char *slash = strrchr(id, '/');

    lower_copy(slash != NULL ? slash + 1 : id, out, size);
}

bool aim_request_pin_precision(struct aim_request *request, const char *text)
{
    if (text != NULL && strcmp(text, "auto") == 0) {
        request->precision_pinned = false;
        return true;
    }
    request->precision_pinned = aim_precision_parse(text, &request->precision);
    return request->precision_pinned;
}

bool aim_request_pin_backend(struct aim_request *request, const char *text)
{
    if (text != NULL && strcmp(text, "auto") == 0) {
        request->backend_pinned = false;
        return true;
    }
    request->backend_pinned = aim_backend_parse(text, &request->backend);
    return request->backend_pinned;
}

void aim_request_init(struct aim_request *request)
{
    memset(request, 0, sizeof *request);
    request->objective = AIM_OBJECTIVE_LATENCY;
}

/* Requests shorter than this are what a typical request in flight holds. */
static long typical_tokens(const struct selection *selection, long max_model_len)
{
    long typical = selection->calibration->typical_request_tokens;

    return max_model_len < typical ? max_model_len : typical;
}

/*
 * Which weights serve the precision, and whether the GPU can run them.
 * Returns false with the reason set when the precision cannot be served.
 */
static bool check_precision(const struct selection *selection, enum aim_precision precision,
                            struct candidate_work *work, struct aim_candidate *candidate)
{
    const struct aim_model *model = selection->request->model;
    const struct aim_gpu *gpu = selection->request->gpu;
    const struct aim_checkpoint *checkpoint = aim_model_checkpoint_for(model, precision);
    const char *name = aim_precision_name(precision);

    work->online_fp8 = false;
    if (checkpoint != NULL) {
        if (!aim_gpu_runs_precision(gpu, precision)) {
            reason(candidate, "%s cannot run %s weights", gpu->name, name);
            return false;
        }
        work->checkpoint_id = checkpoint->id;
        work->kv_bytes = checkpoint->kv_cache_fp8 ? 1.0 : 2.0;
        work->weight_bytes = aim_weight_bytes(model, precision);
        return true;
    }

    if (precision == AIM_PRECISION_FP8 && is_sixteen_bit(model->checkpoint.precision)) {
        if (!gpu->native[AIM_PRECISION_FP8]) {
            reason(candidate, "%s has no native fp8, which online fp8 quantization needs",
                   gpu->name);
            return false;
        }
        work->online_fp8 = true;
        work->checkpoint_id = model->checkpoint.id;
        work->kv_bytes = 2.0;
        work->weight_bytes = aim_weight_bytes(model, precision);
        return true;
    }

    if (is_sixteen_bit(precision))
        reason(candidate, "no %s checkpoint is known; the published one is %s", name,
               aim_precision_name(model->checkpoint.precision));
    else
        reason(candidate, "no %s checkpoint is known and aimctl quantizes online only to fp8",
               name);
    return false;
}

/* Authored config for the count, or the derived rule. */
static bool check_recipe(const struct selection *selection, int count,
                         struct candidate_work *work, struct aim_candidate *candidate)
{
    const struct aim_calibration *calibration = selection->calibration;
    double weights_gib = work->weight_bytes / AIM_GIB;

    if (work->recipe != NULL) {
        work->config = aim_recipe_config_for(work->recipe, count);
        if (work->config == NULL) {
            reason(candidate, "recipe %s has no config for %d GPU%s", work->recipe->id, count,
                   count == 1 ? "" : "s");
            return false;
        }
        work->maturity = work->config->maturity;
        if (!work->config->enabled) {
            reason(candidate, "recipe %s disables %d GPU%s%s%s", work->recipe->id, count,
                   count == 1 ? "" : "s", work->config->disabled_reason[0] ? ": " : "",
                   work->config->disabled_reason);
            return false;
        }
        if (work->recipe->checkpoint[0] != '\0')
            work->checkpoint_id = work->recipe->checkpoint;
        return true;
    }

    /* Derived recipes spread a model only while each GPU still holds a
       useful share of it: more GPUs than that add all-reduce cost and
       waste GPUs a replica could use. */
    work->maturity = AIM_MATURITY_DERIVED;
    if (count > 1 && weights_gib / count < calibration->min_weights_per_gpu_gib) {
        reason(candidate,
               "derived recipes do not spread " GIB " GiB of weights over %d GPUs "
               "(under %lld GiB each)",
               GIB_ARGS(weights_gib), count, llround(calibration->min_weights_per_gpu_gib));
        return false;
    }
    return true;
}

static bool check_parallelism(const struct aim_model *model, int count, int stages,
                              struct aim_candidate *candidate)
{
    if (stages > model->num_layers) {
        reason(candidate, "%d pipeline stages exceed the %d layers", stages, model->num_layers);
        return false;
    }
    if (model->num_attention_heads % count != 0) {
        reason(candidate, "tensor parallel size %d does not divide the %d attention heads",
               count, model->num_attention_heads);
        return false;
    }
    if (!aim_model_uses_mla(model) && model->num_kv_heads % count != 0 &&
        count % model->num_kv_heads != 0) {
        reason(candidate,
               "tensor parallel size %d and the %d KV heads do not divide one another",
               count, model->num_kv_heads);
        return false;
    }
    return true;
}

/* A recipe argument as the config sees it: its own, else the recipe's. */
static const struct aim_settings *args_with(const struct candidate_work *work, const char *key)
{
    if (work->recipe == NULL)
        return NULL;
    if (aim_settings_get(&work->config->args, key) != NULL)
        return &work->config->args;
    if (aim_settings_get(&work->recipe->args, key) != NULL)
        return &work->recipe->args;
    return NULL;
}

static long long recipe_int(const struct candidate_work *work, const char *key,
                            long long fallback)
{
    const struct aim_settings *args = args_with(work, key);

    return args != NULL ? aim_settings_get_int(args, key, fallback) : fallback;
}

/* Engine arguments of the recipe config that the memory model reads. */
static void read_sizing_args(const struct selection *selection, struct candidate_work *work)
{
    const struct aim_request *request = selection->request;
    const struct aim_engine *engine = work->engine;
    bool large = request->gpu->memory_gib >= engine->large_gpu_gib;
    const struct aim_settings *utilization = args_with(work, "gpu_memory_utilization");

    work->gpu_memory_utilization = request->gpu->gpu_memory_utilization;
    if (utilization != NULL)
        work->gpu_memory_utilization = aim_settings_get_float(
            utilization, "gpu_memory_utilization", work->gpu_memory_utilization);
    work->max_num_batched_tokens = (int)recipe_int(
        work, "max_num_batched_tokens",
        large ? engine->max_num_batched_tokens_large : engine->max_num_batched_tokens_small);

    work->length_pinned = true;
    if (request->max_model_len > 0)
        work->max_model_len = request->max_model_len;
    else
        work->max_model_len = recipe_int(work, "max_model_len", 0);
    if (work->max_model_len <= 0) {
        work->length_pinned = false;
        work->max_model_len = request->model->max_context;
    }
}

static void estimate(const struct selection *selection, struct candidate_work *work)
{
    struct aim_memory_input input = {
        .model = selection->request->model,
        .gpu = selection->request->gpu,
        .calibration = selection->calibration,
        .tensor_parallel = work->tensor_parallel,
        .pipeline_parallel = work->stages,
        .weight_bytes = work->weight_bytes,
        .kv_bytes = work->kv_bytes,
        .gpu_memory_utilization = work->gpu_memory_utilization,
        .max_num_batched_tokens = work->max_num_batched_tokens,
        .max_model_len = work->max_model_len,
    };

    aim_memory_estimate(&input, &work->memory);
}

static double non_kv_gib(const struct aim_memory *memory)
{
    return memory->weights_gib + memory->activations_gib + memory->overhead_gib;
}

/*
 * The memory check. An automatic max_model_len shrinks to what fits, down
 * to the calibration's minimum; a pinned one must fit whole.
 */
static bool check_memory(const struct selection *selection, struct candidate_work *work,
                         struct aim_candidate *candidate)
{
    const struct aim_model *model = selection->request->model;
    const struct aim_calibration *calibration = selection->calibration;
    struct aim_memory *memory = &work->memory;
    long rounding = calibration->context_rounding_tokens;
    long floor_length;
    double need;

    estimate(selection, work);
    candidate->usable_gib = memory->usable_gib;
    candidate->longest_fit = memory->longest_fit;
    need = non_kv_gib(memory) +
           aim_kv_bytes_for_length(model, work->tensor_parallel, work->kv_bytes,
                                   work->max_model_len) *
               aim_pipeline_layer_share(model, work->stages) / AIM_GIB;
    candidate->need_gib = need;

    if (memory->kv_cache_gib <= 0) {
        reason(candidate,
               "needs " GIB " GiB per GPU before any KV cache (weights " GIB "), has " GIB
               " usable",
               GIB_ARGS(non_kv_gib(memory)), GIB_ARGS(memory->weights_gib),
               GIB_ARGS(memory->usable_gib));
        return false;
    }
    if (memory->longest_fit >= work->max_model_len)
        return true;

    if (work->length_pinned) {
        reason(candidate,
               "needs " GIB " GiB per GPU for a %ld-token request, has " GIB " usable; "
               "the largest max_model_len that fits is %ld",
               GIB_ARGS(need), work->max_model_len, GIB_ARGS(memory->usable_gib),
               memory->longest_fit);
        return false;
    }

    floor_length = calibration->min_context_tokens;
    if (floor_length > model->max_context)
        floor_length = model->max_context;
    if (memory->longest_fit < floor_length) {
        reason(candidate,
               "KV cache holds one request of %ld tokens at most, under the %ld-token "
               "minimum (needs " GIB " GiB per GPU for %ld, has " GIB " usable)",
               memory->longest_fit, floor_length, GIB_ARGS(need), work->max_model_len,
               GIB_ARGS(memory->usable_gib));
        return false;
    }

    /* Shrink to a round length, and estimate again so the KV figures match. */
    work->max_model_len = memory->longest_fit / rounding * rounding;
    if (work->max_model_len < floor_length)
        work->max_model_len = memory->longest_fit;
    estimate(selection, work);
    return true;
}

static bool check_room(const struct selection *selection, struct candidate_work *work,
                       struct aim_candidate *candidate)
{
    long per_request = typical_tokens(selection, work->max_model_len);
    long wanted = (long)selection->concurrency * per_request;

    if (selection->request->objective != AIM_OBJECTIVE_THROUGHPUT)
        return true;
    if (work->memory.kv_tokens >= wanted)
        return true;
    reason(candidate,
           "KV cache holds %ld tokens, short of %d concurrent requests of %ld tokens (%ld)",
           work->memory.kv_tokens, selection->concurrency, per_request, wanted);
    return false;
}

static void accept(const struct selection *selection, const struct candidate_work *work,
                   struct aim_candidate *candidate)
{
    long per_request = typical_tokens(selection, work->max_model_len);
    const struct aim_memory *memory = &work->memory;

    candidate->accepted = true;
    reason(candidate,
           "fits: " GIB " GiB per GPU of " GIB " usable before KV; KV holds %ld tokens "
           "(%ld requests of %ld) at max_model_len %ld",
           GIB_ARGS(non_kv_gib(memory)), GIB_ARGS(memory->usable_gib), memory->kv_tokens,
           memory->kv_tokens / per_request, per_request, work->max_model_len);
}

/* Runs every check of one candidate; fills candidate and work. */
static void evaluate(const struct selection *selection, int tp, int stages,
                     enum aim_precision precision, enum aim_backend backend,
                     struct candidate_work *work, struct aim_candidate *candidate)
{
    const struct aim_request *request = selection->request;
    const struct aim_model *model = request->model;
    int count = tp * stages;

    memset(candidate, 0, sizeof *candidate);
    memset(work, 0, sizeof *work);
    work->tensor_parallel = tp;
    work->stages = stages;
    candidate->gpu_count = count;
    candidate->node_count = stages;
    candidate->precision = precision;
    candidate->backend = backend;
    work->engine = aim_catalog_engine(selection->catalog, backend);
    /* Authored recipes describe one node; plans across nodes are derived. */
    if (stages == 1)
        work->recipe = aim_catalog_find_recipe(selection->catalog, model->id,
                                               request->gpu->name, precision, backend);
    candidate->recipe = work->recipe;
    work->maturity = work->recipe != NULL ? work->recipe->maturity : AIM_MATURITY_DERIVED;
    candidate->maturity = work->maturity;

    if (work->engine == NULL) {
        reason(candidate, "the catalog defines no %s engine", aim_backend_name(backend));
        return;
    }
    if (!check_precision(selection, precision, work, candidate))
        return;
    if (!aim_engine_serves(work->engine, model->architecture)) {
        reason(candidate, "%s does not serve %s", work->engine->display_name,
               model->architecture);
        return;
    }
    if (!check_recipe(selection, count, work, candidate))
        return;
    candidate->maturity = work->maturity;
    if (!check_parallelism(model, tp, stages, candidate))
        return;
    read_sizing_args(selection, work);
    if (!check_memory(selection, work, candidate))
        return;
    if (!check_room(selection, work, candidate))
        return;
    accept(selection, work, candidate);
}

/*
 * The precisions of the ladder: bf16, fp16, fp8. A model published in fp8
 * or fp4 (DeepSeek-R1, gpt-oss) tries its own precision first: those are
 * its original weights, and an upcast copy gains no quality for twice the
 * memory and bandwidth.
 */
static int ladder_precisions(const struct aim_request *request, enum aim_precision *out)
{
    static const enum aim_precision standard[] = {AIM_PRECISION_BF16, AIM_PRECISION_FP16,
                                                  AIM_PRECISION_FP8};
    enum aim_precision own = request->model->checkpoint.precision;
    int count = 0;

    if (request->precision_pinned) {
        out[0] = request->precision;
        return 1;
    }
    if (own == AIM_PRECISION_FP8 || own == AIM_PRECISION_FP4)
        out[count++] = own;
    for (size_t i = 0; i < sizeof standard / sizeof standard[0]; i++) {
        if (standard[i] != own || count == 0)
            out[count++] = standard[i];
    }
    return count;
}

static int ladder_backends(const struct aim_request *request, enum aim_backend *out)
{
    if (request->backend_pinned) {
        out[0] = request->backend;
        return 1;
    }
    out[0] = AIM_BACKEND_VLLM;
    out[1] = AIM_BACKEND_SGLANG;
    return 2;
}

/* Whether candidate a should be chosen over the current choice b. */
static bool better(enum aim_objective objective, const struct aim_candidate *a,
                   const struct aim_candidate *b)
{
    if (b == NULL)
        return true;
    /* Ladder order decides everything else: the first one seen wins. */
    if (objective == AIM_OBJECTIVE_THROUGHPUT)
        return a->gpu_count < b->gpu_count;
    return false;
}

/*
 * max_num_seqs from the KV budget: as many typical requests as the cache
 * holds, capped by the engine's own default, in steps of 8.
 */
static long tuned_max_num_seqs(const struct selection *selection,
                               const struct candidate_work *work)
{
    bool large = selection->request->gpu->memory_gib >= work->engine->large_gpu_gib;
    long cap = large ? work->engine->max_num_seqs_large : work->engine->max_num_seqs_small;
    long seqs = work->memory.kv_tokens / typical_tokens(selection, work->max_model_len);

    if (seqs > cap)
        seqs = cap;
    if (seqs >= 8)
        seqs = seqs / 8 * 8;
    return seqs < 1 ? 1 : seqs;
}

static void tune_args(const struct selection *selection, const struct candidate_work *work,
                      enum aim_precision precision, struct aim_settings *out)
{
    struct aim_settings recipe_args = {0};
    long seqs;

    if (work->recipe != NULL) {
        recipe_args = work->recipe->args;
        aim_settings_merge(&recipe_args, &work->config->args);
    }

    /* The canonical arguments first, in a fixed order, then the recipe's
       other ones; a value the recipe sets wins. */
    memset(out, 0, sizeof *out);
    aim_settings_set_int(out, "tensor_parallel_size", work->tensor_parallel);
    if (work->stages > 1)
        aim_settings_set_int(out, "pipeline_parallel_size", work->stages);
    if (work->online_fp8)
        aim_settings_set(out, "quantization", AIM_VALUE_STRING, "fp8");
    else if (precision == AIM_PRECISION_BF16)
        aim_settings_set(out, "dtype", AIM_VALUE_STRING, "bfloat16");
    else if (precision == AIM_PRECISION_FP16)
        aim_settings_set(out, "dtype", AIM_VALUE_STRING, "float16");
    aim_settings_set_int(out, "max_model_len", work->max_model_len);
    aim_settings_set_float(out, "gpu_memory_utilization", work->gpu_memory_utilization);
    seqs = aim_settings_get_int(&recipe_args, "max_num_seqs",
                                tuned_max_num_seqs(selection, work));
    aim_settings_set_int(out, "max_num_seqs", seqs);
    aim_settings_set_int(out, "max_num_batched_tokens",
                         work->max_num_batched_tokens > seqs ? work->max_num_batched_tokens
                                                             : seqs);
    if (work->kv_bytes < 2.0)
        aim_settings_set(out, "kv_cache_dtype", AIM_VALUE_STRING, "fp8");

    for (int i = 0; i < recipe_args.count; i++) {
        const struct aim_setting *item = &recipe_args.items[i];

        if (strcmp(item->key, "max_model_len") != 0)
            aim_settings_set(out, item->key, item->type, item->value);
    }
}

static bool rule_applies(const struct aim_engine_env_rule *rule, const struct aim_gpu *gpu,
                         int count)
{
    bool arch_match = rule->arch_count == 0;

    if (rule->vendor != gpu->vendor || count < rule->min_gpus)
        return false;
    for (int i = 0; i < rule->arch_count && !arch_match; i++)
        arch_match = strcmp(rule->archs[i], gpu->arch) == 0;
    return arch_match;
}

static void tune_env(const struct selection *selection, const struct candidate_work *work,
                     int count, struct aim_settings *out)
{
    const struct aim_engine *engine = work->engine;

    memset(out, 0, sizeof *out);
    for (int i = 0; i < engine->env_rule_count; i++) {
        if (rule_applies(&engine->env_rules[i], selection->request->gpu, count))
            aim_settings_merge(out, &engine->env_rules[i].env);
    }
    if (work->recipe != NULL) {
        aim_settings_merge(out, &work->recipe->env);
        aim_settings_merge(out, &work->config->env);
    }
}

/* The compute precision prefill runs at: native math, else 16-bit. */
static double peak_flops(const struct aim_gpu *gpu, enum aim_precision precision)
{
    double tflops = gpu->native[precision] ? gpu->peak_tflops[precision] : 0;

    if (tflops <= 0 && precision == AIM_PRECISION_FP4)
        tflops = gpu->peak_tflops[AIM_PRECISION_FP8];
    if (tflops <= 0)
        tflops = gpu->peak_tflops[AIM_PRECISION_BF16];
    return tflops * 1e12;
}

/*
 * The roofline per pipeline stage. One sequence passes the stages in
 * series, so its step is the sum of theirs; a full batch keeps every stage
 * busy with a different part of it, so the stages add throughput.
 */
static void predict(const struct selection *selection, const struct candidate_work *work,
                    enum aim_precision precision, long max_num_seqs,
                    struct aim_performance *out)
{
    const struct aim_model *model = selection->request->model;
    const struct aim_gpu *gpu = selection->request->gpu;
    const struct aim_calibration *calibration = selection->calibration;
    double bandwidth = gpu->bandwidth_tbps * 1e12;
    double overhead = calibration->step_overhead_us * 1e-6;
    int stages = work->stages;
    double weights = work->weight_bytes * calibration->weight_overhead_factor /
                     (work->tensor_parallel * stages);
    double active_share = model->params_total > 0 ? model->params_active / model->params_total
                                                  : 1.0;
    long context = typical_tokens(selection, work->max_model_len);
    double kv_per_sequence =
        aim_kv_bytes_for_length(model, work->tensor_parallel, work->kv_bytes, context) *
        aim_pipeline_layer_share(model, stages);
    double batch_weights;
    long batch;

    /* One sequence reads the active weights and its own KV cache. */
    out->step_ms = 1e3 * stages *
                   aim_decode_step_seconds(weights * active_share + kv_per_sequence, bandwidth,
                                           calibration->decode_efficiency, overhead);
    out->decode_tokens_per_s = out->step_ms > 0 ? 1e3 / out->step_ms : 0;

    /* A full batch is as many typical requests as the cache and max_num_seqs
       allow; MoE layers then touch more experts, up to all of them. */
    batch = work->memory.kv_tokens / context;
    if (batch > max_num_seqs)
        batch = max_num_seqs;
    if (batch < 1)
        batch = 1;
    batch_weights = weights * active_share * (double)batch;
    if (batch_weights > weights)
        batch_weights = weights;
    out->batch = (int)batch;
    out->batch_step_ms = 1e3 * stages *
                         aim_decode_step_seconds(batch_weights + kv_per_sequence * (double)batch,
                                                 bandwidth, calibration->decode_efficiency,
                                                 overhead);
    out->aggregate_tokens_per_s =
        out->batch_step_ms > 0 ? (double)batch * stages * 1e3 / out->batch_step_ms : 0;

    /* A prompt also passes the stages in series: only one node's GPUs
       work on it at a time. */
    out->ttft_ms = 1e3 * aim_prefill_seconds(model->params_active,
                                             calibration->ttft_prompt_tokens,
                                             peak_flops(gpu, precision) * work->tensor_parallel,
                                             calibration->prefill_mfu);
}

static void fill_plan(const struct selection *selection, const struct candidate_work *work,
                      const struct aim_candidate *candidate, struct aim_plan *plan)
{
    const struct aim_request *request = selection->request;
    char name[AIM_MODEL_ID_MAX];
    char gpu_name[AIM_GPU_NAME_MAX];

    plan->found = true;
    plan->gpu_count = candidate->gpu_count;
    plan->node_count = candidate->node_count;
    plan->replicas = candidate->node_count > 1 ? request->node_count / candidate->node_count
                                               : request->gpus_free / candidate->gpu_count;
    plan->precision = candidate->precision;
    plan->backend = candidate->backend;
    plan->recipe = work->recipe;
    plan->maturity = work->maturity;
    snprintf(plan->checkpoint, sizeof plan->checkpoint, "%s", work->checkpoint_id);

    if (work->recipe != NULL) {
        snprintf(plan->recipe_id, sizeof plan->recipe_id, "%s", work->recipe->id);
    } else {
        short_name(request->model->id, name, sizeof name);
        lower_copy(request->gpu->name, gpu_name, sizeof gpu_name);
        snprintf(plan->recipe_id, sizeof plan->recipe_id, "%.60s.%s.%s.%s", name, gpu_name,
                 aim_precision_name(candidate->precision),
                 aim_backend_name(candidate->backend));
    }

    tune_args(selection, work, candidate->precision, &plan->engine_args);
    tune_env(selection, work, candidate->gpu_count, &plan->env);
    plan->memory = work->memory;
    predict(selection, work, candidate->precision,
            aim_settings_get_int(&plan->engine_args, "max_num_seqs", 1), &plan->performance);
}

struct ladder_walk {
    enum aim_precision precisions[AIM_PRECISION_COUNT + 1];
    int precision_count;
    enum aim_backend backends[AIM_BACKEND_COUNT];
    int backend_count;
    struct candidate_work work;
    struct candidate_work chosen_work;
    struct aim_candidate *chosen;
};

/* Every precision and engine at one GPU count, in ladder order. */
static void walk_rung(const struct selection *selection, int tp, int stages,
                      struct ladder_walk *walk, struct aim_plan *plan)
{
    for (int p = 0; p < walk->precision_count; p++) {
        for (int b = 0; b < walk->backend_count && plan->trace_count < AIM_TRACE_MAX; b++) {
            struct aim_candidate *candidate = &plan->trace[plan->trace_count++];

            evaluate(selection, tp, stages, walk->precisions[p], walk->backends[b],
                     &walk->work, candidate);
            if (candidate->accepted &&
                better(selection->request->objective, candidate, walk->chosen)) {
                walk->chosen = candidate;
                walk->chosen_work = walk->work;
            }
        }
    }
}

/* The largest ladder count one node can give a tensor-parallel group. */
static int node_tensor_parallel(int gpus_free)
{
    for (int c = 0; c < LADDER_COUNTS; c++) {
        if (ladder_counts[c] <= gpus_free)
            return ladder_counts[c];
    }
    return 1;
}

/* Walks the ladder into plan->trace and fills the plan from the choice. */
static void walk_ladder(const struct selection *selection, struct aim_plan *plan)
{
    const struct aim_request *request = selection->request;
    struct ladder_walk walk;

    walk.precision_count = ladder_precisions(request, walk.precisions);
    walk.backend_count = ladder_backends(request, walk.backends);
    walk.chosen = NULL;

    for (int c = 0; c < LADDER_COUNTS; c++) {
        if (ladder_counts[c] <= request->gpus_free)
            walk_rung(selection, ladder_counts[c], 1, &walk, plan);
    }

    /* Across nodes only when one node cannot hold it: every stage adds a
       network hop to each decode step. Fewest nodes first. */
    for (int stages = 2; walk.chosen == NULL && stages <= request->node_count; stages++)
        walk_rung(selection, node_tensor_parallel(request->gpus_free), stages, &walk, plan);

    if (walk.chosen == NULL)
        return;
    walk.chosen->chosen = true;
    fill_plan(selection, &walk.chosen_work, walk.chosen, plan);
}

static void add_hint(struct aim_plan *plan, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void add_hint(struct aim_plan *plan, const char *format, ...)
{
    va_list args;

    if (plan->hint_count == AIM_HINTS_MAX)
        return;
    va_start(args, format);
    vsnprintf(plan->hints[plan->hint_count++], AIM_REASON_MAX, format, args);
    va_end(args);
}

/* GPUs per node for hints: what is free here, or a whole node of the type. */
static int hint_node_size(const struct aim_request *request)
{
    int node = request->gpus_free > request->gpu->gpus_per_node ? request->gpus_free
                                                                : request->gpu->gpus_per_node;

    return node_tensor_parallel(node);
}

/*
 * The fewest GPUs (a power of two up to 64) on which the memory model holds
 * the model at a precision, ignoring recipes; 0 when none does.
 */
static int fewest_gpus_that_fit(const struct selection *selection, enum aim_precision precision,
                                enum aim_backend backend)
{
    int node_tp = hint_node_size(selection->request);
    struct candidate_work work;
    struct aim_candidate candidate;

    for (int count = 1; count <= 64; count *= 2) {
        memset(&work, 0, sizeof work);
        memset(&candidate, 0, sizeof candidate);

        /* Past one node, tensor parallel stays within a node. */
        work.tensor_parallel = count < node_tp ? count : node_tp;
        work.stages = count / work.tensor_parallel;
        work.engine = aim_catalog_engine(selection->catalog, backend);
        if (work.engine == NULL || !check_precision(selection, precision, &work, &candidate))
            return 0;
        if (!check_parallelism(selection->request->model, work.tensor_parallel, work.stages,
                               &candidate))
            continue;
        read_sizing_args(selection, &work);
        if (check_memory(selection, &work, &candidate))
            return count;
    }
    return 0;
}

static void hint_more_gpus(const struct selection *selection, struct aim_plan *plan)
{
    const struct aim_request *request = selection->request;
    enum aim_precision precisions[AIM_PRECISION_COUNT + 1];
    enum aim_backend backends[AIM_BACKEND_COUNT];
    int precision_count = ladder_precisions(request, precisions);
    int node_tp = hint_node_size(request);

    ladder_backends(request, backends);
    for (int p = 0; p < precision_count; p++) {
        int count = fewest_gpus_that_fit(selection, precisions[p], backends[0]);
        int nodes = (count + node_tp - 1) / node_tp;
        int offered = request->node_count > 1 ? request->node_count : 1;

        if (count == 0 || count <= request->gpus_free * offered)
            continue;
        if (count <= node_tp)
            add_hint(plan, "%d %s GPUs would hold it at %s (%d free here)", count,
                     request->gpu->name, aim_precision_name(precisions[p]), request->gpus_free);
        else
            add_hint(plan, "%d nodes of %d %s would hold it at %s (--node-count %d)", nodes,
                     node_tp, request->gpu->name, aim_precision_name(precisions[p]), nodes);
        return;
    }
}

/* Replans with one constraint relaxed and reports the outcome as a hint. */
static void hint_relaxed(const struct selection *selection, struct aim_plan *plan,
                         const struct aim_request *relaxed, const char *what)
{
    struct aim_plan scratch;
    struct selection other = *selection;

    memset(&scratch, 0, sizeof scratch);
    other.request = relaxed;
    walk_ladder(&other, &scratch);
    if (!scratch.found)
        return;
    add_hint(plan, "%s: %d GPU%s, %s, %s, max_model_len %s", what, scratch.gpu_count,
             scratch.gpu_count == 1 ? "" : "s", aim_precision_name(scratch.precision),
             aim_backend_name(scratch.backend),
             aim_settings_get(&scratch.engine_args, "max_model_len")->value);
}

/* The longest request any candidate of the trace could hold. */
static void hint_longest_length(struct aim_plan *plan)
{
    const struct aim_candidate *best = NULL;

    for (int i = 0; i < plan->trace_count; i++) {
        if (plan->trace[i].longest_fit > 0 &&
            (best == NULL || plan->trace[i].longest_fit > best->longest_fit))
            best = &plan->trace[i];
    }
    if (best == NULL)
        return;
    add_hint(plan, "--max-model-len %ld fits: the largest, on %d GPU%s at %s with %s",
             best->longest_fit, best->gpu_count, best->gpu_count == 1 ? "" : "s",
             aim_precision_name(best->precision), aim_backend_name(best->backend));
}

static void add_hints(const struct selection *selection, struct aim_plan *plan)
{
    const struct aim_request *request = selection->request;
    struct aim_request relaxed;

    hint_more_gpus(selection, plan);

    if (!request->precision_pinned || request->precision != AIM_PRECISION_FP8) {
        relaxed = *request;
        relaxed.precision_pinned = true;
        relaxed.precision = AIM_PRECISION_FP8;
        hint_relaxed(selection, plan, &relaxed, "--precision fp8 fits");
    }
    if (request->max_model_len > 0)
        hint_longest_length(plan);
    if (request->backend_pinned) {
        relaxed = *request;
        relaxed.backend_pinned = false;
        hint_relaxed(selection, plan, &relaxed, "another backend fits");
    }
    if (request->objective == AIM_OBJECTIVE_THROUGHPUT) {
        relaxed = *request;
        relaxed.objective = AIM_OBJECTIVE_LATENCY;
        hint_relaxed(selection, plan, &relaxed, "fewer concurrent requests fit");
    }
}

static enum aim_status check_request(const struct aim_request *request, struct aim_error *err)
{
    if (request->model == NULL || request->gpu == NULL)
        return aim_error_set(err, AIM_E_USAGE, "a model and a GPU type are required");
    if (request->gpus_free < 1)
        return aim_error_set(err, AIM_E_USAGE, "no free GPUs to plan for (--gpus must be >= 1)");
    if (request->max_model_len < 0)
        return aim_error_set(err, AIM_E_USAGE, "--max-model-len must be positive");
    if (request->max_model_len > request->model->max_context)
        return aim_error_set(err, AIM_E_USAGE,
                             "--max-model-len %ld exceeds the %d tokens %s supports",
                             request->max_model_len, request->model->max_context,
                             request->model->id);
    if (request->concurrency < 0)
        return aim_error_set(err, AIM_E_USAGE, "--concurrency must be positive");
    return AIM_OK;
}

enum aim_status aim_select(const aim_catalog *catalog, const struct aim_request *request,
                           struct aim_plan *plan, struct aim_error *err)
{
    struct selection selection = {
        .catalog = catalog,
        .calibration = aim_catalog_calibration(catalog),
        .request = request,
    };
    enum aim_status status = check_request(request, err);

    if (status != AIM_OK)
        return status;
    selection.concurrency = request->concurrency > 0 ? request->concurrency
                                                     : selection.calibration->default_concurrency;

    memset(plan, 0, sizeof *plan);
    plan->model = request->model;
    plan->gpu = request->gpu;
    plan->gpus_free = request->gpus_free;
    plan->objective = request->objective;
    plan->concurrency = selection.concurrency;

    walk_ladder(&selection, plan);
    if (plan->found)
        return AIM_OK;

    add_hints(&selection, plan);
    return aim_error_set(err, AIM_E_NO_FIT, "nothing fits: %s on %d free %s GPU%s",
                         request->model->id, request->gpus_free, request->gpu->name,
                         request->gpus_free == 1 ? "" : "s");
}

enum aim_status aim_check_recipe_config(const aim_catalog *catalog,
                                        const struct aim_recipe *recipe,
                                        const struct aim_recipe_config *config,
                                        struct aim_error *err)
{
    struct aim_request request;
    struct selection selection = {
        .catalog = catalog,
        .calibration = aim_catalog_calibration(catalog),
        .request = &request,
    };
    struct candidate_work work;
    struct aim_candidate candidate;

    aim_request_init(&request);
    request.model = aim_catalog_find_model(catalog, recipe->model_id);
    request.gpu = aim_catalog_find_gpu(catalog, recipe->gpu);
    if (request.model == NULL)
        return aim_error_set(err, AIM_E_NOT_FOUND, "unknown model %s", recipe->model_id);
    if (request.gpu == NULL)
        return aim_error_set(err, AIM_E_NOT_FOUND, "unknown GPU type %s", recipe->gpu);
    request.gpus_free = config->gpu_count;
    selection.concurrency = selection.calibration->default_concurrency;

    evaluate(&selection, config->gpu_count, 1, recipe->precision, recipe->backend, &work,
             &candidate);
    if (candidate.accepted)
        return AIM_OK;
    return aim_error_set(err, AIM_E_NO_FIT, "%s", candidate.reason);
}
