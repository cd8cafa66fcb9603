/*
 * GPU detection against the fake trees in tests/data/sysfs: DRM cards, the
 * KFD topology, /proc/driver/nvidia, and the *_VISIBLE_DEVICES variables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_gpus.h"

#define SYSFS AIM_TEST_DATA "/sysfs"

static const char *const visibility_variables[] = {"HIP_VISIBLE_DEVICES",
                                                   "ROCR_VISIBLE_DEVICES",
                                                   "CUDA_VISIBLE_DEVICES"};
#define VARIABLES (sizeof visibility_variables / sizeof visibility_variables[0])

/* The catalog, and the variables as they were, restored after each test. */
struct fixture {
    aim_catalog *catalog;
    char *saved[VARIABLES];
    struct aim_detection detection;
};

static int setup(void **state)
{
    struct fixture *fixture = calloc(1, sizeof *fixture);

    if (fixture == NULL)
        return -1;
    fixture->catalog = aim_catalog_new();
    if (fixture->catalog == NULL || aim_catalog_add_embedded(fixture->catalog, NULL) != AIM_OK)
        return -1;
    for (size_t i = 0; i < VARIABLES; i++) {
        const char *value = getenv(visibility_variables[i]);

        fixture->saved[i] = value != NULL ? strdup(value) : NULL;
        unsetenv(visibility_variables[i]);
    }
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;

    for (size_t i = 0; i < VARIABLES; i++) {
        if (fixture->saved[i] != NULL)
            setenv(visibility_variables[i], fixture->saved[i], 1);
        else
            unsetenv(visibility_variables[i]);
        free(fixture->saved[i]);
    }
    aim_catalog_free(&fixture->catalog);
    free(fixture);
    return 0;
}

static struct aim_detection *detect(void **state, const char *scenario)
{
    struct fixture *fixture = *state;
    struct aim_error err = {0};
    char root[512];

    snprintf(root, sizeof root, "%s/%s", SYSFS, scenario);
    assert_int_equal(aim_cli_detect_gpus(fixture->catalog, root, &fixture->detection, &err),
                     AIM_OK);
    return &fixture->detection;
}

/* "yes"/"no" per GPU in order, e.g. "yynnnnnn". */
static void assert_visible(const struct aim_detection *detection, const char *expected)
{
    char got[AIM_DETECT_MAX + 1];

    for (int i = 0; i < detection->count; i++)
        got[i] = detection->gpus[i].visible ? 'y' : 'n';
    got[detection->count] = '\0';
    assert_string_equal(got, expected);
}

/* ---------------------------------------------------------- 8x MI300X */

static void eight_mi300x(void **state)
{
    static const char *const slots[] = {"0000:05:00.0", "0000:26:00.0", "0000:46:00.0",
                                        "0000:65:00.0", "0000:85:00.0", "0000:a6:00.0",
                                        "0000:c6:00.0", "0000:e5:00.0"};
    struct aim_detection *detection = detect(state, "mi300x-8");
    int count = 0;

    /* The BMC's VGA, the connector and the render nodes are not GPUs. */
    assert_int_equal(detection->count, 8);
    for (int i = 0; i < 8; i++) {
        const struct aim_detected_gpu *gpu = &detection->gpus[i];

        /* Sorted by slot, though the cards are numbered in another order. */
        assert_string_equal(gpu->pci_slot, slots[i]);
        assert_int_equal(gpu->index, i);
        assert_int_equal(gpu->vendor, AIM_VENDOR_AMD);
        assert_int_equal(gpu->pci_device_id, 0x74a1);
        assert_string_equal(gpu->gfx_target, "gfx942");
        assert_true(gpu->memory_gib > 191.98 && gpu->memory_gib < 191.99);
        assert_non_null(gpu->type);
        assert_string_equal(gpu->type->name, "MI300X");
        assert_true(gpu->visible);
    }
    assert_string_equal(aim_detection_majority(detection, &count)->name, "MI300X");
    assert_int_equal(count, 8);
}

static void hip_visible_devices_picks_two(void **state)
{
    struct aim_detection *detection;
    int count = 0;

    setenv("HIP_VISIBLE_DEVICES", "0,1", 1);
    detection = detect(state, "mi300x-8");
    assert_int_equal(detection->count, 8);
    assert_visible(detection, "yynnnnnn");
    assert_string_equal(aim_detection_majority(detection, &count)->name, "MI300X");
    assert_int_equal(count, 2);
}

static void rocr_then_hip(void **state)
{
    struct aim_detection *detection;

    /* ROCr keeps 1, 3, 5 and 7; HIP's 0 and 2 index those four. */
    setenv("ROCR_VISIBLE_DEVICES", "1,3,5,7", 1);
    setenv("HIP_VISIBLE_DEVICES", "0,2", 1);
    detection = detect(state, "mi300x-8");
    assert_visible(detection, "nynnnynn");
}

static void cuda_visible_devices_applies_to_amd_without_hip(void **state)
{
    struct aim_detection *detection;

    setenv("CUDA_VISIBLE_DEVICES", "3", 1);
    detection = detect(state, "mi300x-8");
    assert_visible(detection, "nnnynnnn");

    /* HIP_VISIBLE_DEVICES takes precedence when both are set. */
    setenv("HIP_VISIBLE_DEVICES", "6,7", 1);
    detection = detect(state, "mi300x-8");
    assert_visible(detection, "nnnnnnyy");
}

static void visibility_edge_values(void **state)
{
    struct aim_detection *detection;
    int count = -1;

    setenv("HIP_VISIBLE_DEVICES", "", 1);
    detection = detect(state, "mi300x-8");
    assert_visible(detection, "nnnnnnnn");
    assert_null(aim_detection_majority(detection, &count));
    assert_int_equal(count, 0);

    /* An index past the end ends the list, as in the runtimes. */
    setenv("HIP_VISIBLE_DEVICES", "4,9,5", 1);
    detection = detect(state, "mi300x-8");
    assert_visible(detection, "nnnnynnn");

    /* UUIDs are not indices: the variable is ignored (with a warning). */
    setenv("HIP_VISIBLE_DEVICES", "GPU-5a3f0b2c4d6e7f80", 1);
    detection = detect(state, "mi300x-8");
    assert_visible(detection, "yyyyyyyy");
}

/* ------------------------------------------------------------- 4x H100 */

static void four_h100(void **state)
{
    struct aim_detection *detection = detect(state, "h100-4");
    int count = 0;

    /* The DRM card of the first GPU is the same device as its /proc entry. */
    assert_int_equal(detection->count, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(detection->gpus[i].vendor, AIM_VENDOR_NVIDIA);
        assert_int_equal(detection->gpus[i].index, i);
        assert_int_equal(detection->gpus[i].pci_device_id, 0x2330);
        assert_string_equal(detection->gpus[i].gfx_target, "");
        assert_string_equal(detection->gpus[i].type->name, "H100");
    }
    assert_string_equal(detection->gpus[0].pci_slot, "0000:18:00.0");
    assert_string_equal(detection->gpus[3].pci_slot, "0000:5d:00.0");
    assert_string_equal(aim_detection_majority(detection, &count)->name, "H100");
    assert_int_equal(count, 4);
}

static void cuda_visible_devices_on_nvidia(void **state)
{
    struct aim_detection *detection;

    setenv("CUDA_VISIBLE_DEVICES", "2, 1", 1);
    detection = detect(state, "h100-4");
    assert_visible(detection, "nyyn");

    /* HIP and ROCr variables do not touch NVIDIA GPUs. */
    unsetenv("CUDA_VISIBLE_DEVICES");
    setenv("HIP_VISIBLE_DEVICES", "0", 1);
    setenv("ROCR_VISIBLE_DEVICES", "0", 1);
    detection = detect(state, "h100-4");
    assert_visible(detection, "yyyy");

    setenv("CUDA_VISIBLE_DEVICES", "-1", 1);
    detection = detect(state, "h100-4");
    assert_visible(detection, "nnnn");
}

/* -------------------------------------------------------------- mixed */

static void mixed_and_unknown(void **state)
{
    struct aim_detection *detection = detect(state, "mixed");
    const struct aim_detected_gpu *gpus = detection->gpus;
    int count = 0;

    assert_int_equal(detection->count, 4);
    assert_string_equal(gpus[0].pci_slot, "0000:03:00.0");
    assert_string_equal(gpus[0].type->name, "MI300X");

    /* A Radeon the catalog does not list: detected, typed as unknown. */
    assert_int_equal(gpus[1].pci_device_id, 0x744c);
    assert_string_equal(gpus[1].gfx_target, "gfx1100");
    assert_null(gpus[1].type);
    assert_int_equal(gpus[1].index, 1);

    /* No mem_info_vram_total: the KFD memory bank says 256 GiB. */
    assert_string_equal(gpus[2].type->name, "MI325X");
    assert_true(gpus[2].memory_gib == 256.0);
    assert_int_equal(gpus[2].index, 2);

    /* No PCI directory: the A100 is known by its model name. */
    assert_int_equal(gpus[3].vendor, AIM_VENDOR_NVIDIA);
    assert_int_equal(gpus[3].index, 0);
    assert_int_equal(gpus[3].pci_device_id, 0);
    assert_string_equal(gpus[3].type->name, "A100");

    /* One of each known type: the newest wins. */
    assert_string_equal(aim_detection_majority(detection, &count)->name, "MI325X");
    assert_int_equal(count, 1);

    /* CUDA_VISIBLE_DEVICES=0 keeps the first GPU of each vendor. */
    setenv("CUDA_VISIBLE_DEVICES", "0", 1);
    detection = detect(state, "mixed");
    assert_visible(detection, "ynny");
}

/* --------------------------------------------------------------- empty */

static void empty_machine(void **state)
{
    struct aim_detection *detection = detect(state, "empty");
    int count = -1;

    assert_int_equal(detection->count, 0);
    assert_null(aim_detection_majority(detection, &count));
    assert_int_equal(count, 0);

    detection = detect(state, "no-such-tree");
    assert_int_equal(detection->count, 0);
}

static void root_too_long(void **state)
{
    struct fixture *fixture = *state;
    struct aim_error err = {0};
    char root[3000];

    memset(root, 'a', sizeof root - 1);
    root[sizeof root - 1] = '\0';
    assert_int_equal(aim_cli_detect_gpus(fixture->catalog, root, &fixture->detection, &err),
                     AIM_E_USAGE);
    assert_string_equal(err.message, "--sysfs-root: path too long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(eight_mi300x, setup, teardown),
        cmocka_unit_test_setup_teardown(hip_visible_devices_picks_two, setup, teardown),
        cmocka_unit_test_setup_teardown(rocr_then_hip, setup, teardown),
        cmocka_unit_test_setup_teardown(cuda_visible_devices_applies_to_amd_without_hip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(visibility_edge_values, setup, teardown),
        cmocka_unit_test_setup_teardown(four_h100, setup, teardown),
        cmocka_unit_test_setup_teardown(cuda_visible_devices_on_nvidia, setup, teardown),
        cmocka_unit_test_setup_teardown(mixed_and_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_machine, setup, teardown),
        cmocka_unit_test_setup_teardown(root_too_long, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
