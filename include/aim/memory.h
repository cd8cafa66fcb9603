/*
 * The per-GPU memory model (vLLM's accounting, see
 * shared/reference/engines.md): pure functions of the model, the GPU and
 * the config, with no catalog lookups, so they can be tested against
 * worked numbers.
 */
#ifndef AIM_MEMORY_H
#define AIM_MEMORY_H

#include "aim/calibration.h"
#include "aim/gpu.h"
#include "aim/model.h"

#define AIM_GIB (1024.0 * 1024.0 * 1024.0)

/*
 * KV-cache bytes per token per GPU for the model's full-attention layers:
 * 2 * layers * ceil(kv_heads / tp) * head_dim * kv_bytes, or for MLA
 * layers * (kv_lora_rank + qk_rope_head_dim) * kv_bytes (not sharded).
 * Local (sliding-window) layers are not counted; see aim_kv_bytes_for_length.
 */
double aim_kv_bytes_per_token(const struct aim_model *model, int tp, double kv_bytes);

/* KV bytes per GPU one request of `tokens` holds, local layers capped at
   their window. */
double aim_kv_bytes_for_length(const struct aim_model *model, int tp, double kv_bytes,
                               long tokens);

/* The longest request whose KV fits in budget_bytes per GPU (0 if none). */
long aim_kv_longest_fit(const struct aim_model *model, int tp, double kv_bytes,
                        double budget_bytes);

/* The share of the model's layers, and so of its KV cache, one pipeline
   stage holds: ceil(layers / stages) / layers. */
double aim_pipeline_layer_share(const struct aim_model *model, int stages);

/* Weight bytes in all (not per GPU) when serving at a precision, from the
   checkpoint's real size when there is one, else online quantization of the
   model's own checkpoint. Returns 0 when the precision cannot be served. */
double aim_weight_bytes(const struct aim_model *model, enum aim_precision precision);

/* The per-GPU breakdown of one config. All figures in GiB except tokens. */
struct aim_memory {
    double total_gib;        /* what the GPU reports */
    double usable_gib;       /* total * gpu_memory_utilization */
    double weights_gib;
    double activations_gib;
    double overhead_gib;     /* non-torch: runtime, RCCL/NCCL, graphs */
    double kv_cache_gib;     /* usable minus the rest; negative: does not fit */
    double headroom_gib;     /* total minus usable */
    double kv_bytes_per_token;  /* full-attention layers, per GPU */
    long kv_tokens;          /* tokens of max_model_len-long requests the
                                cache holds */
    long longest_fit;        /* longest single request that fits */
};

struct aim_memory_input {
    const struct aim_model *model;
    const struct aim_gpu *gpu;
    const struct aim_calibration *calibration;
    int tensor_parallel;
    int pipeline_parallel;         /* stages; each holds its share of layers */
    double weight_bytes;           /* from aim_weight_bytes */
    double kv_bytes;               /* bytes per KV element: 2, or 1 for fp8 */
    double gpu_memory_utilization;
    int max_num_batched_tokens;
    long max_model_len;
};

void aim_memory_estimate(const struct aim_memory_input *input, struct aim_memory *out);

#endif
