#include "aim/types.h"

#include <stddef.h>
#include <strings.h>

struct name_entry {
    const char *name;
    int value;
};

static bool lookup(const struct name_entry *table, int count, const char *text, int *out)
{
    if (text == NULL)
        return false;
    for (int i = 0; i < count; i++) {
        if (strcasecmp(table[i].name, text) == 0) {
            *out = table[i].value;
            return true;
        }
    }
    return false;
}

#define COUNT_OF(array) ((int)(sizeof(array) / sizeof((array)[0])))

static const char *const precision_names[AIM_PRECISION_COUNT] = {
    "bf16", "fp16", "fp8", "fp4"};

/* Spellings met in flags and in config.json torch_dtype / quant_method. */
static const struct name_entry precision_spellings[] = {
    {"bf16", AIM_PRECISION_BF16},     {"bfloat16", AIM_PRECISION_BF16},
    {"fp16", AIM_PRECISION_FP16},     {"float16", AIM_PRECISION_FP16},
    {"half", AIM_PRECISION_FP16},     {"fp8", AIM_PRECISION_FP8},
    {"float8", AIM_PRECISION_FP8},    {"fp4", AIM_PRECISION_FP4},
    {"mxfp4", AIM_PRECISION_FP4},
};

const char *aim_precision_name(enum aim_precision precision)
{
    if ((unsigned)precision >= AIM_PRECISION_COUNT)
        return "unknown";
    return precision_names[precision];
}

bool aim_precision_parse(const char *text, enum aim_precision *out)
{
    int value;

    if (!lookup(precision_spellings, COUNT_OF(precision_spellings), text, &value))
        return false;
    *out = (enum aim_precision)value;
    return true;
}

double aim_precision_weight_bytes(enum aim_precision precision)
{
    switch (precision) {
    case AIM_PRECISION_BF16:
    case AIM_PRECISION_FP16:
        return 2.0;
    case AIM_PRECISION_FP8:
        return 1.0;
    case AIM_PRECISION_FP4:
        /* 4-bit values plus one 8-bit scale per block of 32. */
        return 4.25 / 8.0;
    case AIM_PRECISION_COUNT:
        break;
    }
    return 2.0;
}

#define ENUM_NAMES(prefix, type, count, ...)                                     \
    static const char *const prefix##_names[count] = {__VA_ARGS__};            \
    const char *aim_##prefix##_name(type value)                                \
    {                                                                          \
        if ((unsigned)value >= (unsigned)(count))                              \
            return "unknown";                                                  \
        return prefix##_names[value];                                          \
    }                                                                          \
    bool aim_##prefix##_parse(const char *text, type *out)                     \
    {                                                                          \
        for (int i = 0; i < (int)(count); i++) {                               \
            if (text != NULL && strcasecmp(prefix##_names[i], text) == 0) {    \
                *out = (type)i;                                                \
                return true;                                                   \
            }                                                                  \
        }                                                                      \
        return false;                                                          \
    }

ENUM_NAMES(backend, enum aim_backend, AIM_BACKEND_COUNT, "vllm", "sglang")
ENUM_NAMES(maturity, enum aim_maturity, AIM_MATURITY_COUNT, "validated", "preview", "derived")
ENUM_NAMES(vendor, enum aim_vendor, AIM_VENDOR_COUNT, "amd", "nvidia")
ENUM_NAMES(objective, enum aim_objective, AIM_OBJECTIVE_COUNT, "latency", "throughput")
