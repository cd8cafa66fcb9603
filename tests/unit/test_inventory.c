/* Inventories from NodeList/PodList fixtures, and placement on them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "aim/inventory.h"
#include "aim/placement.h"

static aim_catalog *catalog;

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

static json_t *fixture(const char *name)
{
    char path[512];
    json_error_t error;
    json_t *root;

    snprintf(path, sizeof path, "%s/clusters/%s", AIM_TEST_DATA, name);
    root = json_load_file(path, 0, &error);
    if (root == NULL)
        fail_msg("%s: %s", path, error.text);
    return root;
}

static aim_inventory *load(const char *nodes, const char *pods)
{
    aim_inventory *inventory = aim_inventory_new();
    json_t *node_list = fixture(nodes);
    json_t *pod_list = pods != NULL ? fixture(pods) : NULL;
    struct aim_error err;

    assert_int_equal(aim_inventory_add_nodes(inventory, catalog,
                                             json_object_get(node_list, "items"), nodes, &err),
                     AIM_OK);
    if (pod_list != NULL)
        assert_int_equal(aim_inventory_add_pods(inventory, json_object_get(pod_list, "items"),
                                                pods, &err),
                         AIM_OK);
    json_decref(node_list);
    json_decref(pod_list);
    return inventory;
}

static void quantities_parse_like_kubernetes(void **state)
{
    double value;

    (void)state;
    assert_true(aim_parse_quantity("500m", &value) && value == 0.5);
    assert_true(aim_parse_quantity("4", &value) && value == 4);
    assert_true(aim_parse_quantity("16Gi", &value) && value == 16.0 * 1073741824.0);
    assert_true(aim_parse_quantity("1.5G", &value) && value == 1.5e9);
    assert_true(aim_parse_quantity("129e6", &value) && value == 129e6);
    assert_true(aim_parse_quantity("2113412624Ki", &value) && value == 2113412624.0 * 1024);
    assert_false(aim_parse_quantity("lots", &value));
    assert_false(aim_parse_quantity("-1", &value));
    assert_false(aim_parse_quantity("0x10", &value));
    assert_false(aim_parse_quantity("16GB", &value));
    assert_false(aim_parse_quantity("", &value));
}

static void amd_nodes_are_typed_counted_and_filtered(void **state)
{
    aim_inventory *inventory = load("amd-nodes.json", "amd-pods.json");
    const struct aim_node *node;

    (void)state;
    assert_int_equal(aim_inventory_node_count(inventory), 8);

    node = aim_inventory_find_node(inventory, "mi300x-a");
    assert_string_equal(node->gpu->name, "MI300X");
    assert_true(node->eligible);
    /* 4 GPUs and 32 CPUs held by a running pod; finished pods hold nothing. */
    assert_int_equal(node->gpus_free, 4);
    assert_float_equal(node->cpu_free, 160, 1e-9);
    assert_int_equal(node->pods, 1);

    node = aim_inventory_find_node(inventory, "mi300x-b");
    assert_true(node->eligible); /* its taint is on the GPU key, tolerated */
    node = aim_inventory_find_node(inventory, "mi300x-c");
    assert_string_equal(node->gpu->name, "MI300X"); /* the count-encoded labels */
    assert_int_equal(node->gpus_free, 0);

    assert_string_equal(aim_inventory_find_node(inventory, "mi300x-down")->excluded_reason,
                        "NotReady");
    assert_string_equal(aim_inventory_find_node(inventory, "mi300x-cordoned")->excluded_reason,
                        "cordoned (spec.unschedulable)");
    assert_string_equal(aim_inventory_find_node(inventory, "mi300x-reserved")->excluded_reason,
                        "tainted dedicated=training:NoSchedule, which the pods do not "
                        "tolerate");
    assert_string_equal(aim_inventory_find_node(inventory, "cpu-1")->excluded_reason,
                        "no allocatable GPUs");

    /* The init container's 100 CPUs outweigh the main container's 8. */
    node = aim_inventory_find_node(inventory, "mi325x-a");
    assert_string_equal(node->gpu->name, "MI325X");
    assert_float_equal(node->cpu_free, 92, 1e-9);
    assert_int_equal(node->gpus_free, 6);
    aim_inventory_free(&inventory);
    assert_null(inventory);
}

static void nvidia_nodes_and_their_taints(void **state)
{
    aim_inventory *inventory = load("nvidia-nodes.json", "nvidia-pods.json");

    (void)state;
    assert_string_equal(aim_inventory_find_node(inventory, "h100-a")->gpu->name, "H100");
    assert_int_equal(aim_inventory_find_node(inventory, "h100-a")->gpus_free, 2);
    assert_true(aim_inventory_find_node(inventory, "h100-b")->eligible);
    assert_string_equal(aim_inventory_find_node(inventory, "h200-a")->gpu->name, "H200");
    assert_string_equal(aim_inventory_find_node(inventory, "a100-a")->excluded_reason,
                        "tainted nvidia.com/gpu:NoExecute, which the pods do not tolerate");
    aim_inventory_free(&inventory);
}

static void bad_lists_name_the_field(void **state)
{
    aim_inventory *inventory = aim_inventory_new();
    struct aim_error err;
    json_t *items = json_pack("[{s:{s:s}, s:{s:{s:s}}}]", "metadata", "name", "n1", "status",
                              "allocatable", "cpu", "lots");

    (void)state;
    assert_int_equal(aim_inventory_add_nodes(inventory, catalog, items, "nodes.json", &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, "nodes.json: items[0].status.allocatable.cpu: expected a "
                                     "Kubernetes quantity, got \"lots\"");
    json_decref(items);

    items = json_pack("[{s:{s:s}}, {s:{s:s}}]", "metadata", "name", "twin", "metadata", "name",
                      "twin");
    assert_int_equal(aim_inventory_add_nodes(inventory, catalog, items, "nodes.json", &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, "nodes.json: node twin is listed twice");
    assert_int_equal(aim_inventory_node_count(inventory), 0);
    json_decref(items);

    items = json_pack("[{s:s}]", "kind", "Service");
    assert_int_equal(aim_inventory_add_pods(inventory, items, "pods.json", &err), AIM_E_INPUT);
    assert_string_equal(err.message, "pods.json: items[0]: expected a Pod, got Service");
    json_decref(items);
    aim_inventory_free(&inventory);
}

/* The streaming reader and the tree reader agree, pod for pod. */
static void streamed_pods_match_parsed_pods(void **state)
{
    static const char *const lists[] = {"amd-pods.json", "nvidia-pods.json", "mixed.json"};

    (void)state;
    for (size_t l = 0; l < 3; l++) {
        json_t *list = fixture(lists[l]);
        char *text = json_dumps(list, JSON_COMPACT);
        struct aim_pod_usages streamed = {0}, parsed = {0};
        json_t *pods = json_array();
        size_t index;
        json_t *item;

        json_array_foreach(json_object_get(list, "items"), index, item) {
            const char *kind = json_string_value(json_object_get(item, "kind"));

            if (strcmp(kind, "Pod") == 0)
                json_array_append(pods, item);
        }
        assert_int_equal(aim_pod_usages_from_json(text, strlen(text), lists[l], &streamed, NULL),
                         AIM_OK);
        assert_int_equal(aim_pod_usages_from_items(pods, lists[l], &parsed, NULL), AIM_OK);
        assert_true(streamed.count > 0);
        assert_int_equal(streamed.count, parsed.count);
        for (size_t i = 0; i < parsed.count; i++) {
            assert_string_equal(streamed.items[i].node, parsed.items[i].node);
            assert_true(streamed.items[i].cpu == parsed.items[i].cpu);
            assert_true(streamed.items[i].memory == parsed.items[i].memory);
            assert_true(streamed.items[i].amd_gpus == parsed.items[i].amd_gpus);
            assert_true(streamed.items[i].nvidia_gpus == parsed.items[i].nvidia_gpus);
        }
        assert_int_equal(streamed.other_items, l == 2 ? 4 : 0);
        aim_pod_usages_free(&streamed);
        aim_pod_usages_free(&parsed);
        json_decref(pods);
        json_decref(list);
        free(text);
    }
}

static void broken_pod_lists_are_clear_errors(void **state)
{
    static const char truncated[] = "{\"kind\": \"PodList\", \"items\": [{\"spec\": {";
    static const char bad_quantity[] =
        "{\"items\": [{\"spec\": {\"nodeName\": \"n\", \"containers\": [{\"resources\": "
        "{\"requests\": {\"cpu\": \"fast\"}}}]}}]}";
    struct aim_pod_usages usages = {0};
    struct aim_error err;

    (void)state;
    assert_int_equal(aim_pod_usages_from_json(truncated, strlen(truncated), "pods.json",
                                              &usages, &err),
                     AIM_E_INPUT);
    assert_non_null(strstr(err.message, "pods.json: invalid JSON at byte"));
    assert_int_equal(aim_pod_usages_from_json(bad_quantity, strlen(bad_quantity), "pods.json",
                                              &usages, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, "pods.json: items[0]: resources.requests.cpu: expected a "
                                     "Kubernetes quantity, got \"fast\"");
    aim_pod_usages_free(&usages);
}

static struct aim_placement *place(aim_inventory *inventory, const char *model,
                                   enum aim_status expected)
{
    struct aim_placement_request request;
    struct aim_placement *placement = calloc(1, sizeof *placement);
    struct aim_error err;

    aim_placement_request_init(&request);
    request.request.model = aim_catalog_find_model(catalog, model);
    assert_int_equal(aim_place(catalog, inventory, &request, placement, &err), expected);
    return placement;
}

static void places_on_the_best_fitting_node(void **state)
{
    aim_inventory *inventory = load("amd-nodes.json", "amd-pods.json");
    struct aim_placement *placement = place(inventory, "Qwen/Qwen3-32B", AIM_OK);
    const struct aim_type_outcome *chosen = &placement->types[placement->chosen];

    (void)state;
    assert_int_equal(placement->type_count, 2); /* MI300X and MI325X */
    assert_int_equal(placement->eligible_nodes, 4);
    /* The MI325X's 6 free GPUs serve the recipe's 4 faster than an MI300X. */
    assert_string_equal(chosen->gpu->name, "MI325X");
    assert_int_equal(chosen->plan.gpu_count, 4);
    assert_string_equal(aim_inventory_node_at(inventory, chosen->nodes[0])->name, "mi325x-a");
    free(placement);

    /* Without the MI325X, mi300x-a has exactly the 4 free GPUs the recipe
       wants: a better fit than mi300x-b's 8. */
    aim_inventory_node_mut(inventory, 6)->gpus_free = 0;
    placement = place(inventory, "Qwen/Qwen3-32B", AIM_OK);
    chosen = &placement->types[placement->chosen];
    assert_string_equal(chosen->gpu->name, "MI300X");
    assert_string_equal(aim_inventory_node_at(inventory, chosen->nodes[0])->name, "mi300x-a");
    free(placement);
    aim_inventory_free(&inventory);
}

static void host_memory_must_fit_too(void **state)
{
    aim_inventory *inventory = load("nvidia-nodes.json", NULL);
    struct aim_placement_request request;
    struct aim_placement *placement = calloc(1, sizeof *placement);
    struct aim_error err;

    (void)state;
    aim_placement_request_init(&request);
    request.request.model = aim_catalog_find_model(catalog, "Qwen/Qwen3-8B");
    request.gpu_filter = aim_catalog_find_gpu(catalog, "H200");
    assert_int_equal(aim_place(catalog, inventory, &request, placement, &err), AIM_E_NO_FIT);
    assert_string_equal(placement->types[0].reason,
                        "needs 1 node with 1 GPU, 4.0 CPUs and 18 GiB free; best is h200-a with "
                        "8 GPUs, 2.0 CPUs and 16 GiB");
    free(placement);
    aim_inventory_free(&inventory);
}

static void multi_node_needs_permission_and_whole_nodes(void **state)
{
    aim_inventory *inventory = load("nvidia-nodes.json", NULL);
    struct aim_placement_request request;
    struct aim_placement *placement = calloc(1, sizeof *placement);
    struct aim_error err;

    (void)state;
    aim_placement_request_init(&request);
    request.request.model = aim_catalog_find_model(catalog, "meta-llama/Llama-3.1-405B-Instruct");
    request.request.precision_pinned = true;
    request.request.precision = AIM_PRECISION_BF16;
    request.gpu_filter = aim_catalog_find_gpu(catalog, "H100");
    assert_int_equal(aim_place(catalog, inventory, &request, placement, &err), AIM_E_NO_FIT);

    request.allow_multi_node = true;
    assert_int_equal(aim_place(catalog, inventory, &request, placement, &err), AIM_OK);
    assert_int_equal(placement->types[placement->chosen].node_count, 2);
    assert_int_equal(placement->types[placement->chosen].plan.gpu_count, 16);

    /* Taking the placement empties both nodes. */
    aim_placement_take(inventory, &placement->types[placement->chosen]);
    assert_int_equal(aim_inventory_find_node(inventory, "h100-a")->gpus_free, 0);
    assert_int_equal(aim_inventory_find_node(inventory, "h100-b")->gpus_free, 0);
    free(placement);
    aim_inventory_free(&inventory);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quantities_parse_like_kubernetes),
        cmocka_unit_test(amd_nodes_are_typed_counted_and_filtered),
        cmocka_unit_test(nvidia_nodes_and_their_taints),
        cmocka_unit_test(bad_lists_name_the_field),
        cmocka_unit_test(streamed_pods_match_parsed_pods),
        cmocka_unit_test(broken_pod_lists_are_clear_errors),
        cmocka_unit_test(places_on_the_best_fitting_node),
        cmocka_unit_test(host_memory_must_fit_too),
        cmocka_unit_test(multi_node_needs_permission_and_whole_nodes),
    };

    return cmocka_run_group_tests(tests, load_catalog, free_catalog);
}
