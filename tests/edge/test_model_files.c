/*
 * Models from local folders and the Hugging Face cache, against the
 * fixtures in tests/data/models and tests/data/hf-cache.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model_files.h"

#define MODELS AIM_TEST_DATA "/models"
#define HUB AIM_TEST_DATA "/hf-cache/hub"

/* ----------------------------------------------------------- environment */

static const char *const cache_variables[] = {"HF_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME",
                                              "HOME"};
#define CACHE_VARIABLES (sizeof cache_variables / sizeof cache_variables[0])

/* The variables as they were before a test, restored after it. */
struct saved_env {
    char *values[CACHE_VARIABLES];
};

static int save_env(void **state)
{
    struct saved_env *saved = calloc(1, sizeof *saved);

    if (saved == NULL)
        return -1;
    for (size_t i = 0; i < CACHE_VARIABLES; i++) {
        const char *value = getenv(cache_variables[i]);

        saved->values[i] = value != NULL ? strdup(value) : NULL;
        unsetenv(cache_variables[i]);
    }
    *state = saved;
    return 0;
}

static int restore_env(void **state)
{
    struct saved_env *saved = *state;

    for (size_t i = 0; i < CACHE_VARIABLES; i++) {
        if (saved->values[i] != NULL)
            setenv(cache_variables[i], saved->values[i], 1);
        else
            unsetenv(cache_variables[i]);
        free(saved->values[i]);
    }
    free(saved);
    return 0;
}

/* ------------------------------------------------------------ helpers */

static void write_file(const char *path, const void *data, size_t size)
{
    FILE *file = fopen(path, "wb");

    assert_non_null(file);
    assert_int_equal(fwrite(data, 1, size, file), size);
    assert_int_equal(fclose(file), 0);
}

static void make_dir(const char *path)
{
    assert_int_equal(mkdir(path, 0755), 0);
}

/* Sets a path's modification time to seconds since the epoch. */
static void set_mtime(const char *path, time_t seconds)
{
    struct timespec times[2] = {{seconds, 0}, {seconds, 0}};

    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

static void remove_tree(const char *path)
{
    char command[600];

    /* Only ever a mkdtemp folder under /tmp. */
    assert_int_equal(strncmp(path, "/tmp/aim-test-", 14), 0);
    snprintf(command, sizeof command, "rm -rf '%s'", path);
    assert_int_equal(system(command), 0);
}

/* ---------------------------------------------------------- local paths */

static void local_path_forms(void **state)
{
    (void)state;
    assert_true(aim_cli_is_local_path("./model"));
    assert_true(aim_cli_is_local_path("../model"));
    assert_true(aim_cli_is_local_path("/no/such/dir"));
    assert_true(aim_cli_is_local_path("."));
    assert_true(aim_cli_is_local_path(MODELS));
    assert_false(aim_cli_is_local_path("Qwen/Qwen3-32B"));
    assert_false(aim_cli_is_local_path("llama"));
    assert_false(aim_cli_is_local_path(""));
    assert_false(aim_cli_is_local_path(NULL));
}

/* --------------------------------------------------------- model folders */

static void index_gives_checkpoint_size(void **state)
{
    struct aim_model model;
    struct aim_error err = {0};

    (void)state;
    assert_int_equal(aim_cli_load_model_dir(MODELS "/llama-3.1-8b", "meta-llama/Llama-3.1-8B",
                                            &model, &err),
                     AIM_OK);
    assert_string_equal(model.id, "meta-llama/Llama-3.1-8B");
    assert_string_equal(model.source, MODELS "/llama-3.1-8b");
    assert_true(model.params_total == 8030261248.0);
    /* The index's total_size; the garbage shard beside it is never opened. */
    assert_true(model.checkpoint.bytes == 16060522496.0);
}

static void shard_headers_give_counts(void **state)
{
    struct aim_model model;
    struct aim_error err = {0};

    (void)state;
    assert_int_equal(aim_cli_load_model_dir(MODELS "/tiny-llama", "./tiny", &model, &err),
                     AIM_OK);
    assert_int_equal(model.num_layers, 2);
    /* The two shards' tensors add up to what the architecture implies. */
    assert_true(model.params_total == 22688.0);
    assert_true(model.params_active == 22688.0);
    assert_true(model.checkpoint.bytes == 2.0 * 22688.0);
}

static void config_only_keeps_the_estimate(void **state)
{
    struct aim_model model;
    struct aim_error err = {0};

    (void)state;
    assert_int_equal(aim_cli_load_model_dir(MODELS "/config-only", "x", &model, &err), AIM_OK);
    assert_true(model.params_total == 22688.0);
    assert_true(model.checkpoint.bytes == 2.0 * 22688.0);
}

static void folder_errors(void **state)
{
    struct aim_model model;
    struct aim_error err = {0};

    (void)state;
    assert_int_equal(aim_cli_load_model_dir(MODELS "/none", "x", &model, &err), AIM_E_IO);
    assert_string_equal(err.message, MODELS "/none: not a directory");

    assert_int_equal(aim_cli_load_model_dir(AIM_TEST_DATA "/hf-cache", "x", &model, &err),
                     AIM_E_IO);
    assert_string_equal(err.message,
                        AIM_TEST_DATA "/hf-cache/config.json: cannot read: No such file or "
                                      "directory");

    assert_int_equal(aim_cli_load_model_dir(MODELS "/broken-config", "x", &model, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, MODELS "/broken-config/config.json: field "
                                            "num_attention_heads: expected a positive "
                                            "integer, found none");

    assert_int_equal(aim_cli_load_model_dir(MODELS "/bad-index", "x", &model, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, MODELS "/bad-index/model.safetensors.index.json: field "
                                            "metadata.total_size: expected a positive number "
                                            "of bytes, got \"big\"");

    assert_int_equal(aim_cli_load_model_dir(MODELS "/truncated", "x", &model, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, MODELS "/truncated/model.safetensors: the header "
                                            "describes 4096 bytes of tensors but the file "
                                            "holds 3996 (incomplete download?)");
}

/* A folder with the tiny config and one handmade .safetensors file. */
static void expect_shard_error(const unsigned char *bytes, size_t size, const char *message)
{
    char dir[] = "/tmp/aim-test-XXXXXX", path[512], config[4096];
    FILE *source = fopen(MODELS "/tiny-llama/config.json", "rb");
    size_t length;
    struct aim_model model;
    struct aim_error err = {0};
    char expected[1024];

    assert_non_null(source);
    length = fread(config, 1, sizeof config, source);
    fclose(source);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/config.json", dir);
    write_file(path, config, length);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    write_file(path, bytes, size);

    assert_int_equal(aim_cli_load_model_dir(dir, "x", &model, &err), AIM_E_INPUT);
    snprintf(expected, sizeof expected, message, path);
    assert_string_equal(err.message, expected);
    remove_tree(dir);
}

static void shard_errors(void **state)
{
    static const unsigned char short_file[4] = {1, 0, 0, 0};
    static const unsigned char past_end[12] = {0x20, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' '};
    static const unsigned char huge[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
    static const unsigned char bad_json[10] = {2, 0, 0, 0, 0, 0, 0, 0, '{', '{'};

    (void)state;
    expect_shard_error(short_file, sizeof short_file, "%s: too short for a safetensors file");
    expect_shard_error(past_end, sizeof past_end,
                       "%s: the safetensors header of 32 bytes runs past the end of the file "
                       "(12 bytes)");
    expect_shard_error(huge, sizeof huge,
                       "%s: safetensors header length 9223372036854775808 is more than the "
                       "100000000-byte limit");
    expect_shard_error(bad_json, sizeof bad_json,
                       "%s:1:2: invalid JSON: string or '}' expected near '{'");
}

/* --------------------------------------------------------------- cache */

static void cache_prefers_refs_main(void **state)
{
    char path[4096];
    struct aim_error err = {0};

    (void)state;
    setenv("HF_HUB_CACHE", HUB, 1);
    assert_int_equal(aim_cli_find_hf_cache("org/name", path, sizeof path, &err), AIM_OK);
    assert_string_equal(path, HUB "/models--org--name/snapshots/abc123def456");
}

static void cache_under_hf_home(void **state)
{
    char path[4096];
    struct aim_error err = {0};
    struct aim_model model;

    (void)state;
    setenv("HF_HOME", AIM_TEST_DATA "/hf-cache", 1);
    assert_int_equal(aim_cli_find_hf_cache("org/name", path, sizeof path, &err), AIM_OK);
    assert_string_equal(path, HUB "/models--org--name/snapshots/abc123def456");
    assert_int_equal(aim_cli_load_model_dir(path, "org/name", &model, &err), AIM_OK);
    assert_string_equal(model.id, "org/name");
    assert_int_equal(model.num_layers, 2);
}

static void cache_under_home(void **state)
{
    char home[] = "/tmp/aim-test-XXXXXX", dir[512], path[4096];
    struct aim_error err = {0};

    (void)state;
    assert_non_null(mkdtemp(home));
    snprintf(dir, sizeof dir, "%s/.cache", home);
    make_dir(dir);
    snprintf(dir, sizeof dir, "%s/.cache/huggingface", home);
    assert_int_equal(symlink(AIM_TEST_DATA "/hf-cache", dir), 0);
    setenv("HOME", home, 1);
    assert_int_equal(aim_cli_find_hf_cache("org/name", path, sizeof path, &err), AIM_OK);
    snprintf(dir, sizeof dir, "%s/.cache/huggingface/hub/models--org--name/snapshots/"
                              "abc123def456",
             home);
    assert_string_equal(path, dir);
    remove_tree(home);
}

/* Without refs/main (or when it names a missing snapshot), the newest wins. */
static void cache_falls_back_to_newest(void **state)
{
    char hub[] = "/tmp/aim-test-XXXXXX", dir[512], path[4096];
    static const char *const snapshots[] = {"aaa", "bbb", "ccc"};
    static const time_t times[] = {1700000300, 1700000100, 1700000200};
    struct aim_error err = {0};

    (void)state;
    assert_non_null(mkdtemp(hub));
    snprintf(dir, sizeof dir, "%s/models--o--m", hub);
    make_dir(dir);
    snprintf(dir, sizeof dir, "%s/models--o--m/snapshots", hub);
    make_dir(dir);
    for (int i = 0; i < 3; i++) {
        snprintf(dir, sizeof dir, "%s/models--o--m/snapshots/%s", hub, snapshots[i]);
        make_dir(dir);
        snprintf(path, sizeof path, "%s/config.json", dir);
        write_file(path, "{}", 2);
        set_mtime(dir, times[i]);
    }
    setenv("HF_HUB_CACHE", hub, 1);
    assert_int_equal(aim_cli_find_hf_cache("o/m", path, sizeof path, &err), AIM_OK);
    snprintf(dir, sizeof dir, "%s/models--o--m/snapshots/aaa", hub);
    assert_string_equal(path, dir);

    /* refs/main naming a snapshot that is not there is ignored. */
    snprintf(dir, sizeof dir, "%s/models--o--m/refs", hub);
    make_dir(dir);
    snprintf(dir, sizeof dir, "%s/models--o--m/refs/main", hub);
    write_file(dir, "gone\n", 5);
    assert_int_equal(aim_cli_find_hf_cache("o/m", path, sizeof path, &err), AIM_OK);
    snprintf(dir, sizeof dir, "%s/models--o--m/snapshots/aaa", hub);
    assert_string_equal(path, dir);
    remove_tree(hub);
}

static void cache_misses(void **state)
{
    char path[4096];
    struct aim_error err = {0};

    (void)state;
    setenv("HF_HUB_CACHE", HUB, 1);
    setenv("HOME", "/nonexistent", 1);
    assert_int_equal(aim_cli_find_hf_cache("org/other", path, sizeof path, &err),
                     AIM_E_NOT_FOUND);
    assert_string_equal(err.message, "org/other is not in the Hugging Face cache (looked in "
                                     HUB ", /nonexistent/.cache/huggingface/hub)");
    /* A snapshot still downloading (no config.json) does not count. */
    assert_int_equal(aim_cli_find_hf_cache("org/partial", path, sizeof path, &err),
                     AIM_E_NOT_FOUND);

    assert_int_equal(aim_cli_find_hf_cache("../etc", path, sizeof path, &err), AIM_E_INPUT);
    assert_string_equal(err.message,
                        "'../etc' is not a Hugging Face model id (expected ORG/NAME)");
    assert_int_equal(aim_cli_find_hf_cache("a/b/c", path, sizeof path, &err), AIM_E_INPUT);
    assert_int_equal(aim_cli_find_hf_cache("", path, sizeof path, &err), AIM_E_INPUT);

    unsetenv("HF_HUB_CACHE");
    unsetenv("HOME");
    assert_int_equal(aim_cli_find_hf_cache("org/name", path, sizeof path, &err),
                     AIM_E_NOT_FOUND);
    assert_string_equal(err.message, "org/name is not in the Hugging Face cache (looked in no "
                                     "cache: HOME is not set)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(local_path_forms),
        cmocka_unit_test(index_gives_checkpoint_size),
        cmocka_unit_test(shard_headers_give_counts),
        cmocka_unit_test(config_only_keeps_the_estimate),
        cmocka_unit_test(folder_errors),
        cmocka_unit_test(shard_errors),
        cmocka_unit_test_setup_teardown(cache_prefers_refs_main, save_env, restore_env),
        cmocka_unit_test_setup_teardown(cache_under_hf_home, save_env, restore_env),
        cmocka_unit_test_setup_teardown(cache_under_home, save_env, restore_env),
        cmocka_unit_test_setup_teardown(cache_falls_back_to_newest, save_env, restore_env),
        cmocka_unit_test_setup_teardown(cache_misses, save_env, restore_env),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
