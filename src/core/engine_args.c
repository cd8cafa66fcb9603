#include "engine_args.h"

#include <string.h>

/* Flags the rules read, per engine, as engines.md spells them. */
static const struct {
    enum aim_backend backend;
    enum ea_slot slot;
    const char *name;
} flag_names[] = {
    {AIM_BACKEND_VLLM, EA_MODEL, "--model"},
    {AIM_BACKEND_VLLM, EA_TP, "--tensor-parallel-size"},
    {AIM_BACKEND_VLLM, EA_TP, "-tp"},
    {AIM_BACKEND_VLLM, EA_PP, "--pipeline-parallel-size"},
    {AIM_BACKEND_VLLM, EA_PP, "-pp"},
    {AIM_BACKEND_VLLM, EA_DP, "--data-parallel-size"},
    {AIM_BACKEND_VLLM, EA_DP, "-dp"},
    {AIM_BACKEND_VLLM, EA_DTYPE, "--dtype"},
    {AIM_BACKEND_VLLM, EA_QUANTIZATION, "--quantization"},
    {AIM_BACKEND_VLLM, EA_QUANTIZATION, "-q"},
    {AIM_BACKEND_VLLM, EA_MAX_LEN, "--max-model-len"},
    {AIM_BACKEND_VLLM, EA_MEMORY_SHARE, "--gpu-memory-utilization"},
    {AIM_BACKEND_SGLANG, EA_MODEL, "--model-path"},
    {AIM_BACKEND_SGLANG, EA_MODEL, "--model"},
    {AIM_BACKEND_SGLANG, EA_TP, "--tp-size"},
    {AIM_BACKEND_SGLANG, EA_TP, "--tp"},
    {AIM_BACKEND_SGLANG, EA_TP, "--tensor-parallel-size"},
    {AIM_BACKEND_SGLANG, EA_PP, "--pp-size"},
    {AIM_BACKEND_SGLANG, EA_PP, "--pipeline-parallel-size"},
    {AIM_BACKEND_SGLANG, EA_DP, "--dp-size"},
    {AIM_BACKEND_SGLANG, EA_DP, "--dp"},
    {AIM_BACKEND_SGLANG, EA_DP, "--data-parallel-size"},
    {AIM_BACKEND_SGLANG, EA_DTYPE, "--dtype"},
    {AIM_BACKEND_SGLANG, EA_QUANTIZATION, "--quantization"},
    {AIM_BACKEND_SGLANG, EA_MAX_LEN, "--context-length"},
    {AIM_BACKEND_SGLANG, EA_MEMORY_SHARE, "--mem-fraction-static"},
    {AIM_BACKEND_SGLANG, EA_DP_ATTENTION, "--enable-dp-attention"},
};

#define FLAG_NAME_MAX 48

bool ea_token_is(const struct ea_token *token, const char *word)
{
    size_t length = strlen(word);

    return token->length == length && memcmp(token->text, word, length) == 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void strip_quotes(const char **text, size_t *length)
{
    char first = *length >= 2 ? (*text)[0] : '\0';

    if ((first == '"' || first == '\'') && (*text)[*length - 1] == first) {
        (*text)++;
        *length -= 2;
    }
}

/* Adds the whitespace-separated words of one command or args item. */
static void add_words(struct ea_command *out, const char *text, size_t length, bool in_args,
                      size_t index)
{
    size_t at = 0;

    while (at < length && out->token_count < EA_TOKENS_MAX) {
        size_t start;
        const char *word;
        size_t word_length;

        while (at < length && is_space(text[at]))
            at++;
        start = at;
        while (at < length && !is_space(text[at]))
            at++;
        word = text + start;
        word_length = at - start;
        strip_quotes(&word, &word_length);
        if (word_length > 0)
            out->tokens[out->token_count++] =
                (struct ea_token){word, word_length, in_args, index};
    }
}

static void add_items(struct ea_command *out, const json_t *items, bool in_args)
{
    size_t index;
    json_t *item;

    json_array_foreach(items, index, item) {
        if (!json_is_string(item)) {
            if (!out->has_bad_item) {
                out->has_bad_item = true;
                out->bad_in_args = in_args;
                out->bad_index = index;
            }
            continue;
        }
        add_words(out, json_string_value(item), json_string_length(item), in_args, index);
    }
}

static bool ends_with(const struct ea_token *token, const char *suffix)
{
    size_t length = strlen(suffix);

    return token->length >= length &&
           memcmp(token->text + token->length - length, suffix, length) == 0;
}

/*
 * The first token after the engine's entrypoint, or -1 when the command
 * runs none. *positional is where `vllm serve` takes its model.
 */
static int find_entrypoint(const struct ea_command *command, enum aim_backend *backend,
                           int *positional)
{
    for (int i = 0; i < command->token_count; i++) {
        const struct ea_token *token = &command->tokens[i];

        *positional = -1;
        if (ea_token_is(token, "vllm.entrypoints.openai.api_server")) {
            *backend = AIM_BACKEND_VLLM;
            return i + 1;
        }
        if (ea_token_is(token, "sglang.launch_server")) {
            *backend = AIM_BACKEND_SGLANG;
            return i + 1;
        }
        if ((ea_token_is(token, "vllm") || ends_with(token, "/vllm")) &&
            i + 1 < command->token_count && ea_token_is(&command->tokens[i + 1], "serve")) {
            *backend = AIM_BACKEND_VLLM;
            *positional = i + 2;
            return i + 2;
        }
    }
    return -1;
}

static bool is_separator(const struct ea_token *token)
{
    return ea_token_is(token, "&&") || ea_token_is(token, "||") || ea_token_is(token, ";") ||
           ea_token_is(token, "|") || ea_token_is(token, "&");
}

/* The slot a flag fills for the engine, or EA_SLOT_COUNT. */
static enum ea_slot slot_of(enum aim_backend backend, const char *flag, size_t length)
{
    char name[FLAG_NAME_MAX];
    size_t i;

    if (length >= sizeof name)
        return EA_SLOT_COUNT;
    /* Both engines' parsers take --max_model_len for --max-model-len. */
    for (i = 0; i < length; i++)
        name[i] = flag[i] == '_' ? '-' : flag[i];
    name[length] = '\0';
    for (i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++) {
        if (flag_names[i].backend == backend && strcmp(flag_names[i].name, name) == 0)
            return flag_names[i].slot;
    }
    return EA_SLOT_COUNT;
}

/* Reads the flag at tokens[i]; returns how many tokens it used. */
static int read_flag(struct ea_command *command, int i, int end)
{
    const struct ea_token *token = &command->tokens[i];
    const char *equals = memchr(token->text, '=', token->length);
    size_t flag_length = equals != NULL ? (size_t)(equals - token->text) : token->length;
    enum ea_slot slot = slot_of(command->backend, token->text, flag_length);
    struct ea_value value = {true, i, token->text, flag_length, NULL, 0};

    if (slot == EA_SLOT_COUNT)
        return 1;
    if (slot == EA_DP_ATTENTION) {
        command->values[slot] = value;
        return 1;
    }
    if (equals != NULL) {
        value.text = equals + 1;
        value.length = token->length - flag_length - 1;
    } else if (i + 1 < end) {
        value.token = i + 1;
        value.text = command->tokens[i + 1].text;
        value.length = command->tokens[i + 1].length;
    } else {
        return 1;
    }
    strip_quotes(&value.text, &value.length);
    command->values[slot] = value;
    return equals != NULL ? 1 : 2;
}

static void read_flags(struct ea_command *command, int start, int positional)
{
    int end = start;

    while (end < command->token_count && !is_separator(&command->tokens[end]))
        end++;
    for (int i = start; i < end;) {
        if (command->tokens[i].length > 1 && command->tokens[i].text[0] == '-')
            i += read_flag(command, i, end);
        else
            i++;
    }
    /* vllm serve's positional model wins over --model, as in vLLM. */
    if (positional >= 0 && positional < end && command->tokens[positional].text[0] != '-')
        command->values[EA_MODEL] = (struct ea_value){
            true, positional, "", 0, command->tokens[positional].text,
            command->tokens[positional].length};
}

/* The vllm/vllm-openai image's entrypoint is the server: args are its flags. */
static bool runs_vllm_image(const json_t *container)
{
    const char *image = json_string_value(json_object_get(container, "image"));
    const json_t *command = json_object_get(container, "command");

    return image != NULL && strstr(image, "vllm-openai") != NULL &&
           (command == NULL || json_array_size(command) == 0);
}

void ea_read(const json_t *container, struct ea_command *out)
{
    int positional = -1;
    int start;

    memset(out, 0, sizeof *out);
    add_items(out, json_object_get(container, "command"), false);
    add_items(out, json_object_get(container, "args"), true);
    if (runs_vllm_image(container)) {
        out->backend = AIM_BACKEND_VLLM;
        start = 0;
        positional = 0;
    } else {
        start = find_entrypoint(out, &out->backend, &positional);
    }
    if (start < 0)
        return;
    out->found = true;
    read_flags(out, start, positional);
}
