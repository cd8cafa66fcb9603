#include "aim/command.h"

#include <stdio.h>
#include <string.h>

void aim_argv_init(struct aim_argv *argv)
{
    argv->count = 0;
    argv->used = 0;
}

enum aim_status aim_argv_push(struct aim_argv *argv, const char *item)
{
    size_t length = strlen(item) + 1;
    char *slot;

    if (argv->count == AIM_ARGV_MAX || (size_t)argv->used + length > sizeof argv->storage)
        return AIM_E_INPUT;
    slot = argv->storage + argv->used;
    memcpy(slot, item, length);
    argv->used += (int)length;
    argv->items[argv->count++] = slot;
    return AIM_OK;
}

static enum aim_status push_pair(struct aim_argv *argv, const char *flag, const char *value)
{
    enum aim_status status = aim_argv_push(argv, flag);

    return status != AIM_OK ? status : aim_argv_push(argv, value);
}

/* Keys aimctl sets itself, so a recipe argument never duplicates them. */
static bool reserved_key(const char *key)
{
    return strcmp(key, "model") == 0 || strcmp(key, "host") == 0 || strcmp(key, "port") == 0;
}

/* Value of an engine argument as the engine expects it on its command line. */
static const char *engine_value(const struct aim_plan *plan, const struct aim_setting *item,
                                char *buffer, size_t size)
{
    /* SGLang spells the FP8 KV cache with its exact format. */
    if (plan->backend == AIM_BACKEND_SGLANG && strcmp(item->key, "kv_cache_dtype") == 0 &&
        strcmp(item->value, "fp8") == 0)
        return "fp8_e4m3";
    snprintf(buffer, size, "%s", item->value);
    return buffer;
}

static bool skipped(const char *key, const char *const *skip)
{
    for (; skip != NULL && *skip != NULL; skip++) {
        if (strcmp(key, *skip) == 0)
            return true;
    }
    return false;
}

static enum aim_status push_engine_args(const struct aim_engine *engine,
                                        const struct aim_plan *plan, const char *const *skip,
                                        struct aim_argv *out)
{
    char flag[64];
    char value[AIM_SETTING_VALUE_MAX];
    enum aim_status status = AIM_OK;

    for (int i = 0; i < plan->engine_args.count && status == AIM_OK; i++) {
        const struct aim_setting *item = &plan->engine_args.items[i];

        if (reserved_key(item->key) || skipped(item->key, skip))
            continue;
        aim_engine_flag_for(engine, item->key, flag, sizeof flag);

        /* Engines take booleans as bare flags; false means leave it out. */
        if (item->type == AIM_VALUE_BOOL) {
            if (strcmp(item->value, "true") == 0)
                status = aim_argv_push(out, flag);
            continue;
        }
        status = push_pair(out, flag, engine_value(plan, item, value, sizeof value));
    }
    return status;
}

enum aim_status aim_engine_argv(const aim_catalog *catalog, const struct aim_plan *plan,
                                int port, struct aim_argv *out, struct aim_error *err)
{
    const struct aim_engine *engine = aim_catalog_engine(catalog, plan->backend);
    char port_text[16];
    enum aim_status status;

    if (!plan->found)
        return aim_error_set(err, AIM_E_INTERNAL, "no plan to print a command for");
    if (engine == NULL)
        return aim_error_set(err, AIM_E_NOT_FOUND, "the catalog defines no %s engine",
                             aim_backend_name(plan->backend));

    snprintf(port_text, sizeof port_text, "%d", port);
    status = aim_argv_push(out, "python3");
    if (status == AIM_OK)
        status = push_pair(out, "-m", engine->entrypoint);
    if (status == AIM_OK)
        status = push_pair(out, engine->model_flag, plan->checkpoint);
    if (status == AIM_OK)
        status = push_engine_args(engine, plan, NULL, out);
    if (status == AIM_OK)
        status = push_pair(out, "--host", "0.0.0.0");
    if (status == AIM_OK)
        status = push_pair(out, "--port", port_text);
    if (status != AIM_OK)
        return aim_error_set(err, status, "the engine command line is too long");
    return AIM_OK;
}

enum aim_status aim_engine_flags(const aim_catalog *catalog, const struct aim_plan *plan,
                                 const char *const *skip, struct aim_argv *out)
{
    const struct aim_engine *engine = aim_catalog_engine(catalog, plan->backend);

    if (engine == NULL)
        return AIM_E_NOT_FOUND;
    return push_engine_args(engine, plan, skip, out);
}

/* Device access for the container: ROCm needs the KFD and DRI nodes and the
   video group; CUDA goes through the NVIDIA container toolkit. */
static enum aim_status push_gpu_access(const struct aim_plan *plan, struct aim_argv *out)
{
    static const char *const rocm[] = {
        "--device=/dev/kfd", "--device=/dev/dri", "--group-add=video",
        "--ipc=host", "--cap-add=SYS_PTRACE", "--security-opt=seccomp=unconfined",
    };
    static const char *const cuda[] = {"--gpus=all", "--ipc=host"};
    bool amd = plan->gpu->vendor == AIM_VENDOR_AMD;
    const char *const *items = amd ? rocm : cuda;
    int count = amd ? (int)(sizeof rocm / sizeof rocm[0]) : (int)(sizeof cuda / sizeof cuda[0]);
    enum aim_status status = AIM_OK;

    for (int i = 0; i < count && status == AIM_OK; i++)
        status = aim_argv_push(out, items[i]);
    return status;
}

static enum aim_status push_docker_options(const aim_catalog *catalog,
                                           const struct aim_plan *plan, int port,
                                           struct aim_argv *out)
{
    const struct aim_engine *engine = aim_catalog_engine(catalog, plan->backend);
    char text[AIM_SETTING_KEY_MAX + AIM_SETTING_VALUE_MAX + 8];
    enum aim_status status = aim_argv_push(out, "docker");

    if (status == AIM_OK)
        status = aim_argv_push(out, "run");
    if (status == AIM_OK)
        status = aim_argv_push(out, "--rm");
    if (status == AIM_OK)
        status = push_gpu_access(plan, out);
    if (status == AIM_OK)
        status = aim_argv_push(out, "--shm-size=16g");
    snprintf(text, sizeof text, "--publish=%d:%d", port, port);
    if (status == AIM_OK)
        status = aim_argv_push(out, text);

    /* A named volume for the Hugging Face cache, so weights download once. */
    if (status == AIM_OK)
        status = aim_argv_push(out, "--volume=aim-hf-cache:/root/.cache/huggingface");
    if (status == AIM_OK)
        status = aim_argv_push(out, "--env=HF_TOKEN");
    for (int i = 0; i < plan->env.count && status == AIM_OK; i++) {
        snprintf(text, sizeof text, "--env=%s=%s", plan->env.items[i].key,
                 plan->env.items[i].value);
        status = aim_argv_push(out, text);
    }
    if (status == AIM_OK)
        status = aim_argv_push(out, aim_engine_image(engine, plan->gpu));
    return status;
}

enum aim_status aim_docker_argv(const aim_catalog *catalog, const struct aim_plan *plan,
                                int port, struct aim_argv *out, struct aim_error *err)
{
    enum aim_status status;

    if (!plan->found)
        return aim_error_set(err, AIM_E_INTERNAL, "no plan to print a command for");
    if (aim_catalog_engine(catalog, plan->backend) == NULL)
        return aim_error_set(err, AIM_E_NOT_FOUND, "the catalog defines no %s engine",
                             aim_backend_name(plan->backend));
    status = push_docker_options(catalog, plan, port, out);
    if (status != AIM_OK)
        return aim_error_set(err, status, "the docker command line is too long");
    return aim_engine_argv(catalog, plan, port, out, err);
}

/* Characters that survive a POSIX shell unquoted. */
static bool shell_safe(const char *item)
{
    if (*item == '\0')
        return false;
    for (const char *c = item; *c != '\0'; c++) {
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                   "-_./:=,+@%",
                   *c) == NULL)
            return false;
    }
    return true;
}

/* Appends text at *used; false when the buffer is full. */
static bool append(char *buffer, int size, int *used, const char *text)
{
    int written = snprintf(buffer + *used, (size_t)(size - *used), "%s", text);

    if (written < 0 || *used + written >= size)
        return false;
    *used += written;
    return true;
}

/* Single quotes keep everything literal; a quote inside is closed, escaped
   and reopened. */
static bool append_quoted(char *buffer, int size, int *used, const char *item)
{
    char one[2] = {0, 0};
    bool ok = append(buffer, size, used, "'");

    for (const char *c = item; *c != '\0' && ok; c++) {
        one[0] = *c;
        ok = append(buffer, size, used, *c == '\'' ? "'\\''" : one);
    }
    return ok && append(buffer, size, used, "'");
}

enum aim_status aim_argv_join(const struct aim_argv *argv, char *buffer, int size)
{
    int used = 0;
    bool ok = size > 0;

    if (ok)
        buffer[0] = '\0';
    for (int i = 0; i < argv->count && ok; i++) {
        if (i > 0)
            ok = append(buffer, size, &used, " ");
        if (ok && shell_safe(argv->items[i]))
            ok = append(buffer, size, &used, argv->items[i]);
        else if (ok)
            ok = append_quoted(buffer, size, &used, argv->items[i]);
    }
    return ok ? AIM_OK : AIM_E_INPUT;
}
