/* The catalog reader: each document kind, overrides, schema errors, lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aim/catalog.h"
#include "aim/embedded.h"

static const char gpus_doc[] =
    "kind: gpus\n"
    "gpus:\n"
    "  - name: MI300X\n"
    "    display_name: AMD Instinct MI300X\n"
    "    aliases: [MI300X-OAM]\n"
    "    vendor: amd\n"
    "    arch: gfx942\n"
    "    generation: 40\n"
    "    pci_ids: [\"74a1\", \"74a9\"]\n"
    "    memory_gib: 191.98\n"
    "    bandwidth_tbps: 5.3\n"
    "    peak_tflops: {bf16: 1307, fp16: 1307, fp8: 2615}\n"
    "    native: [bf16, fp16, fp8]\n"
    "    emulated: [fp4]\n"
    "    gpu_memory_utilization: 0.9\n"
    "    gpus_per_node: 8\n"
    "    resource_name: amd.com/gpu\n"
    "    product_label: AMD_Instinct_MI300X_OAM\n"
    "    inferred: false\n"
    "  - name: H100\n"
    "    aliases: [H100-SXM, H100 SXM5]\n"
    "    vendor: nvidia\n"
    "    arch: sm90\n"
    "    pci_ids: [\"2330\"]\n"
    "    memory_gib: 79.1\n"
    "    bandwidth_tbps: 3.35\n"
    "    peak_tflops: {bf16: 989, fp16: 989, fp8: 1979}\n"
    "    native: [bf16, fp16, fp8]\n"
    "    inferred: true\n";

static const char models_doc[] =
    "kind: models\n"
    "models:\n"
    "  - id: meta-llama/Llama-3.1-8B-Instruct\n"
    "    architecture: LlamaForCausalLM\n"
    "    model_type: llama\n"
    "    hidden_size: 4096\n"
    "    intermediate_size: 14336\n"
    "    num_layers: 32\n"
    "    num_attention_heads: 32\n"
    "    num_kv_heads: 8\n"
    "    vocab_size: 128256\n"
    "    max_context: 131072\n"
    "    params_total: 8030261248\n"
    "    checkpoint:\n"
    "      precision: bf16\n"
    "      quantization: \"\"\n"
    "      bytes: 16060522496\n"
    "    variants:\n"
    "      - id: RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8\n"
    "        precision: fp8\n"
    "        quantization: fp8\n"
    "        bytes: 9.083e9\n"
    "        kv_cache_fp8: true\n"
    "  - id: Qwen/Qwen3-30B-A3B\n"
    "    architecture: Qwen3MoeForCausalLM\n"
    "    hidden_size: 2048\n"
    "    num_layers: 48\n"
    "    num_attention_heads: 32\n"
    "    num_kv_heads: 4\n"
    "    head_dim: 128\n"
    "    vocab_size: 151936\n"
    "    max_context: 40960\n"
    "    tie_word_embeddings: true\n"
    "    num_experts: 128\n"
    "    experts_per_token: 8\n"
    "    moe_intermediate_size: 768\n"
    "    params_total: 30.5e9\n"
    "    params_active: 3.3e9\n"
    "    embedding_params: 311164928\n"
    "    checkpoint: {precision: fp16, bytes: 61000000000}\n";

static const char engines_doc[] =
    "kind: engines\n"
    "engines:\n"
    "  - name: sglang\n"
    "    display_name: SGLang\n"
    "    entrypoint: sglang.launch_server\n"
    "    model_flag: --model-path\n"
    "    image_rocm: lmsysorg/sglang:rocm\n"
    "    image_cuda: lmsysorg/sglang:latest\n"
    "    flags:\n"
    "      tensor_parallel_size: --tp-size\n"
    "      max_num_seqs: --max-running-requests\n"
    "    architectures: [LlamaForCausalLM, Qwen3MoeForCausalLM]\n"
    "    defaults:\n"
    "      large_gpu_gib: 70\n"
    "      max_num_seqs: {large: 1024, small: 256}\n"
    "      max_num_batched_tokens: {large: 16384, small: 8192}\n"
    "    env_rules:\n"
    "      - vendor: amd\n"
    "        archs: [gfx942, gfx950]\n"
    "        env: {SGLANG_USE_AITER: \"1\"}\n"
    "      - vendor: nvidia\n"
    "        min_gpus: 2\n"
    "        env: {NCCL_P2P_LEVEL: NVL}\n";

static const char recipe_doc[] =
    "kind: recipe\n"
    "model: meta-llama/Llama-3.1-8B-Instruct\n"
    "gpu: MI300X\n"
    "precision: bf16\n"
    "backend: vllm\n"
    "maturity: validated\n"
    "description: Tuned on ROCm 6.4\n"
    "args:\n"
    "  max_num_batched_tokens: 8192\n"
    "  gpu_memory_utilization: 0.92\n"
    "  enforce_eager: false\n"
    "  kv_cache_dtype: auto\n"
    "  block_size: '16'\n"
    "env:\n"
    "  VLLM_ROCM_USE_AITER: 1\n"
    "configs:\n"
    "  - gpus: 1\n"
    "    args: {max_model_len: 32768, tensor_parallel_size: 1}\n"
    "  - gpus: 2\n"
    "    maturity: preview\n"
    "    env: {VLLM_ROCM_USE_AITER: \"0\"}\n"
    "  - gpus: 8\n"
    "    enabled: false\n"
    "    reason: an 8-way split wastes GPUs\n";

static aim_catalog *catalog;
static struct aim_error err;

static enum aim_status add(const char *source, const char *text)
{
    memset(&err, 0, sizeof err);
    return aim_catalog_add_document(catalog, source, text, strlen(text), &err);
}

static void add_ok(const char *source, const char *text)
{
    enum aim_status status = add(source, text);

    if (status != AIM_OK)
        print_error("%s: %s\n", source, err.message);
    assert_int_equal(status, AIM_OK);
}

static int setup_base(void **state)
{
    (void)state;
    catalog = aim_catalog_new();
    if (catalog == NULL)
        return -1;
    add_ok("gpus.yaml", gpus_doc);
    add_ok("models.yaml", models_doc);
    add_ok("engines.yaml", engines_doc);
    add_ok("recipes/llama.yaml", recipe_doc);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    aim_catalog_free(&catalog);
    assert_null(catalog);
    return 0;
}

/* ---- good documents ---------------------------------------------------- */

static void gpus_load_every_field(void **state)
{
    const struct aim_gpu *gpu = aim_catalog_gpu_at(catalog, 0);
    const struct aim_gpu *h100 = aim_catalog_gpu_at(catalog, 1);

    (void)state;
    assert_int_equal(aim_catalog_gpu_count(catalog), 2);
    assert_string_equal(gpu->name, "MI300X");
    assert_string_equal(gpu->display_name, "AMD Instinct MI300X");
    assert_int_equal(gpu->alias_count, 1);
    assert_string_equal(gpu->aliases[0], "MI300X-OAM");
    assert_int_equal(gpu->vendor, AIM_VENDOR_AMD);
    assert_string_equal(gpu->arch, "gfx942");
    assert_int_equal(gpu->generation, 40);
    assert_int_equal(gpu->pci_id_count, 2);
    assert_int_equal(gpu->pci_ids[0], 0x74a1);
    assert_int_equal(gpu->pci_ids[1], 0x74a9);
    assert_float_equal(gpu->memory_gib, 191.98, 1e-9);
    assert_float_equal(gpu->bandwidth_tbps, 5.3, 1e-9);
    assert_float_equal(gpu->peak_tflops[AIM_PRECISION_FP8], 2615, 1e-9);
    assert_float_equal(gpu->peak_tflops[AIM_PRECISION_FP4], 0, 1e-9);
    assert_true(gpu->native[AIM_PRECISION_BF16] && gpu->native[AIM_PRECISION_FP8]);
    assert_false(gpu->native[AIM_PRECISION_FP4]);
    assert_true(gpu->emulated[AIM_PRECISION_FP4]);
    assert_float_equal(gpu->gpu_memory_utilization, 0.9, 1e-9);
    assert_int_equal(gpu->gpus_per_node, 8);
    assert_string_equal(gpu->product_label, "AMD_Instinct_MI300X_OAM");
    assert_false(gpu->figures_inferred);
    assert_string_equal(gpu->source, "gpus.yaml");

    /* Defaults of the optional fields. */
    assert_string_equal(h100->display_name, "H100");
    assert_string_equal(h100->resource_name, "nvidia.com/gpu");
    assert_int_equal(h100->gpus_per_node, 8);
    assert_float_equal(h100->gpu_memory_utilization, 0.9, 1e-9);
    assert_true(h100->figures_inferred);
    assert_true(aim_gpu_runs_precision(gpu, AIM_PRECISION_FP4));
    assert_false(aim_gpu_runs_precision(h100, AIM_PRECISION_FP4));
}

static void models_load_with_defaults(void **state)
{
    const struct aim_model *llama = aim_catalog_model_at(catalog, 0);
    const struct aim_model *qwen = aim_catalog_model_at(catalog, 1);

    (void)state;
    assert_int_equal(aim_catalog_model_count(catalog), 2);
    assert_string_equal(llama->id, "meta-llama/Llama-3.1-8B-Instruct");
    assert_string_equal(llama->checkpoint.id, llama->id);
    assert_int_equal(llama->checkpoint.precision, AIM_PRECISION_BF16);
    assert_float_equal(llama->checkpoint.bytes, 16060522496.0, 0.5);
    assert_float_equal(llama->params_active, llama->params_total, 0.5);
    assert_int_equal(llama->head_dim, 128);
    /* Untied: input embedding and lm_head. */
    assert_float_equal(llama->embedding_params, 2.0 * 128256 * 4096, 0.5);
    assert_int_equal(llama->variant_count, 1);
    assert_string_equal(llama->variants[0].quantization, "fp8");
    assert_true(llama->variants[0].kv_cache_fp8);
    assert_float_equal(llama->variants[0].bytes, 9.083e9, 0.5);
    assert_false(aim_model_is_moe(llama));

    assert_true(aim_model_is_moe(qwen));
    assert_float_equal(qwen->params_active, 3.3e9, 0.5);
    assert_float_equal(qwen->embedding_params, 311164928, 0.5);
    assert_int_equal(qwen->moe_intermediate_size, 768);
    assert_true(qwen->tie_word_embeddings);
}

static void checkpoint_for_precision(void **state)
{
    const struct aim_model *llama = aim_catalog_model_at(catalog, 0);
    const struct aim_model *qwen = aim_catalog_model_at(catalog, 1);

    (void)state;
    assert_ptr_equal(aim_model_checkpoint_for(llama, AIM_PRECISION_BF16), &llama->checkpoint);
    assert_ptr_equal(aim_model_checkpoint_for(llama, AIM_PRECISION_FP16), &llama->checkpoint);
    assert_ptr_equal(aim_model_checkpoint_for(llama, AIM_PRECISION_FP8), &llama->variants[0]);
    assert_null(aim_model_checkpoint_for(llama, AIM_PRECISION_FP4));
    /* An fp16 checkpoint serves bf16 too. */
    assert_ptr_equal(aim_model_checkpoint_for(qwen, AIM_PRECISION_BF16), &qwen->checkpoint);
    assert_null(aim_model_checkpoint_for(qwen, AIM_PRECISION_FP8));
}

static void engines_load_flags_and_rules(void **state)
{
    const struct aim_engine *engine = aim_catalog_engine(catalog, AIM_BACKEND_SGLANG);
    char flag[48];

    (void)state;
    assert_null(aim_catalog_engine(catalog, AIM_BACKEND_VLLM));
    assert_non_null(engine);
    assert_int_equal(engine->backend, AIM_BACKEND_SGLANG);
    assert_string_equal(engine->model_flag, "--model-path");
    assert_string_equal(aim_engine_flag_for(engine, "tensor_parallel_size", flag, sizeof flag),
                        "--tp-size");
    assert_string_equal(aim_engine_flag_for(engine, "max_model_len", flag, sizeof flag),
                        "--max-model-len");
    assert_string_equal(aim_engine_flag_for(engine, "max_model_len", flag, 6), "--max");
    assert_true(aim_engine_serves(engine, "Qwen3MoeForCausalLM"));
    assert_false(aim_engine_serves(engine, "qwen3moeforcausallm"));
    assert_float_equal(engine->large_gpu_gib, 70, 1e-9);
    assert_int_equal(engine->max_num_seqs_large, 1024);
    assert_int_equal(engine->max_num_batched_tokens_small, 8192);
    assert_int_equal(engine->env_rule_count, 2);
    assert_int_equal(engine->env_rules[0].arch_count, 2);
    assert_string_equal(engine->env_rules[0].archs[1], "gfx950");
    assert_int_equal(engine->env_rules[0].min_gpus, 1);
    assert_string_equal(engine->env_rules[0].env.items[0].value, "1");
    assert_int_equal(engine->env_rules[1].vendor, AIM_VENDOR_NVIDIA);
    assert_int_equal(engine->env_rules[1].min_gpus, 2);
}

static void recipe_loads_with_defaults(void **state)
{
    const struct aim_recipe *recipe = aim_catalog_recipe_at(catalog, 0);
    const struct aim_setting *setting;

    (void)state;
    assert_int_equal(aim_catalog_recipe_count(catalog), 1);
    assert_string_equal(recipe->id, "llama-3.1-8b-instruct.mi300x.bf16.vllm");
    assert_string_equal(recipe->source, "recipes/llama.yaml");
    assert_int_equal(recipe->maturity, AIM_MATURITY_VALIDATED);
    assert_string_equal(recipe->checkpoint, "");
    assert_int_equal(recipe->config_count, 3);

    /* Args are typed by their YAML scalar; env values are text. */
    assert_int_equal(aim_settings_get(&recipe->args, "max_num_batched_tokens")->type,
                     AIM_VALUE_INT);
    assert_int_equal(aim_settings_get(&recipe->args, "gpu_memory_utilization")->type,
                     AIM_VALUE_FLOAT);
    setting = aim_settings_get(&recipe->args, "enforce_eager");
    assert_int_equal(setting->type, AIM_VALUE_BOOL);
    assert_string_equal(setting->value, "false");
    assert_int_equal(aim_settings_get(&recipe->args, "kv_cache_dtype")->type,
                     AIM_VALUE_STRING);
    assert_int_equal(aim_settings_get(&recipe->args, "block_size")->type, AIM_VALUE_STRING);
    setting = aim_settings_get(&recipe->env, "VLLM_ROCM_USE_AITER");
    assert_int_equal(setting->type, AIM_VALUE_STRING);
    assert_string_equal(setting->value, "1");

    /* Config maturity defaults to the recipe's; lines are 1-based. */
    assert_int_equal(recipe->configs[0].maturity, AIM_MATURITY_VALIDATED);
    assert_int_equal(recipe->configs[1].maturity, AIM_MATURITY_PREVIEW);
    assert_int_equal(recipe->configs[0].line, 17);
    assert_int_equal(recipe->configs[2].line, 22);
    assert_true(recipe->configs[0].enabled);
    assert_false(recipe->configs[2].enabled);
    assert_string_equal(recipe->configs[2].disabled_reason, "an 8-way split wastes GPUs");
    assert_int_equal(aim_settings_get_int(&recipe->configs[0].args, "max_model_len", 0),
                     32768);

    assert_ptr_equal(aim_recipe_config_for(recipe, 8), &recipe->configs[2]);
    assert_null(aim_recipe_config_for(recipe, 4));
    assert_ptr_equal(aim_catalog_find_recipe(catalog, "META-LLAMA/llama-3.1-8b-instruct",
                                             "mi300x", AIM_PRECISION_BF16, AIM_BACKEND_VLLM),
                     recipe);
    assert_null(aim_catalog_find_recipe(catalog, "meta-llama/Llama-3.1-8B-Instruct", "MI300X",
                                        AIM_PRECISION_FP8, AIM_BACKEND_VLLM));
}

static void calibration_defaults_and_partial_override(void **state)
{
    const struct aim_calibration *calibration = aim_catalog_calibration(catalog);

    (void)state;
    assert_float_equal(calibration->activation_gib, 1.9, 1e-9);
    assert_int_equal(calibration->ttft_prompt_tokens, 1000);
    assert_float_equal(calibration->decode_efficiency, 0.8, 1e-9);

    add_ok("calibration.yaml", "kind: calibration\n"
                               "calibration:\n"
                               "  decode_efficiency: 0.7\n"
                               "  default_concurrency: 32\n");
    add_ok("user/calibration.yaml", "kind: calibration\n"
                                    "calibration: {prefill_mfu: 0.5}\n");
    assert_float_equal(calibration->decode_efficiency, 0.7, 1e-9);
    assert_int_equal(calibration->default_concurrency, 32);
    assert_float_equal(calibration->prefill_mfu, 0.5, 1e-9);
    assert_float_equal(calibration->activation_gib, 1.9, 1e-9);
    assert_int_equal(calibration->min_context_tokens, 8192);
    assert_string_equal(calibration->source, "user/calibration.yaml");
}

/* ---- overrides --------------------------------------------------------- */

static void later_entries_replace_earlier_ones(void **state)
{
    const struct aim_recipe *recipe;

    (void)state;
    add_ok("user/gpus.yaml", "kind: gpus\n"
                             "gpus:\n"
                             "  - name: mi300x\n"
                             "    vendor: amd\n"
                             "    arch: gfx942\n"
                             "    memory_gib: 180\n"
                             "    bandwidth_tbps: 5\n"
                             "    peak_tflops: {bf16: 1000}\n"
                             "    native: [bf16]\n");
    assert_int_equal(aim_catalog_gpu_count(catalog), 2);
    assert_float_equal(aim_catalog_find_gpu(catalog, "MI300X")->memory_gib, 180, 1e-9);
    assert_string_equal(aim_catalog_gpu_at(catalog, 0)->source, "user/gpus.yaml");
    /* The replacement is whole: the old aliases went with the old entry. */
    assert_null(aim_catalog_find_gpu(catalog, "MI300X-OAM"));

    add_ok("user/models.yaml", "kind: models\n"
                               "models:\n"
                               "  - id: qwen/qwen3-30b-a3b\n"
                               "    architecture: Qwen3MoeForCausalLM\n"
                               "    hidden_size: 2048\n"
                               "    num_layers: 48\n"
                               "    num_attention_heads: 32\n"
                               "    num_kv_heads: 4\n"
                               "    vocab_size: 151936\n"
                               "    max_context: 32768\n"
                               "    params_total: 30.5e9\n"
                               "    checkpoint: {precision: bf16, bytes: 61e9}\n");
    assert_int_equal(aim_catalog_model_count(catalog), 2);
    assert_int_equal(aim_catalog_find_model(catalog, "Qwen/Qwen3-30B-A3B")->max_context, 32768);

    add_ok("user/engines.yaml", engines_doc);
    assert_int_equal(aim_catalog_engine(catalog, AIM_BACKEND_SGLANG)->flag_count, 2);
    assert_string_equal(aim_catalog_engine(catalog, AIM_BACKEND_SGLANG)->source,
                        "user/engines.yaml");

    add_ok("user/recipe.yaml", "kind: recipe\n"
                               "id: llama-3.1-8b-instruct.mi300x.bf16.vllm\n"
                               "model: meta-llama/Llama-3.1-8B-Instruct\n"
                               "gpu: MI300X\n"
                               "precision: bf16\n"
                               "backend: vllm\n"
                               "configs: [{gpus: 4}]\n");
    assert_int_equal(aim_catalog_recipe_count(catalog), 1);
    recipe = aim_catalog_recipe_at(catalog, 0);
    assert_int_equal(recipe->config_count, 1);
    assert_int_equal(recipe->maturity, AIM_MATURITY_PREVIEW);
    assert_int_equal(recipe->configs[0].maturity, AIM_MATURITY_PREVIEW);

    /* Another id for the same combination: the later one is found. */
    add_ok("user/recipe2.yaml", "kind: recipe\n"
                                "id: mine\n"
                                "model: meta-llama/Llama-3.1-8B-Instruct\n"
                                "gpu: MI300X\n"
                                "precision: bf16\n"
                                "backend: vllm\n"
                                "configs: [{gpus: 2}]\n");
    assert_int_equal(aim_catalog_recipe_count(catalog), 2);
    assert_string_equal(aim_catalog_find_recipe(catalog, "meta-llama/Llama-3.1-8B-Instruct",
                                                "MI300X", AIM_PRECISION_BF16,
                                                AIM_BACKEND_VLLM)->id,
                        "mine");
}

static void failed_document_leaves_catalog_unchanged(void **state)
{
    const struct aim_gpu *before = aim_catalog_find_gpu(catalog, "MI300X");
    struct aim_gpu copy = *before;
    struct aim_calibration calibration = *aim_catalog_calibration(catalog);

    (void)state;
    /* The first entry is valid and would replace MI300X; the second is not. */
    assert_int_equal(add("bad.yaml", "kind: gpus\n"
                                     "gpus:\n"
                                     "  - name: MI300X\n"
                                     "    vendor: amd\n"
                                     "    arch: gfx942\n"
                                     "    memory_gib: 1\n"
                                     "    bandwidth_tbps: 1\n"
                                     "    peak_tflops: {bf16: 1}\n"
                                     "    native: [bf16]\n"
                                     "  - name: MI999\n"
                                     "    vendor: amd\n"
                                     "    arch: gfx942\n"
                                     "    memory_gib: -1\n"
                                     "    bandwidth_tbps: 1\n"
                                     "    peak_tflops: {bf16: 1}\n"
                                     "    native: [bf16]\n"),
                     AIM_E_INPUT);
    assert_int_equal(err.status, AIM_E_INPUT);
    assert_string_equal(err.message, "bad.yaml:13: gpus[1].memory_gib: expected a positive "
                                     "number up to 4096, got -1");
    assert_int_equal(aim_catalog_gpu_count(catalog), 2);
    assert_memory_equal(aim_catalog_find_gpu(catalog, "MI300X"), &copy, sizeof copy);
    assert_null(aim_catalog_find_gpu(catalog, "MI999"));

    assert_int_equal(add("bad-cal.yaml", "kind: calibration\n"
                                         "calibration: {decode_efficiency: 0.5, prefill_mfu: 2}\n"),
                     AIM_E_INPUT);
    assert_memory_equal(aim_catalog_calibration(catalog), &calibration, sizeof calibration);

    assert_int_equal(add("bad-recipe.yaml", "kind: recipe\nmodel: a/b\n"), AIM_E_INPUT);
    assert_int_equal(aim_catalog_recipe_count(catalog), 1);
    assert_int_equal(aim_catalog_model_count(catalog), 2);
}

/* ---- lookups and suggestions ------------------------------------------- */

static void finds_gpus_by_name_alias_and_pci(void **state)
{
    const struct aim_gpu *mi300x = aim_catalog_gpu_at(catalog, 0);
    const struct aim_gpu *h100 = aim_catalog_gpu_at(catalog, 1);

    (void)state;
    assert_ptr_equal(aim_catalog_find_gpu(catalog, "MI300X"), mi300x);
    assert_ptr_equal(aim_catalog_find_gpu(catalog, "mi300x"), mi300x);
    assert_ptr_equal(aim_catalog_find_gpu(catalog, "mi-300x"), mi300x);
    assert_ptr_equal(aim_catalog_find_gpu(catalog, "MI300X_OAM"), mi300x);
    assert_ptr_equal(aim_catalog_find_gpu(catalog, "mi300x oam"), mi300x);
    assert_ptr_equal(aim_catalog_find_gpu(catalog, "h100-sxm"), h100);
    assert_ptr_equal(aim_catalog_find_gpu(catalog, "H100SXM5"), h100);
    assert_null(aim_catalog_find_gpu(catalog, "H100-PCIe"));
    assert_null(aim_catalog_find_gpu(catalog, "MI300"));
    assert_null(aim_catalog_find_gpu(catalog, ""));
    assert_null(aim_catalog_find_gpu(catalog, "--"));
    assert_null(aim_catalog_find_gpu(catalog, NULL));

    assert_ptr_equal(aim_catalog_find_gpu_by_pci(catalog, AIM_VENDOR_AMD, 0x74a9), mi300x);
    assert_ptr_equal(aim_catalog_find_gpu_by_pci(catalog, AIM_VENDOR_NVIDIA, 0x2330), h100);
    assert_null(aim_catalog_find_gpu_by_pci(catalog, AIM_VENDOR_NVIDIA, 0x74a1));
    assert_null(aim_catalog_gpu_at(catalog, 2));
}

static void finds_models_by_id_name_and_variant(void **state)
{
    const struct aim_model *llama = aim_catalog_model_at(catalog, 0);

    (void)state;
    assert_ptr_equal(aim_catalog_find_model(catalog, "meta-llama/Llama-3.1-8B-Instruct"), llama);
    assert_ptr_equal(aim_catalog_find_model(catalog, "META-LLAMA/llama-3.1-8b-instruct"), llama);
    assert_ptr_equal(aim_catalog_find_model(catalog, "Llama-3.1-8B-Instruct"), llama);
    assert_ptr_equal(aim_catalog_find_model(catalog, "RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8"),
                     llama);
    assert_null(aim_catalog_find_model(catalog, "other/Llama-3.1-8B-Instruct"));
    assert_null(aim_catalog_find_model(catalog, "Llama-3.1-8B"));
    assert_null(aim_catalog_find_model(catalog, NULL));

    /* A name two organisations publish needs the organisation. */
    add_ok("fork.yaml", "kind: models\n"
                        "models:\n"
                        "  - id: someone/Llama-3.1-8B-Instruct\n"
                        "    architecture: LlamaForCausalLM\n"
                        "    hidden_size: 4096\n"
                        "    num_layers: 32\n"
                        "    num_attention_heads: 32\n"
                        "    num_kv_heads: 8\n"
                        "    vocab_size: 128256\n"
                        "    max_context: 131072\n"
                        "    params_total: 8e9\n"
                        "    checkpoint: {precision: bf16, bytes: 16e9}\n");
    assert_null(aim_catalog_find_model(catalog, "Llama-3.1-8B-Instruct"));
    assert_ptr_equal(aim_catalog_find_model(catalog, "meta-llama/Llama-3.1-8B-Instruct"),
                     aim_catalog_model_at(catalog, 0));
}

static void suggests_close_names_best_first(void **state)
{
    const char *out[4];

    (void)state;
    assert_int_equal(aim_catalog_suggest(catalog, "model", "Lama-3.1-8B-Instruct", out, 4), 1);
    assert_string_equal(out[0], "meta-llama/Llama-3.1-8B-Instruct");
    assert_int_equal(aim_catalog_suggest(catalog, "model", "qwen/qwen3-30b-a3", out, 4), 1);
    assert_string_equal(out[0], "Qwen/Qwen3-30B-A3B");
    assert_int_equal(aim_catalog_suggest(catalog, "model", "mistral", out, 4), 0);

    /* Short names: anything within 3 edits is offered, the closest first. */
    assert_int_equal(aim_catalog_suggest(catalog, "gpu", "mi300", out, 4), 2);
    assert_string_equal(out[0], "MI300X");
    assert_string_equal(out[1], "H100");
    assert_int_equal(aim_catalog_suggest(catalog, "gpu", "h100 sxm", out, 4), 1);
    assert_string_equal(out[0], "H100");
    assert_int_equal(aim_catalog_suggest(catalog, "gpu", "B200", out, 4), 1);
    assert_string_equal(out[0], "H100");
    assert_int_equal(aim_catalog_suggest(catalog, "gpu", "A1", out, 4), 1);
    assert_int_equal(aim_catalog_suggest(catalog, "gpu", "A1", out, 0), 0);
    assert_int_equal(aim_catalog_suggest(catalog, "recipe", "x", out, 4), 0);
}

static void suggestions_rank_by_distance(void **state)
{
    const char *out[4];
    aim_catalog *saved = catalog;

    (void)state;
    catalog = aim_catalog_new();
    add_ok("gpus.yaml", "kind: gpus\n"
                        "gpus:\n"
                        "  - {name: MI325X, vendor: amd, arch: gfx942, memory_gib: 256,\n"
                        "     bandwidth_tbps: 6, peak_tflops: {bf16: 1}, native: [bf16]}\n"
                        "  - {name: MI300X, vendor: amd, arch: gfx942, memory_gib: 192,\n"
                        "     bandwidth_tbps: 5, peak_tflops: {bf16: 1}, native: [bf16]}\n"
                        "  - {name: MI300A, vendor: amd, arch: gfx942, memory_gib: 128,\n"
                        "     bandwidth_tbps: 5, peak_tflops: {bf16: 1}, native: [bf16]}\n");
    assert_int_equal(aim_catalog_suggest(catalog, "gpu", "mi300x", out, 4), 3);
    assert_string_equal(out[0], "MI300X");
    assert_string_equal(out[1], "MI300A");
    assert_string_equal(out[2], "MI325X");
    assert_int_equal(aim_catalog_suggest(catalog, "gpu", "mi300x", out, 1), 1);
    assert_string_equal(out[0], "MI300X");
    aim_catalog_free(&catalog);
    catalog = saved;
}

/* ---- schema errors ----------------------------------------------------- */

struct error_case {
    const char *text;
    const char *message;
};

#define GPU_HEAD "kind: gpus\ngpus:\n  - name: X1\n    vendor: amd\n    arch: gfx942\n"
#define GPU_FIGURES                                                                     \
    "    memory_gib: 64\n    bandwidth_tbps: 1\n    peak_tflops: {bf16: 1}\n"           \
    "    native: [bf16]\n"
#define MODEL_HEAD                                                                      \
    "kind: models\nmodels:\n  - id: org/m\n    architecture: LlamaForCausalLM\n"        \
    "    hidden_size: 64\n    num_layers: 2\n    num_attention_heads: 4\n"              \
    "    vocab_size: 100\n    max_context: 1024\n    params_total: 1e6\n"
#define RECIPE_HEAD                                                                     \
    "kind: recipe\nmodel: org/m\ngpu: MI300X\nprecision: bf16\nbackend: vllm\n"
#define ENGINE_HEAD                                                                     \
    "kind: engines\nengines:\n  - name: vllm\n    entrypoint: vllm.entrypoints.x\n"     \
    "    model_flag: --model\n    image_rocm: r\n    image_cuda: c\n"                   \
    "    architectures: [LlamaForCausalLM]\n"
#define ENGINE_HEAD_NEXT                                                                \
    "  - name: vllm\n    entrypoint: vllm.entrypoints.x\n"                              \
    "    model_flag: --model\n    image_rocm: r\n    image_cuda: c\n"                   \
    "    architectures: [LlamaForCausalLM]\n"
#define ENGINE_DEFAULTS                                                                 \
    "    defaults:\n      large_gpu_gib: 70\n"                                          \
    "      max_num_seqs: {large: 1024, small: 256}\n"                                   \
    "      max_num_batched_tokens: {large: 8192, small: 2048}\n"

static const struct error_case document_errors[] = {
    {"", "t.yaml:1: expected a mapping, got nothing"},
    {"- a\n", "t.yaml:1: expected a mapping, got a sequence"},
    {"kind: gpus\ngpus: [\n", "t.yaml:3: invalid YAML: did not find expected node content "
                              "while parsing a flow node"},
    {"kind: gpus\n\tgpus: []\n", "t.yaml:2: invalid YAML: found a tab character that "
                                 "violates indentation while scanning a plain scalar"},
    {"gpus: []\n", "t.yaml:1: missing required field kind"},
    {"kind: gpu\n", "t.yaml:1: kind: expected one of gpus, models, engines, calibration, "
                    "recipe, got gpu"},
    {"kind: [gpus]\n", "t.yaml:1: kind: expected one of gpus, models, engines, calibration, "
                       "recipe, got a sequence"},
    {"kind: gpus\n", "t.yaml:1: missing required field gpus"},
    {"kind: gpus\ngpus: []\nextra: 1\n",
     "t.yaml:3: extra: unknown field; expected one of kind, gpus"},
    {"kind: gpus\nkind: gpus\n", "t.yaml:2: kind: duplicate key (first at line 1)"},
    {"kind: gpus\ngpus: {}\n", "t.yaml:2: gpus: expected a sequence, got a mapping"},
    {"kind: &k gpus\n", "t.yaml:1: YAML anchors are not supported; write the value out"},
    {"a: &a [1]\nb: *a\n", "t.yaml:1: YAML anchors are not supported; write the value out"},
    {"kind: gpus\ngpus: *a\n", "t.yaml:2: YAML aliases are not supported; write the value out"},
    {"kind: !!str gpus\n", "t.yaml:1: YAML tags are not supported; write the plain value"},
    {"kind: gpus\ngpus: []\n---\nkind: gpus\ngpus: []\n",
     "t.yaml:3: expected one YAML document, found another"},
    {"? [a]\n: b\n", "t.yaml:1: mapping keys must be plain text"},
    {"kind: gpus\ngpus: []\n\"kind\\0x\": 1\n",
     "t.yaml:3: mapping keys may not contain NUL characters"},
};

static const struct error_case gpu_errors[] = {
    {GPU_HEAD GPU_FIGURES "    memroy_gib: 1\n",
     "t.yaml:10: gpus[0].memroy_gib: unknown field; expected one of name, display_name, "
     "aliases, vendor, arch, generation, pci_ids, memory_gib, bandwidth_tbps, peak_tflops, "
     "native, emulated, gpu_memory_utilization, gpus_per_node, resource_name, "
     "product_label, inferred"},
    {"kind: gpus\ngpus:\n  - name: X1\n",
     "t.yaml:3: gpus[0]: missing required fields vendor, arch, memory_gib, bandwidth_tbps, "
     "peak_tflops, native"},
    {GPU_HEAD "    memory_gib: 64\n    bandwidth_tbps: 1\n    peak_tflops: {bf16: 1}\n",
     "t.yaml:3: gpus[0]: missing required field native"},
    {"kind: gpus\ngpus: [3]\n", "t.yaml:2: gpus[0]: expected a mapping, got 3"},
    {"kind: gpus\ngpus:\n  - name: MI-300\n    vendor: amd\n    arch: gfx942\n" GPU_FIGURES,
     "t.yaml:3: gpus[0].name: expected letters and digits, got MI-300"},
    {"kind: gpus\ngpus:\n  - name: ABCDEFGHIJKLMNOPQRSTUVWXYZ\n    vendor: amd\n"
     "    arch: gfx942\n" GPU_FIGURES,
     "t.yaml:3: gpus[0].name: expected at most 23 characters, got 26"},
    {"kind: gpus\ngpus:\n  - name:\n    vendor: amd\n    arch: gfx942\n" GPU_FIGURES,
     "t.yaml:3: gpus[0].name: expected text, got nothing"},
    {"kind: gpus\ngpus:\n  - name: X1\n    vendor: intel\n    arch: gfx942\n" GPU_FIGURES,
     "t.yaml:4: gpus[0].vendor: expected one of amd, nvidia, got intel"},
    {"kind: gpus\ngpus:\n  - name: X1\n    vendor: nvidia\n    arch: gfx942\n" GPU_FIGURES,
     "t.yaml:5: gpus[0].arch: expected an sm target for vendor nvidia, got gfx942"},
    {"kind: gpus\ngpus:\n  - name: X1\n    vendor: amd\n    arch: GFX942\n" GPU_FIGURES,
     "t.yaml:5: gpus[0].arch: expected lower-case letters and digits (gfx942, sm90), "
     "got GFX942"},
    {GPU_HEAD GPU_FIGURES "    generation: 4.5\n",
     "t.yaml:10: gpus[0].generation: expected an integer from 0 to 10000, got 4.5"},
    {GPU_HEAD GPU_FIGURES "    gpus_per_node: 99999999999999999999\n",
     "t.yaml:10: gpus[0].gpus_per_node: expected an integer from 1 to 64, "
     "got 99999999999999999999"},
    {GPU_HEAD "    memory_gib: \"80\"\n    bandwidth_tbps: 1\n    peak_tflops: {bf16: 1}\n"
              "    native: [bf16]\n",
     "t.yaml:6: gpus[0].memory_gib: expected a positive number up to 4096, got \"80\""},
    {GPU_HEAD "    memory_gib: 0\n    bandwidth_tbps: 1\n    peak_tflops: {bf16: 1}\n"
              "    native: [bf16]\n",
     "t.yaml:6: gpus[0].memory_gib: expected a positive number up to 4096, got 0"},
    {GPU_HEAD "    memory_gib: .inf\n    bandwidth_tbps: 1\n    peak_tflops: {bf16: 1}\n"
              "    native: [bf16]\n",
     "t.yaml:6: gpus[0].memory_gib: expected a positive number up to 4096, got .inf"},
    {GPU_HEAD GPU_FIGURES "    gpu_memory_utilization: 0.99\n",
     "t.yaml:10: gpus[0].gpu_memory_utilization: expected a number from 0.5 to 0.98, "
     "got 0.99"},
    {GPU_HEAD GPU_FIGURES "    inferred: yes\n",
     "t.yaml:10: gpus[0].inferred: expected true or false, got yes"},
    {GPU_HEAD GPU_FIGURES "    pci_ids: [\"74a\"]\n",
     "t.yaml:10: gpus[0].pci_ids[0]: expected 4 hex digits such as \"74a1\", got \"74a\""},
    {GPU_HEAD GPU_FIGURES "    pci_ids: \"74a1\"\n",
     "t.yaml:10: gpus[0].pci_ids: expected a sequence, got \"74a1\""},
    {GPU_HEAD GPU_FIGURES "    aliases: [a, b, c, d, e, f, g]\n",
     "t.yaml:10: gpus[0].aliases: expected at most 6 entries, got 7"},
    {GPU_HEAD GPU_FIGURES "    aliases: [\"H100/SXM\"]\n",
     "t.yaml:10: gpus[0].aliases[0]: expected letters, digits, '-', '_' or ' ', "
     "got \"H100/SXM\""},
    {GPU_HEAD GPU_FIGURES
     "    display_name: \"0123456789012345678901234567890123456789012345678901234567890123\"\n",
     "t.yaml:10: gpus[0].display_name: expected at most 63 characters, got 64"},
    {GPU_HEAD "    memory_gib: 64\n    bandwidth_tbps: 1\n    peak_tflops: {bf16: 1}\n"
              "    native: [bf16, fp8]\n",
     "t.yaml:8: gpus[0].peak_tflops: missing fp8, which native lists"},
    {GPU_HEAD "    memory_gib: 64\n    bandwidth_tbps: 1\n    peak_tflops: {bf16: 1, fp4: 2}\n"
              "    native: [bf16]\n",
     "t.yaml:8: gpus[0].peak_tflops: fp4 is not native; list it in native or remove it"},
    {GPU_HEAD "    memory_gib: 64\n    bandwidth_tbps: 1\n    peak_tflops: {bf16: 1, int8: 2}\n"
              "    native: [bf16]\n",
     "t.yaml:8: gpus[0].peak_tflops.int8: expected one of bf16, fp16, fp8, fp4, got int8"},
    {GPU_HEAD "    memory_gib: 64\n    bandwidth_tbps: 1\n    peak_tflops: {bf16: 0}\n"
              "    native: [bf16]\n",
     "t.yaml:8: gpus[0].peak_tflops.bf16: expected a positive number up to 1e+06, got 0"},
    {GPU_HEAD GPU_FIGURES "    emulated: [fp4, bf16]\n",
     "t.yaml:10: gpus[0].emulated: bf16 is also listed as native"},
    {GPU_HEAD "    memory_gib: 64\n    bandwidth_tbps: 1\n    peak_tflops: {bf16: 1}\n"
              "    native: [bf16, bf16]\n",
     "t.yaml:9: gpus[0].native[1]: bf16 listed twice"},
    {GPU_HEAD "    memory_gib: 64\n    bandwidth_tbps: 1\n    peak_tflops: {bf16: 1}\n"
              "    native: []\n",
     "t.yaml:9: gpus[0].native: expected at least one precision, got none"},
    {GPU_HEAD GPU_FIGURES "  - name: x1\n    vendor: amd\n    arch: gfx942\n" GPU_FIGURES,
     "t.yaml:10: gpus[1].name: x1 already defined at line 3"},
};

static const struct error_case model_errors[] = {
    {MODEL_HEAD, "t.yaml:3: models[0]: missing required fields num_kv_heads, checkpoint"},
    {MODEL_HEAD "    num_kv_heads: 8\n    checkpoint: {precision: bf16, bytes: 2e6}\n",
     "t.yaml:11: models[0].num_kv_heads: expected at most num_attention_heads (4), got 8"},
    {MODEL_HEAD "    num_kv_heads: 2\n    params_active: 2e6\n"
                "    checkpoint: {precision: bf16, bytes: 2e6}\n",
     "t.yaml:12: models[0].params_active: expected at most params_total (1e+06), got 2e+06"},
    {MODEL_HEAD "    num_kv_heads: 2\n    num_experts: 8\n"
                "    checkpoint: {precision: bf16, bytes: 2e6}\n",
     "t.yaml:3: models[0].experts_per_token: required with num_experts"},
    {MODEL_HEAD "    num_kv_heads: 2\n    checkpoint: {precision: int8, bytes: 2e6}\n",
     "t.yaml:12: models[0].checkpoint.precision: expected one of bf16, fp16, fp8, fp4, "
     "got int8"},
    {MODEL_HEAD "    num_kv_heads: 2\n    checkpoint: {id: org/m, precision: bf16, bytes: 1}\n",
     "t.yaml:12: models[0].checkpoint.id: unknown field; expected one of precision, "
     "quantization, bytes, kv_cache_fp8"},
    {MODEL_HEAD "    num_kv_heads: 2\n    checkpoint: {precision: bf16}\n",
     "t.yaml:12: models[0].checkpoint: missing required field bytes"},
    {MODEL_HEAD "    num_kv_heads: 2\n"
                "    checkpoint: {precision: bf16, bytes: 1, quantization: FP8}\n",
     "t.yaml:12: models[0].checkpoint.quantization: expected a quant_method such as fp8 "
     "or mxfp4, got FP8"},
    {MODEL_HEAD "    num_kv_heads: 2\n    checkpoint: {precision: bf16, bytes: 1}\n"
                "    variants:\n      - {id: Org/M, precision: fp8, bytes: 1}\n",
     "t.yaml:14: models[0].variants[0].id: the model's own id; variants are other "
     "checkpoints"},
    {MODEL_HEAD "    num_kv_heads: 2\n    checkpoint: {precision: bf16, bytes: 1}\n"
                "    variants:\n      - {id: o/a, precision: fp8, bytes: 1}\n"
                "      - {id: o/A, precision: fp4, bytes: 1}\n",
     "t.yaml:15: models[0].variants[1].id: o/A already defined at line 14"},
    {MODEL_HEAD "    num_kv_heads: 2\n    checkpoint: {precision: bf16, bytes: 1}\n"
                "    variants: [{id: a/1, precision: fp8, bytes: 1},"
                " {id: a/2, precision: fp8, bytes: 1}, {id: a/3, precision: fp8, bytes: 1},"
                " {id: a/4, precision: fp8, bytes: 1}, {id: a/5, precision: fp8, bytes: 1}]\n",
     "t.yaml:13: models[0].variants: expected at most 4 entries, got 5"},
    {"kind: models\nmodels:\n  - id: a/b/c\n    architecture: X\n    hidden_size: 64\n"
     "    num_layers: 2\n    num_attention_heads: 4\n    num_kv_heads: 2\n"
     "    vocab_size: 100\n    max_context: 1024\n    params_total: 1e6\n"
     "    checkpoint: {precision: bf16, bytes: 2e6}\n",
     "t.yaml:3: models[0].id: expected a Hugging Face id such as org/name, got a/b/c"},
};

static const struct error_case recipe_errors[] = {
    {"kind: recipe\ngpu: MI300X\n",
     "t.yaml:1: missing required fields model, precision, backend, configs"},
    {RECIPE_HEAD "configs:\n  - gpus: 1\n  - gpus: 3\n",
     "t.yaml:8: configs[1].gpus: expected one of 1, 2, 4, 8, got 3"},
    {RECIPE_HEAD "configs:\n  - gpus: \"2\"\n",
     "t.yaml:7: configs[0].gpus: expected one of 1, 2, 4, 8, got \"2\""},
    {RECIPE_HEAD "configs:\n  - gpus: 4\n  - gpus: 2\n  - gpus: 4\n",
     "t.yaml:9: configs[2].gpus: 4 GPUs already configured in configs[0]"},
    {RECIPE_HEAD "configs: []\n", "t.yaml:6: configs: expected at least one config, got none"},
    {RECIPE_HEAD "configs: [{gpus: 1}, {gpus: 2}, {gpus: 4}, {gpus: 8}, {gpus: 1}, {gpus: 2},"
                 " {gpus: 4}]\n",
     "t.yaml:6: configs: expected at most 6 entries, got 7"},
    {RECIPE_HEAD "configs:\n  - gpus: 1\n    reason: why\n",
     "t.yaml:8: configs[0].reason: only a disabled config takes a reason"},
    {RECIPE_HEAD "configs:\n  - gpus: 1\n    enabled: 0\n",
     "t.yaml:8: configs[0].enabled: expected true or false, got 0"},
    {RECIPE_HEAD "maturity: derived\nconfigs: [{gpus: 1}]\n",
     "t.yaml:6: maturity: expected one of validated, preview, got derived"},
    {RECIPE_HEAD "precisoin: bf16\nconfigs: [{gpus: 1}]\n",
     "t.yaml:6: precisoin: unknown field; expected one of kind, id, model, gpu, precision, "
     "backend, maturity, checkpoint, description, args, env, configs"},
    {RECIPE_HEAD "id: Qwen3.MI300X\nconfigs: [{gpus: 1}]\n",
     "t.yaml:6: id: expected lower-case letters, digits, '.', '_', '-', got Qwen3.MI300X"},
    {RECIPE_HEAD "args:\n  Max_Len: 1\nconfigs: [{gpus: 1}]\n",
     "t.yaml:7: args.Max_Len: expected a snake_case argument name ([a-z][a-z0-9_]*), "
     "got Max_Len"},
    {RECIPE_HEAD "configs:\n  - gpus: 1\n    args: {port: 8000}\n",
     "t.yaml:8: configs[0].args.port: reserved: aimctl sets model, host and port"},
    {RECIPE_HEAD "args: {model: x}\nconfigs: [{gpus: 1}]\n",
     "t.yaml:6: args.model: reserved: aimctl sets model, host and port"},
    {RECIPE_HEAD "args:\n  enforce_eager:\nconfigs: [{gpus: 1}]\n",
     "t.yaml:7: args.enforce_eager: expected a scalar (text, number or true/false), "
     "got nothing"},
    {RECIPE_HEAD "args:\n  compilation_config: {level: 3}\nconfigs: [{gpus: 1}]\n",
     "t.yaml:7: args.compilation_config: expected a scalar (text, number or true/false), "
     "got a mapping"},
    {RECIPE_HEAD "configs:\n  - gpus: 4\n    args:\n      tensor_parallel_size: 2\n",
     "t.yaml:9: configs[0].args.tensor_parallel_size: expected 4 to match configs[0].gpus, "
     "got 2"},
    {RECIPE_HEAD "args: {tensor_parallel_size: 4}\nconfigs:\n  - gpus: 4\n  - gpus: 2\n",
     "t.yaml:6: args.tensor_parallel_size: expected 2 to match configs[1].gpus, got 4"},
    {RECIPE_HEAD "configs:\n  - gpus: 4\n    args: {tensor_parallel_size: four}\n",
     "t.yaml:8: configs[0].args.tensor_parallel_size: expected 4 to match configs[0].gpus, "
     "got four"},
    {RECIPE_HEAD "env:\n  vllm_flag: 1\nconfigs: [{gpus: 1}]\n",
     "t.yaml:7: env.vllm_flag: expected an environment name ([A-Z_][A-Z0-9_]*), "
     "got vllm_flag"},
    {RECIPE_HEAD "env:\n  CUDA_VISIBLE_DEVICES: 0\nconfigs: [{gpus: 1}]\n",
     "t.yaml:7: env.CUDA_VISIBLE_DEVICES: not allowed: the device plugin assigns GPUs to "
     "the container"},
    {RECIPE_HEAD "configs:\n  - gpus: 1\n    env: {HIP_VISIBLE_DEVICES: \"0\"}\n",
     "t.yaml:8: configs[0].env.HIP_VISIBLE_DEVICES: not allowed: the device plugin assigns "
     "GPUs to the container"},
    {RECIPE_HEAD "env: {ROCR_VISIBLE_DEVICES: \"0\"}\nconfigs: [{gpus: 1}]\n",
     "t.yaml:6: env.ROCR_VISIBLE_DEVICES: not allowed: the device plugin assigns GPUs to "
     "the container"},
    {RECIPE_HEAD "env: [A]\nconfigs: [{gpus: 1}]\n",
     "t.yaml:6: env: expected a mapping, got a sequence"},
    {"kind: recipe\nmodel: org/a-model-name-long-enough-to-overflow-the-recipe-id-when-"
     "joined-with-the-rest-of-it\ngpu: MI300X\nprecision: bf16\nbackend: vllm\n"
     "configs: [{gpus: 1}]\n",
     "t.yaml:2: id: the default id would exceed 95 characters; set id"},
};

static const struct error_case engine_errors[] = {
    {"kind: engines\nengines:\n  - name: trt\n",
     "t.yaml:3: engines[0]: missing required fields entrypoint, model_flag, image_rocm, "
     "image_cuda, architectures, defaults"},
    {ENGINE_HEAD ENGINE_DEFAULTS "  - name: trt\n    entrypoint: x\n    model_flag: --m\n"
     "    image_rocm: r\n    image_cuda: c\n    architectures: []\n" ENGINE_DEFAULTS,
     "t.yaml:13: engines[1].name: expected one of vllm, sglang, got trt"},
    {ENGINE_HEAD ENGINE_DEFAULTS ENGINE_HEAD_NEXT ENGINE_DEFAULTS,
     "t.yaml:13: engines[1].name: vllm already defined at line 3"},
    {ENGINE_HEAD, "t.yaml:3: engines[0]: missing required field defaults"},
    {ENGINE_HEAD ENGINE_DEFAULTS "    flags: {tensor_parallel_size: tp}\n",
     "t.yaml:13: engines[0].flags.tensor_parallel_size: expected a flag such as --tp-size, "
     "got tp"},
    {ENGINE_HEAD ENGINE_DEFAULTS "    flags: {TP: --tp}\n",
     "t.yaml:13: engines[0].flags.TP: expected a snake_case argument name, got TP"},
    {ENGINE_HEAD "    defaults:\n      large_gpu_gib: 70\n      max_num_seqs: {large: 1}\n"
                 "      max_num_batched_tokens: {large: 1, small: 1}\n",
     "t.yaml:11: engines[0].defaults.max_num_seqs: missing required field small"},
    {ENGINE_HEAD ENGINE_DEFAULTS "    env_rules:\n      - vendor: amd\n"
                                 "        env: {CUDA_VISIBLE_DEVICES: \"0\"}\n",
     "t.yaml:15: engines[0].env_rules[0].env.CUDA_VISIBLE_DEVICES: not allowed: the device "
     "plugin assigns GPUs to the container"},
    {ENGINE_HEAD ENGINE_DEFAULTS "    env_rules:\n      - vendor: amd\n        min_gpus: 0\n"
                                 "        env: {}\n",
     "t.yaml:15: engines[0].env_rules[0].min_gpus: expected an integer from 1 to 64, got 0"},
    {ENGINE_HEAD ENGINE_DEFAULTS "    env_rules:\n      - env: {}\n",
     "t.yaml:14: engines[0].env_rules[0]: missing required field vendor"},
    {ENGINE_HEAD ENGINE_DEFAULTS "  - name: vllm\n",
     "t.yaml:13: engines[1]: missing required fields entrypoint, model_flag, image_rocm, "
     "image_cuda, architectures, defaults"},
    {"kind: engines\nengines:\n  - name: vllm\n    entrypoint: \"python -m vllm\"\n"
     "    model_flag: --model\n    image_rocm: r\n    image_cuda: c\n"
     "    architectures: [LlamaForCausalLM]\n" ENGINE_DEFAULTS,
     "t.yaml:4: engines[0].entrypoint: expected a Python module name, got \"python -m vllm\""},
};

static const struct error_case calibration_errors[] = {
    {"kind: calibration\ncalibration:\n  prefill_mfu: 1.5\n",
     "t.yaml:3: calibration.prefill_mfu: expected a positive number up to 1, got 1.5"},
    {"kind: calibration\ncalibration:\n  weight_overhead_factor: 0.9\n",
     "t.yaml:3: calibration.weight_overhead_factor: expected a number from 1 to 4, got 0.9"},
    {"kind: calibration\ncalibration:\n  eta: 0.8\n",
     "t.yaml:3: calibration.eta: unknown field; expected one of activation_gib, "
     "runtime_overhead_gib_tp1, runtime_overhead_gib_tp, weight_overhead_factor, "
     "typical_request_tokens, min_context_tokens, context_rounding_tokens, "
     "min_weights_per_gpu_gib, default_concurrency, decode_efficiency, step_overhead_us, "
     "prefill_mfu, ttft_prompt_tokens"},
    {"kind: calibration\ncalibration:\n", "t.yaml:2: calibration: expected a mapping, "
                                          "got nothing"},
};

/* Each case against the base catalog: the exact message, and nothing changed. */
static void check_errors(const struct error_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        size_t gpus = aim_catalog_gpu_count(catalog);
        size_t models = aim_catalog_model_count(catalog);
        size_t recipes = aim_catalog_recipe_count(catalog);
        enum aim_status status = add("t.yaml", cases[i].text);

        if (status != AIM_E_INPUT || strcmp(err.message, cases[i].message) != 0)
            print_error("case %zu:\n%s\n", i, cases[i].text);
        assert_int_equal(status, AIM_E_INPUT);
        assert_string_equal(err.message, cases[i].message);
        assert_int_equal(aim_catalog_gpu_count(catalog), gpus);
        assert_int_equal(aim_catalog_model_count(catalog), models);
        assert_int_equal(aim_catalog_recipe_count(catalog), recipes);
    }
}

#define CHECK_ERRORS(cases) check_errors(cases, sizeof(cases) / sizeof((cases)[0]))

static void document_errors_name_file_and_line(void **state)
{
    (void)state;
    CHECK_ERRORS(document_errors);
}

static void gpu_errors_name_the_field(void **state)
{
    (void)state;
    CHECK_ERRORS(gpu_errors);
}

static void model_errors_name_the_field(void **state)
{
    (void)state;
    CHECK_ERRORS(model_errors);
}

static void recipe_errors_name_the_field(void **state)
{
    (void)state;
    CHECK_ERRORS(recipe_errors);
}

static void engine_errors_name_the_field(void **state)
{
    (void)state;
    CHECK_ERRORS(engine_errors);
}

static void calibration_errors_name_the_field(void **state)
{
    (void)state;
    CHECK_ERRORS(calibration_errors);
}

/* ---- hard caps --------------------------------------------------------- */

static void refuses_deep_nesting(void **state)
{
    char text[128] = "kind: ";

    (void)state;
    for (int i = 0; i < 40; i++)
        strcat(text, "[");
    assert_int_equal(add("deep.yaml", text), AIM_E_INPUT);
    assert_string_equal(err.message, "deep.yaml:1: nesting deeper than 32 levels");
}

static void refuses_large_documents(void **state)
{
    size_t length = 1024 * 1024 + 1;
    char *text = malloc(length);

    (void)state;
    assert_non_null(text);
    memset(text, '#', length);
    memset(&err, 0, sizeof err);
    assert_int_equal(aim_catalog_add_document(catalog, "big.yaml", text, length, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message,
                        "big.yaml:1: document too large: 1048577 bytes, at most 1048576");
    free(text);
}

static void refuses_too_many_nodes(void **state)
{
    size_t count = 200001;
    size_t length = 16 + count * 2;
    char *text = malloc(length + 1);
    size_t used;

    (void)state;
    assert_non_null(text);
    used = (size_t)sprintf(text, "kind: [");
    for (size_t i = 0; i < count; i++) {
        text[used++] = '1';
        text[used++] = ',';
    }
    text[used++] = ']';
    text[used] = '\0';
    assert_int_equal(add("many.yaml", text), AIM_E_INPUT);
    assert_string_equal(err.message, "many.yaml:1: document too large: more than 200000 nodes");
    free(text);
}

static void accepts_a_null_error_pointer(void **state)
{
    (void)state;
    assert_int_equal(aim_catalog_add_document(catalog, "x.yaml", "- 1\n", 4, NULL),
                     AIM_E_INPUT);
    assert_int_equal(aim_catalog_add_document(catalog, NULL, NULL, 0, NULL), AIM_E_INPUT);
    assert_int_equal(aim_catalog_add_document(catalog, "y.yaml", NULL, 5, &err), AIM_E_INPUT);
    assert_string_equal(err.message, "y.yaml:1: expected a mapping, got nothing");
}

static void accepts_document_markers_and_comments(void **state)
{
    (void)state;
    add_ok("marked.yaml", "%YAML 1.1\n---\n# calibration for the lab\nkind: calibration\n"
                          "calibration: {}  # nothing changed\n...\n");
    assert_string_equal(aim_catalog_calibration(catalog)->source, "marked.yaml");
}

/* ---- the embedded catalog ---------------------------------------------- */

static void embedded_catalog_loads(void **state)
{
    static const char *const gpus[] = {"MI300X", "MI325X", "MI355X", "H100"};
    aim_catalog *embedded = aim_catalog_new();
    struct aim_error error = {0};
    enum aim_status status;

    (void)state;
    assert_non_null(embedded);
    status = aim_catalog_add_embedded(embedded, &error);
    if (status != AIM_OK)
        print_error("%s\n", error.message);
    assert_int_equal(status, AIM_OK);
    assert_true(aim_embedded_document_count > 0);
    for (size_t i = 0; i < sizeof gpus / sizeof gpus[0]; i++) {
        if (aim_catalog_find_gpu(embedded, gpus[i]) == NULL)
            print_error("GPU %s missing\n", gpus[i]);
        assert_non_null(aim_catalog_find_gpu(embedded, gpus[i]));
    }
    assert_non_null(aim_catalog_find_model(embedded, "Qwen/Qwen3-32B"));
    assert_non_null(aim_catalog_engine(embedded, AIM_BACKEND_VLLM));
    assert_non_null(aim_catalog_engine(embedded, AIM_BACKEND_SGLANG));
    assert_true(aim_catalog_recipe_count(embedded) > 0);
    assert_string_not_equal(aim_catalog_calibration(embedded)->source, "built-in");
    aim_catalog_free(&embedded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(gpus_load_every_field, setup_base, teardown),
        cmocka_unit_test_setup_teardown(models_load_with_defaults, setup_base, teardown),
        cmocka_unit_test_setup_teardown(checkpoint_for_precision, setup_base, teardown),
        cmocka_unit_test_setup_teardown(engines_load_flags_and_rules, setup_base, teardown),
        cmocka_unit_test_setup_teardown(recipe_loads_with_defaults, setup_base, teardown),
        cmocka_unit_test_setup_teardown(calibration_defaults_and_partial_override, setup_base,
                                        teardown),
        cmocka_unit_test_setup_teardown(later_entries_replace_earlier_ones, setup_base,
                                        teardown),
        cmocka_unit_test_setup_teardown(failed_document_leaves_catalog_unchanged, setup_base,
                                        teardown),
        cmocka_unit_test_setup_teardown(finds_gpus_by_name_alias_and_pci, setup_base,
                                        teardown),
        cmocka_unit_test_setup_teardown(finds_models_by_id_name_and_variant, setup_base,
                                        teardown),
        cmocka_unit_test_setup_teardown(suggests_close_names_best_first, setup_base, teardown),
        cmocka_unit_test_setup_teardown(suggestions_rank_by_distance, setup_base, teardown),
        cmocka_unit_test_setup_teardown(document_errors_name_file_and_line, setup_base,
                                        teardown),
        cmocka_unit_test_setup_teardown(gpu_errors_name_the_field, setup_base, teardown),
        cmocka_unit_test_setup_teardown(model_errors_name_the_field, setup_base, teardown),
        cmocka_unit_test_setup_teardown(recipe_errors_name_the_field, setup_base, teardown),
        cmocka_unit_test_setup_teardown(engine_errors_name_the_field, setup_base, teardown),
        cmocka_unit_test_setup_teardown(calibration_errors_name_the_field, setup_base,
                                        teardown),
        cmocka_unit_test_setup_teardown(refuses_deep_nesting, setup_base, teardown),
        cmocka_unit_test_setup_teardown(refuses_large_documents, setup_base, teardown),
        cmocka_unit_test_setup_teardown(refuses_too_many_nodes, setup_base, teardown),
        cmocka_unit_test_setup_teardown(accepts_a_null_error_pointer, setup_base, teardown),
        cmocka_unit_test_setup_teardown(accepts_document_markers_and_comments, setup_base,
                                        teardown),
        cmocka_unit_test(embedded_catalog_loads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
