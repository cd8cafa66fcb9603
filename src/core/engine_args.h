/*
 * The serving engine a container runs, read from its command and args:
 * which engine (vLLM or SGLang), and the values of the flags the validation
 * rules need, each with the token that holds it so findings can point at it.
 *
 * Tokens are the items of command then args. An item holding spaces (the
 * script of `sh -c "..."`) is split into words on whitespace, with one pair
 * of surrounding quotes removed from each word; this is a best effort, not
 * a shell. Flags are read from the engine's entrypoint to the next shell
 * separator (&&, ||, ;, |, &), in `--flag value` and `--flag=value` forms;
 * '_' in a flag name counts as '-', and a repeated flag keeps its last value.
 *
 * Tokens point into the container's JSON strings: an ea_command is valid
 * while the container is.
 */
#ifndef AIM_ENGINE_ARGS_H
#define AIM_ENGINE_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "aim/types.h"

/* Words read per container; a serving command needs a few dozen. */
#define EA_TOKENS_MAX 512

struct ea_token {
    const char *text;
    size_t length;
    bool in_args;     /* from args, else from command */
    size_t index;     /* the item of command or args it came from */
};

enum ea_slot {
    EA_MODEL,         /* --model, --model-path, or vllm serve's positional */
    EA_TP,
    EA_PP,
    EA_DP,
    EA_DTYPE,
    EA_QUANTIZATION,
    EA_MAX_LEN,       /* --max-model-len, --context-length */
    EA_MEMORY_SHARE,  /* --gpu-memory-utilization, --mem-fraction-static */
    EA_DP_ATTENTION,  /* SGLang --enable-dp-attention (no value) */
    EA_SLOT_COUNT
};

struct ea_value {
    bool set;
    int token;        /* token holding the value (or the bare flag) */
    const char *flag; /* the flag as written, "" for a positional */
    size_t flag_length;
    const char *text; /* the value, quotes removed */
    size_t length;
};

struct ea_command {
    struct ea_token tokens[EA_TOKENS_MAX];
    int token_count;
    bool has_bad_item;    /* a command or args item that is not a string */
    bool bad_in_args;
    size_t bad_index;
    bool found;           /* the container runs an engine */
    enum aim_backend backend;
    struct ea_value values[EA_SLOT_COUNT];
};

/* Reads a container (a JSON object) into out. */
void ea_read(const json_t *container, struct ea_command *out);

/* Whether a token is exactly word. */
bool ea_token_is(const struct ea_token *token, const char *word);

#endif
