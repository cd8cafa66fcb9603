/* Host detection parsing: visible-device lists, sysfs ids, KFD properties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "aim/detect.h"

static void visible_devices_lists(void **state)
{
    int indices[8];

    (void)state;
    assert_int_equal(aim_parse_visible_devices("0,2", indices, 8), 2);
    assert_int_equal(indices[0], 0);
    assert_int_equal(indices[1], 2);
    assert_int_equal(aim_parse_visible_devices(" 3 , 1 ,7\n", indices, 8), 3);
    assert_int_equal(indices[0], 3);
    assert_int_equal(indices[1], 1);
    assert_int_equal(indices[2], 7);
    assert_int_equal(aim_parse_visible_devices("5", indices, 8), 1);
    assert_int_equal(indices[0], 5);
}

static void visible_devices_empty_means_none(void **state)
{
    int indices[8];

    (void)state;
    assert_int_equal(aim_parse_visible_devices("", indices, 8), 0);
    assert_int_equal(aim_parse_visible_devices("  ", indices, 8), 0);
}

static void visible_devices_negative_ends_the_list(void **state)
{
    int indices[8];

    (void)state;
    assert_int_equal(aim_parse_visible_devices("-1", indices, 8), 0);
    assert_int_equal(aim_parse_visible_devices("0,1,-1,2", indices, 8), 2);
}

static void visible_devices_rejects_names(void **state)
{
    int indices[8];

    (void)state;
    assert_int_equal(
        aim_parse_visible_devices("GPU-8932f937-d72c-4106-c12f-20bd9faed9f6", indices, 8), -1);
    assert_int_equal(aim_parse_visible_devices("0,MIG-GPU-1/2/0", indices, 8), -1);
    assert_int_equal(aim_parse_visible_devices("0,,1", indices, 8), -1);
    assert_int_equal(aim_parse_visible_devices("0,1,", indices, 8), -1);
    assert_int_equal(aim_parse_visible_devices("1.5", indices, 8), -1);
    assert_int_equal(aim_parse_visible_devices("0 1", indices, 8), -1);
    assert_int_equal(aim_parse_visible_devices("-", indices, 8), -1);
    assert_int_equal(aim_parse_visible_devices("99999999999999999999", indices, 8), -1);
    assert_int_equal(aim_parse_visible_devices(NULL, indices, 8), -1);
    /* More entries than room. */
    assert_int_equal(aim_parse_visible_devices("0,1,2", indices, 2), -1);
}

static void hex_ids(void **state)
{
    unsigned id = 0;

    (void)state;
    assert_true(aim_parse_hex_id("0x74a1\n", &id));
    assert_int_equal(id, 0x74a1);
    assert_true(aim_parse_hex_id("0x1002", &id));
    assert_int_equal(id, 0x1002);
    assert_true(aim_parse_hex_id("10DE", &id));
    assert_int_equal(id, 0x10de);
    assert_true(aim_parse_hex_id("  0X0b \n", &id));
    assert_int_equal(id, 0xb);

    assert_false(aim_parse_hex_id("", &id));
    assert_false(aim_parse_hex_id("0x", &id));
    assert_false(aim_parse_hex_id("0x12345", &id));
    assert_false(aim_parse_hex_id("0x74g1", &id));
    assert_false(aim_parse_hex_id("0x74a1 junk", &id));
    assert_false(aim_parse_hex_id(NULL, &id));
}

static const char mi300x_node[] =
    "cpu_cores_count 0\n"
    "simd_count 1216\n"
    "mem_banks_count 1\n"
    "gfx_target_version 90402\n"
    "vendor_id 4098\n"
    "device_id 29857\n"
    "location_id 3072\n"
    "domain 0\n"
    "num_xcc 8\n";

static void kfd_gpu_node(void **state)
{
    char target[16];
    unsigned id = 0;

    (void)state;
    assert_true(aim_parse_kfd_properties(mi300x_node, target, sizeof target, &id));
    assert_string_equal(target, "gfx942");
    assert_int_equal(id, 0x74a1);
}

static void kfd_targets(void **state)
{
    char target[16];
    unsigned id = 0;

    (void)state;
    assert_true(aim_parse_kfd_properties("simd_count 440\ngfx_target_version 90010\n"
                                         "device_id 29711",
                                         target, sizeof target, &id));
    assert_string_equal(target, "gfx90a");
    assert_int_equal(id, 0x740f);
    assert_true(aim_parse_kfd_properties("gfx_target_version 90500\nsimd_count 1024\n", target,
                                         sizeof target, &id));
    assert_string_equal(target, "gfx950");
    assert_int_equal(id, 0); /* device_id absent */
    assert_true(aim_parse_kfd_properties("gfx_target_version 110000\nsimd_count 192\n", target,
                                         sizeof target, NULL));
    assert_string_equal(target, "gfx1100");
    /* A short buffer is cut, not overrun. */
    assert_true(aim_parse_kfd_properties(mi300x_node, target, 4, &id));
    assert_string_equal(target, "gfx");
}

static void kfd_cpu_node(void **state)
{
    char target[16] = "";
    unsigned id = 0;

    (void)state;
    assert_false(aim_parse_kfd_properties("cpu_cores_count 96\nsimd_count 0\n"
                                          "gfx_target_version 0\ndevice_id 0\n",
                                          target, sizeof target, &id));
    assert_false(aim_parse_kfd_properties("", target, sizeof target, &id));
    assert_false(aim_parse_kfd_properties(NULL, target, sizeof target, &id));
    /* A key that only starts like another does not count. */
    assert_false(aim_parse_kfd_properties("gfx_target_version_x 90402\nsimd_count 4\n", target,
                                          sizeof target, &id));
}

static void majority_of_visible(void **state)
{
    static struct aim_detection detection;
    struct aim_gpu mi300x = {.name = "MI300X", .generation = 40};
    struct aim_gpu mi325x = {.name = "MI325X", .generation = 45};
    int count = -1;

    (void)state;
    memset(&detection, 0, sizeof detection);
    assert_null(aim_detection_majority(&detection, &count));
    assert_int_equal(count, 0);

    detection.count = 5;
    for (int i = 0; i < 5; i++)
        detection.gpus[i].visible = true;
    detection.gpus[0].type = &mi325x;
    detection.gpus[1].type = &mi300x;
    detection.gpus[2].type = &mi300x;
    detection.gpus[3].type = NULL; /* unknown device */
    detection.gpus[4].type = &mi325x;
    /* Two each: the newer type wins the tie. */
    assert_ptr_equal(aim_detection_majority(&detection, &count), &mi325x);
    assert_int_equal(count, 2);

    detection.gpus[4].visible = false;
    assert_ptr_equal(aim_detection_majority(&detection, &count), &mi300x);
    assert_int_equal(count, 2);
    assert_ptr_equal(aim_detection_majority(&detection, NULL), &mi300x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(visible_devices_lists),
        cmocka_unit_test(visible_devices_empty_means_none),
        cmocka_unit_test(visible_devices_negative_ends_the_list),
        cmocka_unit_test(visible_devices_rejects_names),
        cmocka_unit_test(hex_ids),
        cmocka_unit_test(kfd_gpu_node),
        cmocka_unit_test(kfd_targets),
        cmocka_unit_test(kfd_cpu_node),
        cmocka_unit_test(majority_of_visible),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
