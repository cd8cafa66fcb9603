/*
 * Reading a model from its own files: config.json, and the checkpoint's
 * size and tensors from model.safetensors.index.json or the safetensors
 * headers. The caller reads the files and hands over their bytes; these
 * functions only parse.
 */
#ifndef AIM_HF_H
#define AIM_HF_H

#include <stddef.h>
#include <stdint.h>

#include "aim/error.h"
#include "aim/model.h"

/* Largest config.json accepted; the first cap against hostile input. */
#define AIM_HF_JSON_MAX (8u * 1024u * 1024u)
/* Largest index accepted: DeepSeek-V3's lists ~92k tensors in ~9 MB. */
#define AIM_HF_INDEX_MAX (64u * 1024u * 1024u)
/* Largest safetensors header accepted (the format allows up to 100 MB). */
#define AIM_SAFETENSORS_HEADER_MAX (100u * 1000u * 1000u)

/*
 * Fills model from a config.json: architecture numbers (text_config for
 * multimodal models), quantization_config, and parameter counts computed
 * from the architecture. id names the model; source_name is used in errors
 * ("path/config.json: field hidden_size: expected a positive integer").
 */
enum aim_status aim_hf_parse_config(const char *text, size_t length, const char *id,
                                    const char *source_name, struct aim_model *model,
                                    struct aim_error *err);

/* Sets the checkpoint size from metadata.total_size of an index file. */
enum aim_status aim_hf_parse_index(const char *text, size_t length, const char *source_name,
                                   struct aim_model *model, struct aim_error *err);

/*
 * Length of the JSON header a safetensors file declares in its first 8
 * bytes (little-endian u64). Fails when it exceeds the cap.
 */
enum aim_status aim_safetensors_header_length(const unsigned char prefix[8],
                                              const char *source_name, uint64_t *length,
                                              struct aim_error *err);

/* Kinds of tensor dtypes; the index of aim_tensor_totals.bytes_by_dtype. */
enum aim_safetensors_dtype_class {
    AIM_DTYPE_CLASS_WIDE, /* F32, F64, C64 */
    AIM_DTYPE_CLASS_BF16,
    AIM_DTYPE_CLASS_FP16,
    AIM_DTYPE_CLASS_FP8,  /* F8_* (E8M0 block scales included) */
    AIM_DTYPE_CLASS_FP4,  /* F4 and the F6 types */
    AIM_DTYPE_CLASS_INT,  /* integers: packed low-bit weights, MXFP4 blocks */
    AIM_DTYPE_CLASS_BOOL,
    AIM_DTYPE_CLASS_COUNT
};

/* Totals over the tensors of safetensors headers. */
struct aim_tensor_totals {
    double parameters;
    double bytes;
    double bytes_by_dtype[8]; /* indexed by aim_safetensors_dtype_class */
    int tensors;
};

/* Adds one file's header (the JSON after the 8-byte length) to totals. */
enum aim_status aim_safetensors_add_header(const char *json, size_t length,
                                           const char *source_name,
                                           struct aim_tensor_totals *totals,
                                           struct aim_error *err);

/*
 * Applies header totals to the model: checkpoint bytes, and the parameter
 * count unless the checkpoint is quantized with packed integer tensors
 * (MXFP4 blocks, GPTQ words), whose element count is not a parameter count.
 */
void aim_hf_apply_tensor_totals(struct aim_model *model,
                                const struct aim_tensor_totals *totals);

#endif
