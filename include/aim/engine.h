/*
 * Serving engines (vLLM, SGLang): how a canonical engine argument is spelt
 * on each command line, which architectures each serves, the environment
 * each wants per GPU architecture, and its defaults. Loaded from catalog
 * documents of kind "engines".
 */
#ifndef AIM_ENGINE_H
#define AIM_ENGINE_H

#include <stdbool.h>

#include "aim/gpu.h"
#include "aim/settings.h"
#include "aim/types.h"

#define AIM_ENGINE_FLAGS_MAX 32
#define AIM_ENGINE_ARCHS_MAX 96
#define AIM_ENGINE_ENV_RULES_MAX 12

/* A canonical snake_case key and the engine's own flag for it. */
struct aim_engine_flag {
    char key[48];   /* "tensor_parallel_size" */
    char flag[48];  /* "--tp-size" */
};

/*
 * Environment applied when every condition holds: the GPU vendor (always),
 * the architecture when archs is non-empty, and a minimum GPU count.
 */
struct aim_engine_env_rule {
    enum aim_vendor vendor;
    char archs[6][16];
    int arch_count;
    int min_gpus;
    struct aim_settings env;
};

struct aim_engine {
    enum aim_backend backend;
    char display_name[32];          /* "vLLM" */
    char entrypoint[96];            /* "vllm.entrypoints.openai.api_server" */
    char model_flag[32];            /* "--model", "--model-path" */
    char image_rocm[128];
    char image_cuda[128];
    char image_rocm_gfx950[128];    /* MI350X/MI355X build, when it differs */
    struct aim_engine_flag flags[AIM_ENGINE_FLAGS_MAX];
    int flag_count;
    char architectures[AIM_ENGINE_ARCHS_MAX][64];
    int architecture_count;
    struct aim_engine_env_rule env_rules[AIM_ENGINE_ENV_RULES_MAX];
    int env_rule_count;
    /* defaults the engine picks by itself, by GPU memory class */
    double large_gpu_gib;           /* 70: at or above this, large defaults */
    int max_num_seqs_large, max_num_seqs_small;
    int max_num_batched_tokens_large, max_num_batched_tokens_small;
    char source[256];
};

/* The container image for a GPU: CUDA's, ROCm's, or ROCm's gfx950 build. */
const char *aim_engine_image(const struct aim_engine *engine, const struct aim_gpu *gpu);

/* True when the engine lists the architecture (exact match). */
bool aim_engine_serves(const struct aim_engine *engine, const char *architecture);

/*
 * The engine's flag for a canonical key: the mapped flag when the engine
 * names it differently, else "--" plus the key with '_' turned into '-'.
 * Writes into buffer (size bytes) and returns it.
 */
const char *aim_engine_flag_for(const struct aim_engine *engine, const char *key,
                                char *buffer, int size);

#endif
