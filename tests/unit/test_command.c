/* Engine command lines: each engine's own flag names, quoting, docker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "aim/command.h"
#include "aim/output.h"

static aim_catalog *catalog;
static struct aim_plan plan;
static struct aim_argv argv;
static char line[AIM_ARGV_STORAGE * 2];

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

static void plan_for(const char *model, const char *gpu, int gpus, enum aim_backend backend)
{
    struct aim_request request;

    aim_request_init(&request);
    request.model = aim_catalog_find_model(catalog, model);
    request.gpu = aim_catalog_find_gpu(catalog, gpu);
    request.gpus_free = gpus;
    request.backend_pinned = true;
    request.backend = backend;
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    aim_argv_init(&argv);
}

static int index_of(const char *item)
{
    for (int i = 0; i < argv.count; i++) {
        if (strcmp(argv.items[i], item) == 0)
            return i;
    }
    return -1;
}

static const char *value_of(const char *flag)
{
    int index = index_of(flag);

    return index < 0 || index + 1 >= argv.count ? NULL : argv.items[index + 1];
}

static void vllm_uses_its_own_flag_names(void **state)
{
    (void)state;
    plan_for("Qwen/Qwen3-32B", "MI300X", 1, AIM_BACKEND_VLLM);
    assert_int_equal(aim_engine_argv(catalog, &plan, 8000, &argv, NULL), AIM_OK);
    assert_string_equal(argv.items[0], "python3");
    assert_string_equal(argv.items[1], "-m");
    assert_string_equal(argv.items[2], "vllm.entrypoints.openai.api_server");
    assert_string_equal(value_of("--model"), plan.checkpoint);
    assert_string_equal(value_of("--tensor-parallel-size"), "1");
    assert_non_null(value_of("--max-model-len"));
    assert_non_null(value_of("--gpu-memory-utilization"));
    assert_string_equal(value_of("--dtype"), "bfloat16");
    assert_string_equal(value_of("--port"), "8000");
    assert_string_equal(value_of("--host"), "0.0.0.0");
    assert_int_equal(index_of("--tp-size"), -1);
}

static void sglang_uses_its_own_flag_names(void **state)
{
    (void)state;
    plan_for("Qwen/Qwen3-32B", "MI300X", 1, AIM_BACKEND_SGLANG);
    assert_int_equal(aim_engine_argv(catalog, &plan, 30000, &argv, NULL), AIM_OK);
    assert_string_equal(argv.items[2], "sglang.launch_server");
    assert_string_equal(value_of("--model-path"), plan.checkpoint);
    assert_string_equal(value_of("--tp-size"), "1");
    assert_non_null(value_of("--context-length"));
    assert_non_null(value_of("--mem-fraction-static"));
    assert_non_null(value_of("--max-running-requests"));
    assert_non_null(value_of("--chunked-prefill-size"));
    assert_string_equal(value_of("--port"), "30000");
    assert_int_equal(index_of("--max-model-len"), -1);
    assert_int_equal(index_of("--tensor-parallel-size"), -1);
}

static void booleans_are_bare_flags(void **state)
{
    (void)state;
    plan_for("Qwen/Qwen3-32B", "MI300X", 1, AIM_BACKEND_VLLM);
    aim_settings_set(&plan.engine_args, "enable_prefix_caching", AIM_VALUE_BOOL, "true");
    aim_settings_set(&plan.engine_args, "enforce_eager", AIM_VALUE_BOOL, "false");
    assert_int_equal(aim_engine_argv(catalog, &plan, 8000, &argv, NULL), AIM_OK);
    assert_true(index_of("--enable-prefix-caching") > 0);
    assert_int_equal(index_of("--enforce-eager"), -1);
    assert_int_equal(index_of("true"), -1);
}

static void docker_line_has_rocm_devices_and_env(void **state)
{
    (void)state;
    plan_for("Qwen/Qwen3-32B", "MI300X", 1, AIM_BACKEND_VLLM);
    assert_int_equal(aim_docker_argv(catalog, &plan, 8000, &argv, NULL), AIM_OK);
    assert_string_equal(argv.items[0], "docker");
    assert_string_equal(argv.items[1], "run");
    assert_true(index_of("--device=/dev/kfd") > 0);
    assert_true(index_of("--device=/dev/dri") > 0);
    assert_true(index_of("--env=VLLM_ROCM_USE_AITER=1") > 0);
    assert_true(index_of("python3") > index_of("--device=/dev/kfd"));
}

static void docker_line_on_nvidia_uses_gpus_flag(void **state)
{
    (void)state;
    plan_for("Qwen/Qwen3-8B", "H100", 1, AIM_BACKEND_VLLM);
    assert_int_equal(aim_docker_argv(catalog, &plan, 8000, &argv, NULL), AIM_OK);
    assert_true(index_of("--gpus=all") > 0);
    assert_int_equal(index_of("--device=/dev/kfd"), -1);
}

static void join_quotes_what_a_shell_would_split(void **state)
{
    (void)state;
    aim_argv_init(&argv);
    aim_argv_push(&argv, "echo");
    aim_argv_push(&argv, "two words");
    aim_argv_push(&argv, "it's");
    aim_argv_push(&argv, "--flag=a,b");
    aim_argv_push(&argv, "");
    assert_int_equal(aim_argv_join(&argv, line, sizeof line), AIM_OK);
    assert_string_equal(line, "echo 'two words' 'it'\\''s' --flag=a,b ''");
    assert_int_equal(aim_argv_join(&argv, line, 10), AIM_E_INPUT);
}

static void plan_json_has_the_contract_fields(void **state)
{
    static const char *const keys[] = {"model", "gpu", "gpu_count", "precision", "backend",
                                       "recipe", "maturity", "engine_args", "env",
                                       "resources", "memory", "performance", "command",
                                       "trace"};
    json_t *json;

    (void)state;
    plan_for("Qwen/Qwen3-32B", "MI300X", 8, AIM_BACKEND_VLLM);
    json = aim_plan_to_json(catalog, &plan);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_non_null(json_object_get(json, keys[i]));
    assert_true(json_is_integer(
        json_object_get(json_object_get(json, "engine_args"), "tensor_parallel_size")));
    assert_true(json_is_integer(
        json_object_get(json_object_get(json, "engine_args"), "max_model_len")));
    assert_true(json_is_integer(json_object_get(json_object_get(json, "memory"), "kv_tokens")));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(json, "trace"), 0), "verdict")),
                        plan.trace[0].accepted ? "accepted" : "rejected");
    json_decref(json);
}

static void yaml_quotes_strings_that_look_like_other_types(void **state)
{
    json_t *json = json_pack("{s:s, s:s, s:i, s:b, s:s, s:[s]}", "aiter", "1", "word", "true",
                             "count", 8, "flag", true, "plain", "bf16", "list", "x y");
    char *yaml;

    (void)state;
    yaml = aim_json_to_yaml(json);
    assert_non_null(yaml);
    assert_string_equal(yaml, "aiter: \"1\"\nword: \"true\"\ncount: 8\nflag: true\n"
                              "plain: bf16\nlist:\n- x y\n");
    free(yaml);
    json_decref(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vllm_uses_its_own_flag_names),
        cmocka_unit_test(sglang_uses_its_own_flag_names),
        cmocka_unit_test(booleans_are_bare_flags),
        cmocka_unit_test(docker_line_has_rocm_devices_and_env),
        cmocka_unit_test(docker_line_on_nvidia_uses_gpus_flag),
        cmocka_unit_test(join_quotes_what_a_shell_would_split),
        cmocka_unit_test(plan_json_has_the_contract_fields),
        cmocka_unit_test(yaml_quotes_strings_that_look_like_other_types),
    };

    return cmocka_run_group_tests(tests, load_catalog, free_catalog);
}
