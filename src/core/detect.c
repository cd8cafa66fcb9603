/*
 * Parsing what a host says about its GPUs: *_VISIBLE_DEVICES lists, sysfs
 * hex ids and KFD topology properties. The CLI reads the files.
 */
#include "aim/detect.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_spaces(const char *text)
{
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
        text++;
    return text;
}

/*
 * A negative index ends the list, as it does for the CUDA and HIP runtimes:
 * CUDA_VISIBLE_DEVICES=-1 is the usual way to hide every GPU.
 */
int aim_parse_visible_devices(const char *value, int *indices, int max)
{
    const char *cursor;
    int count = 0;

    if (value == NULL)
        return -1;
    cursor = skip_spaces(value);
    while (*cursor != '\0') {
        char *end;
        long index;

        if (!(*cursor == '-' || (*cursor >= '0' && *cursor <= '9')))
            return -1; /* UUIDs (GPU-..., MIG-...) and other names */
        errno = 0;
        index = strtol(cursor, &end, 10);
        if (end == cursor || errno != 0 || index > INT_MAX)
            return -1;
        if (index < 0)
            return count;
        if (count == max)
            return -1;
        indices[count++] = (int)index;
        cursor = skip_spaces(end);
        if (*cursor == '\0')
            break;
        if (*cursor != ',')
            return -1;
        cursor = skip_spaces(cursor + 1);
        if (*cursor == '\0')
            return -1; /* a trailing comma */
    }
    return count;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* PCI vendor and device ids are 16 bits; anything wider is not one. */
bool aim_parse_hex_id(const char *text, unsigned *out)
{
    const char *cursor;
    unsigned value = 0;
    int digits = 0;

    if (text == NULL)
        return false;
    cursor = skip_spaces(text);
    if (cursor[0] == '0' && (cursor[1] == 'x' || cursor[1] == 'X'))
        cursor += 2;
    for (; hex_digit(*cursor) >= 0; cursor++, digits++) {
        if (digits == 4)
            return false;
        value = value * 16 + (unsigned)hex_digit(*cursor);
    }
    if (digits == 0 || *skip_spaces(cursor) != '\0')
        return false;
    *out = value;
    return true;
}

/* The value of "key value" lines of a KFD properties file, 0 when absent. */
static unsigned long long property(const char *text, const char *key)
{
    size_t length = strlen(key);

    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *next = strchr(line, '\n');

        if (strncmp(line, key, length) == 0 && line[length] == ' ')
            return strtoull(line + length + 1, NULL, 10);
        line = next != NULL ? next + 1 : NULL;
    }
    return 0;
}

/*
 * gfx_target_version packs major, minor and stepping in decimal pairs
 * (90402: 9, 4, 2); the LLVM target name writes minor and stepping in hex
 * (90010 -> gfx90a).
 */
bool aim_parse_kfd_properties(const char *text, char *gfx_target, int size,
                              unsigned *device_id)
{
    unsigned long long version, id;

    if (text == NULL)
        return false;
    version = property(text, "gfx_target_version");
    /* CPU nodes have no SIMDs and no target. */
    if (version == 0 || property(text, "simd_count") == 0)
        return false;
    id = property(text, "device_id");
    if (gfx_target != NULL && size > 0)
        snprintf(gfx_target, (size_t)size, "gfx%llu%llx%llx", version / 10000,
                 (version / 100) % 100, version % 100);
    if (device_id != NULL)
        *device_id = id <= 0xffff ? (unsigned)id : 0;
    return true;
}

static int count_visible(const struct aim_detection *detection, const struct aim_gpu *type)
{
    int count = 0;

    for (int i = 0; i < detection->count; i++)
        count += detection->gpus[i].visible && detection->gpus[i].type == type;
    return count;
}

/* Most visible GPUs wins; ties go to the newer type, then to the name. */
const struct aim_gpu *aim_detection_majority(const struct aim_detection *detection,
                                             int *count)
{
    const struct aim_gpu *best = NULL;
    int best_count = 0;

    for (int i = 0; i < detection->count; i++) {
        const struct aim_gpu *type = detection->gpus[i].type;
        int n;

        if (type == NULL || !detection->gpus[i].visible || type == best)
            continue;
        n = count_visible(detection, type);
        if (best == NULL || n > best_count ||
            (n == best_count && (type->generation > best->generation ||
                                 (type->generation == best->generation &&
                                  strcmp(type->name, best->name) < 0)))) {
            best = type;
            best_count = n;
        }
    }
    if (count != NULL)
        *count = best_count;
    return best;
}
