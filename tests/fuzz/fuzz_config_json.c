/*
 * libFuzzer target: a config.json (and the same bytes as an index). Beyond
 * the sanitizers it checks the parser's promises: a failure names the
 * source, and a model that parses has numbers the rest of the library can
 * multiply without care.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aim/hf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SOURCE "fuzz/config.json"

#define CHECK(condition)                                                                \
    do {                                                                                \
        if (!(condition))                                                               \
            __builtin_trap();                                                           \
    } while (0)

static bool terminated(const char *text, size_t size)
{
    return memchr(text, '\0', size) != NULL;
}

/* What every parsed model must satisfy. */
static void check_model(const struct aim_model *m)
{
    CHECK(terminated(m->architecture, sizeof m->architecture) && m->architecture[0] != '\0');
    CHECK(terminated(m->model_type, sizeof m->model_type));
    CHECK(terminated(m->checkpoint.quantization, sizeof m->checkpoint.quantization));
    CHECK(m->num_layers >= 1 && m->num_layers <= 1000);
    CHECK(m->hidden_size >= 1 && m->hidden_size <= 1000000);
    CHECK(m->num_attention_heads >= 1 && m->num_kv_heads >= 1);
    CHECK(m->num_attention_heads % m->num_kv_heads == 0);
    CHECK(m->head_dim >= 1 && m->vocab_size >= 1 && m->max_context >= 1);
    CHECK(m->dense_layers >= 0 && m->dense_layers <= m->num_layers);
    CHECK(m->sliding_layers >= 0 && m->sliding_layers <= m->num_layers);
    CHECK(m->sliding_window >= 0);
    CHECK(m->num_experts == 0 ||
          (m->experts_per_token >= 1 && m->experts_per_token <= m->num_experts &&
           m->moe_intermediate_size >= 1));
    CHECK(m->kv_lora_rank == 0 || m->qk_rope_head_dim >= 1);
    CHECK(isfinite(m->params_total) && m->params_total > 0);
    CHECK(isfinite(m->params_active) && m->params_active > 0);
    CHECK(m->params_active <= m->params_total);
    CHECK(m->embedding_params > 0 && m->embedding_params <= m->params_total);
    CHECK(isfinite(m->checkpoint.bytes) && m->checkpoint.bytes > 0);
    CHECK((unsigned)m->checkpoint.precision < AIM_PRECISION_COUNT);
    CHECK(strcmp(m->id, "fuzz/model") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct aim_model model;
    struct aim_error err;
    enum aim_status status;

    memset(&err, 0, sizeof err);
    status = aim_hf_parse_config((const char *)data, size, "fuzz/model", SOURCE, &model, &err);
    if (status == AIM_OK) {
        check_model(&model);
    } else {
        CHECK(status == AIM_E_INPUT);
        CHECK(strncmp(err.message, SOURCE, strlen(SOURCE)) == 0);
        CHECK(terminated(err.message, sizeof err.message));
    }

    /* The same bytes as an index: only total_size may change the model. */
    memset(&model, 0, sizeof model);
    status = aim_hf_parse_index((const char *)data, size, "fuzz/index.json", &model, &err);
    if (status == AIM_OK)
        CHECK(model.checkpoint.bytes > 0 && isfinite(model.checkpoint.bytes));
    else
        CHECK(status == AIM_E_INPUT && model.checkpoint.bytes == 0);
    return 0;
}
