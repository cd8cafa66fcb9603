/*
 * The engine command line for a plan: argv with each engine's own flag
 * names, and a `docker run` line around it.
 */
#ifndef AIM_COMMAND_H
#define AIM_COMMAND_H

#include "aim/catalog.h"
#include "aim/error.h"
#include "aim/select.h"

#define AIM_ARGV_MAX 160
#define AIM_ARGV_STORAGE 16384

/* Strings live in storage; copy the struct and pointers break, so pass it
   by pointer only. */
struct aim_argv {
    const char *items[AIM_ARGV_MAX];
    int count;
    char storage[AIM_ARGV_STORAGE];
    int used;
};

void aim_argv_init(struct aim_argv *argv);
enum aim_status aim_argv_push(struct aim_argv *argv, const char *item);

/* python3 -m ENTRYPOINT --model CKPT ARGS... --host 0.0.0.0 --port PORT */
enum aim_status aim_engine_argv(const aim_catalog *catalog, const struct aim_plan *plan,
                                int port, struct aim_argv *out, struct aim_error *err);

/*
 * The plan's engine arguments alone, in the engine's spelling, leaving out
 * the keys listed in skip (a NULL-terminated array, or NULL).
 */
enum aim_status aim_engine_flags(const aim_catalog *catalog, const struct aim_plan *plan,
                                 const char *const *skip, struct aim_argv *out);

/*
 * docker run with the devices, groups and shared memory the vendor needs
 * (ROCm: /dev/kfd and /dev/dri; CUDA: --gpus), the environment, a cache
 * volume and the image, followed by the engine argv.
 */
enum aim_status aim_docker_argv(const aim_catalog *catalog, const struct aim_plan *plan,
                                int port, struct aim_argv *out, struct aim_error *err);

/*
 * Joins argv into one shell-safe line, quoting items that need it. Writes
 * at most size bytes including the NUL; returns AIM_E_INPUT if it is cut.
 */
enum aim_status aim_argv_join(const struct aim_argv *argv, char *buffer, int size);

#endif
