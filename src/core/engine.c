#include "aim/engine.h"

#include <stdio.h>
#include <string.h>

bool aim_engine_serves(const struct aim_engine *engine, const char *architecture)
{
    for (int i = 0; i < engine->architecture_count; i++) {
        if (strcmp(engine->architectures[i], architecture) == 0)
            return true;
    }
    return false;
}

const char *aim_engine_flag_for(const struct aim_engine *engine, const char *key,
                                char *buffer, int size)
{
    int used;

    if (size <= 0)
        return buffer;
    for (int i = 0; engine != NULL && i < engine->flag_count; i++) {
        if (strcmp(engine->flags[i].key, key) == 0) {
            snprintf(buffer, (size_t)size, "%s", engine->flags[i].flag);
            return buffer;
        }
    }

    /* Unlisted keys follow the argparse convention of both engines. */
    used = snprintf(buffer, (size_t)size, "--%s", key);
    if (used < 0)
        used = 0;
    for (int i = 2; i < used && i < size - 1; i++) {
        if (buffer[i] == '_')
            buffer[i] = '-';
    }
    return buffer;
}

const char *aim_engine_image(const struct aim_engine *engine, const struct aim_gpu *gpu)
{
    if (gpu->vendor != AIM_VENDOR_AMD)
        return engine->image_cuda;
    if (strcmp(gpu->arch, "gfx950") == 0 && engine->image_rocm_gfx950[0] != '\0')
        return engine->image_rocm_gfx950;
    return engine->image_rocm;
}
