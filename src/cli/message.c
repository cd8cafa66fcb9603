#include "message.h"

#include <stdarg.h>
#include <stdio.h>

static void print_line(const char *level, const char *format, va_list args)
{
    fprintf(stderr, "aimctl: %s: ", level);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
}

void aim_cli_error(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    print_line("error", format, args);
    va_end(args);
}

void aim_cli_warning(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    print_line("warning", format, args);
    va_end(args);
}

void aim_cli_note(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    print_line("note", format, args);
    va_end(args);
}

int aim_cli_usage_error(const char *command, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    print_line("error", format, args);
    va_end(args);
    fprintf(stderr, "Try 'aimctl %s%s--help' for more information.\n",
            command != NULL ? command : "", command != NULL ? " " : "");
    return aim_status_exit_code(AIM_E_USAGE);
}

int aim_cli_fail(const struct aim_error *err)
{
    aim_cli_error("%s", err->message);
    return aim_status_exit_code(err->status);
}
