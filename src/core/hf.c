/*
 * Reading a model from its Hugging Face files: config.json, the index and
 * safetensors headers. Every number that reaches a struct aim_model is
 * range-checked here, because the rest of the library multiplies them
 * freely; every message names the source and the field.
 */
#include "aim/hf.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT_OF(array) ((int)(sizeof(array) / sizeof((array)[0])))
/* A NULL-terminated list of spellings of one field, preferred first. */
#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Bounds far beyond any published model; past them the file is wrong. */
#define MAX_LAYERS 1000
#define MAX_HIDDEN 1000000
#define MAX_HEADS 16384
#define MAX_HEAD_DIM 4096
#define MAX_VOCAB 10000000
#define MAX_WIDTH 10000000 /* FFN widths and low ranks */
#define MAX_CONTEXT (1 << 30)
#define MAX_EXPERTS 16384
#define MAX_SHARED_EXPERTS 64
#define MAX_BITS 32

/* ---------------------------------------------------------------- JSON */

/* Copies text for a message, replacing what a terminal could act on. */
static void printable(const char *text, char *out, size_t size)
{
    size_t used = 0;

    for (; text != NULL && *text != '\0' && used + 1 < size; text++)
        out[used++] = (*text >= 0x20 && *text < 0x7f) ? *text : '?';
    out[used] = '\0';
}

/* How a wrong value is shown in a message: "a list", "true", "\"abc\"", "-3". */
static void describe(const json_t *value, char *out, size_t size)
{
    char text[48];

    switch (json_typeof(value)) {
    case JSON_OBJECT:
        snprintf(out, size, "an object");
        break;
    case JSON_ARRAY:
        snprintf(out, size, "a list");
        break;
    case JSON_STRING:
        printable(json_string_value(value), text, sizeof text);
        snprintf(out, size, "\"%s\"", text);
        break;
    case JSON_INTEGER:
        snprintf(out, size, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
        break;
    case JSON_REAL:
        snprintf(out, size, "%g", json_real_value(value));
        break;
    case JSON_TRUE:
        snprintf(out, size, "true");
        break;
    case JSON_FALSE:
        snprintf(out, size, "false");
        break;
    case JSON_NULL:
        snprintf(out, size, "null");
        break;
    }
}

/*
 * Parses a whole buffer as one JSON object. On success *out is a new
 * reference the caller releases.
 */
static enum aim_status load_object(const char *text, size_t length, size_t cap,
                                   const char *source, json_t **out, struct aim_error *err)
{
    json_error_t jerr;

    *out = NULL;
    if (length > cap)
        return aim_error_set(err, AIM_E_INPUT, "%s: %zu bytes is more than the %zu-byte limit",
                             source, length, cap);
    *out = json_loadb(length > 0 ? text : "", length, 0, &jerr);
    if (*out == NULL)
        return aim_error_set(err, AIM_E_INPUT, "%s:%d:%d: invalid JSON: %s", source,
                             jerr.line, jerr.column, jerr.text);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return aim_error_set(err, AIM_E_INPUT, "%s: expected a JSON object at the top level",
                             source);
    }
    return AIM_OK;
}

/* ------------------------------------------------------------- fields */

/* An object fields are read from, and how messages name them. */
struct fields {
    const json_t *object;
    const char *prefix; /* "text_config." when object is the text config */
    const char *source;
    struct aim_error *err;
};

/* The first of keys present and not null, or NULL; *key names it. */
static const json_t *lookup(const struct fields *f, const char *const *keys, const char **key)
{
    for (int i = 0; keys[i] != NULL; i++) {
        const json_t *value = json_object_get(f->object, keys[i]);

        if (value != NULL && !json_is_null(value)) {
            *key = keys[i];
            return value;
        }
    }
    *key = keys[0];
    return NULL;
}

/* "SRC: field PREFIXkey: expected WHAT, got VALUE" (or "found none"). */
static enum aim_status field_error(const struct fields *f, const char *key,
                                   const char *expected, const json_t *got)
{
    char shown[64];

    if (got == NULL)
        return aim_error_set(f->err, AIM_E_INPUT, "%s: field %s%s: expected %s, found none",
                             f->source, f->prefix, key, expected);
    describe(got, shown, sizeof shown);
    return aim_error_set(f->err, AIM_E_INPUT, "%s: field %s%s: expected %s, got %s", f->source,
                         f->prefix, key, expected, shown);
}

/* True when value is a JSON number with no fractional part. */
static bool integral(const json_t *value, double *out)
{
    if (json_is_integer(value)) {
        *out = (double)json_integer_value(value);
        return true;
    }
    if (json_is_real(value) && isfinite(json_real_value(value)) &&
        json_real_value(value) == floor(json_real_value(value))) {
        *out = json_real_value(value);
        return true;
    }
    return false;
}

/*
 * Reads the first present spelling of an integer field into *out, checking
 * min <= value <= max. Absent (or null) gives fallback, or an error when
 * the field is required.
 */
static enum aim_status get_int(const struct fields *f, const char *const *keys, int min,
                               int max, int fallback, bool required, int *out)
{
    const char *key;
    const json_t *value = lookup(f, keys, &key);
    const char *kind = min > 0 ? "a positive integer" : "a non-negative integer";
    char expected[80];
    double number;

    *out = fallback;
    if (value == NULL)
        return required ? field_error(f, key, kind, NULL) : AIM_OK;
    if (!integral(value, &number) || number < min)
        return field_error(f, key, kind, value);
    if (number > max) {
        snprintf(expected, sizeof expected, "%s no larger than %d", kind, max);
        return field_error(f, key, expected, value);
    }
    *out = (int)number;
    return AIM_OK;
}

static enum aim_status get_bool(const struct fields *f, const char *key, bool fallback,
                                bool *out)
{
    const json_t *value = json_object_get(f->object, key);

    *out = fallback;
    if (value == NULL || json_is_null(value))
        return AIM_OK;
    if (!json_is_boolean(value))
        return field_error(f, key, "true or false", value);
    *out = json_is_true(value);
    return AIM_OK;
}

/* A string field into out (size bytes); "" when absent and not required. */
static enum aim_status get_string(const struct fields *f, const char *const *keys,
                                  bool required, char *out, size_t size)
{
    const char *key;
    const json_t *value = lookup(f, keys, &key);
    char expected[64];

    out[0] = '\0';
    if (value == NULL)
        return required ? field_error(f, key, "a string", NULL) : AIM_OK;
    if (!json_is_string(value) || json_string_length(value) >= size) {
        snprintf(expected, sizeof expected, "a string of at most %zu characters", size - 1);
        return field_error(f, key, expected, value);
    }
    memcpy(out, json_string_value(value), json_string_length(value) + 1);
    return AIM_OK;
}

/* The same source, looking inside the object at key (NULL if not an object). */
static struct fields nested(const struct fields *f, const char *key, char *prefix,
                            size_t size)
{
    struct fields inner = *f;
    const json_t *value = json_object_get(f->object, key);

    snprintf(prefix, size, "%s%s.", f->prefix, key);
    inner.object = json_is_object(value) ? value : NULL;
    inner.prefix = prefix;
    return inner;
}

/* ------------------------------------------------------------ families */

enum {
    F_QK_NORM = 1 << 0,     /* per-head q and k norms */
    F_QKV_BIAS = 1 << 1,    /* q, k and v projections carry biases */
    F_UNGATED = 1 << 2,     /* up and down only, no gate matrix */
    F_EXPERT_BIAS = 1 << 3, /* expert matrices carry biases */
    F_ROUTER_BIAS = 1 << 4,
    F_SINKS = 1 << 5,       /* one learned attention sink per head */
    F_SHARED_ONE = 1 << 6,  /* one shared expert, implied by the code */
    F_CHUNKED = 1 << 7,     /* Llama 4: chunked local layers, NoPE global ones */
    F_FALCON = 1 << 8,      /* falcon's head and norm conventions */
};

/*
 * What transformers assumes for fields that published config.json files
 * leave out, and the layer details that change the parameter count, by the
 * model_type of the language model.
 */
struct family {
    const char *model_type;
    int vocab_size;     /* 0: the config must give it */
    int max_context;    /* 0: the config must give it */
    bool tied;
    int global_every;   /* every Nth layer global, the others sliding */
    int layer_norms;    /* norm weight vectors of hidden_size per layer */
    unsigned flags;
};

static const struct family families[] = {
    {"gemma3_text", 262208, 131072, true, 6, 4, F_QK_NORM},
    {"gemma3", 262208, 131072, true, 6, 4, F_QK_NORM},
    {"gemma2", 256000, 8192, true, 2, 4, 0},
    {"cohere2", 256000, 8192, true, 4, 1, 0},
    {"cohere", 256000, 8192, true, 0, 1, 0},
    {"qwen3", 0, 0, false, 0, 2, F_QK_NORM},
    {"qwen3_moe", 0, 0, false, 0, 2, F_QK_NORM},
    {"qwen2", 0, 0, false, 0, 2, F_QKV_BIAS},
    {"qwen2_moe", 0, 0, false, 0, 2, F_QKV_BIAS},
    {"falcon", 65024, 2048, true, 0, 2, F_UNGATED | F_FALCON},
    {"llama4_text", 0, 0, false, 0, 2, F_SHARED_ONE | F_CHUNKED},
    {"gpt_oss", 0, 0, false, 0, 2, F_EXPERT_BIAS | F_ROUTER_BIAS | F_SINKS},
    {"deepseek_v3", 0, 0, false, 0, 2, F_ROUTER_BIAS},
};

static const struct family generic_family = {"", 0, 0, false, 0, 2, 0};

static const struct family *find_family(const char *model_type)
{
    for (int i = 0; i < COUNT_OF(families); i++) {
        if (strcmp(families[i].model_type, model_type) == 0)
            return &families[i];
    }
    return &generic_family;
}

/* ------------------------------------------------------ config reading */

/* What the parameter count needs beyond struct aim_model. */
struct shape {
    const struct family *family;
    int q_lora_rank;
    int qk_nope_head_dim;
    int v_head_dim;
    int dense_width;    /* FFN width of layers without experts */
    int shared_width;   /* width of all shared experts of a layer together */
    int moe_layers;
    int layer_norms;
    int final_norms;
    bool attention_bias; /* q, k, v and o all carry biases */
    double dtype_bytes;  /* bytes per unquantized weight */
};

/* Multimodal classes whose language model lives in text_config. */
static const char *const multimodal[] = {
    "Llama4ForConditionalGeneration",
    "Mistral3ForConditionalGeneration",
    "Gemma3ForConditionalGeneration",
};

static bool is_multimodal(const char *architecture)
{
    for (int i = 0; i < COUNT_OF(multimodal); i++) {
        if (strcmp(multimodal[i], architecture) == 0)
            return true;
    }
    return false;
}

/* id, architectures[0] and model_type. */
static enum aim_status read_identity(const struct fields *root, const char *id,
                                     struct aim_model *model)
{
    const json_t *list = json_object_get(root->object, "architectures");
    const json_t *first = json_is_array(list) ? json_array_get(list, 0) : NULL;
    enum aim_status rc;

    if (id == NULL || strlen(id) >= sizeof model->id)
        return aim_error_set(root->err, AIM_E_INPUT,
                             "%s: model id: expected 1 to %zu characters", root->source,
                             sizeof model->id - 1);
    snprintf(model->id, sizeof model->id, "%s", id);
    snprintf(model->checkpoint.id, sizeof model->checkpoint.id, "%s", id);
    snprintf(model->source, sizeof model->source, "%s", root->source);

    if (!json_is_string(first) || json_string_length(first) == 0 ||
        json_string_length(first) >= sizeof model->architecture)
        return field_error(root, "architectures", "a list whose first entry is a class name",
                           first != NULL ? first : list);
    memcpy(model->architecture, json_string_value(first), json_string_length(first) + 1);

    rc = get_string(root, KEYS("model_type"), false, model->model_type,
                    sizeof model->model_type);
    return rc;
}

/* Where the language model's numbers are: text_config or the root. */
static enum aim_status choose_text(const struct fields *root, const char *architecture,
                                   struct fields *text)
{
    const json_t *config = json_object_get(root->object, "text_config");
    bool listed = is_multimodal(architecture);

    *text = *root;
    if (config == NULL || json_is_null(config)) {
        if (listed)
            return field_error(root, "text_config", "an object with the language model", NULL);
        return AIM_OK;
    }
    if (!json_is_object(config))
        return field_error(root, "text_config", "an object", config);
    /* Other multimodal configs (LLaVA-style) are recognised by an empty root. */
    if (listed || json_object_get(root->object, "num_hidden_layers") == NULL) {
        text->object = config;
        text->prefix = "text_config.";
    }
    return AIM_OK;
}

/* KV heads: GQA spellings, falcon's multi_query, else one per query head. */
static enum aim_status read_kv_heads(const struct fields *f, const struct shape *shape,
                                     struct aim_model *model)
{
    int heads = model->num_attention_heads;
    int fallback = heads;
    bool new_arch = false, multi_query = true;
    const char *key;
    enum aim_status rc;

    if (shape->family->flags & F_FALCON) {
        rc = get_bool(f, "new_decoder_architecture", false, &new_arch);
        if (rc == AIM_OK)
            rc = get_bool(f, "multi_query", true, &multi_query);
        if (rc != AIM_OK)
            return rc;
        fallback = (!new_arch && multi_query) ? 1 : heads;
    }
    rc = get_int(f, KEYS("num_key_value_heads", "num_kv_heads", "n_head_kv"), 1, heads,
                 fallback, false, &model->num_kv_heads);
    if (rc != AIM_OK)
        return rc;
    if (heads % model->num_kv_heads != 0) {
        const char *const *keys = KEYS("num_key_value_heads", "num_kv_heads", "n_head_kv");
        const json_t *value = lookup(f, keys, &key);
        char expected[80];

        snprintf(expected, sizeof expected, "a divisor of num_attention_heads (%d)", heads);
        return field_error(f, key, expected, value);
    }
    return AIM_OK;
}

/* hidden size, layers, heads, vocabulary, context, FFN width, tying. */
static enum aim_status read_dims(const struct fields *f, const struct fields *root,
                                 struct shape *shape, struct aim_model *model)
{
    const struct family *fam = shape->family;
    enum aim_status rc;
    bool tied;

    rc = get_int(f, KEYS("hidden_size", "n_embd"), 1, MAX_HIDDEN, 0, true,
                 &model->hidden_size);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("num_hidden_layers", "n_layer", "num_layers"), 1, MAX_LAYERS, 0,
                     true, &model->num_layers);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("num_attention_heads", "n_head"), 1, MAX_HEADS, 0, true,
                     &model->num_attention_heads);
    if (rc == AIM_OK)
        rc = read_kv_heads(f, shape, model);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("head_dim"), 1, MAX_HEAD_DIM, 0, false, &model->head_dim);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("vocab_size"), 1, MAX_VOCAB, fam->vocab_size,
                     fam->vocab_size == 0, &model->vocab_size);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("max_position_embeddings", "n_positions", "max_sequence_length",
                             "seq_length"),
                     1, MAX_CONTEXT, fam->max_context, fam->max_context == 0,
                     &model->max_context);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("intermediate_size", "ffn_hidden_size", "n_inner"), 1,
                     MAX_WIDTH, 0, false, &model->intermediate_size);
    /* Multimodal configs keep the tying flag at the root. */
    if (rc == AIM_OK)
        rc = get_bool(root, "tie_word_embeddings", fam->tied, &tied);
    if (rc == AIM_OK)
        rc = get_bool(f, "tie_word_embeddings", tied, &model->tie_word_embeddings);
    return rc;
}

/* Falcon: a non-gated 4x MLP by default and LayerNorms with biases. */
static enum aim_status adjust_falcon(const struct fields *f, struct shape *shape,
                                     struct aim_model *model)
{
    bool new_arch;
    enum aim_status rc = get_bool(f, "new_decoder_architecture", false, &new_arch);

    if (rc != AIM_OK)
        return rc;
    if (model->intermediate_size == 0 && model->hidden_size <= MAX_WIDTH / 4)
        model->intermediate_size = 4 * model->hidden_size;
    /* Weight and bias per LayerNorm; the new architecture has two per layer. */
    shape->layer_norms = new_arch ? 4 : 2;
    shape->final_norms = 2;
    return AIM_OK;
}

/* Multi-head latent attention (DeepSeek-V2/V3): present when kv_lora_rank > 0. */
static enum aim_status read_mla(const struct fields *f, struct shape *shape,
                                struct aim_model *model)
{
    enum aim_status rc;

    rc = get_int(f, KEYS("kv_lora_rank"), 0, MAX_WIDTH, 0, false, &model->kv_lora_rank);
    if (rc != AIM_OK || model->kv_lora_rank == 0)
        return rc;
    rc = get_int(f, KEYS("q_lora_rank"), 0, MAX_WIDTH, 0, false, &shape->q_lora_rank);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("qk_rope_head_dim"), 1, MAX_HEAD_DIM, 0, true,
                     &model->qk_rope_head_dim);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("qk_nope_head_dim"), 1, MAX_HEAD_DIM, 0, true,
                     &shape->qk_nope_head_dim);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("v_head_dim"), 1, MAX_HEAD_DIM, 0, true, &shape->v_head_dim);
    return rc;
}

/* head_dim when the config leaves it out: the q/k width, or hidden / heads. */
static enum aim_status default_head_dim(const struct fields *f, const struct shape *shape,
                                        struct aim_model *model)
{
    char expected[128];

    if (model->head_dim > 0)
        return AIM_OK;
    if (model->kv_lora_rank > 0) {
        model->head_dim = shape->qk_nope_head_dim + model->qk_rope_head_dim;
        return AIM_OK;
    }
    if (model->hidden_size % model->num_attention_heads == 0) {
        model->head_dim = model->hidden_size / model->num_attention_heads;
        return AIM_OK;
    }
    snprintf(expected, sizeof expected,
             "a positive integer, since hidden_size (%d) is not a multiple of "
             "num_attention_heads (%d)",
             model->hidden_size, model->num_attention_heads);
    return field_error(f, "head_dim", expected, NULL);
}

/* Checks that a list of layer indices holds integers only. */
static enum aim_status check_layer_list(const struct fields *f, const char *key)
{
    const json_t *list = json_object_get(f->object, key);
    const json_t *item;
    size_t i;
    double number;

    if (list == NULL || json_is_null(list))
        return AIM_OK;
    if (!json_is_array(list))
        return field_error(f, key, "a list of layer indices", list);
    json_array_foreach(list, i, item) {
        if (!integral(item, &number))
            return field_error(f, key, "a list of layer indices", item);
    }
    return AIM_OK;
}

static bool list_has(const json_t *list, int value)
{
    const json_t *item;
    size_t i;
    double number;

    json_array_foreach(list, i, item) {
        if (integral(item, &number) && number == value)
            return true;
    }
    return false;
}

/*
 * How many layers hold experts. The conventions combine: DeepSeek's
 * first_k_dense_replace and moe_layer_freq, Qwen's decoder_sparse_step and
 * mlp_only_layers, Llama 4's interleave_moe_layer_step or moe_layers list.
 */
static enum aim_status count_moe_layers(const struct fields *f, int layers, int *count)
{
    const json_t *explicit_list = json_object_get(f->object, "moe_layers");
    int first_dense, freq, step;
    enum aim_status rc;

    rc = check_layer_list(f, "moe_layers");
    if (rc == AIM_OK && json_is_array(explicit_list)) {
        *count = (int)json_array_size(explicit_list);
        if (*count > layers)
            return field_error(f, "moe_layers", "at most one entry per layer", explicit_list);
        return AIM_OK;
    }
    if (rc == AIM_OK)
        rc = check_layer_list(f, "mlp_only_layers");
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("first_k_dense_replace"), 0, layers, 0, false, &first_dense);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("moe_layer_freq"), 1, layers, 1, false, &freq);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("decoder_sparse_step", "interleave_moe_layer_step"), 1, layers, 1,
                     false, &step);
    if (rc != AIM_OK)
        return rc;

    *count = 0;
    for (int i = first_dense; i < layers; i++) {
        const json_t *mlp_only = json_object_get(f->object, "mlp_only_layers");

        if (i % freq == 0 && (i + 1) % step == 0 &&
            !(json_is_array(mlp_only) && list_has(mlp_only, i)))
            (*count)++;
    }
    return AIM_OK;
}

/* Expert widths and shared experts of an MoE model. */
static enum aim_status read_expert_widths(const struct fields *f, struct shape *shape,
                                          struct aim_model *model)
{
    bool llama4 = shape->family->flags & F_SHARED_ONE;
    int width = model->intermediate_size, shared_width;
    enum aim_status rc;

    rc = get_int(f, KEYS("moe_intermediate_size"), 1, MAX_WIDTH, width, width == 0,
                 &model->moe_intermediate_size);
    /* Llama 4: intermediate_size is the expert width; dense layers use _mlp. */
    if (rc == AIM_OK && llama4)
        rc = get_int(f, KEYS("intermediate_size_mlp"), 1, MAX_WIDTH, width, false,
                     &model->intermediate_size);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("n_shared_experts", "num_shared_experts"), 0,
                     MAX_SHARED_EXPERTS, llama4 ? 1 : 0, false, &model->shared_experts);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("shared_expert_intermediate_size"), 0, MAX_WIDTH, 0, false,
                     &shared_width);
    if (rc != AIM_OK)
        return rc;
    shape->shared_width = model->shared_experts * model->moe_intermediate_size;
    /* Qwen2-MoE: one shared expert of its own width. */
    if (shared_width > 0) {
        model->shared_experts = model->shared_experts > 0 ? model->shared_experts : 1;
        shape->shared_width = shared_width;
    }
    return AIM_OK;
}

/* Routed experts, experts per token, shared experts and which layers are dense. */
static enum aim_status read_moe(const struct fields *f, struct shape *shape,
                                struct aim_model *model)
{
    enum aim_status rc;

    rc = get_int(f, KEYS("n_routed_experts", "num_experts", "num_local_experts"), 0,
                 MAX_EXPERTS, 0, false, &model->num_experts);
    if (rc == AIM_OK && model->num_experts > 0)
        rc = get_int(f, KEYS("num_experts_per_tok", "experts_per_token", "moe_topk"), 1,
                     model->num_experts, 0, true, &model->experts_per_token);
    if (rc == AIM_OK && model->num_experts > 0)
        rc = read_expert_widths(f, shape, model);
    if (rc == AIM_OK && model->num_experts > 0)
        rc = count_moe_layers(f, model->num_layers, &shape->moe_layers);
    if (rc != AIM_OK)
        return rc;

    model->dense_layers = model->num_layers - shape->moe_layers;
    shape->dense_width = model->intermediate_size;
    if (model->dense_layers > 0 && shape->dense_width == 0)
        return field_error(f, "intermediate_size", "a positive integer", NULL);
    return AIM_OK;
}

/* Layers counted as local in layer_types ("sliding_attention", Llama 4's chunks). */
static enum aim_status count_layer_types(const struct fields *f, const json_t *types,
                                         int layers, int *local)
{
    const json_t *item;
    size_t i;
    char expected[64];

    snprintf(expected, sizeof expected, "a list of %d attention types, one per layer", layers);
    if (!json_is_array(types) || json_array_size(types) != (size_t)layers)
        return field_error(f, "layer_types", expected, types);
    *local = 0;
    json_array_foreach(types, i, item) {
        if (!json_is_string(item))
            return field_error(f, "layer_types", expected, item);
        if (strcmp(json_string_value(item), "sliding_attention") == 0 ||
            strcmp(json_string_value(item), "chunked_attention") == 0)
            (*local)++;
    }
    return AIM_OK;
}

/* Llama 4: every no_rope_layer_interval-th layer is global, the rest chunked. */
static enum aim_status count_chunked(const struct fields *f, int layers, int *local)
{
    const json_t *flags = json_object_get(f->object, "no_rope_layers");
    const json_t *item;
    size_t i;
    int interval;
    enum aim_status rc;

    if (json_is_array(flags) && json_array_size(flags) == (size_t)layers) {
        /* 1 marks a layer with RoPE, which is a chunked local layer. */
        *local = 0;
        json_array_foreach(flags, i, item) {
            if (!json_is_integer(item))
                return field_error(f, "no_rope_layers", "a list of 0 and 1", item);
            *local += json_integer_value(item) != 0;
        }
        return AIM_OK;
    }
    rc = get_int(f, KEYS("no_rope_layer_interval"), 1, layers, 4, false, &interval);
    if (rc == AIM_OK)
        *local = layers - layers / interval;
    return rc;
}

/* The local layers' window and how many layers are local. */
static enum aim_status read_window(const struct fields *f, const struct shape *shape,
                                   struct aim_model *model)
{
    const json_t *types = json_object_get(f->object, "layer_types");
    int layers = model->num_layers, window, every, max_window_layers;
    bool enabled;
    enum aim_status rc;

    rc = get_bool(f, "use_sliding_window", true, &enabled);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("sliding_window", "attention_chunk_size"), 0, INT_MAX, 0, false,
                     &window);
    if (rc != AIM_OK || !enabled || window == 0)
        return rc;

    model->sliding_window = window;
    if (types != NULL && !json_is_null(types))
        return count_layer_types(f, types, layers, &model->sliding_layers);
    if (shape->family->flags & F_CHUNKED)
        return count_chunked(f, layers, &model->sliding_layers);
    rc = get_int(f, KEYS("sliding_window_pattern"), 1, layers, shape->family->global_every,
                 false, &every);
    if (rc == AIM_OK)
        rc = get_int(f, KEYS("max_window_layers"), 0, INT_MAX, -1, false, &max_window_layers);
    if (rc != AIM_OK)
        return rc;
    if (every > 0)
        model->sliding_layers = layers - layers / every;
    else if (max_window_layers >= 0) /* Qwen2: layers from this index on slide */
        model->sliding_layers = max_window_layers < layers ? layers - max_window_layers : 0;
    else
        model->sliding_layers = layers;
    return AIM_OK;
}

/* ------------------------------------------------------------ precision */

/* The torch_dtype (or dtype) value: the root's, else the text config's. */
static const json_t *find_dtype_field(const struct fields *root, const struct fields *text,
                                      const struct fields **where, const char **key)
{
    const json_t *value = lookup(root, KEYS("torch_dtype", "dtype"), key);

    *where = root;
    if (value == NULL && text->object != root->object) {
        value = lookup(text, KEYS("torch_dtype", "dtype"), key);
        *where = text;
    }
    return value;
}

/* torch_dtype or dtype: the precision of unquantized weights and their bytes. */
static enum aim_status read_dtype(const struct fields *root, const struct fields *text,
                                  struct aim_model *model, struct shape *shape)
{
    const struct fields *where;
    const char *key, *name;
    const json_t *value = find_dtype_field(root, text, &where, &key);

    model->checkpoint.precision = AIM_PRECISION_BF16;
    shape->dtype_bytes = 2.0;
    if (value == NULL)
        return AIM_OK;
    if (!json_is_string(value))
        return field_error(where, key, "bfloat16, float16 or float32", value);
    name = json_string_value(value);
    if (strncmp(name, "torch.", 6) == 0)
        name += 6;
    if (strcmp(name, "auto") == 0)
        return AIM_OK;
    /* Engines serve float32 checkpoints in 16 bits; the files stay 4 bytes. */
    if (strcmp(name, "float32") == 0 || strcmp(name, "fp32") == 0) {
        shape->dtype_bytes = 4.0;
        return AIM_OK;
    }
    if (!aim_precision_parse(name, &model->checkpoint.precision))
        return field_error(where, key, "bfloat16, float16 or float32", value);
    shape->dtype_bytes = aim_precision_weight_bytes(model->checkpoint.precision);
    return AIM_OK;
}

/* Precision of weights stored in so many bits (GPTQ, AWQ, int schemes). */
static void precision_from_bits(int bits, struct aim_model *model)
{
    if (bits > 0 && bits <= 4)
        model->checkpoint.precision = AIM_PRECISION_FP4;
    else if (bits > 4 && bits <= 8)
        model->checkpoint.precision = AIM_PRECISION_FP8;
}

/* A weight dtype name of Quark or ModelOpt ("fp8_e4m3", "fp4", "NVFP4", "int4"). */
static void precision_from_name(const char *name, struct aim_model *model)
{
    char lower[32];
    size_t i;

    for (i = 0; name[i] != '\0' && i + 1 < sizeof lower; i++)
        lower[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] - 'A' + 'a' : name[i]);
    lower[i] = '\0';
    if (strstr(lower, "fp8") != NULL || strstr(lower, "int8") != NULL)
        model->checkpoint.precision = AIM_PRECISION_FP8;
    else if (strstr(lower, "fp4") != NULL || strstr(lower, "int4") != NULL)
        model->checkpoint.precision = AIM_PRECISION_FP4;
}

/*
 * compressed-tensors: the first config group's weights say bits and type.
 * Its quant_method does not fit the checkpoint's quantization field, and says
 * less than the scheme, so the scheme is recorded: fp8, int8, int4, nvfp4.
 */
static enum aim_status read_compressed(const struct fields *q, struct aim_model *model)
{
    const json_t *groups = json_object_get(q->object, "config_groups");
    const json_t *kv = json_object_get(q->object, "kv_cache_scheme");
    struct fields group = *q, weights;
    char prefix[96], type[16];
    int bits;
    enum aim_status rc;

    snprintf(model->checkpoint.quantization, sizeof model->checkpoint.quantization,
             "compressed");
    model->checkpoint.kv_cache_fp8 = json_is_object(kv);
    if (!json_is_object(groups) || json_object_size(groups) == 0)
        return AIM_OK;
    group.object = json_object_iter_value(json_object_iter((json_t *)groups));
    group.prefix = "quantization_config.config_groups.*.";
    weights = nested(&group, "weights", prefix, sizeof prefix);
    if (weights.object == NULL)
        return field_error(&group, "weights", "an object", json_object_get(group.object,
                                                                           "weights"));
    rc = get_int(&weights, KEYS("num_bits"), 1, MAX_BITS, 0, true, &bits);
    if (rc == AIM_OK)
        rc = get_string(&weights, KEYS("type"), false, type, sizeof type);
    if (rc != AIM_OK)
        return rc;
    precision_from_bits(bits, model);
    snprintf(model->checkpoint.quantization, sizeof model->checkpoint.quantization, "%s%d",
             strcmp(type, "float") == 0 ? (bits == 4 ? "nvfp" : "fp") : "int", bits);
    return AIM_OK;
}

/* AMD Quark: the global (or first per-layer) weight dtype; KV scales in export. */
static enum aim_status read_quark(const struct fields *q, struct aim_model *model)
{
    const json_t *global = json_object_get(q->object, "global_quant_config");
    const json_t *layers = json_object_get(q->object, "layer_quant_config");
    const json_t *exported = json_object_get(q->object, "export");
    const json_t *kv_group =
        json_is_object(exported) ? json_object_get(exported, "kv_cache_group") : NULL;
    const json_t *kv_config = json_object_get(q->object, "kv_cache_quant_config");
    const json_t *weight = json_is_object(global) ? json_object_get(global, "weight") : NULL;

    if (!json_is_object(weight) && json_is_object(layers) && json_object_size(layers) > 0) {
        const json_t *first = json_object_iter_value(json_object_iter((json_t *)layers));

        weight = json_is_object(first) ? json_object_get(first, "weight") : NULL;
    }
    if (json_is_object(weight) && json_is_string(json_object_get(weight, "dtype")))
        precision_from_name(json_string_value(json_object_get(weight, "dtype")), model);
    model->checkpoint.kv_cache_fp8 =
        (json_is_array(kv_group) && json_array_size(kv_group) > 0) ||
        (json_is_object(kv_config) && json_object_size(kv_config) > 0);
    return AIM_OK;
}

/* GPTQ, AWQ, bitsandbytes and the like: precision by the number of bits. */
static enum aim_status read_bits(const struct fields *q, struct aim_model *model)
{
    int bits;
    bool four = false, eight = false;
    enum aim_status rc;

    rc = get_int(q, KEYS("bits", "w_bit", "weight_bits"), 1, MAX_BITS, 0, false, &bits);
    if (rc == AIM_OK)
        rc = get_bool(q, "load_in_4bit", false, &four);
    if (rc == AIM_OK)
        rc = get_bool(q, "load_in_8bit", false, &eight);
    if (rc != AIM_OK)
        return rc;
    precision_from_bits(bits > 0 ? bits : four ? 4 : eight ? 8 : 0, model);
    return AIM_OK;
}

/* quantization_config: the method, the precision of the bulk of the weights. */
static enum aim_status read_quantization(const struct fields *root, struct aim_model *model)
{
    char prefix[32], method[64], algo[32];
    struct fields q = nested(root, "quantization_config", prefix, sizeof prefix);
    const json_t *value = json_object_get(root->object, "quantization_config");
    enum aim_status rc;

    if (value == NULL || json_is_null(value))
        return AIM_OK;
    if (q.object == NULL)
        return field_error(root, "quantization_config", "an object", value);
    rc = get_string(&q, KEYS("quant_method"), true, method, sizeof method);
    if (rc != AIM_OK)
        return rc;
    /* Long method names are cut; the ones recognised below all fit. */
    snprintf(model->checkpoint.quantization, sizeof model->checkpoint.quantization, "%.15s",
             method);

    if (strcmp(method, "mxfp4") == 0) {
        model->checkpoint.precision = AIM_PRECISION_FP4;
    } else if (strcmp(method, "fp8") == 0 || strstr(method, "_fp8") != NULL) {
        model->checkpoint.precision = AIM_PRECISION_FP8;
    } else if (strcmp(method, "compressed-tensors") == 0) {
        return read_compressed(&q, model);
    } else if (strcmp(method, "quark") == 0) {
        return read_quark(&q, model);
    } else if (strcmp(method, "modelopt") == 0) {
        rc = get_string(&q, KEYS("quant_algo"), false, algo, sizeof algo);
        precision_from_name(algo, model);
        model->checkpoint.kv_cache_fp8 =
            json_is_string(json_object_get(q.object, "kv_cache_quant_algo"));
        return rc;
    } else {
        return read_bits(&q, model);
    }
    return AIM_OK;
}

/* -------------------------------------------------------------- counting */

static double mlp_params(double hidden, double width, bool gated)
{
    return (gated ? 3.0 : 2.0) * hidden * width;
}

/* Attention weights of one layer: q, k, v and o, or MLA's low-rank projections. */
static double attention_params(const struct aim_model *m, const struct shape *s)
{
    double hidden = m->hidden_size, heads = m->num_attention_heads;
    double kv = m->num_kv_heads, hd = m->head_dim;
    double params;

    if (m->kv_lora_rank > 0) {
        double qk = s->qk_nope_head_dim + m->qk_rope_head_dim, rank = m->kv_lora_rank;
        double q = s->q_lora_rank > 0
                       ? hidden * s->q_lora_rank + s->q_lora_rank + s->q_lora_rank * heads * qk
                       : hidden * heads * qk;

        return q + hidden * (rank + m->qk_rope_head_dim) + rank +
               rank * heads * (s->qk_nope_head_dim + s->v_head_dim) +
               heads * s->v_head_dim * hidden;
    }
    params = 2.0 * hidden * heads * hd + 2.0 * hidden * kv * hd;
    if (s->attention_bias || (s->family->flags & F_QKV_BIAS))
        params += heads * hd + 2.0 * kv * hd;
    if (s->attention_bias)
        params += hidden;
    if (s->family->flags & F_QK_NORM)
        params += 2.0 * hd;
    if (s->family->flags & F_SINKS)
        params += heads;
    return params;
}

/* Parameters of one routed expert, with biases where the family has them. */
static double expert_params(const struct aim_model *m, const struct shape *s)
{
    double hidden = m->hidden_size, width = m->moe_intermediate_size;

    return mlp_params(hidden, width, true) +
           ((s->family->flags & F_EXPERT_BIAS) ? 2.0 * width + hidden : 0.0);
}

/*
 * params_total, params_active and embedding_params from the architecture:
 * embeddings, attention, dense MLPs, experts with router and shared experts,
 * and norm weights. Multi-token-prediction layers are not counted.
 */
static void count_params(struct aim_model *m, const struct shape *s)
{
    double hidden = m->hidden_size, experts = m->num_experts;
    bool gated = !(s->family->flags & F_UNGATED);
    double per_layer = attention_params(m, s) + s->layer_norms * hidden;
    double router = hidden * experts + ((s->family->flags & F_ROUTER_BIAS) ? experts : 0.0);
    double moe_layer = experts * expert_params(m, s) + router +
                       mlp_params(hidden, s->shared_width, true);

    m->embedding_params = (double)m->vocab_size * hidden * (m->tie_word_embeddings ? 1 : 2);
    m->params_total = m->embedding_params + s->final_norms * hidden +
                      m->num_layers * per_layer +
                      m->dense_layers * mlp_params(hidden, s->dense_width, gated) +
                      s->moe_layers * moe_layer;
    m->params_active = m->params_total - s->moe_layers * (experts - m->experts_per_token) *
                                             (m->num_experts > 0 ? expert_params(m, s) : 0.0);
}

/*
 * Checkpoint size until the index or headers say: quantized checkpoints keep
 * embeddings (and, for MXFP4, everything but the experts) in 16 bits.
 */
static void estimate_bytes(struct aim_model *m, const struct shape *s)
{
    double quantized_bytes = aim_precision_weight_bytes(m->checkpoint.precision);
    double plain_bytes = s->dtype_bytes < 2.0 ? s->dtype_bytes : 2.0;
    double quantized;

    if (m->checkpoint.quantization[0] == '\0') {
        m->checkpoint.bytes = m->params_total * s->dtype_bytes;
        return;
    }
    /* MXFP4 checkpoints quantize the expert matrices only, not their biases. */
    if (m->checkpoint.precision == AIM_PRECISION_FP4 && m->num_experts > 0)
        quantized = s->moe_layers * m->num_experts *
                    mlp_params(m->hidden_size, m->moe_intermediate_size, true);
    else
        quantized = m->params_total - m->embedding_params;
    m->checkpoint.bytes = quantized * quantized_bytes +
                          (m->params_total - quantized) * plain_bytes;
}

/* The reading steps after the language model's object is known. */
static enum aim_status read_text_model(const struct fields *root, const struct fields *text,
                                       struct aim_model *model, struct shape *shape)
{
    char text_type[32];
    enum aim_status rc;
    bool attention_bias = false;

    rc = get_string(text, KEYS("model_type"), false, text_type, sizeof text_type);
    if (rc != AIM_OK)
        return rc;
    shape->family = find_family(text_type[0] != '\0' ? text_type : model->model_type);
    shape->layer_norms = shape->family->layer_norms;
    shape->final_norms = 1;

    rc = read_dims(text, root, shape, model);
    if (rc == AIM_OK && (shape->family->flags & F_FALCON))
        rc = adjust_falcon(text, shape, model);
    if (rc == AIM_OK)
        rc = read_mla(text, shape, model);
    if (rc == AIM_OK)
        rc = default_head_dim(text, shape, model);
    if (rc == AIM_OK)
        rc = read_moe(text, shape, model);
    if (rc == AIM_OK)
        rc = read_window(text, shape, model);
    if (rc == AIM_OK)
        rc = get_bool(text, "attention_bias", false, &attention_bias);
    shape->attention_bias = attention_bias;
    return rc;
}

enum aim_status aim_hf_parse_config(const char *text, size_t length, const char *id,
                                    const char *source_name, struct aim_model *model,
                                    struct aim_error *err)
{
    json_t *json = NULL;
    struct fields root = {NULL, "", source_name, err}, lm;
    struct shape shape = {0};
    enum aim_status rc;

    memset(model, 0, sizeof *model);
    rc = load_object(text, length, AIM_HF_JSON_MAX, source_name, &json, err);
    if (rc != AIM_OK)
        goto out;
    root.object = json;

    rc = read_identity(&root, id, model);
    if (rc == AIM_OK)
        rc = choose_text(&root, model->architecture, &lm);
    if (rc == AIM_OK)
        rc = read_text_model(&root, &lm, model, &shape);
    if (rc == AIM_OK)
        rc = read_dtype(&root, &lm, model, &shape);
    if (rc == AIM_OK)
        rc = read_quantization(&root, model);
    if (rc != AIM_OK)
        goto out;

    count_params(model, &shape);
    estimate_bytes(model, &shape);
out:
    json_decref(json);
    return rc;
}

/* ----------------------------------------------------------------- index */

enum aim_status aim_hf_parse_index(const char *text, size_t length, const char *source_name,
                                   struct aim_model *model, struct aim_error *err)
{
    json_t *json = NULL;
    struct fields root = {NULL, "", source_name, err}, metadata;
    const json_t *total;
    char prefix[16];
    double bytes;
    enum aim_status rc;

    rc = load_object(text, length, AIM_HF_INDEX_MAX, source_name, &json, err);
    if (rc != AIM_OK)
        goto out;
    root.object = json;
    metadata = nested(&root, "metadata", prefix, sizeof prefix);
    if (metadata.object == NULL) {
        rc = field_error(&root, "metadata", "an object with total_size",
                         json_object_get(json, "metadata"));
        goto out;
    }
    total = json_object_get(metadata.object, "total_size");
    /* Some tools write total_size as a float; a byte count must be integral. */
    if (total == NULL || !integral(total, &bytes) || bytes <= 0 || bytes > 1e16) {
        rc = field_error(&metadata, "total_size", "a positive number of bytes", total);
        goto out;
    }
    model->checkpoint.bytes = bytes;
out:
    json_decref(json);
    return rc;
}

/* ----------------------------------------------------------- safetensors */

/* The dtypes of the safetensors format, with their width in bits. */
static const struct {
    const char *name;
    int bits;
    enum aim_safetensors_dtype_class kind;
} dtypes[] = {
    {"BOOL", 8, AIM_DTYPE_CLASS_BOOL},     {"F4", 4, AIM_DTYPE_CLASS_FP4},
    {"F6_E2M3", 6, AIM_DTYPE_CLASS_FP4},   {"F6_E3M2", 6, AIM_DTYPE_CLASS_FP4},
    {"U8", 8, AIM_DTYPE_CLASS_INT},        {"I8", 8, AIM_DTYPE_CLASS_INT},
    {"F8_E5M2", 8, AIM_DTYPE_CLASS_FP8},   {"F8_E4M3", 8, AIM_DTYPE_CLASS_FP8},
    {"F8_E8M0", 8, AIM_DTYPE_CLASS_FP8},   {"F8_E4M3FNUZ", 8, AIM_DTYPE_CLASS_FP8},
    {"F8_E5M2FNUZ", 8, AIM_DTYPE_CLASS_FP8}, {"I16", 16, AIM_DTYPE_CLASS_INT},
    {"U16", 16, AIM_DTYPE_CLASS_INT},      {"F16", 16, AIM_DTYPE_CLASS_FP16},
    {"BF16", 16, AIM_DTYPE_CLASS_BF16},    {"I32", 32, AIM_DTYPE_CLASS_INT},
    {"U32", 32, AIM_DTYPE_CLASS_INT},      {"F32", 32, AIM_DTYPE_CLASS_WIDE},
    {"C64", 64, AIM_DTYPE_CLASS_WIDE},     {"F64", 64, AIM_DTYPE_CLASS_WIDE},
    {"I64", 64, AIM_DTYPE_CLASS_INT},      {"U64", 64, AIM_DTYPE_CLASS_INT},
};

_Static_assert(AIM_DTYPE_CLASS_COUNT <= COUNT_OF(((struct aim_tensor_totals *)0)->bytes_by_dtype),
               "bytes_by_dtype must have a slot per dtype class");

enum aim_status aim_safetensors_header_length(const unsigned char prefix[8],
                                              const char *source_name, uint64_t *length,
                                              struct aim_error *err)
{
    uint64_t value = 0;

    for (int i = 7; i >= 0; i--)
        value = (value << 8) | prefix[i];
    *length = value;
    /* The smallest header is "{}". */
    if (value < 2)
        return aim_error_set(err, AIM_E_INPUT,
                             "%s: safetensors header length %llu is too small; expected at "
                             "least 2 bytes",
                             source_name, (unsigned long long)value);
    if (value > AIM_SAFETENSORS_HEADER_MAX)
        return aim_error_set(err, AIM_E_INPUT,
                             "%s: safetensors header length %llu is more than the %u-byte limit",
                             source_name, (unsigned long long)value,
                             AIM_SAFETENSORS_HEADER_MAX);
    return AIM_OK;
}

/* One tensor's place in the data section, kept to check the layout. */
struct span {
    uint64_t begin;
    uint64_t end;
    const char *name;
};

/* Totals of one header, added to the caller's only when all of it is valid. */
struct header_scan {
    const char *source;
    struct aim_error *err;
    struct aim_tensor_totals totals;
    struct span *spans;
    size_t span_count;
};

static enum aim_status tensor_error(const struct header_scan *scan, const char *name,
                                    const char *detail)
{
    char shown[96];

    printable(name, shown, sizeof shown);
    return aim_error_set(scan->err, AIM_E_INPUT, "%s: tensor \"%s\": %s", scan->source, shown,
                         detail);
}

static int find_dtype(const char *name)
{
    for (int i = 0; i < COUNT_OF(dtypes); i++) {
        if (strcmp(dtypes[i].name, name) == 0)
            return i;
    }
    return -1;
}

/* The element count of a shape, failing on non-integers and overflow. */
static bool shape_elements(const json_t *shape, uint64_t *count)
{
    const json_t *dim;
    size_t i;

    if (!json_is_array(shape))
        return false;
    *count = 1;
    json_array_foreach(shape, i, dim) {
        json_int_t value = json_is_integer(dim) ? json_integer_value(dim) : -1;

        if (value < 0)
            return false;
        /* 2^56 elements is far beyond any tensor and keeps bits * count in range. */
        if (value != 0 && *count > (UINT64_C(1) << 56) / (uint64_t)value)
            return false;
        *count *= (uint64_t)value;
    }
    return true;
}

/* data_offsets: [begin, end] with 0 <= begin <= end. */
static bool read_offsets(const json_t *offsets, struct span *span)
{
    const json_t *begin = json_array_get(offsets, 0);
    const json_t *end = json_array_get(offsets, 1);

    if (!json_is_array(offsets) || json_array_size(offsets) != 2 || !json_is_integer(begin) ||
        !json_is_integer(end) || json_integer_value(begin) < 0 ||
        json_integer_value(end) < json_integer_value(begin))
        return false;
    span->begin = (uint64_t)json_integer_value(begin);
    span->end = (uint64_t)json_integer_value(end);
    return true;
}

/* Checks one tensor entry and adds it to the scan's totals. */
static enum aim_status add_tensor(struct header_scan *scan, const char *name,
                                  const json_t *info)
{
    const json_t *dtype = json_object_get(info, "dtype");
    struct span span = {0, 0, name};
    uint64_t count, bits;
    char detail[256], shown[32];
    int kind;

    if (!json_is_object(info))
        return tensor_error(scan, name, "expected an object with dtype, shape and data_offsets");
    kind = json_is_string(dtype) ? find_dtype(json_string_value(dtype)) : -1;
    if (kind < 0) {
        describe(dtype != NULL ? dtype : json_null(), shown, sizeof shown);
        snprintf(detail, sizeof detail,
                 "field dtype: expected a safetensors dtype (BF16, F16, F32, F8_E4M3, U8, ...), "
                 "got %s", shown);
        return tensor_error(scan, name, detail);
    }
    if (!shape_elements(json_object_get(info, "shape"), &count))
        return tensor_error(scan, name, "field shape: expected a list of non-negative integers");
    if (!read_offsets(json_object_get(info, "data_offsets"), &span))
        return tensor_error(scan, name,
                            "field data_offsets: expected [begin, end] with 0 <= begin <= end");

    bits = count * (uint64_t)dtypes[kind].bits;
    if (bits % 8 != 0 || span.end - span.begin != bits / 8) {
        snprintf(detail, sizeof detail,
                 "data_offsets [%llu, %llu] hold %llu bytes, but %llu elements of %s need %s%llu",
                 (unsigned long long)span.begin, (unsigned long long)span.end,
                 (unsigned long long)(span.end - span.begin), (unsigned long long)count,
                 dtypes[kind].name, bits % 8 != 0 ? "a whole number of bytes, not " : "",
                 (unsigned long long)(bits / 8));
        return tensor_error(scan, name, detail);
    }
    scan->spans[scan->span_count++] = span;
    scan->totals.parameters += (double)count;
    scan->totals.bytes += (double)(bits / 8);
    scan->totals.bytes_by_dtype[dtypes[kind].kind] += (double)(bits / 8);
    scan->totals.tensors++;
    return AIM_OK;
}

static int compare_spans(const void *a, const void *b)
{
    const struct span *left = a, *right = b;

    if (left->begin != right->begin)
        return left->begin < right->begin ? -1 : 1;
    if (left->end != right->end)
        return left->end < right->end ? -1 : 1;
    return strcmp(left->name, right->name);
}

/* The tensors must tile the data section from 0, without gaps or overlaps. */
static enum aim_status check_layout(struct header_scan *scan)
{
    uint64_t expected = 0;
    char detail[160];

    if (scan->span_count > 1)
        qsort(scan->spans, scan->span_count, sizeof scan->spans[0], compare_spans);
    for (size_t i = 0; i < scan->span_count; i++) {
        const struct span *span = &scan->spans[i];

        if (span->begin != expected) {
            snprintf(detail, sizeof detail,
                     "data_offsets [%llu, %llu] %s; expected the tensor to start at %llu",
                     (unsigned long long)span->begin, (unsigned long long)span->end,
                     span->begin > expected ? "leave a gap" : "overlap another tensor",
                     (unsigned long long)expected);
            return tensor_error(scan, span->name, detail);
        }
        expected = span->end;
    }
    return AIM_OK;
}

static void add_totals(struct aim_tensor_totals *into, const struct aim_tensor_totals *from)
{
    into->parameters += from->parameters;
    into->bytes += from->bytes;
    for (int i = 0; i < AIM_DTYPE_CLASS_COUNT; i++)
        into->bytes_by_dtype[i] += from->bytes_by_dtype[i];
    into->tensors += from->tensors;
}

enum aim_status aim_safetensors_add_header(const char *json, size_t length,
                                           const char *source_name,
                                           struct aim_tensor_totals *totals,
                                           struct aim_error *err)
{
    struct header_scan scan = {.source = source_name, .err = err};
    json_t *header = NULL;
    const char *name;
    json_t *info;
    enum aim_status rc;

    rc = load_object(json, length, AIM_SAFETENSORS_HEADER_MAX, source_name, &header, err);
    if (rc != AIM_OK)
        goto out;
    scan.spans = malloc((json_object_size(header) + 1) * sizeof *scan.spans);
    if (scan.spans == NULL) {
        rc = aim_error_set(err, AIM_E_NOMEM, "%s: out of memory reading the header",
                           source_name);
        goto out;
    }
    json_object_foreach(header, name, info) {
        /* Free-form string metadata; it holds no tensor. */
        if (strcmp(name, "__metadata__") == 0)
            continue;
        rc = add_tensor(&scan, name, info);
        if (rc != AIM_OK)
            goto out;
    }
    rc = check_layout(&scan);
    if (rc == AIM_OK)
        add_totals(totals, &scan.totals);
out:
    free(scan.spans);
    json_decref(header);
    return rc;
}

void aim_hf_apply_tensor_totals(struct aim_model *model, const struct aim_tensor_totals *totals)
{
    /* Packed low-bit weights (MXFP4 blocks, GPTQ int32 words) hold several
       parameters per element, so their element count is not the model's. */
    bool packed = model->checkpoint.quantization[0] != '\0' &&
                  totals->bytes_by_dtype[AIM_DTYPE_CLASS_INT] > 0;
    double idle;

    if (totals->tensors <= 0)
        return;
    model->checkpoint.bytes = totals->bytes;
    if (packed)
        return;
    /* Only routed experts are idle per token; keep that share idle. */
    idle = model->params_total - model->params_active;
    model->params_total = totals->parameters;
    model->params_active = idle > 0 && idle < totals->parameters ? totals->parameters - idle
                                                                 : totals->parameters;
}
