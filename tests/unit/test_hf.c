/*
 * config.json, index and safetensors header parsing against published
 * configs, the parameter counts of models.tsv, and every error path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aim/hf.h"

#define SOURCE "m/config.json"

/* ---------------------------------------------------------- fixtures */

static const char llama_3_1_8b[] =
    "{\"architectures\": [\"LlamaForCausalLM\"], \"attention_bias\": false,"
    " \"attention_dropout\": 0.0, \"bos_token_id\": 128000,"
    " \"eos_token_id\": [128001, 128008, 128009], \"hidden_act\": \"silu\","
    " \"hidden_size\": 4096, \"initializer_range\": 0.02, \"intermediate_size\": 14336,"
    " \"max_position_embeddings\": 131072, \"mlp_bias\": false, \"model_type\": \"llama\","
    " \"num_attention_heads\": 32, \"num_hidden_layers\": 32, \"num_key_value_heads\": 8,"
    " \"pretraining_tp\": 1, \"rms_norm_eps\": 1e-05,"
    " \"rope_scaling\": {\"factor\": 8.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
    " \"original_max_position_embeddings\": 8192, \"rope_type\": \"llama3\"},"
    " \"rope_theta\": 500000.0, \"tie_word_embeddings\": false, \"torch_dtype\": \"bfloat16\","
    " \"transformers_version\": \"4.43.0.dev0\", \"use_cache\": true, \"vocab_size\": 128256}";

static const char qwen3_32b[] =
    "{\"architectures\": [\"Qwen3ForCausalLM\"], \"attention_bias\": false,"
    " \"head_dim\": 128, \"hidden_act\": \"silu\", \"hidden_size\": 5120,"
    " \"intermediate_size\": 25600, \"max_position_embeddings\": 40960,"
    " \"max_window_layers\": 64, \"model_type\": \"qwen3\", \"num_attention_heads\": 64,"
    " \"num_hidden_layers\": 64, \"num_key_value_heads\": 8, \"rms_norm_eps\": 1e-06,"
    " \"rope_scaling\": null, \"rope_theta\": 1000000, \"sliding_window\": null,"
    " \"tie_word_embeddings\": false, \"torch_dtype\": \"bfloat16\","
    " \"use_sliding_window\": false, \"vocab_size\": 151936}";

static const char qwen3_30b_a3b[] =
    "{\"architectures\": [\"Qwen3MoeForCausalLM\"], \"attention_bias\": false,"
    " \"decoder_sparse_step\": 1, \"head_dim\": 128, \"hidden_act\": \"silu\","
    " \"hidden_size\": 2048, \"intermediate_size\": 6144, \"max_position_embeddings\": 40960,"
    " \"max_window_layers\": 48, \"mlp_only_layers\": [], \"model_type\": \"qwen3_moe\","
    " \"moe_intermediate_size\": 768, \"norm_topk_prob\": true, \"num_attention_heads\": 32,"
    " \"num_experts\": 128, \"num_experts_per_tok\": 8, \"num_hidden_layers\": 48,"
    " \"num_key_value_heads\": 4, \"rms_norm_eps\": 1e-06, \"rope_scaling\": null,"
    " \"rope_theta\": 1000000.0, \"sliding_window\": null, \"tie_word_embeddings\": false,"
    " \"torch_dtype\": \"bfloat16\", \"use_sliding_window\": false, \"vocab_size\": 151936}";

static const char deepseek_r1[] =
    "{\"architectures\": [\"DeepseekV3ForCausalLM\"], \"attention_bias\": false,"
    " \"auto_map\": {\"AutoConfig\": \"configuration_deepseek.DeepseekV3Config\"},"
    " \"aux_loss_alpha\": 0.001, \"bos_token_id\": 0, \"eos_token_id\": 1, \"ep_size\": 1,"
    " \"first_k_dense_replace\": 3, \"hidden_act\": \"silu\", \"hidden_size\": 7168,"
    " \"intermediate_size\": 18432, \"kv_lora_rank\": 512,"
    " \"max_position_embeddings\": 163840, \"model_type\": \"deepseek_v3\","
    " \"moe_intermediate_size\": 2048, \"moe_layer_freq\": 1, \"n_group\": 8,"
    " \"n_routed_experts\": 256, \"n_shared_experts\": 1, \"norm_topk_prob\": true,"
    " \"num_attention_heads\": 128, \"num_experts_per_tok\": 8, \"num_hidden_layers\": 61,"
    " \"num_key_value_heads\": 128, \"num_nextn_predict_layers\": 1, \"q_lora_rank\": 1536,"
    " \"qk_nope_head_dim\": 128, \"qk_rope_head_dim\": 64,"
    " \"quantization_config\": {\"activation_scheme\": \"dynamic\", \"fmt\": \"e4m3\","
    " \"quant_method\": \"fp8\", \"weight_block_size\": [128, 128]},"
    " \"rms_norm_eps\": 1e-06, \"rope_scaling\": {\"beta_fast\": 32, \"beta_slow\": 1,"
    " \"factor\": 40, \"mscale\": 1.0, \"mscale_all_dim\": 1.0,"
    " \"original_max_position_embeddings\": 4096, \"type\": \"yarn\"},"
    " \"rope_theta\": 10000, \"routed_scaling_factor\": 2.5, \"scoring_func\": \"sigmoid\","
    " \"tie_word_embeddings\": false, \"topk_group\": 4, \"topk_method\": \"noaux_tc\","
    " \"torch_dtype\": \"bfloat16\", \"transformers_version\": \"4.46.3\","
    " \"use_cache\": true, \"v_head_dim\": 128, \"vocab_size\": 129280}";

static const char mixtral_8x7b[] =
    "{\"architectures\": [\"MixtralForCausalLM\"], \"hidden_size\": 4096,"
    " \"intermediate_size\": 14336, \"max_position_embeddings\": 32768,"
    " \"model_type\": \"mixtral\", \"num_attention_heads\": 32, \"num_experts_per_tok\": 2,"
    " \"num_hidden_layers\": 32, \"num_key_value_heads\": 8, \"num_local_experts\": 8,"
    " \"rope_theta\": 1000000.0, \"router_aux_loss_coef\": 0.02, \"sliding_window\": null,"
    " \"tie_word_embeddings\": false, \"torch_dtype\": \"bfloat16\", \"vocab_size\": 32000}";

#define SA "\"sliding_attention\", "
#define FA "\"full_attention\""
static const char gpt_oss_20b[] =
    "{\"architectures\": [\"GptOssForCausalLM\"], \"attention_bias\": true,"
    " \"attention_dropout\": 0.0, \"eos_token_id\": 200002, \"experts_per_token\": 4,"
    " \"head_dim\": 64, \"hidden_act\": \"silu\", \"hidden_size\": 2880,"
    " \"initial_context_length\": 4096, \"intermediate_size\": 2880,"
    " \"layer_types\": [" SA FA ", " SA FA ", " SA FA ", " SA FA ", " SA FA ", " SA FA ", "
    SA FA ", " SA FA ", " SA FA ", " SA FA ", " SA FA ", " SA FA "],"
    " \"max_position_embeddings\": 131072, \"model_type\": \"gpt_oss\","
    " \"num_attention_heads\": 64, \"num_experts_per_tok\": 4, \"num_hidden_layers\": 24,"
    " \"num_key_value_heads\": 8, \"num_local_experts\": 32, \"pad_token_id\": 199999,"
    " \"quantization_config\": {\"modules_to_not_convert\": [\"model.layers.*.self_attn\","
    " \"model.layers.*.mlp.router\", \"model.embed_tokens\", \"lm_head\"],"
    " \"quant_method\": \"mxfp4\"}, \"rms_norm_eps\": 1e-05,"
    " \"rope_scaling\": {\"beta_fast\": 32.0, \"beta_slow\": 1.0, \"factor\": 32.0,"
    " \"original_max_position_embeddings\": 4096, \"rope_type\": \"yarn\","
    " \"truncate\": false}, \"rope_theta\": 150000, \"router_aux_loss_coef\": 0.9,"
    " \"sliding_window\": 128, \"swiglu_limit\": 7.0, \"tie_word_embeddings\": false,"
    " \"use_cache\": true, \"vocab_size\": 201088}";

/* The published text_config leaves vocab, context and the pattern to defaults. */
#define GEMMA3_TEXT                                                                         \
    "\"text_config\": {\"head_dim\": 128, \"hidden_size\": 5376,"                           \
    " \"intermediate_size\": 21504, \"model_type\": \"gemma3_text\","                       \
    " \"num_attention_heads\": 32, \"num_hidden_layers\": 62, \"num_key_value_heads\": 16," \
    " \"query_pre_attn_scalar\": 168, \"rope_scaling\": {\"factor\": 8.0,"                  \
    " \"rope_type\": \"linear\"}, \"sliding_window\": 1024%s}"
#define GEMMA3                                                                              \
    "{\"architectures\": [\"Gemma3ForConditionalGeneration\"], \"boi_token_index\": 255999," \
    " \"eoi_token_index\": 256000, \"eos_token_id\": [1, 106],"                             \
    " \"image_token_index\": 262144, \"mm_tokens_per_image\": 256,"                         \
    " \"model_type\": \"gemma3\", " GEMMA3_TEXT ", \"torch_dtype\": \"bfloat16\","          \
    " \"vision_config\": {\"hidden_size\": 1152, \"image_size\": 896,"                      \
    " \"model_type\": \"siglip_vision_model\", \"num_hidden_layers\": 27,"                  \
    " \"patch_size\": 14}}"

static const char llama4_scout[] =
    "{\"architectures\": [\"Llama4ForConditionalGeneration\"], \"boi_token_index\": 200080,"
    " \"image_token_index\": 200092, \"model_type\": \"llama4\","
    " \"text_config\": {\"attention_bias\": false, \"attention_chunk_size\": 8192,"
    " \"head_dim\": 128, \"hidden_act\": \"silu\", \"hidden_size\": 5120,"
    " \"interleave_moe_layer_step\": 1, \"intermediate_size\": 8192,"
    " \"intermediate_size_mlp\": 16384, \"max_position_embeddings\": 10485760,"
    " \"model_type\": \"llama4_text\", \"no_rope_layers\": [], \"num_attention_heads\": 40,"
    " \"num_experts_per_tok\": 1, \"num_hidden_layers\": 48, \"num_key_value_heads\": 8,"
    " \"num_local_experts\": 16, \"rms_norm_eps\": 1e-05, \"rope_theta\": 500000.0,"
    " \"torch_dtype\": \"bfloat16\", \"use_qk_norm\": true, \"vocab_size\": 202048},"
    " \"tie_word_embeddings\": false, \"torch_dtype\": \"bfloat16\","
    " \"vision_config\": {\"hidden_size\": 1408, \"num_hidden_layers\": 34}}";

static const char falcon_180b[] =
    "{\"architectures\": [\"FalconForCausalLM\"], \"bias\": false, \"hidden_size\": 14848,"
    " \"model_type\": \"falcon\", \"new_decoder_architecture\": true,"
    " \"num_attention_heads\": 232, \"num_hidden_layers\": 80, \"num_kv_heads\": 8,"
    " \"parallel_attn\": true, \"torch_dtype\": \"bfloat16\", \"vocab_size\": 65024}";

/* ------------------------------------------------------------ helpers */

static enum aim_status parse(const char *json, struct aim_model *model,
                             struct aim_error *err)
{
    memset(err, 0, sizeof *err);
    return aim_hf_parse_config(json, strlen(json), "org/model", SOURCE, model, err);
}

static void parse_ok(const char *json, struct aim_model *model)
{
    struct aim_error err;
    enum aim_status rc = parse(json, model, &err);

    if (rc != AIM_OK)
        fail_msg("unexpected error: %s", err.message);
}

/* Parses a config that must fail, and checks the whole message. */
static void expect_error(const char *json, const char *message)
{
    struct aim_model model;
    struct aim_error err;

    assert_int_equal(parse(json, &model, &err), AIM_E_INPUT);
    assert_int_equal(err.status, AIM_E_INPUT);
    assert_string_equal(err.message, message);
}

/* Asserts a count within 0.5% of its reference, printing both. */
static void assert_near(double got, double want)
{
    if (fabs(got - want) > want * 0.005)
        fail_msg("got %.0f, want %.0f (%.3f%% off)", got, want, 100.0 * (got - want) / want);
}

static void assert_exact(double got, double want)
{
    if (got != want)
        fail_msg("got %.0f, want %.0f", got, want);
}

/* ---------------------------------------------------- published configs */

static void llama_3_1_8b_counts_match_models_tsv(void **state)
{
    struct aim_model model;

    (void)state;
    parse_ok(llama_3_1_8b, &model);
    assert_string_equal(model.id, "org/model");
    assert_string_equal(model.checkpoint.id, "org/model");
    assert_string_equal(model.architecture, "LlamaForCausalLM");
    assert_string_equal(model.model_type, "llama");
    assert_int_equal(model.hidden_size, 4096);
    assert_int_equal(model.num_layers, 32);
    assert_int_equal(model.num_kv_heads, 8);
    assert_int_equal(model.head_dim, 128); /* derived 4096 / 32 */
    assert_int_equal(model.max_context, 131072);
    assert_false(model.tie_word_embeddings);
    assert_int_equal(model.num_experts, 0);
    assert_int_equal(model.dense_layers, 32);
    assert_int_equal(model.sliding_layers, 0);
    assert_near(model.params_total, 8030261248.0);
    assert_exact(model.params_total, 8030261248.0);
    assert_exact(model.params_active, model.params_total);
    assert_exact(model.embedding_params, 1050673152.0);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_BF16);
    assert_string_equal(model.checkpoint.quantization, "");
    assert_exact(model.checkpoint.bytes, 16060522496.0); /* index total_size */
}

static void qwen3_32b_counts_qk_norms(void **state)
{
    struct aim_model model;

    (void)state;
    parse_ok(qwen3_32b, &model);
    assert_int_equal(model.head_dim, 128); /* given; 64 x 128 != 5120 */
    assert_near(model.params_total, 32762123264.0);
    assert_exact(model.params_total, 32762123264.0);
    /* use_sliding_window false: no local layers despite max_window_layers. */
    assert_int_equal(model.sliding_window, 0);
    assert_int_equal(model.sliding_layers, 0);
}

static void qwen3_30b_a3b_total_and_active(void **state)
{
    struct aim_model model;

    (void)state;
    parse_ok(qwen3_30b_a3b, &model);
    assert_int_equal(model.num_experts, 128);
    assert_int_equal(model.experts_per_token, 8);
    assert_int_equal(model.moe_intermediate_size, 768);
    assert_int_equal(model.shared_experts, 0);
    assert_int_equal(model.dense_layers, 0);
    assert_near(model.params_total, 30532122624.0);
    assert_near(model.params_active, 3353032704.0);
    assert_exact(model.params_total, 30532122624.0);
    assert_exact(model.params_active, 3353032704.0);
}

static void deepseek_r1_mla_and_fp8(void **state)
{
    struct aim_model model;

    (void)state;
    parse_ok(deepseek_r1, &model);
    assert_int_equal(model.kv_lora_rank, 512);
    assert_int_equal(model.qk_rope_head_dim, 64);
    assert_int_equal(model.head_dim, 192); /* 128 nope + 64 rope */
    assert_int_equal(model.num_experts, 256);
    assert_int_equal(model.shared_experts, 1);
    assert_int_equal(model.dense_layers, 3);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_FP8);
    assert_string_equal(model.checkpoint.quantization, "fp8");
    assert_false(model.checkpoint.kv_cache_fp8);
    /* The main model; the MTP layer's 13.5B are not part of it. */
    assert_near(model.params_total, 671026419200.0);
    assert_exact(model.params_total, 671026419200.0);
    assert_near(model.params_active, 37552297472.0);
    /* FP8 weights with 16-bit embeddings: close to the 688.6 GB of files. */
    assert_true(model.checkpoint.bytes > 0.97 * 688586727753.0);
    assert_true(model.checkpoint.bytes < 688586727753.0);
}

static void mixtral_experts_use_intermediate_size(void **state)
{
    struct aim_model model;

    (void)state;
    parse_ok(mixtral_8x7b, &model);
    assert_int_equal(model.num_experts, 8);
    assert_int_equal(model.moe_intermediate_size, 14336);
    assert_exact(model.params_total, 46702792704.0);
    assert_near(model.params_active, 12879925248.0);
}

static void gpt_oss_20b_mxfp4_and_layer_types(void **state)
{
    struct aim_model model;

    (void)state;
    parse_ok(gpt_oss_20b, &model);
    assert_int_equal(model.num_experts, 32);
    assert_int_equal(model.experts_per_token, 4);
    assert_int_equal(model.head_dim, 64);
    assert_int_equal(model.sliding_window, 128);
    assert_int_equal(model.sliding_layers, 12);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_FP4);
    assert_string_equal(model.checkpoint.quantization, "mxfp4");
    assert_exact(model.params_total, 20914757184.0);
    assert_exact(model.params_active, 4187440704.0);
    /* Experts at 4.25 bits, the rest in BF16: the models.tsv estimate. */
    assert_exact(model.checkpoint.bytes, 13761264768.0);
}

static void gemma3_reads_text_config_with_defaults(void **state)
{
    char json[4096];
    struct aim_model model;

    (void)state;
    snprintf(json, sizeof json, GEMMA3, "");
    parse_ok(json, &model);
    assert_string_equal(model.architecture, "Gemma3ForConditionalGeneration");
    assert_string_equal(model.model_type, "gemma3");
    assert_int_equal(model.hidden_size, 5376);
    assert_int_equal(model.num_layers, 62);
    assert_int_equal(model.num_kv_heads, 16);
    /* Gemma3TextConfig defaults. */
    assert_int_equal(model.vocab_size, 262208);
    assert_int_equal(model.max_context, 131072);
    assert_true(model.tie_word_embeddings);
    /* Every sixth layer global: 10 of 62. */
    assert_int_equal(model.sliding_window, 1024);
    assert_int_equal(model.sliding_layers, 52);
    assert_exact(model.params_total, 27009346304.0);
    assert_exact(model.embedding_params, 262208.0 * 5376.0);
}

static void gemma3_sliding_pattern_field(void **state)
{
    char json[4096];
    struct aim_model model;

    (void)state;
    snprintf(json, sizeof json, GEMMA3, ", \"sliding_window_pattern\": 2");
    parse_ok(json, &model);
    assert_int_equal(model.sliding_layers, 31);
}

static void llama4_scout_chunked_text_config(void **state)
{
    struct aim_model model;

    (void)state;
    parse_ok(llama4_scout, &model);
    assert_string_equal(model.model_type, "llama4");
    assert_int_equal(model.num_experts, 16);
    assert_int_equal(model.experts_per_token, 1);
    assert_int_equal(model.shared_experts, 1);
    assert_int_equal(model.moe_intermediate_size, 8192);
    assert_int_equal(model.dense_layers, 0);
    assert_int_equal(model.max_context, 10485760);
    /* Chunks of 8192 on three layers of four; every fourth is global. */
    assert_int_equal(model.sliding_window, 8192);
    assert_int_equal(model.sliding_layers, 36);
    assert_exact(model.params_total, 107769861120.0);
    assert_exact(model.params_active, 17172894720.0);
}

static void llama4_maverick_interleaves_moe_layers(void **state)
{
    static const char maverick[] =
        "{\"architectures\": [\"Llama4ForConditionalGeneration\"], \"model_type\": \"llama4\","
        " \"text_config\": {\"attention_chunk_size\": 8192, \"head_dim\": 128,"
        " \"hidden_size\": 5120, \"interleave_moe_layer_step\": 2, \"intermediate_size\": 8192,"
        " \"intermediate_size_mlp\": 16384, \"max_position_embeddings\": 1048576,"
        " \"model_type\": \"llama4_text\", \"num_attention_heads\": 40,"
        " \"num_experts_per_tok\": 1, \"num_hidden_layers\": 48, \"num_key_value_heads\": 8,"
        " \"num_local_experts\": 128, \"vocab_size\": 202048}, \"tie_word_embeddings\": false}";
    struct aim_model model;

    (void)state;
    parse_ok(maverick, &model);
    assert_int_equal(model.dense_layers, 24);
    assert_int_equal(model.intermediate_size, 16384);
    assert_exact(model.params_total, 400711848960.0);
    assert_near(model.params_active, 17184691200.0);
}

static void falcon_names_and_ungated_mlp(void **state)
{
    struct aim_model model;

    (void)state;
    parse_ok(falcon_180b, &model);
    assert_int_equal(model.num_kv_heads, 8);
    assert_int_equal(model.head_dim, 64);
    assert_int_equal(model.intermediate_size, 4 * 14848);
    assert_int_equal(model.max_context, 2048); /* FalconConfig default */
    assert_true(model.tie_word_embeddings);
    assert_exact(model.params_total, 178557088768.0);
}

static void falcon_old_names_are_multi_query(void **state)
{
    static const char falcon_7b[] =
        "{\"architectures\": [\"FalconForCausalLM\"], \"hidden_size\": 4544,"
        " \"model_type\": \"falcon\", \"multi_query\": true, \"n_head\": 71, \"n_layer\": 32,"
        " \"new_decoder_architecture\": false, \"vocab_size\": 65024}";
    struct aim_model model;

    (void)state;
    parse_ok(falcon_7b, &model);
    assert_int_equal(model.num_attention_heads, 71);
    assert_int_equal(model.num_layers, 32);
    assert_int_equal(model.num_kv_heads, 1);
    assert_near(model.params_total, 6.92e9);
}

static void mistral_window_covers_every_layer(void **state)
{
    static const char mistral[] =
        "{\"architectures\": [\"MistralForCausalLM\"], \"hidden_size\": 4096,"
        " \"intermediate_size\": 14336, \"max_position_embeddings\": 32768,"
        " \"model_type\": \"mistral\", \"num_attention_heads\": 32, \"num_hidden_layers\": 32,"
        " \"num_key_value_heads\": 8, \"sliding_window\": 4096, \"vocab_size\": 32000}";
    struct aim_model model;

    (void)state;
    parse_ok(mistral, &model);
    assert_int_equal(model.sliding_window, 4096);
    assert_int_equal(model.sliding_layers, 32);
    /* No dtype given: BF16. */
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_BF16);
}

static void cohere2_pattern_of_four(void **state)
{
    static const char command_a[] =
        "{\"architectures\": [\"Cohere2ForCausalLM\"], \"hidden_size\": 12288,"
        " \"intermediate_size\": 36864, \"model_type\": \"cohere2\","
        " \"num_attention_heads\": 96, \"num_hidden_layers\": 64, \"num_key_value_heads\": 8,"
        " \"sliding_window\": 4096, \"sliding_window_pattern\": 4, \"vocab_size\": 256000}";
    struct aim_model model;

    (void)state;
    parse_ok(command_a, &model);
    assert_int_equal(model.sliding_layers, 48);
    assert_true(model.tie_word_embeddings);
    assert_exact(model.params_total, 111057580032.0);
}

static void qwen2_window_from_max_window_layers(void **state)
{
    static const char qwen2[] =
        "{\"architectures\": [\"Qwen2ForCausalLM\"], \"hidden_size\": 8192,"
        " \"intermediate_size\": 29568, \"max_position_embeddings\": 32768,"
        " \"max_window_layers\": 70, \"model_type\": \"qwen2\", \"num_attention_heads\": 64,"
        " \"num_hidden_layers\": 80, \"num_key_value_heads\": 8, \"sliding_window\": 131072,"
        " \"use_sliding_window\": true, \"vocab_size\": 152064}";
    struct aim_model model;

    (void)state;
    parse_ok(qwen2, &model);
    assert_int_equal(model.sliding_layers, 10);
    /* QKV biases included. */
    assert_exact(model.params_total, 72706203648.0);
}

static void float32_checkpoint_is_four_bytes(void **state)
{
    static const char json[] =
        "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64,"
        " \"intermediate_size\": 128, \"max_position_embeddings\": 512,"
        " \"num_attention_heads\": 4, \"num_hidden_layers\": 2, \"vocab_size\": 100,"
        " \"torch_dtype\": \"float32\"}";
    struct aim_model model;

    (void)state;
    parse_ok(json, &model);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_BF16);
    assert_exact(model.checkpoint.bytes, model.params_total * 4.0);
    assert_int_equal(model.num_kv_heads, 4); /* defaults to the query heads */
    assert_string_equal(model.model_type, "");
}

static void newer_dtype_spelling(void **state)
{
    static const char json[] =
        "{\"architectures\": [\"X\"], \"hidden_size\": 64, \"intermediate_size\": 128,"
        " \"max_position_embeddings\": 512, \"num_attention_heads\": 4,"
        " \"num_hidden_layers\": 2, \"vocab_size\": 100, \"dtype\": \"torch.float16\"}";
    struct aim_model model;

    (void)state;
    parse_ok(json, &model);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_FP16);
    assert_exact(model.checkpoint.bytes, model.params_total * 2.0);
}

/* A tiny Llama with a quantization_config spliced in. */
static void parse_quantized(const char *quantization, struct aim_model *model)
{
    char json[2048];

    snprintf(json, sizeof json,
             "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 4096,"
             " \"intermediate_size\": 14336, \"max_position_embeddings\": 131072,"
             " \"num_attention_heads\": 32, \"num_hidden_layers\": 32,"
             " \"num_key_value_heads\": 8, \"vocab_size\": 128256,"
             " \"torch_dtype\": \"bfloat16\", \"quantization_config\": %s}",
             quantization);
    parse_ok(json, model);
}

static void compressed_tensors_fp8_with_kv_scales(void **state)
{
    struct aim_model model;

    (void)state;
    parse_quantized("{\"quant_method\": \"compressed-tensors\", \"format\": \"float-quantized\","
                    " \"config_groups\": {\"group_0\": {\"targets\": [\"Linear\"],"
                    " \"weights\": {\"num_bits\": 8, \"type\": \"float\","
                    " \"strategy\": \"channel\"}}}, \"kv_cache_scheme\": {\"num_bits\": 8,"
                    " \"type\": \"float\"}}",
                    &model);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_FP8);
    assert_string_equal(model.checkpoint.quantization, "fp8");
    assert_true(model.checkpoint.kv_cache_fp8);
    /* Embeddings stay 16-bit: 8.03B params -> about 9.1 GB. */
    assert_exact(model.checkpoint.bytes, model.params_total + model.embedding_params);
}

static void compressed_tensors_int4(void **state)
{
    struct aim_model model;

    (void)state;
    parse_quantized("{\"quant_method\": \"compressed-tensors\", \"config_groups\":"
                    " {\"group_0\": {\"weights\": {\"num_bits\": 4, \"type\": \"int\"}}},"
                    " \"kv_cache_scheme\": null}",
                    &model);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_FP4);
    assert_string_equal(model.checkpoint.quantization, "int4");
    assert_false(model.checkpoint.kv_cache_fp8);
}

static void quark_fp8_kv(void **state)
{
    struct aim_model model;

    (void)state;
    parse_quantized("{\"quant_method\": \"quark\", \"global_quant_config\":"
                    " {\"weight\": {\"dtype\": \"fp8_e4m3\", \"qscheme\": \"per_tensor\"}},"
                    " \"export\": {\"kv_cache_group\": [\"*k_proj\", \"*v_proj\"]}}",
                    &model);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_FP8);
    assert_string_equal(model.checkpoint.quantization, "quark");
    assert_true(model.checkpoint.kv_cache_fp8);
}

static void gptq_and_awq_by_bits(void **state)
{
    struct aim_model model;

    (void)state;
    parse_quantized("{\"quant_method\": \"gptq\", \"bits\": 4, \"group_size\": 128}", &model);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_FP4);
    assert_string_equal(model.checkpoint.quantization, "gptq");
    parse_quantized("{\"quant_method\": \"awq\", \"bits\": 8}", &model);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_FP8);
    parse_quantized("{\"quant_method\": \"bitsandbytes\", \"load_in_4bit\": true}", &model);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_FP4);
    assert_string_equal(model.checkpoint.quantization, "bitsandbytes");
    /* Nothing to go by: the dtype stands. */
    parse_quantized("{\"quant_method\": \"hqq\"}", &model);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_BF16);
    assert_string_equal(model.checkpoint.quantization, "hqq");
}

static void modelopt_nvfp4(void **state)
{
    struct aim_model model;

    (void)state;
    parse_quantized("{\"quant_method\": \"modelopt\", \"quant_algo\": \"NVFP4\","
                    " \"kv_cache_quant_algo\": \"FP8\"}",
                    &model);
    assert_int_equal(model.checkpoint.precision, AIM_PRECISION_FP4);
    assert_true(model.checkpoint.kv_cache_fp8);
}

/* ---------------------------------------------------------- error paths */

#define TINY_PREFIX "{\"architectures\": [\"LlamaForCausalLM\"], "
#define TINY_FIELDS                                                                     \
    "\"intermediate_size\": 128, \"max_position_embeddings\": 512, \"vocab_size\": 100"

static void errors_for_bad_json(void **state)
{
    struct aim_model model;
    struct aim_error err;
    char *big;

    (void)state;
    expect_error("{\"a\": }", SOURCE ":1:7: invalid JSON: unexpected token near '}'");
    expect_error("[1, 2]", SOURCE ": expected a JSON object at the top level");
    expect_error("", SOURCE ":1:0: invalid JSON: '[' or '{' expected near end of file");

    big = malloc(AIM_HF_JSON_MAX + 1u);
    assert_non_null(big);
    memset(big, ' ', AIM_HF_JSON_MAX + 1u);
    assert_int_equal(aim_hf_parse_config(big, AIM_HF_JSON_MAX + 1u, "x", SOURCE, &model, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, SOURCE ": 8388609 bytes is more than the 8388608-byte "
                                            "limit");
    free(big);
}

static void errors_for_identity(void **state)
{
    struct aim_model model;
    struct aim_error err;
    char id[200];

    (void)state;
    expect_error("{\"hidden_size\": 1}",
                 SOURCE ": field architectures: expected a list whose first entry is a class "
                        "name, found none");
    expect_error("{\"architectures\": [7]}",
                 SOURCE ": field architectures: expected a list whose first entry is a class "
                        "name, got 7");
    expect_error("{\"architectures\": [\"A\"], \"model_type\": 3}",
                 SOURCE ": field model_type: expected a string of at most 31 characters, got 3");

    memset(id, 'a', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    assert_int_equal(aim_hf_parse_config(llama_3_1_8b, strlen(llama_3_1_8b), id, SOURCE,
                                         &model, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, SOURCE ": model id: expected 1 to 127 characters");
}

static void errors_for_dimensions(void **state)
{
    (void)state;
    expect_error(TINY_PREFIX "\"num_hidden_layers\": 2, \"num_attention_heads\": 4, " TINY_FIELDS
                             "}",
                 SOURCE ": field hidden_size: expected a positive integer, found none");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": \"abc\", " TINY_FIELDS "}",
                 SOURCE ": field num_attention_heads: expected a positive integer, got \"abc\"");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 0, " TINY_FIELDS "}",
                 SOURCE ": field num_attention_heads: expected a positive integer, got 0");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 5000,"
                             " \"num_attention_heads\": 4, " TINY_FIELDS "}",
                 SOURCE ": field num_hidden_layers: expected a positive integer no larger than "
                        "1000, got 5000");
    expect_error(TINY_PREFIX "\"hidden_size\": 2e6, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, " TINY_FIELDS "}",
                 SOURCE ": field hidden_size: expected a positive integer no larger than "
                        "1000000, got 2e+06");
    expect_error(TINY_PREFIX "\"hidden_size\": 64.5, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, " TINY_FIELDS "}",
                 SOURCE ": field hidden_size: expected a positive integer, got 64.5");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"n_layer\": -2,"
                             " \"num_attention_heads\": 4, " TINY_FIELDS "}",
                 SOURCE ": field n_layer: expected a positive integer, got -2");
}

static void errors_for_heads(void **state)
{
    (void)state;
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 32, \"num_key_value_heads\": 7, "
                             TINY_FIELDS "}",
                 SOURCE ": field num_key_value_heads: expected a divisor of "
                        "num_attention_heads (32), got 7");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"num_key_value_heads\": 8, "
                             TINY_FIELDS "}",
                 SOURCE ": field num_key_value_heads: expected a positive integer no larger "
                        "than 4, got 8");
    expect_error(TINY_PREFIX "\"hidden_size\": 100, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 3, " TINY_FIELDS "}",
                 SOURCE ": field head_dim: expected a positive integer, since hidden_size (100) "
                        "is not a multiple of num_attention_heads (3), found none");
}

static void errors_for_missing_sizes(void **state)
{
    (void)state;
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"vocab_size\": 10,"
                             " \"intermediate_size\": 128}",
                 SOURCE ": field max_position_embeddings: expected a positive integer, found "
                        "none");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"vocab_size\": 10,"
                             " \"max_position_embeddings\": 128}",
                 SOURCE ": field intermediate_size: expected a positive integer, found none");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"tie_word_embeddings\": \"yes\", "
                             TINY_FIELDS "}",
                 SOURCE ": field tie_word_embeddings: expected true or false, got \"yes\"");
}

static void errors_for_experts_and_mla(void **state)
{
    (void)state;
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"num_experts\": 8,"
                             " \"num_experts_per_tok\": 9, " TINY_FIELDS "}",
                 SOURCE ": field num_experts_per_tok: expected a positive integer no larger "
                        "than 8, got 9");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"num_experts\": 8, " TINY_FIELDS
                             "}",
                 SOURCE ": field num_experts_per_tok: expected a positive integer, found none");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"num_experts\": 8,"
                             " \"num_experts_per_tok\": 2, \"mlp_only_layers\": [\"x\"], "
                             TINY_FIELDS "}",
                 SOURCE ": field mlp_only_layers: expected a list of layer indices, got \"x\"");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"kv_lora_rank\": 16,"
                             " \"qk_rope_head_dim\": 8, \"v_head_dim\": 8, " TINY_FIELDS "}",
                 SOURCE ": field qk_nope_head_dim: expected a positive integer, found none");
}

static void errors_for_windows(void **state)
{
    (void)state;
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"sliding_window\": 16,"
                             " \"layer_types\": [\"full_attention\"], " TINY_FIELDS "}",
                 SOURCE ": field layer_types: expected a list of 2 attention types, one per "
                        "layer, got a list");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"sliding_window\": -1, " TINY_FIELDS
                             "}",
                 SOURCE ": field sliding_window: expected a non-negative integer, got -1");
}

static void errors_name_the_text_config(void **state)
{
    char json[4096];

    (void)state;
    expect_error("{\"architectures\": [\"Gemma3ForConditionalGeneration\"]}",
                 SOURCE ": field text_config: expected an object with the language model, "
                        "found none");
    expect_error("{\"architectures\": [\"Gemma3ForConditionalGeneration\"],"
                 " \"text_config\": []}",
                 SOURCE ": field text_config: expected an object, got a list");
    snprintf(json, sizeof json, GEMMA3, ", \"num_hidden_layers\": true");
    /* A duplicate key: the later value wins, as in Python. */
    expect_error(json, SOURCE ": field text_config.num_hidden_layers: expected a positive "
                              "integer, got true");
}

static void errors_for_precision(void **state)
{
    (void)state;
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"torch_dtype\": \"int7\", "
                             TINY_FIELDS "}",
                 SOURCE ": field torch_dtype: expected bfloat16, float16 or float32, got "
                        "\"int7\"");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"quantization_config\": 1, "
                             TINY_FIELDS "}",
                 SOURCE ": field quantization_config: expected an object, got 1");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"quantization_config\": {}, "
                             TINY_FIELDS "}",
                 SOURCE ": field quantization_config.quant_method: expected a string, found "
                        "none");
    expect_error(TINY_PREFIX "\"hidden_size\": 64, \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, \"quantization_config\":"
                             " {\"quant_method\": \"compressed-tensors\", \"config_groups\":"
                             " {\"g\": {\"weights\": {\"num_bits\": 0}}}}, " TINY_FIELDS "}",
                 SOURCE ": field quantization_config.config_groups.*.weights.num_bits: "
                        "expected a positive integer, got 0");
}

static void errors_hide_control_characters(void **state)
{
    (void)state;
    expect_error(TINY_PREFIX "\"hidden_size\": \"\\u001b[31mred\", \"num_hidden_layers\": 2,"
                             " \"num_attention_heads\": 4, " TINY_FIELDS "}",
                 SOURCE ": field hidden_size: expected a positive integer, got \"?[31mred\"");
}

/* ---------------------------------------------------------------- index */

static void index_total_size(void **state)
{
    static const char index[] =
        "{\"metadata\": {\"total_size\": 16060522496}, \"weight_map\":"
        " {\"lm_head.weight\": \"model-00004-of-00004.safetensors\"}}";
    struct aim_model model;
    struct aim_error err = {0};

    (void)state;
    memset(&model, 0, sizeof model);
    assert_int_equal(aim_hf_parse_index(index, strlen(index), "m/i.json", &model, &err),
                     AIM_OK);
    assert_exact(model.checkpoint.bytes, 16060522496.0);
}

static void index_errors(void **state)
{
    struct aim_model model;
    struct aim_error err = {0};
    static const char *const cases[][2] = {
        {"{}", "m/i.json: field metadata: expected an object with total_size, found none"},
        {"{\"metadata\": {}}",
         "m/i.json: field metadata.total_size: expected a positive number of bytes, found "
         "none"},
        {"{\"metadata\": {\"total_size\": \"1\"}}",
         "m/i.json: field metadata.total_size: expected a positive number of bytes, got "
         "\"1\""},
        {"{\"metadata\": {\"total_size\": -5}}",
         "m/i.json: field metadata.total_size: expected a positive number of bytes, got -5"},
        {"{\"metadata\": 3", "m/i.json:1:14: invalid JSON: '}' expected near end of file"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&model, 0, sizeof model);
        assert_int_equal(aim_hf_parse_index(cases[i][0], strlen(cases[i][0]), "m/i.json",
                                            &model, &err),
                         AIM_E_INPUT);
        assert_string_equal(err.message, cases[i][1]);
        assert_exact(model.checkpoint.bytes, 0.0);
    }
}

/* ---------------------------------------------------------- safetensors */

static void header_length_checks(void **state)
{
    const unsigned char good[8] = {0x40, 0x01, 0, 0, 0, 0, 0, 0};
    const unsigned char zero[8] = {0};
    const unsigned char huge[8] = {0, 0, 0, 0, 0, 0, 0, 0x10};
    const unsigned char over[8] = {0x01, 0xe1, 0xf5, 0x05, 0, 0, 0, 0}; /* 100000001 */
    uint64_t length;
    struct aim_error err = {0};

    (void)state;
    assert_int_equal(aim_safetensors_header_length(good, "a.st", &length, &err), AIM_OK);
    assert_int_equal(length, 0x140);
    assert_int_equal(aim_safetensors_header_length(zero, "a.st", &length, &err), AIM_E_INPUT);
    assert_string_equal(err.message,
                        "a.st: safetensors header length 0 is too small; expected at least 2 "
                        "bytes");
    assert_int_equal(aim_safetensors_header_length(huge, "a.st", &length, &err), AIM_E_INPUT);
    assert_string_equal(err.message, "a.st: safetensors header length 1152921504606846976 is "
                                     "more than the 100000000-byte limit");
    assert_int_equal(aim_safetensors_header_length(over, "a.st", &length, &err), AIM_E_INPUT);
    assert_int_equal(length, 100000001);
}

static enum aim_status add(const char *header, struct aim_tensor_totals *totals,
                           struct aim_error *err)
{
    return aim_safetensors_add_header(header, strlen(header), "a.st", totals, err);
}

static void header_totals(void **state)
{
    struct aim_tensor_totals totals = {0};
    struct aim_error err = {0};

    (void)state;
    assert_int_equal(
        add("{\"__metadata__\": {\"format\": \"pt\"},"
            " \"b\": {\"dtype\": \"F8_E4M3\", \"shape\": [4], \"data_offsets\": [12, 16]},"
            " \"a\": {\"dtype\": \"BF16\", \"shape\": [2, 3], \"data_offsets\": [0, 12]},"
            " \"s\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [16, 20]},"
            " \"e\": {\"dtype\": \"F16\", \"shape\": [0, 5], \"data_offsets\": [20, 20]},"
            " \"p\": {\"dtype\": \"F4\", \"shape\": [2, 3], \"data_offsets\": [20, 23]}}   ",
            &totals, &err),
        AIM_OK);
    assert_int_equal(totals.tensors, 5);
    assert_exact(totals.parameters, 6 + 4 + 1 + 0 + 6);
    assert_exact(totals.bytes, 23);
    assert_exact(totals.bytes_by_dtype[AIM_DTYPE_CLASS_BF16], 12);
    assert_exact(totals.bytes_by_dtype[AIM_DTYPE_CLASS_FP8], 4);
    assert_exact(totals.bytes_by_dtype[AIM_DTYPE_CLASS_WIDE], 4);
    assert_exact(totals.bytes_by_dtype[AIM_DTYPE_CLASS_FP4], 3);

    /* A second file adds to the first. */
    assert_int_equal(add("{\"c\": {\"dtype\": \"U8\", \"shape\": [8],"
                         " \"data_offsets\": [0, 8]}}",
                         &totals, &err),
                     AIM_OK);
    assert_int_equal(totals.tensors, 6);
    assert_exact(totals.bytes, 31);
    assert_exact(totals.bytes_by_dtype[AIM_DTYPE_CLASS_INT], 8);
}

static void header_errors(void **state)
{
    static const char *const cases[][2] = {
        {"{\"w\": {\"dtype\": \"F16\", \"shape\": [2, 2], \"data_offsets\": [0, 4]}}",
         "a.st: tensor \"w\": data_offsets [0, 4] hold 4 bytes, but 4 elements of F16 need 8"},
        {"{\"w\": {\"dtype\": \"F7\", \"shape\": [2], \"data_offsets\": [0, 2]}}",
         "a.st: tensor \"w\": field dtype: expected a safetensors dtype (BF16, F16, F32, "
         "F8_E4M3, U8, ...), got \"F7\""},
        {"{\"w\": {\"shape\": [2], \"data_offsets\": [0, 2]}}",
         "a.st: tensor \"w\": field dtype: expected a safetensors dtype (BF16, F16, F32, "
         "F8_E4M3, U8, ...), got null"},
        {"{\"w\": {\"dtype\": \"F16\", \"shape\": [-2], \"data_offsets\": [0, 4]}}",
         "a.st: tensor \"w\": field shape: expected a list of non-negative integers"},
        {"{\"w\": {\"dtype\": \"F16\", \"shape\": [4294967296, 4294967296],"
         " \"data_offsets\": [0, 4]}}",
         "a.st: tensor \"w\": field shape: expected a list of non-negative integers"},
        {"{\"w\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [4, 0]}}",
         "a.st: tensor \"w\": field data_offsets: expected [begin, end] with 0 <= begin <= "
         "end"},
        {"{\"w\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0]}}",
         "a.st: tensor \"w\": field data_offsets: expected [begin, end] with 0 <= begin <= "
         "end"},
        {"{\"w\": {\"dtype\": \"F4\", \"shape\": [3], \"data_offsets\": [0, 2]}}",
         "a.st: tensor \"w\": data_offsets [0, 2] hold 2 bytes, but 3 elements of F4 need a "
         "whole number of bytes, not 1"},
        {"{\"w\": [1]}",
         "a.st: tensor \"w\": expected an object with dtype, shape and data_offsets"},
        {"{\"w\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [2, 4]}}",
         "a.st: tensor \"w\": data_offsets [2, 4] leave a gap; expected the tensor to start "
         "at 0"},
        {"{\"v\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]},"
         " \"w\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [2, 4]}}",
         "a.st: tensor \"w\": data_offsets [2, 4] overlap another tensor; expected the tensor "
         "to start at 4"},
        {"{\"w\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [0, 2]}",
         "a.st:1:59: invalid JSON: '}' expected near end of file"},
        {"[]", "a.st: expected a JSON object at the top level"},
    };
    struct aim_tensor_totals totals = {0};
    struct aim_error err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(add(cases[i][0], &totals, &err), AIM_E_INPUT);
        assert_string_equal(err.message, cases[i][1]);
    }
    /* A failing header adds nothing. */
    assert_int_equal(totals.tensors, 0);
    assert_exact(totals.bytes, 0);
}

static void header_length_cap(void **state)
{
    struct aim_tensor_totals totals = {0};
    struct aim_error err = {0};

    (void)state;
    assert_int_equal(aim_safetensors_add_header("{}", AIM_SAFETENSORS_HEADER_MAX + 1u, "a.st",
                                                &totals, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, "a.st: 100000001 bytes is more than the 100000000-byte "
                                     "limit");
}

static void apply_totals(void **state)
{
    struct aim_model model;
    struct aim_tensor_totals totals = {0};

    (void)state;
    parse_ok(qwen3_30b_a3b, &model);
    aim_hf_apply_tensor_totals(&model, &totals); /* no tensors: nothing changes */
    assert_exact(model.params_total, 30532122624.0);

    totals.tensors = 3;
    totals.parameters = 30532122624.0 + 1000.0;
    totals.bytes = 61066575648.0;
    totals.bytes_by_dtype[AIM_DTYPE_CLASS_BF16] = totals.bytes;
    aim_hf_apply_tensor_totals(&model, &totals);
    assert_exact(model.checkpoint.bytes, 61066575648.0);
    assert_exact(model.params_total, 30532123624.0);
    assert_exact(model.params_active, 3353032704.0 + 1000.0);

    /* MXFP4 blocks are packed bytes: their count is not the parameter count. */
    parse_ok(gpt_oss_20b, &model);
    totals.parameters = 1.2e10;
    totals.bytes = 13.7e9;
    totals.bytes_by_dtype[AIM_DTYPE_CLASS_INT] = 1e10;
    aim_hf_apply_tensor_totals(&model, &totals);
    assert_exact(model.checkpoint.bytes, 13.7e9);
    assert_exact(model.params_total, 20914757184.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(llama_3_1_8b_counts_match_models_tsv),
        cmocka_unit_test(qwen3_32b_counts_qk_norms),
        cmocka_unit_test(qwen3_30b_a3b_total_and_active),
        cmocka_unit_test(deepseek_r1_mla_and_fp8),
        cmocka_unit_test(mixtral_experts_use_intermediate_size),
        cmocka_unit_test(gpt_oss_20b_mxfp4_and_layer_types),
        cmocka_unit_test(gemma3_reads_text_config_with_defaults),
        cmocka_unit_test(gemma3_sliding_pattern_field),
        cmocka_unit_test(llama4_scout_chunked_text_config),
        cmocka_unit_test(llama4_maverick_interleaves_moe_layers),
        cmocka_unit_test(falcon_names_and_ungated_mlp),
        cmocka_unit_test(falcon_old_names_are_multi_query),
        cmocka_unit_test(mistral_window_covers_every_layer),
        cmocka_unit_test(cohere2_pattern_of_four),
        cmocka_unit_test(qwen2_window_from_max_window_layers),
        cmocka_unit_test(float32_checkpoint_is_four_bytes),
        cmocka_unit_test(newer_dtype_spelling),
        cmocka_unit_test(compressed_tensors_fp8_with_kv_scales),
        cmocka_unit_test(compressed_tensors_int4),
        cmocka_unit_test(quark_fp8_kv),
        cmocka_unit_test(gptq_and_awq_by_bits),
        cmocka_unit_test(modelopt_nvfp4),
        cmocka_unit_test(errors_for_bad_json),
        cmocka_unit_test(errors_for_identity),
        cmocka_unit_test(errors_for_dimensions),
        cmocka_unit_test(errors_for_heads),
        cmocka_unit_test(errors_for_missing_sizes),
        cmocka_unit_test(errors_for_experts_and_mla),
        cmocka_unit_test(errors_for_windows),
        cmocka_unit_test(errors_name_the_text_config),
        cmocka_unit_test(errors_for_precision),
        cmocka_unit_test(errors_hide_control_characters),
        cmocka_unit_test(index_total_size),
        cmocka_unit_test(index_errors),
        cmocka_unit_test(header_length_checks),
        cmocka_unit_test(header_totals),
        cmocka_unit_test(header_errors),
        cmocka_unit_test(header_length_cap),
        cmocka_unit_test(apply_totals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
