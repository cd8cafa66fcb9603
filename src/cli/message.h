/*
 * Messages for people, one line each on stderr, with the program's name
 * first: "aimctl: error: ...". Everything the CLI tells a person outside
 * its normal output goes through here.
 */
#ifndef AIM_CLI_MESSAGE_H
#define AIM_CLI_MESSAGE_H

#include "aim/error.h"

void aim_cli_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
void aim_cli_warning(const char *format, ...) __attribute__((format(printf, 1, 2)));
void aim_cli_note(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* A usage error ends with a pointer to --help; returns exit code 2. */
int aim_cli_usage_error(const char *command, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints err as an error and returns its exit code. */
int aim_cli_fail(const struct aim_error *err);

#endif
