/* The memory model and the roofline against worked numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "aim/calibration.h"
#include "aim/memory.h"
#include "aim/perf.h"

static struct aim_model qwen3_32b(void)
{
    struct aim_model model;

    memset(&model, 0, sizeof model);
    strcpy(model.id, "Qwen/Qwen3-32B");
    model.num_layers = 64;
    model.num_attention_heads = 64;
    model.num_kv_heads = 8;
    model.head_dim = 128;
    model.max_context = 40960;
    model.params_total = 32762123264.0;
    model.params_active = model.params_total;
    model.checkpoint.precision = AIM_PRECISION_BF16;
    model.checkpoint.bytes = 65524246528.0;
    return model;
}

static struct aim_model deepseek_r1(void)
{
    struct aim_model model;

    memset(&model, 0, sizeof model);
    model.num_layers = 61;
    model.num_attention_heads = 128;
    model.num_kv_heads = 128;
    model.head_dim = 192;
    model.kv_lora_rank = 512;
    model.qk_rope_head_dim = 64;
    return model;
}

static void qwen3_32b_kv_is_256_kib_per_token(void **state)
{
    struct aim_model model = qwen3_32b();

    (void)state;
    assert_int_equal((long)aim_kv_bytes_per_token(&model, 1, 2.0), 256 * 1024);
    /* Eight KV heads over TP 8: one head each, an eighth of the bytes. */
    assert_int_equal((long)aim_kv_bytes_per_token(&model, 8, 2.0), 32 * 1024);
    /* FP8 KV halves it. */
    assert_int_equal((long)aim_kv_bytes_per_token(&model, 1, 1.0), 128 * 1024);
}

static void kv_heads_are_replicated_past_tp(void **state)
{
    struct aim_model model = qwen3_32b();

    (void)state;
    model.num_kv_heads = 4;
    assert_int_equal((long)aim_kv_bytes_per_token(&model, 8, 2.0),
                     (long)aim_kv_bytes_per_token(&model, 4, 2.0));
}

static void deepseek_mla_kv_is_68_6_kib_and_not_sharded(void **state)
{
    struct aim_model model = deepseek_r1();
    double bytes = aim_kv_bytes_per_token(&model, 1, 2.0);

    (void)state;
    assert_int_equal((long)bytes, 61 * (512 + 64) * 2);
    assert_true(bytes / 1024.0 > 68.6 && bytes / 1024.0 < 68.7);
    assert_int_equal((long)aim_kv_bytes_per_token(&model, 8, 2.0), (long)bytes);
}

static void sliding_layers_hold_only_their_window(void **state)
{
    struct aim_model model = qwen3_32b();
    double per_layer = 2.0 * 8 * 128 * 2.0;

    (void)state;
    model.sliding_window = 1024;
    model.sliding_layers = 48;
    assert_int_equal((long)aim_kv_bytes_per_token(&model, 1, 2.0), (long)(16 * per_layer));
    assert_int_equal((long)aim_kv_bytes_for_length(&model, 1, 2.0, 512),
                     (long)(64 * 512 * per_layer));
    assert_int_equal((long)aim_kv_bytes_for_length(&model, 1, 2.0, 4096),
                     (long)((16.0 * 4096 + 48.0 * 1024) * per_layer));
}

static void longest_fit_inverts_the_length_cost(void **state)
{
    struct aim_model model = qwen3_32b();

    (void)state;
    assert_int_equal(aim_kv_longest_fit(&model, 1, 2.0, 256.0 * 1024 * 1000), 1000);
    assert_int_equal(aim_kv_longest_fit(&model, 1, 2.0, 0), 0);

    model.sliding_window = 1024;
    model.sliding_layers = 48;
    for (long tokens = 100; tokens < 100000; tokens = tokens * 3 + 7) {
        double cost = aim_kv_bytes_for_length(&model, 1, 2.0, tokens);

        assert_int_equal(aim_kv_longest_fit(&model, 1, 2.0, cost), tokens);
    }
}

static void weight_bytes_follow_the_checkpoint(void **state)
{
    struct aim_model model = qwen3_32b();

    (void)state;
    model.embedding_params = 151936.0 * 5120 * 2;
    assert_true(aim_weight_bytes(&model, AIM_PRECISION_BF16) == 65524246528.0);
    assert_true(aim_weight_bytes(&model, AIM_PRECISION_FP16) == 65524246528.0);
    /* Online fp8 keeps the embeddings in 16 bits. */
    assert_true(aim_weight_bytes(&model, AIM_PRECISION_FP8) ==
                model.params_total + model.embedding_params);
    /* No fp4 checkpoint and no online fp4. */
    assert_true(aim_weight_bytes(&model, AIM_PRECISION_FP4) == 0);
}

static void memory_breakdown_adds_up(void **state)
{
    struct aim_model model = qwen3_32b();
    struct aim_gpu gpu;
    struct aim_calibration calibration;
    struct aim_memory memory;
    struct aim_memory_input input;

    (void)state;
    memset(&gpu, 0, sizeof gpu);
    gpu.memory_gib = 191.98;
    aim_calibration_defaults(&calibration);
    input = (struct aim_memory_input){
        .model = &model, .gpu = &gpu, .calibration = &calibration, .tensor_parallel = 1,
        .weight_bytes = model.checkpoint.bytes, .kv_bytes = 2.0,
        .gpu_memory_utilization = 0.9, .max_num_batched_tokens = 8192,
        .max_model_len = 40960,
    };
    aim_memory_estimate(&input, &memory);

    assert_float_equal(memory.usable_gib, 172.782, 0.001);
    assert_float_equal(memory.weights_gib, 65524246528.0 / AIM_GIB, 1e-9);
    assert_float_equal(memory.activations_gib, calibration.activation_gib, 1e-9);
    assert_float_equal(memory.overhead_gib, calibration.runtime_overhead_gib_tp1, 1e-9);
    assert_float_equal(memory.usable_gib, memory.weights_gib + memory.activations_gib +
                                              memory.overhead_gib + memory.kv_cache_gib,
                       1e-9);
    assert_float_equal(memory.headroom_gib, 191.98 * 0.1, 1e-9);
    /* Without local layers every token costs the same, so the cache holds
       as many tokens as the longest request it fits. */
    assert_true(labs(memory.kv_tokens - memory.longest_fit) <= 1);
    assert_int_equal(memory.longest_fit, (long)(memory.kv_cache_gib * AIM_GIB / 262144.0));

    /* TP > 1 pays the collective-communication overhead. */
    input.tensor_parallel = 2;
    aim_memory_estimate(&input, &memory);
    assert_float_equal(memory.overhead_gib, calibration.runtime_overhead_gib_tp, 1e-9);
}

/* shared/reference/engines.md: upper bounds with eta = 1 and no overhead. */
static void roofline_matches_the_worked_examples(void **state)
{
    (void)state;
    /* Qwen3-32B BF16 on one MI300X: 12.4 ms a step, about 81 tok/s. */
    assert_float_equal(aim_decode_step_seconds(65524246528.0, 5.3e12, 1.0, 0) * 1e3, 12.36,
                       0.01);
    /* Llama-3.1-405B FP8 on 8 MI300X: 9.6 ms; on 8 MI355X: 6.3 ms. */
    assert_float_equal(aim_decode_step_seconds(405853388800.0 / 8, 5.3e12, 1.0, 0) * 1e3, 9.57,
                       0.01);
    assert_float_equal(aim_decode_step_seconds(405853388800.0 / 8, 8e12, 1.0, 0) * 1e3, 6.34,
                       0.01);
    /* Efficiency and a fixed step cost slow it down. */
    assert_float_equal(aim_decode_step_seconds(8e9, 8e12, 0.8, 3e-6), 1.25e-3 + 3e-6, 1e-12);
    assert_float_equal(aim_decode_step_seconds(1, 0, 1, 0), 0, 0);
}

static void prefill_is_compute_bound(void **state)
{
    (void)state;
    /* 2 * 8e9 params * 1000 tokens / (1307e12 * 0.5) = 24.5 ms */
    assert_float_equal(aim_prefill_seconds(8e9, 1000, 1307e12, 0.5) * 1e3, 24.48, 0.01);
    assert_float_equal(aim_prefill_seconds(8e9, 1000, 0, 0.5), 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qwen3_32b_kv_is_256_kib_per_token),
        cmocka_unit_test(kv_heads_are_replicated_past_tp),
        cmocka_unit_test(deepseek_mla_kv_is_68_6_kib_and_not_sharded),
        cmocka_unit_test(sliding_layers_hold_only_their_window),
        cmocka_unit_test(longest_fit_inverts_the_length_cost),
        cmocka_unit_test(weight_bytes_follow_the_checkpoint),
        cmocka_unit_test(memory_breakdown_adds_up),
        cmocka_unit_test(roofline_matches_the_worked_examples),
        cmocka_unit_test(prefill_is_compute_bound),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
