/* Fleet documents and packing: largest first, best fit, reasons for misses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "aim/fleet.h"

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

/* Two MI300X nodes with 8 free GPUs each. */
static aim_inventory *two_nodes(void)
{
    aim_inventory *inventory = aim_inventory_new();
    json_t *items = json_pack(
        "[{s:{s:s, s:{s:s}}, s:{s:{s:s, s:s, s:s}, s:[{s:s, s:s}]}},"
        " {s:{s:s, s:{s:s}}, s:{s:{s:s, s:s, s:s}, s:[{s:s, s:s}]}}]",
        "metadata", "name", "node-a", "labels", "amd.com/gpu.device-id", "74a1", "status",
        "allocatable", "cpu", "192", "memory", "2Ti", "amd.com/gpu", "8", "conditions", "type",
        "Ready", "status", "True", "metadata", "name", "node-b", "labels",
        "amd.com/gpu.device-id", "74a1", "status", "allocatable", "cpu", "192", "memory", "2Ti",
        "amd.com/gpu", "8", "conditions", "type", "Ready", "status", "True");

    assert_int_equal(aim_inventory_add_nodes(inventory, catalog, items, "test", NULL), AIM_OK);
    json_decref(items);
    return inventory;
}

static enum aim_status parse(json_t *document, struct aim_fleet *fleet, struct aim_error *err)
{
    enum aim_status status = aim_fleet_parse(catalog, document, "fleet.yaml", fleet, err);

    json_decref(document);
    return status;
}

static void largest_first_best_fit(void **state)
{
    aim_inventory *inventory = two_nodes();
    struct aim_fleet fleet;
    struct aim_error err;

    (void)state;
    assert_int_equal(
        parse(json_pack("{s:s, s:[{s:s, s:s, s:i}, {s:s, s:s, s:s}]}", "kind", "Fleet",
                        "deployments", "name", "small", "model", "Qwen/Qwen3-8B", "replicas", 2,
                        "name", "big", "model", "meta-llama/Llama-3.1-70B-Instruct",
                        "objective", "throughput"),
              &fleet, &err),
        AIM_OK);
    assert_int_equal(aim_fleet_pack(catalog, inventory, &fleet, &err), AIM_OK);

    /* The 70B model goes first although it is listed second. */
    assert_int_equal(fleet.order[0], 1);
    assert_int_equal(fleet.assignment_count, 3);
    assert_int_equal(fleet.assignments[0].deployment, 1);
    assert_true(fleet.assignments[0].placed);
    /* Best fit: the small replicas join the node the big one started. */
    assert_int_equal(fleet.assignments[1].nodes[0], fleet.assignments[0].nodes[0]);
    assert_int_equal(fleet.deployments[0].placed, 2);
    aim_fleet_free(&fleet);
    aim_inventory_free(&inventory);
}

static void what_does_not_fit_says_why_and_what_would(void **state)
{
    aim_inventory *inventory = two_nodes();
    struct aim_fleet fleet;
    struct aim_error err;

    (void)state;
    assert_int_equal(
        parse(json_pack("{s:s, s:[{s:s, s:s, s:i, s:s}]}", "kind", "Fleet", "deployments",
                        "name", "huge", "model", "meta-llama/Llama-3.1-405B-Instruct",
                        "replicas", 3, "precision", "bf16"),
              &fleet, &err),
        AIM_OK);
    assert_int_equal(aim_fleet_pack(catalog, inventory, &fleet, &err), AIM_E_NO_FIT);
    assert_int_equal(fleet.deployments[0].placed, 2);
    assert_false(fleet.assignments[2].placed);
    assert_non_null(strstr(fleet.assignments[2].reason, "MI300X: no free GPUs"));
    assert_string_equal(fleet.assignments[2].hint,
                        "2 of 3 replicas fit; free GPUs or lower the replicas");
    aim_fleet_free(&fleet);
    aim_inventory_free(&inventory);
}

static void bad_documents_name_the_field(void **state)
{
    struct aim_fleet fleet;
    struct aim_error err;

    (void)state;
    assert_int_equal(parse(json_pack("{s:s}", "kind", "Deployment"), &fleet, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, "fleet.yaml: kind: expected Fleet");
    assert_int_equal(parse(json_pack("{s:s, s:[{s:s, s:s, s:i}]}", "kind", "Fleet",
                                     "deployments", "name", "a", "model", "Qwen/Qwen3-8B",
                                     "replicas", 0),
                           &fleet, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, "fleet.yaml: deployments[0].replicas: expected a whole "
                                     "number from 1 to 1000");
    assert_int_equal(parse(json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "kind", "Fleet",
                                     "deployments", "name", "a", "model", "Qwen/Qwen3-8B",
                                     "gpus", "8"),
                           &fleet, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, "fleet.yaml: deployments[0].gpus: unknown field; expected "
                                     "one of name, model, replicas, precision, backend, "
                                     "max_model_len, objective, concurrency, gpu, "
                                     "allow_multi_node");
    assert_int_equal(parse(json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "kind", "Fleet",
                                     "deployments", "name", "a", "model", "Qwen/Qwen3-8B",
                                     "name", "a", "model", "Qwen/Qwen3-32B"),
                           &fleet, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, "fleet.yaml: deployments[1].name: a is used twice");
    assert_int_equal(parse(json_pack("{s:s, s:[{s:s, s:s}]}", "kind", "Fleet", "deployments",
                                     "name", "a", "model", "nobody/none"),
                           &fleet, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, "fleet.yaml: deployments[0].model: expected a model of the "
                                     "catalog (see 'aimctl models')");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(largest_first_best_fit),
        cmocka_unit_test(what_does_not_fit_says_why_and_what_would),
        cmocka_unit_test(bad_documents_name_the_field),
    };

    return cmocka_run_group_tests(tests, load_catalog, free_catalog);
}
