/*
 * libFuzzer target: the start of a safetensors file, its 8-byte length and
 * the JSON header after it. The header is parsed whatever the length says,
 * so the JSON path is reached from any input. Checks: a failing header adds
 * nothing, and the totals stay consistent.
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aim/hf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(condition)                                                                \
    do {                                                                                \
        if (!(condition))                                                               \
            __builtin_trap();                                                           \
    } while (0)

static bool same_totals(const struct aim_tensor_totals *a, const struct aim_tensor_totals *b)
{
    return a->parameters == b->parameters && a->bytes == b->bytes &&
           a->tensors == b->tensors &&
           memcmp(a->bytes_by_dtype, b->bytes_by_dtype, sizeof a->bytes_by_dtype) == 0;
}

static void check_totals(const struct aim_tensor_totals *totals)
{
    double sum = 0;

    for (int i = 0; i < AIM_DTYPE_CLASS_COUNT; i++) {
        CHECK(totals->bytes_by_dtype[i] >= 0);
        sum += totals->bytes_by_dtype[i];
    }
    CHECK(sum == totals->bytes);
    CHECK(totals->tensors >= 0 && totals->parameters >= 0 && isfinite(totals->parameters));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct aim_tensor_totals totals, before;
    struct aim_error err;
    struct aim_model model;
    uint64_t length = 0;
    enum aim_status status;

    if (size < 8)
        return 0;
    status = aim_safetensors_header_length(data, "fuzz.safetensors", &length, &err);
    CHECK(status == AIM_OK ? length >= 2 && length <= AIM_SAFETENSORS_HEADER_MAX
                           : status == AIM_E_INPUT);

    /* Start from a previous file's totals, as the CLI does over shards. */
    memset(&totals, 0, sizeof totals);
    totals.parameters = 10;
    totals.bytes = 20;
    totals.bytes_by_dtype[AIM_DTYPE_CLASS_BF16] = 20;
    totals.tensors = 1;
    before = totals;
    status = aim_safetensors_add_header((const char *)data + 8, size - 8, "fuzz.safetensors",
                                        &totals, &err);
    if (status != AIM_OK) {
        CHECK(status == AIM_E_INPUT || status == AIM_E_NOMEM);
        CHECK(strncmp(err.message, "fuzz.safetensors", 16) == 0);
        CHECK(same_totals(&totals, &before));
        return 0;
    }
    check_totals(&totals);
    CHECK(totals.tensors >= before.tensors && totals.bytes >= before.bytes);

    memset(&model, 0, sizeof model);
    aim_hf_apply_tensor_totals(&model, &totals);
    CHECK(model.params_total == totals.parameters && model.checkpoint.bytes == totals.bytes);
    return 0;
}
