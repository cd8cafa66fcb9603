#include "aim/catalog.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aim/embedded.h"
#include "yaml_tree.h"

/* Entries of one list in one document; more is a mistake or an attack. */
#define ENTRIES_MAX 1024
/* Names aim_catalog_suggest() compares; longer queries get no suggestion. */
#define SUGGEST_NAME_MAX 256
#define SUGGEST_MAX 16

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

struct aim_catalog {
    struct aim_gpu *gpus;
    size_t gpu_count, gpu_capacity;
    struct aim_model *models;
    size_t model_count, model_capacity;
    struct aim_recipe *recipes;
    size_t recipe_count, recipe_capacity;
    struct aim_engine engines[AIM_BACKEND_COUNT];
    bool has_engine[AIM_BACKEND_COUNT];
    struct aim_calibration calibration;
};

/* What one document holds, validated before any of it reaches the catalog. */
struct pending {
    struct aim_gpu *gpus;
    size_t gpu_count;
    struct aim_model *models;
    size_t model_count;
    struct aim_engine *engines;
    size_t engine_count;
    struct aim_recipe *recipe;
    bool has_calibration;
    struct aim_calibration calibration;
};

/* ---- text patterns ---------------------------------------------------- */

enum { LOWER = 1, UPPER = 2, DIGIT = 4 };

static bool char_in(char c, int classes, const char *extra)
{
    if ((classes & LOWER) && c >= 'a' && c <= 'z')
        return true;
    if ((classes & UPPER) && c >= 'A' && c <= 'Z')
        return true;
    if ((classes & DIGIT) && c >= '0' && c <= '9')
        return true;
    return c != '\0' && extra != NULL && strchr(extra, c) != NULL;
}

/* Non-empty, and every character in the classes or extra. */
static bool text_in(const char *text, int classes, const char *extra)
{
    if (text[0] == '\0')
        return false;
    for (; *text != '\0'; text++) {
        if (!char_in(*text, classes, extra))
            return false;
    }
    return true;
}

static bool valid_gpu_name(const char *text)
{
    return text_in(text, LOWER | UPPER | DIGIT, NULL);
}

static bool valid_alias(const char *text)
{
    return text_in(text, LOWER | UPPER | DIGIT, "-_ ");
}

static bool valid_identifier(const char *text)
{
    return text_in(text, LOWER | UPPER | DIGIT, "_");
}

static bool valid_arch(const char *text)
{
    return text_in(text, LOWER | DIGIT, NULL);
}

static bool valid_module(const char *text)
{
    return text_in(text, LOWER | UPPER | DIGIT, "_.");
}

static bool valid_flag(const char *text)
{
    return text[0] == '-' && text_in(text, LOWER | UPPER | DIGIT, "-_");
}

static bool valid_recipe_id(const char *text)
{
    return text_in(text, LOWER | DIGIT, "._-");
}

static bool valid_quantization(const char *text)
{
    return text[0] == '\0' || text_in(text, LOWER | DIGIT, "_-");
}

/* [a-z][a-z0-9_]*: engine arguments as their Python names. */
static bool valid_snake(const char *text)
{
    return char_in(text[0], LOWER, NULL) && text_in(text, LOWER | DIGIT, "_");
}

/* [A-Z_][A-Z0-9_]* */
static bool valid_env_name(const char *text)
{
    return char_in(text[0], UPPER, "_") && text_in(text, UPPER | DIGIT, "_");
}

/* "org/name" or "name" as Hugging Face spells repositories. */
static bool valid_model_id(const char *text)
{
    const char *slash = strchr(text, '/');

    if (!text_in(text, LOWER | UPPER | DIGIT, "._-/"))
        return false;
    if (slash == NULL)
        return true;
    return slash != text && slash[1] != '\0' && strchr(slash + 1, '/') == NULL;
}

struct pattern {
    bool (*valid)(const char *text);
    const char *what;
};

static const struct pattern gpu_name_pattern = {valid_gpu_name, "letters and digits"};
static const struct pattern alias_pattern = {valid_alias,
                                             "letters, digits, '-', '_' or ' '"};
static const struct pattern identifier_pattern = {valid_identifier,
                                                  "letters, digits and '_'"};
static const struct pattern arch_pattern = {valid_arch,
                                            "lower-case letters and digits (gfx942, sm90)"};
static const struct pattern module_pattern = {valid_module, "a Python module name"};
static const struct pattern flag_pattern = {valid_flag, "a flag such as --tp-size"};
static const struct pattern recipe_id_pattern = {valid_recipe_id,
                                                 "lower-case letters, digits, '.', '_', '-'"};
static const struct pattern quantization_pattern = {valid_quantization,
                                                    "a quant_method such as fp8 or mxfp4"};
static const struct pattern model_id_pattern = {valid_model_id,
                                                "a Hugging Face id such as org/name"};

/* ---- field tables ----------------------------------------------------- */

typedef enum aim_status (*field_parser)(struct yt_doc *doc, const yaml_node_t *node,
                                        const char *path, void *target);

enum field_type { F_SKIP, F_TEXT, F_INT, F_NUMBER, F_BOOL, F_CUSTOM };

/*
 * One key of a mapping and where its value goes: offset into the entry
 * being filled. F_CUSTOM parsers receive the member's address (or the
 * entry's, for offset 0 with FIELD_ENTRY).
 */
struct field {
    const char *key;
    enum field_type type;
    bool required;
    size_t offset;
    size_t size;                    /* F_TEXT: buffer size */
    double min, max;                /* F_INT, F_NUMBER */
    bool above_min;                 /* F_NUMBER: min is exclusive */
    const struct pattern *pattern;  /* F_TEXT, optional */
    field_parser parse;             /* F_CUSTOM */
};

#define MEMBER_SIZE(T, m) sizeof(((T *)0)->m)
#define FIELD_SKIP(k) {.key = k, .type = F_SKIP}
#define FIELD_TEXT(k, req, T, m, pat)                                                  \
    {.key = k, .type = F_TEXT, .required = req, .offset = offsetof(T, m),              \
     .size = MEMBER_SIZE(T, m), .pattern = pat}
#define FIELD_INT(k, req, T, m, lo, hi)                                                \
    {.key = k, .type = F_INT, .required = req, .offset = offsetof(T, m), .min = lo,    \
     .max = hi}
#define FIELD_NUMBER(k, req, T, m, lo, hi)                                             \
    {.key = k, .type = F_NUMBER, .required = req, .offset = offsetof(T, m), .min = lo, \
     .max = hi}
#define FIELD_POSITIVE(k, req, T, m, hi)                                               \
    {.key = k, .type = F_NUMBER, .required = req, .offset = offsetof(T, m), .min = 0,  \
     .max = hi, .above_min = true}
#define FIELD_BOOL(k, req, T, m)                                                       \
    {.key = k, .type = F_BOOL, .required = req, .offset = offsetof(T, m)}
#define FIELD_CUSTOM(k, req, T, m, fn)                                                 \
    {.key = k, .type = F_CUSTOM, .required = req, .offset = offsetof(T, m), .parse = fn}
#define FIELD_ENTRY(k, req, fn) {.key = k, .type = F_CUSTOM, .required = req, .parse = fn}

static const struct field *find_field(const struct field *fields, size_t count,
                                      const char *key)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(fields[i].key, key) == 0)
            return &fields[i];
    }
    return NULL;
}

static void join_keys(char *buffer, size_t size, const struct field *fields, size_t count,
                      bool required_only, const yaml_node_t *present, struct yt_doc *doc)
{
    size_t used = 0;

    buffer[0] = '\0';
    for (size_t i = 0; i < count && used < size; i++) {
        if (required_only && (!fields[i].required || yt_lookup(doc, present, fields[i].key)))
            continue;
        used += (size_t)snprintf(buffer + used, size - used, "%s%s", used ? ", " : "",
                                 fields[i].key);
    }
}

/* Unknown keys first: a misspelt key explains a "missing" one. */
static enum aim_status check_known(struct yt_doc *doc, const yaml_node_t *node,
                                   const char *path, const struct field *fields,
                                   size_t count)
{
    char expected[512];
    char at[YT_PATH_MAX];

    for (size_t i = 0; i < yt_mapping_size(node); i++) {
        const char *key = yt_key_text(doc, node, i);

        if (find_field(fields, count, key) != NULL)
            continue;
        join_keys(expected, sizeof expected, fields, count, false, NULL, doc);
        return yt_fail(doc, yt_key_node(doc, node, i), yt_path_key(at, sizeof at, path, key),
                       "unknown field; expected one of %s", expected);
    }
    return AIM_OK;
}

static enum aim_status check_required(struct yt_doc *doc, const yaml_node_t *node,
                                      const char *path, const struct field *fields,
                                      size_t count)
{
    char missing[512];

    join_keys(missing, sizeof missing, fields, count, true, node, doc);
    if (missing[0] == '\0')
        return AIM_OK;
    return yt_fail(doc, node, path, "missing required field%s %s",
                   strchr(missing, ',') ? "s" : "", missing);
}

static enum aim_status read_text(struct yt_doc *doc, const yaml_node_t *node,
                                 const char *path, const struct field *field, char *target)
{
    enum aim_status status = yt_string(doc, node, path, target, field->size);

    if (status == AIM_OK && field->pattern != NULL && !field->pattern->valid(target))
        return yt_expected(doc, node, path, field->pattern->what);
    return status;
}

static enum aim_status read_field(struct yt_doc *doc, const yaml_node_t *node,
                                  const char *path, const struct field *field, void *entry)
{
    char *target = (char *)entry + field->offset;
    enum aim_status status;
    long long integer;

    switch (field->type) {
    case F_SKIP:
        return AIM_OK;
    case F_TEXT:
        return read_text(doc, node, path, field, target);
    case F_INT:
        status = yt_int(doc, node, path, (long long)field->min, (long long)field->max,
                        &integer);
        if (status == AIM_OK)
            *(int *)(void *)target = (int)integer;
        return status;
    case F_NUMBER:
        return yt_double(doc, node, path, field->min, field->max, field->above_min,
                         (double *)(void *)target);
    case F_BOOL:
        return yt_bool(doc, node, path, (bool *)(void *)target);
    case F_CUSTOM:
        return field->parse(doc, node, path, target);
    }
    return AIM_E_INTERNAL;
}

/*
 * Fills entry from a mapping by the field table: refuses unknown keys, then
 * missing required ones, then reads each value in document order. Fields
 * absent from the mapping keep what entry held (the caller's defaults).
 */
static enum aim_status read_fields(struct yt_doc *doc, const yaml_node_t *node,
                                   const char *path, const struct field *fields,
                                   size_t count, void *entry)
{
    enum aim_status status = yt_expect_mapping(doc, node, path);
    char at[YT_PATH_MAX];

    if (status == AIM_OK)
        status = check_known(doc, node, path, fields, count);
    if (status == AIM_OK)
        status = check_required(doc, node, path, fields, count);
    for (size_t i = 0; status == AIM_OK && i < yt_mapping_size(node); i++) {
        const char *key = yt_key_text(doc, node, i);

        status = read_field(doc, yt_value_node(doc, node, i),
                            yt_path_key(at, sizeof at, path, key),
                            find_field(fields, count, key), entry);
    }
    return status;
}

/* The node under key for a message's line, else the entry itself. */
static const yaml_node_t *node_for(struct yt_doc *doc, const yaml_node_t *entry,
                                   const char *key)
{
    const yaml_node_t *node = yt_lookup(doc, entry, key);

    return node != NULL ? node : entry;
}

static const char *child_path(char *buffer, const char *path, const char *key)
{
    return yt_path_key(buffer, YT_PATH_MAX, path, key);
}

/* ---- scalars with a fixed set of values ------------------------------- */

/* Index of node's text among names, or a message listing them. */
static enum aim_status read_choice(struct yt_doc *doc, const yaml_node_t *node,
                                   const char *path, const char *const *names, int count,
                                   int *out)
{
    const char *text = yt_kind_of(node) == YT_NULL ? NULL : yt_text(node);
    char what[160] = "one of ";

    for (int i = 0; text != NULL && i < count; i++) {
        if (strcmp(text, names[i]) == 0 && strlen(text) == node->data.scalar.length) {
            *out = i;
            return AIM_OK;
        }
    }
    for (int i = 0; i < count; i++) {
        strncat(what, names[i], sizeof what - strlen(what) - 1);
        if (i + 1 < count)
            strncat(what, ", ", sizeof what - strlen(what) - 1);
    }
    return yt_expected(doc, node, path, what);
}

static const char *const precision_names[] = {"bf16", "fp16", "fp8", "fp4"};
static const char *const backend_names[] = {"vllm", "sglang"};
static const char *const vendor_names[] = {"amd", "nvidia"};
/* Authors write these two; "derived" is what the selector makes. */
static const char *const authored_maturity_names[] = {"validated", "preview"};

static enum aim_status parse_precision(struct yt_doc *doc, const yaml_node_t *node,
                                       const char *path, void *target)
{
    int value;
    enum aim_status status = read_choice(doc, node, path, precision_names,
                                         AIM_PRECISION_COUNT, &value);

    if (status == AIM_OK)
        *(enum aim_precision *)target = (enum aim_precision)value;
    return status;
}

static enum aim_status parse_backend(struct yt_doc *doc, const yaml_node_t *node,
                                     const char *path, void *target)
{
    int value;
    enum aim_status status = read_choice(doc, node, path, backend_names,
                                         AIM_BACKEND_COUNT, &value);

    if (status == AIM_OK)
        *(enum aim_backend *)target = (enum aim_backend)value;
    return status;
}

static enum aim_status parse_vendor(struct yt_doc *doc, const yaml_node_t *node,
                                    const char *path, void *target)
{
    int value;
    enum aim_status status = read_choice(doc, node, path, vendor_names,
                                         AIM_VENDOR_COUNT, &value);

    if (status == AIM_OK)
        *(enum aim_vendor *)target = (enum aim_vendor)value;
    return status;
}

static enum aim_status parse_maturity(struct yt_doc *doc, const yaml_node_t *node,
                                      const char *path, void *target)
{
    int value;
    enum aim_status status = read_choice(doc, node, path, authored_maturity_names,
                                         (int)COUNT_OF(authored_maturity_names), &value);

    if (status == AIM_OK)
        *(enum aim_maturity *)target = value == 0 ? AIM_MATURITY_VALIDATED
                                                  : AIM_MATURITY_PREVIEW;
    return status;
}

/* ---- lists ------------------------------------------------------------ */

static enum aim_status expect_items(struct yt_doc *doc, const yaml_node_t *node,
                                    const char *path, size_t max)
{
    enum aim_status status = yt_expect_sequence(doc, node, path);

    if (status == AIM_OK && yt_sequence_length(node) > max)
        return yt_fail(doc, node, path, "expected at most %zu entries, got %zu", max,
                       yt_sequence_length(node));
    return status;
}

/* A sequence of short names into a fixed table of width-byte strings. */
static enum aim_status read_names(struct yt_doc *doc, const yaml_node_t *node,
                                  const char *path, char *table, size_t width, size_t max,
                                  int *count, const struct pattern *pattern)
{
    enum aim_status status = expect_items(doc, node, path, max);
    char at[YT_PATH_MAX];

    *count = 0;
    for (size_t i = 0; status == AIM_OK && i < yt_sequence_length(node); i++) {
        const yaml_node_t *item = yt_item(doc, node, i);
        char *slot = table + i * width;

        yt_path_index(at, sizeof at, path, i);
        status = yt_string(doc, item, at, slot, width);
        if (status == AIM_OK && !pattern->valid(slot))
            status = yt_expected(doc, item, at, pattern->what);
        *count = (int)i + (status == AIM_OK);
    }
    return status;
}

/* A sequence of precision names into a flag per precision. */
static enum aim_status read_precision_set(struct yt_doc *doc, const yaml_node_t *node,
                                          const char *path, bool *set)
{
    enum aim_status status = expect_items(doc, node, path, AIM_PRECISION_COUNT);
    char at[YT_PATH_MAX];

    memset(set, 0, AIM_PRECISION_COUNT * sizeof *set);
    for (size_t i = 0; status == AIM_OK && i < yt_sequence_length(node); i++) {
        const yaml_node_t *item = yt_item(doc, node, i);
        enum aim_precision precision = AIM_PRECISION_BF16;

        status = parse_precision(doc, item, yt_path_index(at, sizeof at, path, i), &precision);
        if (status == AIM_OK && set[precision])
            status = yt_fail(doc, item, at, "%s listed twice", precision_names[precision]);
        if (status == AIM_OK)
            set[precision] = true;
    }
    return status;
}

/*
 * A sequence of mappings into a new array of item_size entries (the caller
 * frees *items, also on error), each filled by parse.
 */
static enum aim_status read_entries(struct yt_doc *doc, const yaml_node_t *node,
                                    const char *path, size_t item_size, field_parser parse,
                                    void **items, size_t *count)
{
    enum aim_status status = expect_items(doc, node, path, ENTRIES_MAX);
    size_t length = yt_sequence_length(node);
    char at[YT_PATH_MAX];

    if (status != AIM_OK)
        return status;
    *items = calloc(length > 0 ? length : 1, item_size);
    if (*items == NULL)
        return aim_error_set(doc->err, AIM_E_NOMEM, "%s: out of memory", doc->source);
    *count = length;
    for (size_t i = 0; status == AIM_OK && i < length; i++)
        status = parse(doc, yt_item(doc, node, i), yt_path_index(at, sizeof at, path, i),
                       (char *)*items + i * item_size);
    return status;
}

/* Refuses two entries of one list with the same key (ignoring case). */
static enum aim_status check_unique(struct yt_doc *doc, const yaml_node_t *node,
                                    const char *path, const char *key_field,
                                    const char *const *keys, size_t count)
{
    char at[YT_PATH_MAX];
    char entry[YT_PATH_MAX];

    for (size_t i = 1; i < count; i++) {
        for (size_t j = 0; j < i; j++) {
            const yaml_node_t *item = yt_item(doc, node, i);

            if (strcasecmp(keys[i], keys[j]) != 0)
                continue;
            yt_path_index(entry, sizeof entry, path, i);
            return yt_fail(doc, node_for(doc, item, key_field),
                           child_path(at, entry, key_field),
                           "%s already defined at line %d", keys[i],
                           yt_line(yt_item(doc, node, j)));
        }
    }
    return AIM_OK;
}

/* ---- engine arguments and environment --------------------------------- */

static enum aim_status expect_settings_map(struct yt_doc *doc, const yaml_node_t *node,
                                           const char *path)
{
    enum aim_status status = yt_expect_mapping(doc, node, path);

    if (status == AIM_OK && yt_mapping_size(node) > AIM_SETTINGS_MAX)
        return yt_fail(doc, node, path, "expected at most %d entries, got %zu",
                       AIM_SETTINGS_MAX, yt_mapping_size(node));
    return status;
}

static enum aim_status read_setting_value(struct yt_doc *doc, const yaml_node_t *node,
                                          const char *path, char *value)
{
    enum yt_kind kind = yt_kind_of(node);

    if (yt_text(node) == NULL || kind == YT_NULL)
        return yt_expected(doc, node, path, "a scalar (text, number or true/false)");
    if (kind == YT_BOOL) {
        bool flag = false;

        yt_bool(doc, node, path, &flag);
        strcpy(value, flag ? "true" : "false");
        return AIM_OK;
    }
    return yt_string(doc, node, path, value, AIM_SETTING_VALUE_MAX);
}

static enum aim_value_type value_type(enum yt_kind kind)
{
    switch (kind) {
    case YT_BOOL:
        return AIM_VALUE_BOOL;
    case YT_INT:
        return AIM_VALUE_INT;
    case YT_FLOAT:
        return AIM_VALUE_FLOAT;
    case YT_NULL:
    case YT_STRING:
        break;
    }
    return AIM_VALUE_STRING;
}

static bool reserved_arg(const char *key)
{
    return strcmp(key, "model") == 0 || strcmp(key, "host") == 0 ||
           strcmp(key, "port") == 0;
}

static enum aim_status check_arg_key(struct yt_doc *doc, const yaml_node_t *key,
                                     const char *path)
{
    const char *text = yt_text(key);

    if (!valid_snake(text) || strlen(text) >= AIM_SETTING_KEY_MAX ||
        strlen(text) != key->data.scalar.length)
        return yt_expected(doc, key, path, "a snake_case argument name ([a-z][a-z0-9_]*)");
    if (reserved_arg(text))
        return yt_fail(doc, key, path, "reserved: aimctl sets model, host and port");
    return AIM_OK;
}

static bool refused_env(const char *key)
{
    return strcmp(key, "HIP_VISIBLE_DEVICES") == 0 ||
           strcmp(key, "ROCR_VISIBLE_DEVICES") == 0 ||
           strcmp(key, "CUDA_VISIBLE_DEVICES") == 0;
}

static enum aim_status check_env_key(struct yt_doc *doc, const yaml_node_t *key,
                                     const char *path)
{
    const char *text = yt_text(key);

    if (!valid_env_name(text) || strlen(text) >= AIM_SETTING_KEY_MAX ||
        strlen(text) != key->data.scalar.length)
        return yt_expected(doc, key, path, "an environment name ([A-Z_][A-Z0-9_]*)");
    if (refused_env(text))
        return yt_fail(doc, key, path,
                       "not allowed: the device plugin assigns GPUs to the container");
    return AIM_OK;
}

/* args and env share the walk; env values are always text. */
static enum aim_status read_settings(struct yt_doc *doc, const yaml_node_t *node,
                                     const char *path, struct aim_settings *settings,
                                     bool env)
{
    enum aim_status status = expect_settings_map(doc, node, path);
    char value[AIM_SETTING_VALUE_MAX];
    char at[YT_PATH_MAX];

    settings->count = 0;
    for (size_t i = 0; status == AIM_OK && i < yt_mapping_size(node); i++) {
        const yaml_node_t *key = yt_key_node(doc, node, i);
        const yaml_node_t *item = yt_value_node(doc, node, i);

        child_path(at, path, yt_text(key));
        status = env ? check_env_key(doc, key, at) : check_arg_key(doc, key, at);
        if (status == AIM_OK)
            status = read_setting_value(doc, item, at, value);
        /* Cannot fail: count, key and value lengths were checked above. */
        if (status == AIM_OK &&
            aim_settings_set(settings, yt_text(key),
                             env ? AIM_VALUE_STRING : value_type(yt_kind_of(item)),
                             value) != AIM_OK)
            status = yt_fail(doc, item, at, "does not fit in the settings table");
    }
    return status;
}

static enum aim_status parse_args(struct yt_doc *doc, const yaml_node_t *node,
                                  const char *path, void *target)
{
    return read_settings(doc, node, path, target, false);
}

static enum aim_status parse_env(struct yt_doc *doc, const yaml_node_t *node,
                                 const char *path, void *target)
{
    return read_settings(doc, node, path, target, true);
}

/* ---- kind: gpus ------------------------------------------------------- */

static enum aim_status parse_gpu_aliases(struct yt_doc *doc, const yaml_node_t *node,
                                         const char *path, void *target)
{
    struct aim_gpu *gpu = target;

    return read_names(doc, node, path, &gpu->aliases[0][0], AIM_GPU_NAME_MAX,
                      AIM_GPU_ALIASES_MAX, &gpu->alias_count, &alias_pattern);
}

static bool is_hex4(const char *text)
{
    return strlen(text) == 4 && text_in(text, DIGIT, "abcdefABCDEF");
}

static enum aim_status parse_pci_ids(struct yt_doc *doc, const yaml_node_t *node,
                                     const char *path, void *target)
{
    struct aim_gpu *gpu = target;
    enum aim_status status = expect_items(doc, node, path, AIM_GPU_PCI_IDS_MAX);
    char at[YT_PATH_MAX];
    char text[8];

    gpu->pci_id_count = 0;
    for (size_t i = 0; status == AIM_OK && i < yt_sequence_length(node); i++) {
        const yaml_node_t *item = yt_item(doc, node, i);

        yt_path_index(at, sizeof at, path, i);
        if (yt_text(item) == NULL || !is_hex4(yt_text(item)) ||
            strlen(yt_text(item)) != item->data.scalar.length)
            return yt_expected(doc, item, at, "4 hex digits such as \"74a1\"");
        memcpy(text, yt_text(item), 5);
        gpu->pci_ids[gpu->pci_id_count++] = (uint16_t)strtoul(text, NULL, 16);
    }
    return status;
}

static enum aim_status parse_peak_tflops(struct yt_doc *doc, const yaml_node_t *node,
                                         const char *path, void *target)
{
    double *peak = target;
    enum aim_status status = yt_expect_mapping(doc, node, path);
    char at[YT_PATH_MAX];

    for (size_t i = 0; status == AIM_OK && i < yt_mapping_size(node); i++) {
        enum aim_precision precision = AIM_PRECISION_BF16;

        child_path(at, path, yt_key_text(doc, node, i));
        status = parse_precision(doc, yt_key_node(doc, node, i), at, &precision);
        if (status == AIM_OK)
            status = yt_double(doc, yt_value_node(doc, node, i), at, 0, 1e6, true,
                               &peak[precision]);
    }
    return status;
}

static enum aim_status parse_native(struct yt_doc *doc, const yaml_node_t *node,
                                    const char *path, void *target)
{
    enum aim_status status = read_precision_set(doc, node, path, target);

    if (status == AIM_OK && yt_sequence_length(node) == 0)
        return yt_fail(doc, node, path, "expected at least one precision, got none");
    return status;
}

static enum aim_status parse_emulated(struct yt_doc *doc, const yaml_node_t *node,
                                      const char *path, void *target)
{
    return read_precision_set(doc, node, path, target);
}

static const struct field gpu_fields[] = {
    FIELD_TEXT("name", true, struct aim_gpu, name, &gpu_name_pattern),
    FIELD_TEXT("display_name", false, struct aim_gpu, display_name, NULL),
    FIELD_ENTRY("aliases", false, parse_gpu_aliases),
    FIELD_CUSTOM("vendor", true, struct aim_gpu, vendor, parse_vendor),
    FIELD_TEXT("arch", true, struct aim_gpu, arch, &arch_pattern),
    FIELD_INT("generation", false, struct aim_gpu, generation, 0, 10000),
    FIELD_ENTRY("pci_ids", false, parse_pci_ids),
    FIELD_POSITIVE("memory_gib", true, struct aim_gpu, memory_gib, 4096),
    FIELD_POSITIVE("bandwidth_tbps", true, struct aim_gpu, bandwidth_tbps, 1000),
    FIELD_CUSTOM("peak_tflops", true, struct aim_gpu, peak_tflops, parse_peak_tflops),
    FIELD_CUSTOM("native", true, struct aim_gpu, native, parse_native),
    FIELD_CUSTOM("emulated", false, struct aim_gpu, emulated, parse_emulated),
    FIELD_NUMBER("gpu_memory_utilization", false, struct aim_gpu, gpu_memory_utilization,
                 0.5, 0.98),
    FIELD_INT("gpus_per_node", false, struct aim_gpu, gpus_per_node, 1, 64),
    FIELD_TEXT("resource_name", false, struct aim_gpu, resource_name, NULL),
    FIELD_TEXT("product_label", false, struct aim_gpu, product_label, NULL),
    FIELD_BOOL("inferred", false, struct aim_gpu, figures_inferred),
};

/* gfx targets are AMD's, sm targets NVIDIA's; a mix-up would pick wrong images. */
static enum aim_status check_gpu_arch(struct yt_doc *doc, const yaml_node_t *node,
                                      const char *path, const struct aim_gpu *gpu)
{
    char at[YT_PATH_MAX];
    const char *prefix = gpu->vendor == AIM_VENDOR_AMD ? "gfx" : "sm";

    if (strncmp(gpu->arch, prefix, strlen(prefix)) == 0 && gpu->arch[strlen(prefix)] != '\0')
        return AIM_OK;
    return yt_expected(doc, node_for(doc, node, "arch"), child_path(at, path, "arch"),
                       gpu->vendor == AIM_VENDOR_AMD ? "a gfx target for vendor amd"
                                                     : "an sm target for vendor nvidia");
}

/* Peak figures exist exactly for the native precisions; none is both kinds. */
static enum aim_status check_gpu_precisions(struct yt_doc *doc, const yaml_node_t *node,
                                            const char *path, const struct aim_gpu *gpu)
{
    char at[YT_PATH_MAX];

    for (int p = 0; p < AIM_PRECISION_COUNT; p++) {
        if (gpu->native[p] && gpu->emulated[p])
            return yt_fail(doc, node_for(doc, node, "emulated"),
                           child_path(at, path, "emulated"), "%s is also listed as native",
                           precision_names[p]);
        if (gpu->native[p] && gpu->peak_tflops[p] == 0)
            return yt_fail(doc, node_for(doc, node, "peak_tflops"),
                           child_path(at, path, "peak_tflops"),
                           "missing %s, which native lists", precision_names[p]);
        if (!gpu->native[p] && gpu->peak_tflops[p] != 0)
            return yt_fail(doc, node_for(doc, node, "peak_tflops"),
                           child_path(at, path, "peak_tflops"),
                           "%s is not native; list it in native or remove it",
                           precision_names[p]);
    }
    return AIM_OK;
}

static enum aim_status parse_gpu(struct yt_doc *doc, const yaml_node_t *node,
                                 const char *path, void *target)
{
    struct aim_gpu *gpu = target;
    enum aim_status status;

    gpu->gpu_memory_utilization = 0.9;
    gpu->gpus_per_node = 8;
    status = read_fields(doc, node, path, gpu_fields, COUNT_OF(gpu_fields), gpu);
    if (status == AIM_OK)
        status = check_gpu_arch(doc, node, path, gpu);
    if (status == AIM_OK)
        status = check_gpu_precisions(doc, node, path, gpu);
    if (status != AIM_OK)
        return status;

    if (gpu->display_name[0] == '\0')
        snprintf(gpu->display_name, sizeof gpu->display_name, "%s", gpu->name);
    if (gpu->resource_name[0] == '\0')
        snprintf(gpu->resource_name, sizeof gpu->resource_name, "%s",
                 gpu->vendor == AIM_VENDOR_AMD ? "amd.com/gpu" : "nvidia.com/gpu");
    snprintf(gpu->source, sizeof gpu->source, "%s", doc->source);
    return AIM_OK;
}

static enum aim_status parse_gpus_list(struct yt_doc *doc, const yaml_node_t *node,
                                       const char *path, void *target)
{
    struct pending *pending = target;
    const char *keys[ENTRIES_MAX];
    enum aim_status status;

    status = read_entries(doc, node, path, sizeof(struct aim_gpu), parse_gpu,
                          (void **)&pending->gpus, &pending->gpu_count);
    if (status != AIM_OK)
        return status;
    for (size_t i = 0; i < pending->gpu_count; i++)
        keys[i] = pending->gpus[i].name;
    return check_unique(doc, node, path, "name", keys, pending->gpu_count);
}

/* ---- kind: models ----------------------------------------------------- */

#define CHECKPOINT_FIELDS                                                                  \
    FIELD_CUSTOM("precision", true, struct aim_checkpoint, precision, parse_precision),    \
    FIELD_TEXT("quantization", false, struct aim_checkpoint, quantization,                 \
               &quantization_pattern),                                                     \
    FIELD_POSITIVE("bytes", true, struct aim_checkpoint, bytes, 1e15),                     \
    FIELD_BOOL("kv_cache_fp8", false, struct aim_checkpoint, kv_cache_fp8)

static const struct field checkpoint_fields[] = {CHECKPOINT_FIELDS};
static const struct field variant_fields[] = {
    FIELD_TEXT("id", true, struct aim_checkpoint, id, &model_id_pattern),
    CHECKPOINT_FIELDS,
};

static enum aim_status parse_checkpoint(struct yt_doc *doc, const yaml_node_t *node,
                                        const char *path, void *target)
{
    return read_fields(doc, node, path, checkpoint_fields, COUNT_OF(checkpoint_fields),
                       target);
}

static enum aim_status parse_variant(struct yt_doc *doc, const yaml_node_t *node,
                                     const char *path, void *target)
{
    return read_fields(doc, node, path, variant_fields, COUNT_OF(variant_fields), target);
}

static enum aim_status parse_variants(struct yt_doc *doc, const yaml_node_t *node,
                                      const char *path, void *target)
{
    struct aim_model *model = target;
    enum aim_status status = expect_items(doc, node, path, AIM_MODEL_VARIANTS_MAX);
    char at[YT_PATH_MAX];

    model->variant_count = 0;
    for (size_t i = 0; status == AIM_OK && i < yt_sequence_length(node); i++) {
        status = parse_variant(doc, yt_item(doc, node, i),
                               yt_path_index(at, sizeof at, path, i), &model->variants[i]);
        model->variant_count = (int)i + 1;
    }
    return status;
}

#define MODEL_INT(k, req, m, lo, hi) FIELD_INT(k, req, struct aim_model, m, lo, hi)

static const struct field model_fields[] = {
    FIELD_TEXT("id", true, struct aim_model, id, &model_id_pattern),
    FIELD_TEXT("architecture", true, struct aim_model, architecture, &identifier_pattern),
    FIELD_TEXT("model_type", false, struct aim_model, model_type, &identifier_pattern),
    MODEL_INT("hidden_size", true, hidden_size, 1, 1 << 20),
    MODEL_INT("intermediate_size", false, intermediate_size, 1, 1 << 22),
    MODEL_INT("num_layers", true, num_layers, 1, 4096),
    MODEL_INT("num_attention_heads", true, num_attention_heads, 1, 4096),
    MODEL_INT("num_kv_heads", true, num_kv_heads, 1, 4096),
    MODEL_INT("head_dim", false, head_dim, 1, 4096),
    MODEL_INT("vocab_size", true, vocab_size, 1, 1 << 24),
    MODEL_INT("max_context", true, max_context, 1, 1 << 28),
    FIELD_BOOL("tie_word_embeddings", false, struct aim_model, tie_word_embeddings),
    MODEL_INT("num_experts", false, num_experts, 0, 65536),
    MODEL_INT("experts_per_token", false, experts_per_token, 0, 65536),
    MODEL_INT("shared_experts", false, shared_experts, 0, 65536),
    MODEL_INT("dense_layers", false, dense_layers, 0, 4096),
    MODEL_INT("moe_intermediate_size", false, moe_intermediate_size, 0, 1 << 22),
    MODEL_INT("kv_lora_rank", false, kv_lora_rank, 0, 65536),
    MODEL_INT("qk_rope_head_dim", false, qk_rope_head_dim, 0, 4096),
    MODEL_INT("sliding_window", false, sliding_window, 0, 1 << 28),
    MODEL_INT("sliding_layers", false, sliding_layers, 0, 4096),
    FIELD_POSITIVE("params_total", true, struct aim_model, params_total, 1e14),
    FIELD_POSITIVE("params_active", false, struct aim_model, params_active, 1e14),
    FIELD_POSITIVE("embedding_params", false, struct aim_model, embedding_params, 1e14),
    FIELD_CUSTOM("checkpoint", true, struct aim_model, checkpoint, parse_checkpoint),
    FIELD_ENTRY("variants", false, parse_variants),
};

static enum aim_status check_at_most(struct yt_doc *doc, const yaml_node_t *node,
                                     const char *path, const char *key, double value,
                                     double limit, const char *limit_name)
{
    char at[YT_PATH_MAX];

    if (value <= limit)
        return AIM_OK;
    return yt_fail(doc, node_for(doc, node, key), child_path(at, path, key),
                   "expected at most %s (%g), got %g", limit_name, limit, value);
}

/* Relations between fields that single-field ranges cannot express. */
static enum aim_status check_model_shape(struct yt_doc *doc, const yaml_node_t *node,
                                         const char *path, const struct aim_model *model)
{
    enum aim_status status;
    char at[YT_PATH_MAX];

    status = check_at_most(doc, node, path, "num_kv_heads", model->num_kv_heads,
                           model->num_attention_heads, "num_attention_heads");
    if (status == AIM_OK)
        status = check_at_most(doc, node, path, "params_active", model->params_active,
                               model->params_total, "params_total");
    if (status == AIM_OK)
        status = check_at_most(doc, node, path, "dense_layers", model->dense_layers,
                               model->num_layers, "num_layers");
    if (status == AIM_OK)
        status = check_at_most(doc, node, path, "sliding_layers", model->sliding_layers,
                               model->num_layers, "num_layers");
    if (status == AIM_OK)
        status = check_at_most(doc, node, path, "experts_per_token",
                               model->experts_per_token, model->num_experts, "num_experts");
    if (status == AIM_OK && model->num_experts > 0 && model->experts_per_token == 0)
        status = yt_fail(doc, node, child_path(at, path, "experts_per_token"),
                         "required with num_experts");
    return status;
}

static enum aim_status check_variant_ids(struct yt_doc *doc, const yaml_node_t *node,
                                         const char *path, const struct aim_model *model)
{
    const char *keys[AIM_MODEL_VARIANTS_MAX + 1];
    const yaml_node_t *variants = yt_lookup(doc, node, "variants");
    char at[YT_PATH_MAX];
    char entry[YT_PATH_MAX];

    for (int i = 0; i < model->variant_count; i++) {
        if (strcasecmp(model->variants[i].id, model->id) != 0)
            continue;
        yt_path_index(entry, sizeof entry, child_path(at, path, "variants"), (size_t)i);
        return yt_fail(doc, yt_item(doc, variants, (size_t)i), child_path(at, entry, "id"),
                       "the model's own id; variants are other checkpoints");
    }
    for (int i = 0; i < model->variant_count; i++)
        keys[i] = model->variants[i].id;
    return check_unique(doc, variants, child_path(at, path, "variants"), "id", keys,
                        (size_t)model->variant_count);
}

static void fill_model_defaults(struct aim_model *model, const char *source)
{
    if (model->params_active == 0)
        model->params_active = model->params_total;
    if (model->head_dim == 0)
        model->head_dim = model->hidden_size / model->num_attention_heads;
    if (model->head_dim == 0)
        model->head_dim = 1;
    /* Input embedding, plus the lm_head when it is a separate matrix. */
    if (model->embedding_params == 0)
        model->embedding_params = (double)model->vocab_size * model->hidden_size *
                                  (model->tie_word_embeddings ? 1 : 2);
    snprintf(model->checkpoint.id, sizeof model->checkpoint.id, "%s", model->id);
    snprintf(model->source, sizeof model->source, "%s", source);
}

static enum aim_status parse_model(struct yt_doc *doc, const yaml_node_t *node,
                                   const char *path, void *target)
{
    struct aim_model *model = target;
    enum aim_status status;

    status = read_fields(doc, node, path, model_fields, COUNT_OF(model_fields), model);
    if (status != AIM_OK)
        return status;
    /* Defaults first: params_active must be set before it is compared. */
    fill_model_defaults(model, doc->source);
    status = check_model_shape(doc, node, path, model);
    if (status == AIM_OK)
        status = check_variant_ids(doc, node, path, model);
    return status;
}

static enum aim_status parse_models_list(struct yt_doc *doc, const yaml_node_t *node,
                                         const char *path, void *target)
{
    struct pending *pending = target;
    const char *keys[ENTRIES_MAX];
    enum aim_status status;

    status = read_entries(doc, node, path, sizeof(struct aim_model), parse_model,
                          (void **)&pending->models, &pending->model_count);
    if (status != AIM_OK)
        return status;
    for (size_t i = 0; i < pending->model_count; i++)
        keys[i] = pending->models[i].id;
    return check_unique(doc, node, path, "id", keys, pending->model_count);
}

/* ---- kind: engines ---------------------------------------------------- */

static enum aim_status parse_engine_flags(struct yt_doc *doc, const yaml_node_t *node,
                                          const char *path, void *target)
{
    struct aim_engine *engine = target;
    enum aim_status status = yt_expect_mapping(doc, node, path);
    char at[YT_PATH_MAX];

    if (status == AIM_OK && yt_mapping_size(node) > AIM_ENGINE_FLAGS_MAX)
        return yt_fail(doc, node, path, "expected at most %d entries, got %zu",
                       AIM_ENGINE_FLAGS_MAX, yt_mapping_size(node));
    engine->flag_count = 0;
    for (size_t i = 0; status == AIM_OK && i < yt_mapping_size(node); i++) {
        struct aim_engine_flag *flag = &engine->flags[i];
        const yaml_node_t *key = yt_key_node(doc, node, i);

        child_path(at, path, yt_text(key));
        status = yt_string(doc, key, at, flag->key, sizeof flag->key);
        if (status == AIM_OK && !valid_snake(flag->key))
            status = yt_expected(doc, key, at, "a snake_case argument name");
        if (status == AIM_OK)
            status = yt_string(doc, yt_value_node(doc, node, i), at, flag->flag,
                               sizeof flag->flag);
        if (status == AIM_OK && !valid_flag(flag->flag))
            status = yt_expected(doc, yt_value_node(doc, node, i), at, flag_pattern.what);
        engine->flag_count = (int)i + (status == AIM_OK);
    }
    return status;
}

static enum aim_status parse_engine_architectures(struct yt_doc *doc,
                                                  const yaml_node_t *node, const char *path,
                                                  void *target)
{
    struct aim_engine *engine = target;

    return read_names(doc, node, path, &engine->architectures[0][0],
                      sizeof engine->architectures[0], AIM_ENGINE_ARCHS_MAX,
                      &engine->architecture_count, &identifier_pattern);
}

struct size_pair {
    int large;
    int small;
};

static const struct field size_pair_fields[] = {
    FIELD_INT("large", true, struct size_pair, large, 1, 1 << 24),
    FIELD_INT("small", true, struct size_pair, small, 1, 1 << 24),
};

static enum aim_status parse_size_pair(struct yt_doc *doc, const yaml_node_t *node,
                                       const char *path, void *target)
{
    return read_fields(doc, node, path, size_pair_fields, COUNT_OF(size_pair_fields),
                       target);
}

struct engine_defaults {
    double large_gpu_gib;
    struct size_pair max_num_seqs;
    struct size_pair max_num_batched_tokens;
};

static const struct field engine_default_fields[] = {
    FIELD_POSITIVE("large_gpu_gib", true, struct engine_defaults, large_gpu_gib, 4096),
    FIELD_CUSTOM("max_num_seqs", true, struct engine_defaults, max_num_seqs,
                 parse_size_pair),
    FIELD_CUSTOM("max_num_batched_tokens", true, struct engine_defaults,
                 max_num_batched_tokens, parse_size_pair),
};

static enum aim_status parse_engine_defaults(struct yt_doc *doc, const yaml_node_t *node,
                                             const char *path, void *target)
{
    struct aim_engine *engine = target;
    struct engine_defaults defaults;
    enum aim_status status;

    memset(&defaults, 0, sizeof defaults);
    status = read_fields(doc, node, path, engine_default_fields,
                         COUNT_OF(engine_default_fields), &defaults);
    if (status != AIM_OK)
        return status;
    engine->large_gpu_gib = defaults.large_gpu_gib;
    engine->max_num_seqs_large = defaults.max_num_seqs.large;
    engine->max_num_seqs_small = defaults.max_num_seqs.small;
    engine->max_num_batched_tokens_large = defaults.max_num_batched_tokens.large;
    engine->max_num_batched_tokens_small = defaults.max_num_batched_tokens.small;
    return AIM_OK;
}

static enum aim_status parse_rule_archs(struct yt_doc *doc, const yaml_node_t *node,
                                        const char *path, void *target)
{
    struct aim_engine_env_rule *rule = target;

    return read_names(doc, node, path, &rule->archs[0][0], sizeof rule->archs[0],
                      COUNT_OF(rule->archs), &rule->arch_count, &arch_pattern);
}

static const struct field env_rule_fields[] = {
    FIELD_CUSTOM("vendor", true, struct aim_engine_env_rule, vendor, parse_vendor),
    FIELD_ENTRY("archs", false, parse_rule_archs),
    FIELD_INT("min_gpus", false, struct aim_engine_env_rule, min_gpus, 1, 64),
    FIELD_CUSTOM("env", true, struct aim_engine_env_rule, env, parse_env),
};

static enum aim_status parse_env_rules(struct yt_doc *doc, const yaml_node_t *node,
                                       const char *path, void *target)
{
    struct aim_engine *engine = target;
    enum aim_status status = expect_items(doc, node, path, AIM_ENGINE_ENV_RULES_MAX);
    char at[YT_PATH_MAX];

    engine->env_rule_count = 0;
    for (size_t i = 0; status == AIM_OK && i < yt_sequence_length(node); i++) {
        struct aim_engine_env_rule *rule = &engine->env_rules[i];

        rule->min_gpus = 1;
        status = read_fields(doc, yt_item(doc, node, i), yt_path_index(at, sizeof at, path, i),
                             env_rule_fields, COUNT_OF(env_rule_fields), rule);
        engine->env_rule_count = (int)i + 1;
    }
    return status;
}

static const struct field engine_fields[] = {
    FIELD_CUSTOM("name", true, struct aim_engine, backend, parse_backend),
    FIELD_TEXT("display_name", false, struct aim_engine, display_name, NULL),
    FIELD_TEXT("entrypoint", true, struct aim_engine, entrypoint, &module_pattern),
    FIELD_TEXT("model_flag", true, struct aim_engine, model_flag, &flag_pattern),
    FIELD_TEXT("image_rocm", true, struct aim_engine, image_rocm, NULL),
    FIELD_TEXT("image_cuda", true, struct aim_engine, image_cuda, NULL),
    FIELD_TEXT("image_rocm_gfx950", false, struct aim_engine, image_rocm_gfx950, NULL),
    FIELD_ENTRY("flags", false, parse_engine_flags),
    FIELD_ENTRY("architectures", true, parse_engine_architectures),
    FIELD_ENTRY("defaults", true, parse_engine_defaults),
    FIELD_ENTRY("env_rules", false, parse_env_rules),
};

static enum aim_status parse_engine(struct yt_doc *doc, const yaml_node_t *node,
                                    const char *path, void *target)
{
    struct aim_engine *engine = target;
    enum aim_status status;

    status = read_fields(doc, node, path, engine_fields, COUNT_OF(engine_fields), engine);
    if (status != AIM_OK)
        return status;
    if (engine->display_name[0] == '\0')
        snprintf(engine->display_name, sizeof engine->display_name, "%s",
                 backend_names[engine->backend]);
    snprintf(engine->source, sizeof engine->source, "%s", doc->source);
    return AIM_OK;
}

static enum aim_status parse_engines_list(struct yt_doc *doc, const yaml_node_t *node,
                                          const char *path, void *target)
{
    struct pending *pending = target;
    const char *keys[ENTRIES_MAX];
    enum aim_status status;

    status = read_entries(doc, node, path, sizeof(struct aim_engine), parse_engine,
                          (void **)&pending->engines, &pending->engine_count);
    if (status != AIM_OK)
        return status;
    for (size_t i = 0; i < pending->engine_count; i++)
        keys[i] = backend_names[pending->engines[i].backend];
    return check_unique(doc, node, path, "name", keys, pending->engine_count);
}

/* ---- kind: calibration ------------------------------------------------ */

#define CAL_NUMBER(m, lo, hi) FIELD_NUMBER(#m, false, struct aim_calibration, m, lo, hi)
#define CAL_POSITIVE(m, hi) FIELD_POSITIVE(#m, false, struct aim_calibration, m, hi)
#define CAL_INT(m, lo, hi) FIELD_INT(#m, false, struct aim_calibration, m, lo, hi)

static const struct field calibration_fields[] = {
    CAL_NUMBER(activation_gib, 0, 1024),
    CAL_NUMBER(runtime_overhead_gib_tp1, 0, 1024),
    CAL_NUMBER(runtime_overhead_gib_tp, 0, 1024),
    CAL_NUMBER(weight_overhead_factor, 1, 4),
    CAL_INT(typical_request_tokens, 1, 1 << 24),
    CAL_INT(min_context_tokens, 1, 1 << 24),
    CAL_INT(context_rounding_tokens, 1, 1 << 20),
    CAL_NUMBER(min_weights_per_gpu_gib, 0, 4096),
    CAL_INT(default_concurrency, 1, 1 << 20),
    CAL_POSITIVE(decode_efficiency, 1),
    CAL_NUMBER(step_overhead_us, 0, 1e6),
    CAL_POSITIVE(prefill_mfu, 1),
    CAL_INT(ttft_prompt_tokens, 1, 1 << 24),
};

static enum aim_status parse_calibration(struct yt_doc *doc, const yaml_node_t *node,
                                         const char *path, void *target)
{
    struct pending *pending = target;
    enum aim_status status;

    /* pending->calibration starts as the catalog's, so absent fields stay. */
    status = read_fields(doc, node, path, calibration_fields, COUNT_OF(calibration_fields),
                         &pending->calibration);
    if (status != AIM_OK)
        return status;
    pending->has_calibration = true;
    snprintf(pending->calibration.source, sizeof pending->calibration.source, "%s",
             doc->source);
    return AIM_OK;
}

/* ---- kind: recipe ----------------------------------------------------- */

static enum aim_status parse_gpu_count(struct yt_doc *doc, const yaml_node_t *node,
                                       const char *path, void *target)
{
    static const char *const counts[] = {"1", "2", "4", "8"};
    int index;
    enum aim_status status;

    if (yt_kind_of(node) != YT_INT)
        return yt_expected(doc, node, path, "one of 1, 2, 4, 8");
    status = read_choice(doc, node, path, counts, (int)COUNT_OF(counts), &index);
    if (status == AIM_OK)
        *(int *)target = 1 << index;
    return status;
}

static const struct field config_fields[] = {
    FIELD_CUSTOM("gpus", true, struct aim_recipe_config, gpu_count, parse_gpu_count),
    FIELD_BOOL("enabled", false, struct aim_recipe_config, enabled),
    FIELD_CUSTOM("maturity", false, struct aim_recipe_config, maturity, parse_maturity),
    FIELD_TEXT("reason", false, struct aim_recipe_config, disabled_reason, NULL),
    FIELD_CUSTOM("args", false, struct aim_recipe_config, args, parse_args),
    FIELD_CUSTOM("env", false, struct aim_recipe_config, env, parse_env),
};

static enum aim_status parse_config(struct yt_doc *doc, const yaml_node_t *node,
                                    const char *path, struct aim_recipe_config *config)
{
    char at[YT_PATH_MAX];
    enum aim_status status;

    config->enabled = true;
    config->line = node != NULL ? yt_line(node) : 0;
    status = read_fields(doc, node, path, config_fields, COUNT_OF(config_fields), config);
    if (status == AIM_OK && config->enabled && yt_lookup(doc, node, "reason") != NULL)
        return yt_fail(doc, yt_lookup(doc, node, "reason"), child_path(at, path, "reason"),
                       "only a disabled config takes a reason");
    return status;
}

static enum aim_status parse_configs(struct yt_doc *doc, const yaml_node_t *node,
                                     const char *path, void *target)
{
    struct aim_recipe *recipe = target;
    enum aim_status status = expect_items(doc, node, path, AIM_RECIPE_CONFIGS_MAX);
    char at[YT_PATH_MAX];

    if (status == AIM_OK && yt_sequence_length(node) == 0)
        return yt_fail(doc, node, path, "expected at least one config, got none");
    recipe->config_count = 0;
    for (size_t i = 0; status == AIM_OK && i < yt_sequence_length(node); i++) {
        status = parse_config(doc, yt_item(doc, node, i),
                              yt_path_index(at, sizeof at, path, i), &recipe->configs[i]);
        recipe->config_count = (int)i + 1;
    }
    return status;
}

static const struct field recipe_fields[] = {
    FIELD_SKIP("kind"),
    FIELD_TEXT("id", false, struct aim_recipe, id, &recipe_id_pattern),
    FIELD_TEXT("model", true, struct aim_recipe, model_id, &model_id_pattern),
    FIELD_TEXT("gpu", true, struct aim_recipe, gpu, &gpu_name_pattern),
    FIELD_CUSTOM("precision", true, struct aim_recipe, precision, parse_precision),
    FIELD_CUSTOM("backend", true, struct aim_recipe, backend, parse_backend),
    FIELD_CUSTOM("maturity", false, struct aim_recipe, maturity, parse_maturity),
    FIELD_TEXT("checkpoint", false, struct aim_recipe, checkpoint, &model_id_pattern),
    FIELD_TEXT("description", false, struct aim_recipe, description, NULL),
    FIELD_CUSTOM("args", false, struct aim_recipe, args, parse_args),
    FIELD_CUSTOM("env", false, struct aim_recipe, env, parse_env),
    FIELD_ENTRY("configs", true, parse_configs),
};

/* Each config's GPU count is used once, and its maturity defaults to the recipe's. */
static enum aim_status check_configs(struct yt_doc *doc, const yaml_node_t *configs,
                                     struct aim_recipe *recipe)
{
    char at[YT_PATH_MAX];
    char entry[YT_PATH_MAX];

    for (int i = 0; i < recipe->config_count; i++) {
        const yaml_node_t *item = yt_item(doc, configs, (size_t)i);

        if (yt_lookup(doc, item, "maturity") == NULL)
            recipe->configs[i].maturity = recipe->maturity;
        for (int j = 0; j < i; j++) {
            if (recipe->configs[j].gpu_count != recipe->configs[i].gpu_count)
                continue;
            yt_path_index(entry, sizeof entry, "configs", (size_t)i);
            return yt_fail(doc, yt_lookup(doc, item, "gpus"), child_path(at, entry, "gpus"),
                           "%d GPUs already configured in configs[%d]",
                           recipe->configs[i].gpu_count, j);
        }
    }
    return AIM_OK;
}

/* tensor_parallel_size says what gpus says; a mismatch is a broken command line. */
static enum aim_status check_tp(struct yt_doc *doc, const yaml_node_t *args,
                                const char *path, int gpus, const char *gpus_path)
{
    const yaml_node_t *value = yt_lookup(doc, args, "tensor_parallel_size");
    char at[YT_PATH_MAX];
    char what[96];
    long long tp;

    if (value == NULL)
        return AIM_OK;
    child_path(at, path, "tensor_parallel_size");
    snprintf(what, sizeof what, "%d to match %s", gpus, gpus_path);
    if (yt_int(doc, value, at, gpus, gpus, &tp) != AIM_OK)
        return yt_expected(doc, value, at, what);
    return AIM_OK;
}

static enum aim_status check_recipe_tp(struct yt_doc *doc, const yaml_node_t *root,
                                       const struct aim_recipe *recipe)
{
    const yaml_node_t *configs = yt_lookup(doc, root, "configs");
    enum aim_status status = AIM_OK;
    char entry[YT_PATH_MAX];
    char at[YT_PATH_MAX];
    char gpus_path[YT_PATH_MAX];

    for (int i = 0; status == AIM_OK && i < recipe->config_count; i++) {
        const yaml_node_t *item = yt_item(doc, configs, (size_t)i);
        const yaml_node_t *args = yt_lookup(doc, item, "args");
        int gpus = recipe->configs[i].gpu_count;

        yt_path_index(entry, sizeof entry, "configs", (size_t)i);
        child_path(gpus_path, entry, "gpus");
        if (args != NULL && yt_lookup(doc, args, "tensor_parallel_size") != NULL)
            status = check_tp(doc, args, child_path(at, entry, "args"), gpus, gpus_path);
        else
            status = check_tp(doc, yt_lookup(doc, root, "args"), "args", gpus, gpus_path);
    }
    return status;
}

/* <name>.<gpu>.<precision>.<backend> in lower case, name after the '/'. */
static enum aim_status default_recipe_id(struct yt_doc *doc, const yaml_node_t *root,
                                         struct aim_recipe *recipe)
{
    const char *slash = strrchr(recipe->model_id, '/');
    const char *name = slash != NULL ? slash + 1 : recipe->model_id;
    int length = snprintf(recipe->id, sizeof recipe->id, "%s.%s.%s.%s", name, recipe->gpu,
                          precision_names[recipe->precision],
                          backend_names[recipe->backend]);

    if (length < 0 || (size_t)length >= sizeof recipe->id)
        return yt_fail(doc, node_for(doc, root, "model"), "id",
                       "the default id would exceed %zu characters; set id",
                       sizeof recipe->id - 1);
    for (char *c = recipe->id; *c != '\0'; c++) {
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    }
    return AIM_OK;
}

static enum aim_status parse_recipe(struct yt_doc *doc, const yaml_node_t *root,
                                    struct aim_recipe *recipe)
{
    enum aim_status status;

    recipe->maturity = AIM_MATURITY_PREVIEW;
    status = read_fields(doc, root, "", recipe_fields, COUNT_OF(recipe_fields), recipe);
    if (status == AIM_OK)
        status = check_configs(doc, yt_lookup(doc, root, "configs"), recipe);
    if (status == AIM_OK)
        status = check_recipe_tp(doc, root, recipe);
    if (status == AIM_OK && recipe->id[0] == '\0')
        status = default_recipe_id(doc, root, recipe);
    snprintf(recipe->source, sizeof recipe->source, "%s", doc->source);
    return status;
}

/* ---- documents -------------------------------------------------------- */

static const struct field gpus_document[] = {
    FIELD_SKIP("kind"),
    FIELD_ENTRY("gpus", true, parse_gpus_list),
};
static const struct field models_document[] = {
    FIELD_SKIP("kind"),
    FIELD_ENTRY("models", true, parse_models_list),
};
static const struct field engines_document[] = {
    FIELD_SKIP("kind"),
    FIELD_ENTRY("engines", true, parse_engines_list),
};
static const struct field calibration_document[] = {
    FIELD_SKIP("kind"),
    FIELD_ENTRY("calibration", true, parse_calibration),
};

static const struct {
    const char *kind;
    const struct field *fields;
    size_t count;
} document_kinds[] = {
    {"gpus", gpus_document, COUNT_OF(gpus_document)},
    {"models", models_document, COUNT_OF(models_document)},
    {"engines", engines_document, COUNT_OF(engines_document)},
    {"calibration", calibration_document, COUNT_OF(calibration_document)},
    {"recipe", NULL, 0},
};

static enum aim_status read_kind(struct yt_doc *doc, const yaml_node_t *root, int *kind)
{
    const char *names[COUNT_OF(document_kinds)];
    enum aim_status status = yt_expect_mapping(doc, root, "");

    if (status != AIM_OK)
        return status;
    if (yt_lookup(doc, root, "kind") == NULL)
        return yt_fail(doc, root, "", "missing required field kind");
    for (size_t i = 0; i < COUNT_OF(document_kinds); i++)
        names[i] = document_kinds[i].kind;
    return read_choice(doc, yt_lookup(doc, root, "kind"), "kind", names,
                       (int)COUNT_OF(names), kind);
}

static enum aim_status parse_document(struct yt_doc *doc, struct pending *pending)
{
    const yaml_node_t *root = yt_root(doc);
    enum aim_status status;
    int kind = 0;

    status = read_kind(doc, root, &kind);
    if (status != AIM_OK)
        return status;
    if (document_kinds[kind].fields != NULL)
        return read_fields(doc, root, "", document_kinds[kind].fields,
                           document_kinds[kind].count, pending);

    pending->recipe = calloc(1, sizeof *pending->recipe);
    if (pending->recipe == NULL)
        return aim_error_set(doc->err, AIM_E_NOMEM, "%s: out of memory", doc->source);
    return parse_recipe(doc, root, pending->recipe);
}

static void pending_free(struct pending *pending)
{
    free(pending->gpus);
    free(pending->models);
    free(pending->engines);
    free(pending->recipe);
}

/* Makes room for count more items; the array is unchanged when this fails. */
static bool reserve(void **items, size_t *capacity, size_t used, size_t more,
                    size_t item_size)
{
    size_t wanted = used + more;
    size_t grown = *capacity > 0 ? *capacity : 8;
    void *moved;

    if (wanted <= *capacity)
        return true;
    while (grown < wanted)
        grown *= 2;
    moved = realloc(*items, grown * item_size);
    if (moved == NULL)
        return false;
    *items = moved;
    *capacity = grown;
    return true;
}

static bool reserve_all(aim_catalog *catalog, const struct pending *pending)
{
    return reserve((void **)&catalog->gpus, &catalog->gpu_capacity, catalog->gpu_count,
                   pending->gpu_count, sizeof *catalog->gpus) &&
           reserve((void **)&catalog->models, &catalog->model_capacity,
                   catalog->model_count, pending->model_count, sizeof *catalog->models) &&
           reserve((void **)&catalog->recipes, &catalog->recipe_capacity,
                   catalog->recipe_count, pending->recipe != NULL, sizeof *catalog->recipes);
}

static void merge_gpus(aim_catalog *catalog, const struct pending *pending)
{
    for (size_t i = 0; i < pending->gpu_count; i++) {
        size_t slot = catalog->gpu_count;

        for (size_t j = 0; j < catalog->gpu_count; j++) {
            if (strcasecmp(catalog->gpus[j].name, pending->gpus[i].name) == 0)
                slot = j;
        }
        catalog->gpus[slot] = pending->gpus[i];
        catalog->gpu_count += slot == catalog->gpu_count;
    }
}

static void merge_models(aim_catalog *catalog, const struct pending *pending)
{
    for (size_t i = 0; i < pending->model_count; i++) {
        size_t slot = catalog->model_count;

        for (size_t j = 0; j < catalog->model_count; j++) {
            if (strcasecmp(catalog->models[j].id, pending->models[i].id) == 0)
                slot = j;
        }
        catalog->models[slot] = pending->models[i];
        catalog->model_count += slot == catalog->model_count;
    }
}

static void merge_recipe(aim_catalog *catalog, const struct aim_recipe *recipe,
                         bool keep_existing)
{
    size_t slot = catalog->recipe_count;

    for (size_t j = 0; j < catalog->recipe_count; j++) {
        if (strcmp(catalog->recipes[j].id, recipe->id) == 0)
            slot = j;
    }
    if (keep_existing && slot < catalog->recipe_count)
        return;
    catalog->recipes[slot] = *recipe;
    catalog->recipe_count += slot == catalog->recipe_count;
}

/* Only called once the whole document validated, so it cannot half-apply. */
static enum aim_status commit(aim_catalog *catalog, const struct pending *pending,
                              bool keep_existing, struct aim_error *err, const char *source)
{
    if (!reserve_all(catalog, pending))
        return aim_error_set(err, AIM_E_NOMEM, "%s: out of memory", source);
    merge_gpus(catalog, pending);
    merge_models(catalog, pending);
    if (pending->recipe != NULL)
        merge_recipe(catalog, pending->recipe, keep_existing);
    for (size_t i = 0; i < pending->engine_count; i++) {
        enum aim_backend backend = pending->engines[i].backend;

        catalog->engines[backend] = pending->engines[i];
        catalog->has_engine[backend] = true;
    }
    if (pending->has_calibration)
        catalog->calibration = pending->calibration;
    return AIM_OK;
}

/* ---- public API ------------------------------------------------------- */

aim_catalog *aim_catalog_new(void)
{
    aim_catalog *catalog = calloc(1, sizeof *catalog);

    if (catalog != NULL)
        aim_calibration_defaults(&catalog->calibration);
    return catalog;
}

void aim_catalog_free(aim_catalog **catalog)
{
    if (catalog == NULL || *catalog == NULL)
        return;
    free((*catalog)->gpus);
    free((*catalog)->models);
    free((*catalog)->recipes);
    free(*catalog);
    *catalog = NULL;
}

static enum aim_status add_document(aim_catalog *catalog, const char *source_name,
                                    const char *text, size_t length, bool embedded,
                                    struct aim_error *err)
{
    struct pending pending;
    struct yt_doc doc;
    enum aim_status status;

    memset(&pending, 0, sizeof pending);
    pending.calibration = catalog->calibration;
    status = embedded ? yt_load_trusted(&doc, source_name, text, length, err)
                      : yt_load(&doc, source_name, text, length, err);
    if (status == AIM_OK)
        status = parse_document(&doc, &pending);
    if (status == AIM_OK)
        status = commit(catalog, &pending, embedded, err, doc.source);
    yt_free(&doc);
    pending_free(&pending);
    return status;
}

enum aim_status aim_catalog_add_document(aim_catalog *catalog, const char *source_name,
                                         const char *text, size_t length,
                                         struct aim_error *err)
{
    return add_document(catalog, source_name, text, length, false, err);
}

/* Loads the embedded documents that pass the filter, in build order. */
static enum aim_status add_embedded(aim_catalog *catalog, bool recipes, const char *model_id,
                                    struct aim_error *err)
{
    char source[256];

    for (size_t i = 0; i < aim_embedded_document_count; i++) {
        const struct aim_embedded_document *document = &aim_embedded_documents[i];
        bool is_recipe = document->model[0] != '\0';
        enum aim_status status;

        if (is_recipe != recipes ||
            (model_id != NULL && strcasecmp(document->model, model_id) != 0))
            continue;
        snprintf(source, sizeof source, "catalog/%s", document->path);
        status = add_document(catalog, source, document->text, document->length, true, err);
        if (status != AIM_OK)
            return status;
    }
    return AIM_OK;
}

enum aim_status aim_catalog_add_embedded(aim_catalog *catalog, struct aim_error *err)
{
    enum aim_status status = add_embedded(catalog, false, NULL, err);

    return status != AIM_OK ? status : add_embedded(catalog, true, NULL, err);
}

enum aim_status aim_catalog_add_embedded_base(aim_catalog *catalog, struct aim_error *err)
{
    return add_embedded(catalog, false, NULL, err);
}

enum aim_status aim_catalog_add_embedded_recipes(aim_catalog *catalog, const char *model_id,
                                                 struct aim_error *err)
{
    return add_embedded(catalog, true, model_id, err);
}

size_t aim_catalog_gpu_count(const aim_catalog *catalog)
{
    return catalog->gpu_count;
}

const struct aim_gpu *aim_catalog_gpu_at(const aim_catalog *catalog, size_t index)
{
    return index < catalog->gpu_count ? &catalog->gpus[index] : NULL;
}

static char tolower_ascii(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Equal ignoring case, '-', '_' and ' ': "h100 sxm" is "H100-SXM". */
static bool loose_equal(const char *a, const char *b)
{
    for (;;) {
        while (*a == '-' || *a == '_' || *a == ' ')
            a++;
        while (*b == '-' || *b == '_' || *b == ' ')
            b++;
        if (*a == '\0' || *b == '\0')
            return *a == *b;
        if (tolower_ascii(*a) != tolower_ascii(*b))
            return false;
        a++;
        b++;
    }
}

const struct aim_gpu *aim_catalog_find_gpu(const aim_catalog *catalog, const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < catalog->gpu_count; i++) {
        const struct aim_gpu *gpu = &catalog->gpus[i];

        if (loose_equal(gpu->name, name))
            return gpu;
        for (int a = 0; a < gpu->alias_count; a++) {
            if (loose_equal(gpu->aliases[a], name))
                return gpu;
        }
    }
    return NULL;
}

const struct aim_gpu *aim_catalog_find_gpu_by_pci(const aim_catalog *catalog,
                                                  enum aim_vendor vendor,
                                                  unsigned pci_device_id)
{
    for (size_t i = 0; i < catalog->gpu_count; i++) {
        const struct aim_gpu *gpu = &catalog->gpus[i];

        if (gpu->vendor != vendor)
            continue;
        for (int p = 0; p < gpu->pci_id_count; p++) {
            if (gpu->pci_ids[p] == pci_device_id)
                return gpu;
        }
    }
    return NULL;
}

size_t aim_catalog_model_count(const aim_catalog *catalog)
{
    return catalog->model_count;
}

const struct aim_model *aim_catalog_model_at(const aim_catalog *catalog, size_t index)
{
    return index < catalog->model_count ? &catalog->models[index] : NULL;
}

static const char *name_part(const char *id)
{
    const char *slash = strrchr(id, '/');

    return slash != NULL ? slash + 1 : id;
}

static const struct aim_model *find_by_name_part(const aim_catalog *catalog,
                                                 const char *name)
{
    const struct aim_model *found = NULL;

    for (size_t i = 0; i < catalog->model_count; i++) {
        if (strcasecmp(name_part(catalog->models[i].id), name) != 0)
            continue;
        /* Two organisations publish the name: the caller must say which. */
        if (found != NULL)
            return NULL;
        found = &catalog->models[i];
    }
    return found;
}

const struct aim_model *aim_catalog_find_model(const aim_catalog *catalog, const char *id)
{
    const struct aim_model *found;

    if (id == NULL)
        return NULL;
    for (size_t i = 0; i < catalog->model_count; i++) {
        if (strcasecmp(catalog->models[i].id, id) == 0)
            return &catalog->models[i];
    }
    found = find_by_name_part(catalog, id);
    if (found != NULL)
        return found;
    for (size_t i = 0; i < catalog->model_count; i++) {
        for (int v = 0; v < catalog->models[i].variant_count; v++) {
            if (strcasecmp(catalog->models[i].variants[v].id, id) == 0)
                return &catalog->models[i];
        }
    }
    return NULL;
}

/* Levenshtein distance ignoring case; SIZE_MAX when a string is too long. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t rows[2][SUGGEST_NAME_MAX + 1];
    size_t *previous = rows[0];
    size_t *current = rows[1];
    size_t la = strlen(a);
    size_t lb = strlen(b);

    if (la > SUGGEST_NAME_MAX || lb > SUGGEST_NAME_MAX)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        previous[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t *swap;

        current[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = tolower_ascii(a[i - 1]) != tolower_ascii(b[j - 1]);
            size_t best = previous[j - 1] + cost;

            if (previous[j] + 1 < best)
                best = previous[j] + 1;
            if (current[j - 1] + 1 < best)
                best = current[j - 1] + 1;
            current[j] = best;
        }
        swap = previous;
        previous = current;
        current = swap;
    }
    return previous[lb];
}

static size_t smaller(size_t a, size_t b)
{
    return a < b ? a : b;
}

struct suggestion {
    const char *name;
    size_t distance;
};

/* Inserts by distance; equal distances keep catalog order. */
static void offer(struct suggestion *list, size_t *count, size_t max, const char *name,
                  size_t distance)
{
    size_t at = *count;

    while (at > 0 && list[at - 1].distance > distance)
        at--;
    if (at >= max)
        return;
    if (*count < max)
        (*count)++;
    memmove(&list[at + 1], &list[at], (*count - 1 - at) * sizeof *list);
    list[at].name = name;
    list[at].distance = distance;
}

static size_t gpu_distance(const struct aim_gpu *gpu, const char *name)
{
    size_t best = edit_distance(name, gpu->name);

    for (int a = 0; a < gpu->alias_count; a++)
        best = smaller(best, edit_distance(name, gpu->aliases[a]));
    return best;
}

static size_t model_distance(const struct aim_model *model, const char *name)
{
    return smaller(edit_distance(name, model->id), edit_distance(name, name_part(model->id)));
}

size_t aim_catalog_suggest(const aim_catalog *catalog, const char *kind, const char *name,
                           const char **out, size_t max)
{
    struct suggestion list[SUGGEST_MAX];
    size_t count = 0;
    size_t limit;
    bool models;

    if (kind == NULL || name == NULL || out == NULL || max == 0)
        return 0;
    models = strcmp(kind, "model") == 0;
    if (!models && strcmp(kind, "gpu") != 0)
        return 0;
    max = smaller(max, SUGGEST_MAX);
    /* Close enough to be a typo, not just another name of the same length. */
    limit = strlen(name) / 3 > 3 ? strlen(name) / 3 : 3;

    for (size_t i = 0; i < (models ? catalog->model_count : catalog->gpu_count); i++) {
        size_t distance = models ? model_distance(&catalog->models[i], name)
                                 : gpu_distance(&catalog->gpus[i], name);

        if (distance <= limit)
            offer(list, &count, max,
                  models ? catalog->models[i].id : catalog->gpus[i].name, distance);
    }
    for (size_t i = 0; i < count; i++)
        out[i] = list[i].name;
    return count;
}

size_t aim_catalog_recipe_count(const aim_catalog *catalog)
{
    return catalog->recipe_count;
}

const struct aim_recipe *aim_catalog_recipe_at(const aim_catalog *catalog, size_t index)
{
    return index < catalog->recipe_count ? &catalog->recipes[index] : NULL;
}

const struct aim_recipe *aim_catalog_find_recipe(const aim_catalog *catalog,
                                                 const char *model_id, const char *gpu,
                                                 enum aim_precision precision,
                                                 enum aim_backend backend)
{
    if (model_id == NULL || gpu == NULL)
        return NULL;
    /* From the end: of two ids for one combination, the later document wins. */
    for (size_t i = catalog->recipe_count; i-- > 0;) {
        const struct aim_recipe *recipe = &catalog->recipes[i];

        if (recipe->precision == precision && recipe->backend == backend &&
            strcasecmp(recipe->model_id, model_id) == 0 && strcasecmp(recipe->gpu, gpu) == 0)
            return recipe;
    }
    return NULL;
}

const struct aim_engine *aim_catalog_engine(const aim_catalog *catalog,
                                            enum aim_backend backend)
{
    if ((unsigned)backend >= AIM_BACKEND_COUNT || !catalog->has_engine[backend])
        return NULL;
    return &catalog->engines[backend];
}

const struct aim_calibration *aim_catalog_calibration(const aim_catalog *catalog)
{
    return &catalog->calibration;
}
