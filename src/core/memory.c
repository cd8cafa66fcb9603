#include "aim/memory.h"

#include <math.h>
#include <stddef.h>

/* Returned for "any length fits" (every layer local), far above any model. */
#define UNBOUNDED_TOKENS (1L << 40)

static int ceil_div(int a, int b)
{
    return (a + b - 1) / b;
}

/* KV bytes one token costs in one layer on one GPU. */
static double kv_bytes_per_layer(const struct aim_model *model, int tp, double kv_bytes)
{
    if (aim_model_uses_mla(model)) {
        /* The compressed latent and the rope key are shared by all heads and
           every GPU keeps the whole of them, so TP does not divide this. */
        return (double)(model->kv_lora_rank + model->qk_rope_head_dim) * kv_bytes;
    }

    /* KV heads are split across GPUs, and replicated once TP exceeds them. */
    return 2.0 * ceil_div(model->num_kv_heads, tp) * model->head_dim * kv_bytes;
}

static int full_layers(const struct aim_model *model)
{
    if (model->sliding_window <= 0)
        return model->num_layers;
    return model->num_layers - model->sliding_layers;
}

static int local_layers(const struct aim_model *model)
{
    return model->sliding_window > 0 ? model->sliding_layers : 0;
}

double aim_kv_bytes_per_token(const struct aim_model *model, int tp, double kv_bytes)
{
    return kv_bytes_per_layer(model, tp, kv_bytes) * full_layers(model);
}

double aim_kv_bytes_for_length(const struct aim_model *model, int tp, double kv_bytes,
                               long tokens)
{
    double per_layer = kv_bytes_per_layer(model, tp, kv_bytes);
    long local_tokens = tokens;

    if (local_layers(model) > 0 && local_tokens > model->sliding_window)
        local_tokens = model->sliding_window;
    return per_layer * ((double)full_layers(model) * (double)tokens +
                        (double)local_layers(model) * (double)local_tokens);
}

long aim_kv_longest_fit(const struct aim_model *model, int tp, double kv_bytes,
                        double budget_bytes)
{
    double per_layer = kv_bytes_per_layer(model, tp, kv_bytes);
    double budget_tokens;
    int window = model->sliding_window;
    int local = local_layers(model);
    int full = full_layers(model);

    if (budget_bytes <= 0 || per_layer <= 0 || model->num_layers <= 0)
        return 0;
    budget_tokens = budget_bytes / per_layer; /* token-layers the budget holds */

    /* While the request is shorter than the window, every layer grows. */
    if (local == 0 || budget_tokens < (double)model->num_layers * window)
        return (long)floor(budget_tokens / model->num_layers);

    /* Past the window only the full-attention layers grow. */
    if (full == 0)
        return UNBOUNDED_TOKENS;
    return (long)floor((budget_tokens - (double)local * window) / full);
}

double aim_pipeline_layer_share(const struct aim_model *model, int stages)
{
    if (stages <= 1 || model->num_layers <= 0)
        return 1.0;
    return (double)ceil_div(model->num_layers, stages) / model->num_layers;
}

double aim_weight_bytes(const struct aim_model *model, enum aim_precision precision)
{
    const struct aim_checkpoint *checkpoint = aim_model_checkpoint_for(model, precision);
    enum aim_precision own = model->checkpoint.precision;
    double embedding = model->embedding_params;

    if (checkpoint != NULL) {
        if (checkpoint->bytes > 0)
            return checkpoint->bytes;
        return model->params_total * aim_precision_weight_bytes(precision);
    }

    /* Online FP8 quantizes the linear layers of a 16-bit checkpoint; the
       embeddings and the output head stay in 16 bits. */
    if (precision == AIM_PRECISION_FP8 &&
        (own == AIM_PRECISION_BF16 || own == AIM_PRECISION_FP16))
        return (model->params_total - embedding) * 1.0 + embedding * 2.0;
    return 0;
}

void aim_memory_estimate(const struct aim_memory_input *input, struct aim_memory *out)
{
    const struct aim_calibration *calibration = input->calibration;
    int stages = input->pipeline_parallel > 1 ? input->pipeline_parallel : 1;
    double share = aim_pipeline_layer_share(input->model, stages);
    double budget_bytes;
    double per_request;

    out->total_gib = input->gpu->memory_gib;
    out->usable_gib = out->total_gib * input->gpu_memory_utilization;
    out->headroom_gib = out->total_gib - out->usable_gib;
    out->weights_gib = input->weight_bytes * calibration->weight_overhead_factor /
                       input->tensor_parallel / stages / AIM_GIB;

    /* vLLM profiles one forward pass of max_num_batched_tokens; the peak
       grows with it. */
    out->activations_gib =
        calibration->activation_gib * input->max_num_batched_tokens / 8192.0;
    out->overhead_gib = input->tensor_parallel * stages > 1
                            ? calibration->runtime_overhead_gib_tp
                            : calibration->runtime_overhead_gib_tp1;
    out->kv_cache_gib = out->usable_gib - out->weights_gib - out->activations_gib -
                        out->overhead_gib;

    /* A pipeline stage keeps the KV cache of its own layers only, so the
       same budget holds proportionally longer requests. */
    out->kv_bytes_per_token =
        aim_kv_bytes_per_token(input->model, input->tensor_parallel, input->kv_bytes) * share;
    budget_bytes = out->kv_cache_gib * AIM_GIB;
    out->longest_fit = aim_kv_longest_fit(input->model, input->tensor_parallel,
                                          input->kv_bytes, budget_bytes / share);

    out->kv_tokens = 0;
    if (budget_bytes <= 0 || input->max_model_len <= 0)
        return;
    per_request = aim_kv_bytes_for_length(input->model, input->tensor_parallel,
                                          input->kv_bytes, input->max_model_len) * share;
    if (per_request > 0)
        out->kv_tokens = (long)floor(budget_bytes / per_request * input->max_model_len);
}
