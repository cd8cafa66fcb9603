/* Selection against the embedded catalog: worked cases, ladder, pins, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aim/catalog.h"
#include "aim/select.h"

static aim_catalog *catalog;
static struct aim_plan plan;

static int load_catalog(void **state)
{
    (void)state;
    catalog = aim_catalog_new();
    return catalog == NULL || aim_catalog_add_embedded(catalog, NULL) != AIM_OK;
}

static int free_catalog(void **state)
{
    (void)state;
    aim_catalog_free(&catalog);
    return 0;
}

static struct aim_request request_for(const char *model, const char *gpu, int gpus)
{
    struct aim_request request;

    aim_request_init(&request);
    request.model = aim_catalog_find_model(catalog, model);
    request.gpu = aim_catalog_find_gpu(catalog, gpu);
    request.gpus_free = gpus;
    assert_non_null(request.model);
    assert_non_null(request.gpu);
    return request;
}

static enum aim_status select_pinned(const char *model, const char *gpu, int gpus,
                                     enum aim_precision precision)
{
    struct aim_request request = request_for(model, gpu, gpus);

    request.precision_pinned = true;
    request.precision = precision;
    return aim_select(catalog, &request, &plan, NULL);
}

static void llama_405b_bf16_fits_8_mi300x_not_8_h100(void **state)
{
    (void)state;
    assert_int_equal(select_pinned("meta-llama/Llama-3.1-405B-Instruct", "MI300X", 8,
                                   AIM_PRECISION_BF16),
                     AIM_OK);
    assert_int_equal(plan.gpu_count, 8);
    assert_int_equal(plan.precision, AIM_PRECISION_BF16);

    assert_int_equal(select_pinned("meta-llama/Llama-3.1-405B-Instruct", "H100", 8,
                                   AIM_PRECISION_BF16),
                     AIM_E_NO_FIT);
    assert_false(plan.found);
    for (int i = 0; i < plan.trace_count; i++) {
        assert_false(plan.trace[i].accepted);
        assert_int_equal(plan.trace[i].precision, AIM_PRECISION_BF16);
    }
}

static void llama_405b_fp8_fits_4_mi300x_not_2(void **state)
{
    (void)state;
    assert_int_equal(select_pinned("meta-llama/Llama-3.1-405B-Instruct", "MI300X", 4,
                                   AIM_PRECISION_FP8),
                     AIM_OK);
    assert_int_equal(plan.gpu_count, 4);
    assert_int_equal(plan.precision, AIM_PRECISION_FP8);

    assert_int_equal(select_pinned("meta-llama/Llama-3.1-405B-Instruct", "MI300X", 2,
                                   AIM_PRECISION_FP8),
                     AIM_E_NO_FIT);
    assert_true(plan.hint_count > 0);
}

static void llama_70b_bf16_fits_one_mi300x(void **state)
{
    (void)state;
    assert_int_equal(select_pinned("meta-llama/Llama-3.1-70B-Instruct", "MI300X", 1,
                                   AIM_PRECISION_BF16),
                     AIM_OK);
    assert_int_equal(plan.gpu_count, 1);
    /* The full 131072 tokens do not fit beside 131 GiB of weights, so the
       automatic context shrinks to a round length that does. */
    assert_true(atol(aim_settings_get(&plan.engine_args, "max_model_len")->value) < 131072);
    assert_int_equal(atol(aim_settings_get(&plan.engine_args, "max_model_len")->value) % 1024,
                     0);
}

static void ladder_walks_counts_then_precisions_then_engines(void **state)
{
    struct aim_request request = request_for("Qwen/Qwen3-8B", "MI300X", 8);
    static const int counts[] = {8, 4, 2, 1};

    (void)state;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    assert_int_equal(plan.trace_count, 4 * 3 * 2);
    for (int i = 0; i < plan.trace_count; i++) {
        assert_int_equal(plan.trace[i].gpu_count, counts[i / 6]);
        assert_int_equal(plan.trace[i].precision, (i / 2) % 3);
        assert_int_equal(plan.trace[i].backend, i % 2);
    }
}

static void never_plans_more_gpus_than_are_free(void **state)
{
    struct aim_request request = request_for("Qwen/Qwen3-32B", "MI300X", 2);

    (void)state;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    for (int i = 0; i < plan.trace_count; i++)
        assert_true(plan.trace[i].gpu_count <= 2);
}

static void pinned_values_are_never_changed(void **state)
{
    struct aim_request request = request_for("Qwen/Qwen3-32B", "MI300X", 8);

    (void)state;
    request.precision_pinned = true;
    request.precision = AIM_PRECISION_FP8;
    request.backend_pinned = true;
    request.backend = AIM_BACKEND_SGLANG;
    request.max_model_len = 16384;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    assert_int_equal(plan.precision, AIM_PRECISION_FP8);
    assert_int_equal(plan.backend, AIM_BACKEND_SGLANG);
    assert_string_equal(aim_settings_get(&plan.engine_args, "max_model_len")->value, "16384");
    for (int i = 0; i < plan.trace_count; i++) {
        assert_int_equal(plan.trace[i].precision, AIM_PRECISION_FP8);
        assert_int_equal(plan.trace[i].backend, AIM_BACKEND_SGLANG);
    }
}

static void a_pinned_length_that_cannot_fit_is_the_error(void **state)
{
    struct aim_request request = request_for("meta-llama/Llama-3.1-70B-Instruct", "MI300X", 1);
    struct aim_error err;

    (void)state;
    request.max_model_len = 131072;
    request.precision_pinned = true;
    request.precision = AIM_PRECISION_BF16;
    assert_int_equal(aim_select(catalog, &request, &plan, &err), AIM_E_NO_FIT);
    assert_string_equal(err.message,
                        "nothing fits: meta-llama/Llama-3.1-70B-Instruct on 1 free MI300X GPU");
    assert_non_null(strstr(plan.trace[0].reason, "the largest max_model_len that fits is"));
}

static void throughput_takes_the_fewest_gpus_and_counts_replicas(void **state)
{
    struct aim_request request = request_for("meta-llama/Llama-3.1-70B-Instruct", "MI300X", 8);

    (void)state;
    request.objective = AIM_OBJECTIVE_THROUGHPUT;
    request.concurrency = 16;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    assert_true(plan.gpu_count < 8);
    assert_int_equal(plan.replicas, 8 / plan.gpu_count);

    /* Latency takes the most GPUs the recipe enables. */
    request.objective = AIM_OBJECTIVE_LATENCY;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    assert_int_equal(plan.gpu_count, 8);
}

static void derived_recipes_keep_small_models_on_one_gpu(void **state)
{
    struct aim_request request = request_for("meta-llama/Llama-3.2-1B-Instruct", "MI300X", 8);

    (void)state;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    assert_int_equal(plan.gpu_count, 1);
    assert_null(plan.recipe);
    assert_int_equal(plan.maturity, AIM_MATURITY_DERIVED);
}

static void tensor_parallelism_must_divide_the_heads(void **state)
{
    struct aim_request request = request_for("Qwen/Qwen2.5-72B-Instruct", "MI300X", 8);
    struct aim_model odd = *request.model;

    (void)state;
    /* A model like Qwen2.5-7B (28 heads, 4 KV heads) but large enough that
       derived recipes would spread it over 8 GPUs. */
    snprintf(odd.id, sizeof odd.id, "test/odd-heads");
    odd.num_attention_heads = 28;
    odd.num_kv_heads = 4;
    request.model = &odd;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    assert_string_equal(plan.trace[0].reason,
                        "tensor parallel size 8 does not divide the 28 attention heads");
    assert_int_equal(plan.gpu_count, 4);
}

static void gpt_oss_runs_its_own_fp4_checkpoint(void **state)
{
    struct aim_request request = request_for("openai/gpt-oss-120b", "MI355X", 8);

    (void)state;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    assert_int_equal(plan.precision, AIM_PRECISION_FP4);
}

static void bad_requests_are_usage_errors(void **state)
{
    struct aim_request request = request_for("Qwen/Qwen3-32B", "MI300X", 8);
    struct aim_error err;

    (void)state;
    request.max_model_len = 1000000;
    assert_int_equal(aim_select(catalog, &request, &plan, &err), AIM_E_USAGE);
    assert_string_equal(err.message,
                        "--max-model-len 1000000 exceeds the 40960 tokens Qwen/Qwen3-32B "
                        "supports");

    request.max_model_len = 0;
    request.gpus_free = 0;
    assert_int_equal(aim_select(catalog, &request, &plan, &err), AIM_E_USAGE);
    assert_string_equal(err.message, "no free GPUs to plan for (--gpus must be >= 1)");

    request.gpus_free = 8;
    request.model = NULL;
    assert_int_equal(aim_select(catalog, &request, &plan, &err), AIM_E_USAGE);
}

static void gfx90a_gets_no_aiter(void **state)
{
    struct aim_request request = request_for("Qwen/Qwen3-8B", "MI250X", 8);

    (void)state;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    assert_null(aim_settings_get(&plan.env, "VLLM_ROCM_USE_AITER"));

    request = request_for("Qwen/Qwen3-8B", "MI300X", 8);
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    assert_string_equal(aim_settings_get(&plan.env, "VLLM_ROCM_USE_AITER")->value, "1");
}

static void multi_node_only_when_one_node_cannot_hold_it(void **state)
{
    struct aim_request request = request_for("deepseek-ai/DeepSeek-R1", "MI300X", 8);
    struct aim_error err;

    (void)state;
    request.precision_pinned = true;
    request.precision = AIM_PRECISION_BF16;
    request.max_model_len = 163840;
    assert_int_equal(aim_select(catalog, &request, &plan, &err), AIM_E_NO_FIT);
    assert_string_equal(plan.hints[0], "2 nodes of 8 MI300X would hold it at bf16 "
                                       "(--node-count 2)");

    request.node_count = 4;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    assert_int_equal(plan.gpu_count, 16);
    assert_int_equal(plan.node_count, 2);
    assert_null(plan.recipe);
    assert_string_equal(plan.checkpoint, "unsloth/DeepSeek-R1-BF16");
    assert_string_equal(aim_settings_get(&plan.engine_args, "tensor_parallel_size")->value,
                        "8");
    assert_string_equal(aim_settings_get(&plan.engine_args, "pipeline_parallel_size")->value,
                        "2");
    assert_int_equal(plan.replicas, 2);

    /* Its own fp8 fits one node, so offering more nodes changes nothing. */
    request.precision_pinned = false;
    request.max_model_len = 0;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    assert_int_equal(plan.node_count, 1);
    assert_int_equal(plan.precision, AIM_PRECISION_FP8);
}

static void llama_405b_bf16_spans_two_h100_nodes(void **state)
{
    struct aim_request request = request_for("meta-llama/Llama-3.1-405B-Instruct", "H100", 8);

    (void)state;
    request.precision_pinned = true;
    request.precision = AIM_PRECISION_BF16;
    request.node_count = 2;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    assert_int_equal(plan.gpu_count, 16);
    assert_int_equal(plan.node_count, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(llama_405b_bf16_fits_8_mi300x_not_8_h100),
        cmocka_unit_test(llama_405b_fp8_fits_4_mi300x_not_2),
        cmocka_unit_test(llama_70b_bf16_fits_one_mi300x),
        cmocka_unit_test(ladder_walks_counts_then_precisions_then_engines),
        cmocka_unit_test(never_plans_more_gpus_than_are_free),
        cmocka_unit_test(pinned_values_are_never_changed),
        cmocka_unit_test(a_pinned_length_that_cannot_fit_is_the_error),
        cmocka_unit_test(throughput_takes_the_fewest_gpus_and_counts_replicas),
        cmocka_unit_test(derived_recipes_keep_small_models_on_one_gpu),
        cmocka_unit_test(tensor_parallelism_must_divide_the_heads),
        cmocka_unit_test(gpt_oss_runs_its_own_fp4_checkpoint),
        cmocka_unit_test(bad_requests_are_usage_errors),
        cmocka_unit_test(gfx90a_gets_no_aiter),
        cmocka_unit_test(multi_node_only_when_one_node_cannot_hold_it),
        cmocka_unit_test(llama_405b_bf16_spans_two_h100_nodes),
    };

    return cmocka_run_group_tests(tests, load_catalog, free_catalog);
}
