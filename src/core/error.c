#include "aim/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One row per status: the name shown in JSON and logs, and the exit code. */
static const struct {
    const char *name;
    int exit_code;
} status_table[AIM_STATUS_COUNT] = {
    [AIM_OK] = {"ok", 0},
    [AIM_E_USAGE] = {"usage", 2},
    [AIM_E_NO_FIT] = {"no-fit", 3},
    [AIM_E_INPUT] = {"bad-input", 4},
    [AIM_E_NOT_FOUND] = {"not-found", 4},
    [AIM_E_IO] = {"io", 4},
    [AIM_E_NOMEM] = {"out-of-memory", 5},
    [AIM_E_INTERNAL] = {"internal", 5},
};

const char *aim_status_name(enum aim_status status)
{
    if ((unsigned)status >= AIM_STATUS_COUNT)
        return "unknown";
    return status_table[status].name;
}

int aim_status_exit_code(enum aim_status status)
{
    if ((unsigned)status >= AIM_STATUS_COUNT)
        return 5;
    return status_table[status].exit_code;
}

enum aim_status aim_error_set(struct aim_error *err, enum aim_status status,
                              const char *format, ...)
{
    va_list args;

    if (err == NULL)
        return status;
    err->status = status;
    va_start(args, format);
    vsnprintf(err->message, sizeof err->message, format, args);
    va_end(args);
    return status;
}

void aim_error_prefix(struct aim_error *err, const char *format, ...)
{
    char prefix[AIM_ERROR_MESSAGE_MAX];
    char joined[AIM_ERROR_MESSAGE_MAX];
    va_list args;

    if (err == NULL)
        return;
    va_start(args, format);
    vsnprintf(prefix, sizeof prefix, format, args);
    va_end(args);

    /* Cut rather than fail: a long message is still better than none. */
    snprintf(joined, sizeof joined, "%s: %s", prefix, err->message);
    memcpy(err->message, joined, sizeof joined);
}
