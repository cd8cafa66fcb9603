/* Rendering: names, labels, resources, and the objects of each plan shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "aim/render.h"

static aim_catalog *catalog;
static struct aim_plan plan;
static struct aim_render_options options;

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

static void plan_for(const char *model, const char *gpu, int gpus, int nodes)
{
    struct aim_request request;

    aim_request_init(&request);
    request.model = aim_catalog_find_model(catalog, model);
    request.gpu = aim_catalog_find_gpu(catalog, gpu);
    request.gpus_free = gpus;
    request.node_count = nodes;
    if (nodes > 1) {
        request.precision_pinned = true;
        request.precision = AIM_PRECISION_BF16;
        request.max_model_len = 163840;
    }
    assert_int_equal(aim_select(catalog, &request, &plan, NULL), AIM_OK);
    aim_render_options_init(&options);
}

/* The objects of the current plan; the caller releases them. */
static json_t *render(void)
{
    struct aim_error err;
    json_t *values = aim_render_values(catalog, &plan, &options, &err);
    json_t *objects;

    assert_non_null(values);
    objects = aim_render_objects(values, &err);
    json_decref(values);
    assert_non_null(objects);
    return objects;
}

static json_t *object_of_kind(json_t *objects, const char *kind)
{
    size_t index;
    json_t *object;

    json_array_foreach(objects, index, object) {
        if (strcmp(json_string_value(json_object_get(object, "kind")), kind) == 0)
            return object;
    }
    fail_msg("no %s rendered", kind);
    return NULL;
}

static const char *text_at(json_t *object, const char *path)
{
    json_t *value = json_object_get(object, path);

    return json_string_value(value);
}

static void names_are_dns_labels_and_never_collide(void **state)
{
    char first[64], second[64];

    (void)state;
    aim_render_name("meta-llama/Llama-3.1-8B-Instruct", first, sizeof first);
    assert_string_equal(first, "llama-3-1-8b-instruct-5e0a9525");
    aim_render_name("RedHatAI/Llama-3.1-8B-Instruct", second, sizeof second);
    assert_string_not_equal(first, second);

    aim_render_name("org/An_Extremely-Long.Model.Name.That-Goes-On-And-On-Far-Past-Sixty-"
                    "Three-Characters",
                    first, sizeof first);
    assert_true(strlen(first) <= 63);
    assert_true(first[strlen(first) - 9] == '-');

    /* Every pair of catalog models gets distinct names. */
    for (size_t i = 0; i < aim_catalog_model_count(catalog); i++) {
        aim_render_name(aim_catalog_model_at(catalog, i)->id, first, sizeof first);
        for (size_t j = i + 1; j < aim_catalog_model_count(catalog); j++) {
            aim_render_name(aim_catalog_model_at(catalog, j)->id, second, sizeof second);
            assert_string_not_equal(first, second);
        }
    }
}

static void label_values_are_sanitised(void **state)
{
    char label[64];

    (void)state;
    aim_label_value("Qwen/Qwen3-32B", label, sizeof label);
    assert_string_equal(label, "Qwen-Qwen3-32B");
    aim_label_value("-_leading and trailing_-", label, sizeof label);
    assert_string_equal(label, "leading-and-trailing");
    aim_label_value("0123456789012345678901234567890123456789012345678901234567890123456789",
                    label, sizeof label);
    assert_int_equal(strlen(label), 63);
}

static void four_gpus_scale_requests_and_limits(void **state)
{
    json_t *objects;
    json_t *resources;

    (void)state;
    plan_for("Qwen/Qwen3-32B", "MI300X", 4, 1);
    assert_int_equal(plan.gpu_count, 4);
    objects = render();
    resources = json_object_get(
        json_array_get(json_object_get(json_object_get(json_object_get(
                                           json_object_get(object_of_kind(objects, "Deployment"),
                                                           "spec"),
                                           "template"),
                                                       "spec"),
                                       "containers"),
                       0),
        "resources");
    assert_string_equal(text_at(json_object_get(resources, "requests"), "cpu"), "16");
    assert_string_equal(text_at(json_object_get(resources, "requests"), "memory"), "64Gi");
    assert_string_equal(text_at(json_object_get(resources, "limits"), "cpu"), "32");
    assert_string_equal(text_at(json_object_get(resources, "limits"), "memory"), "128Gi");
    assert_string_equal(text_at(json_object_get(resources, "requests"), "amd.com/gpu"), "4");
    assert_string_equal(text_at(json_object_get(resources, "limits"), "amd.com/gpu"), "4");
    json_decref(objects);
}

static void host_memory_rises_for_large_checkpoints(void **state)
{
    struct aim_host_resources resources;

    (void)state;
    plan_for("meta-llama/Llama-3.1-70B-Instruct", "MI300X", 1, 1);
    aim_plan_host_resources(&plan, &options, &resources);
    /* 131 GiB of weights read a tenth at a time, plus 16: more than 16 GiB. */
    assert_int_equal(resources.memory_request_gib, 14 + 16);
    assert_int_equal(resources.memory_limit_gib, 60);
    assert_int_equal(resources.storage_gib, 158 + 10);
}

static void deployment_is_recreated_and_service_is_not_named_vllm(void **state)
{
    json_t *objects;
    json_t *service;

    (void)state;
    plan_for("Qwen/Qwen3-8B", "MI300X", 1, 1);
    objects = render();
    assert_int_equal(json_array_size(objects), 3);
    assert_string_equal(text_at(json_array_get(objects, 0), "kind"), "PersistentVolumeClaim");
    assert_string_equal(
        text_at(json_object_get(json_object_get(object_of_kind(objects, "Deployment"), "spec"),
                                "strategy"),
                "type"),
        "Recreate");
    service = object_of_kind(objects, "Service");
    assert_string_not_equal(text_at(json_object_get(service, "metadata"), "name"), "vllm");
    assert_string_equal(text_at(json_object_get(service, "spec"), "type"), "ClusterIP");
    json_decref(objects);
}

static void multi_node_renders_a_leader_worker_set(void **state)
{
    json_t *objects;
    json_t *template;

    (void)state;
    plan_for("deepseek-ai/DeepSeek-R1", "MI300X", 8, 2);
    assert_int_equal(plan.node_count, 2);
    objects = render();
    template = json_object_get(json_object_get(object_of_kind(objects, "LeaderWorkerSet"),
                                               "spec"),
                               "leaderWorkerTemplate");
    assert_int_equal(json_integer_value(json_object_get(template, "size")), 2);
    assert_non_null(json_object_get(
        json_array_get(json_object_get(json_object_get(json_object_get(template,
                                                                       "leaderTemplate"),
                                                       "spec"),
                                       "containers"),
                       0),
        "startupProbe"));
    assert_null(json_object_get(
        json_array_get(json_object_get(json_object_get(json_object_get(template,
                                                                       "workerTemplate"),
                                                       "spec"),
                                       "containers"),
                       0),
        "startupProbe"));
    assert_string_equal(text_at(json_object_get(json_object_get(object_of_kind(objects,
                                                                               "Service"),
                                                                "spec"),
                                                "selector"),
                                "leaderworkerset.sigs.k8s.io/worker-index"),
                        "0");
    /* Pods on different nodes share the cache volume. */
    assert_string_equal(
        json_string_value(json_array_get(
            json_object_get(json_object_get(object_of_kind(objects, "PersistentVolumeClaim"),
                                            "spec"),
                            "accessModes"),
            0)),
        "ReadWriteMany");
    json_decref(objects);
}

static void kserve_replaces_deployment_and_service(void **state)
{
    json_t *objects;
    json_t *service;

    (void)state;
    plan_for("Qwen/Qwen3-8B", "MI300X", 1, 1);
    options.kserve = true;
    options.monitoring = true;
    objects = render();
    assert_int_equal(json_array_size(objects), 3);
    service = object_of_kind(objects, "InferenceService");
    assert_string_equal(text_at(json_object_get(json_object_get(service, "metadata"),
                                                "annotations"),
                                "serving.kserve.io/deploymentMode"),
                        "RawDeployment");
    object_of_kind(objects, "ServiceMonitor");
    json_decref(objects);
}

static void bad_options_are_usage_errors(void **state)
{
    struct aim_error err;

    (void)state;
    plan_for("Qwen/Qwen3-8B", "MI300X", 1, 1);
    options.name = "Not_A_Label";
    assert_null(aim_render_values(catalog, &plan, &options, &err));
    assert_int_equal(err.status, AIM_E_USAGE);

    options.name = NULL;
    options.limit_factor = 0.5;
    assert_null(aim_render_values(catalog, &plan, &options, &err));
    assert_string_equal(err.message, "--limit-factor must be at least 1");
}

static void missing_values_name_the_field(void **state)
{
    struct aim_error err;
    json_t *values = json_pack("{s:s}", "name", "x");

    (void)state;
    assert_null(aim_render_objects(values, &err));
    assert_string_equal(err.message, "values: kserve: expected true or false");
    json_decref(values);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_are_dns_labels_and_never_collide),
        cmocka_unit_test(label_values_are_sanitised),
        cmocka_unit_test(four_gpus_scale_requests_and_limits),
        cmocka_unit_test(host_memory_rises_for_large_checkpoints),
        cmocka_unit_test(deployment_is_recreated_and_service_is_not_named_vllm),
        cmocka_unit_test(multi_node_renders_a_leader_worker_set),
        cmocka_unit_test(kserve_replaces_deployment_and_service),
        cmocka_unit_test(bad_options_are_usage_errors),
        cmocka_unit_test(missing_values_name_the_field),
    };

    return cmocka_run_group_tests(tests, load_catalog, free_catalog);
}
