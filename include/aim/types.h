/*
 * Small enumerations used across the library, with their names as they
 * appear in flags, catalog files and JSON output.
 */
#ifndef AIM_TYPES_H
#define AIM_TYPES_H

#include <stdbool.h>

enum aim_precision {
    AIM_PRECISION_BF16,
    AIM_PRECISION_FP16,
    AIM_PRECISION_FP8,
    AIM_PRECISION_FP4, /* MXFP4 checkpoints such as gpt-oss */
    AIM_PRECISION_COUNT
};

enum aim_backend {
    AIM_BACKEND_VLLM,
    AIM_BACKEND_SGLANG,
    AIM_BACKEND_COUNT
};

/* Ordered from most to least trusted; a lower value ranks first. */
enum aim_maturity {
    AIM_MATURITY_VALIDATED,
    AIM_MATURITY_PREVIEW,
    AIM_MATURITY_DERIVED,
    AIM_MATURITY_COUNT
};

enum aim_vendor {
    AIM_VENDOR_AMD,
    AIM_VENDOR_NVIDIA,
    AIM_VENDOR_COUNT
};

enum aim_objective {
    AIM_OBJECTIVE_LATENCY,
    AIM_OBJECTIVE_THROUGHPUT,
    AIM_OBJECTIVE_COUNT
};

/* "bf16", "fp16", "fp8", "fp4". */
const char *aim_precision_name(enum aim_precision precision);

/*
 * Parses a precision name. Accepts the canonical names and the spellings
 * found in config.json files: bfloat16, float16, half, float8, mxfp4.
 */
bool aim_precision_parse(const char *text, enum aim_precision *out);

/* Bytes of weight storage per parameter, scales included (MXFP4: 4.25 bits). */
double aim_precision_weight_bytes(enum aim_precision precision);

const char *aim_backend_name(enum aim_backend backend); /* "vllm", "sglang" */
bool aim_backend_parse(const char *text, enum aim_backend *out);

const char *aim_maturity_name(enum aim_maturity maturity);
bool aim_maturity_parse(const char *text, enum aim_maturity *out);

const char *aim_vendor_name(enum aim_vendor vendor); /* "amd", "nvidia" */
bool aim_vendor_parse(const char *text, enum aim_vendor *out);

const char *aim_objective_name(enum aim_objective objective);
bool aim_objective_parse(const char *text, enum aim_objective *out);

#endif
