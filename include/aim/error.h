/*
 * Status codes and error details shared by every module.
 *
 * The library never prints. A failing call returns a status and, when the
 * caller passed a struct aim_error, a one-line message naming the input
 * (file, line, field) and what was expected. The CLI maps each status to its
 * exit code through aim_status_exit_code(), so the table below is the single
 * place where exit codes are decided.
 */
#ifndef AIM_ERROR_H
#define AIM_ERROR_H

enum aim_status {
    AIM_OK = 0,
    AIM_E_USAGE,     /* bad flag or argument: exit 2 */
    AIM_E_NO_FIT,    /* nothing in the ladder can run: exit 3 */
    AIM_E_INPUT,     /* malformed or invalid input file or value: exit 4 */
    AIM_E_NOT_FOUND, /* unknown model, GPU type or recipe: exit 4 */
    AIM_E_IO,        /* a file could not be read: exit 4 */
    AIM_E_NOMEM,     /* out of memory: exit 5 */
    AIM_E_INTERNAL,  /* a broken invariant: exit 5 */
    AIM_STATUS_COUNT
};

#define AIM_ERROR_MESSAGE_MAX 1024

struct aim_error {
    enum aim_status status;
    char message[AIM_ERROR_MESSAGE_MAX];
};

/* Short stable name of a status, e.g. "no-fit". */
const char *aim_status_name(enum aim_status status);

/* The CLI exit code for a status (0, 2, 3, 4 or 5). */
int aim_status_exit_code(enum aim_status status);

/*
 * Records a status and a printf-style message in err (which may be NULL) and
 * returns the status, so callers can write `return aim_error_set(err, ...)`.
 */
enum aim_status aim_error_set(struct aim_error *err, enum aim_status status,
                              const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the message already in err with "context: ". */
void aim_error_prefix(struct aim_error *err, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

#endif
