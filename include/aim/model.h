/*
 * Models: architecture numbers, parameter counts and checkpoints. Loaded
 * from catalog documents of kind "models", or read from a model's own files
 * (see hf.h).
 */
#ifndef AIM_MODEL_H
#define AIM_MODEL_H

#include <stdbool.h>

#include "aim/types.h"

#define AIM_MODEL_ID_MAX 128
#define AIM_MODEL_VARIANTS_MAX 4

/* One published set of weights. */
struct aim_checkpoint {
    char id[AIM_MODEL_ID_MAX];     /* Hugging Face id or local path */
    enum aim_precision precision;  /* precision of the bulk of the weights */
    char quantization[16];         /* "", "fp8", "mxfp4": quant_method */
    double bytes;                  /* size of the weight files */
    bool kv_cache_fp8;             /* ships KV-cache scales; serve KV in fp8 */
};

struct aim_model {
    char id[AIM_MODEL_ID_MAX];
    char architecture[64];         /* architectures[0] of config.json */
    char model_type[32];

    int hidden_size;
    int intermediate_size;
    int moe_intermediate_size;
    int num_layers;
    int num_attention_heads;
    int num_kv_heads;
    int head_dim;
    int vocab_size;
    int max_context;               /* max_position_embeddings */
    bool tie_word_embeddings;

    int num_experts;               /* 0 for dense models */
    int experts_per_token;
    int shared_experts;
    int dense_layers;              /* leading layers without experts */

    int kv_lora_rank;              /* MLA when > 0 (DeepSeek-V3/R1) */
    int qk_rope_head_dim;

    int sliding_window;            /* window or chunk of local layers */
    int sliding_layers;            /* how many layers are local */

    double params_total;
    double params_active;          /* per token; equals total when dense */
    double embedding_params;       /* input embedding plus untied lm_head */

    struct aim_checkpoint checkpoint;  /* the one under the model's id */
    struct aim_checkpoint variants[AIM_MODEL_VARIANTS_MAX];
    int variant_count;

    char source[256];              /* catalog file or local directory */
};

static inline bool aim_model_is_moe(const struct aim_model *model)
{
    return model->num_experts > 0;
}

static inline bool aim_model_uses_mla(const struct aim_model *model)
{
    return model->kv_lora_rank > 0;
}

/*
 * The checkpoint that serves the model at a precision: the model's own when
 * it is in that precision, else a published variant, else NULL (the engine
 * must then quantize online, or cannot serve that precision).
 */
const struct aim_checkpoint *aim_model_checkpoint_for(const struct aim_model *model,
                                                      enum aim_precision precision);

#endif
