/*
 * Loading the catalog: the embedded defaults, then every *.yaml below the
 * --catalog folders, in path order so overrides are deterministic.
 */
#ifndef AIM_CLI_CATALOG_FILES_H
#define AIM_CLI_CATALOG_FILES_H

#include "aim/catalog.h"

/* Largest catalog file read; anything bigger is not a catalog document. */
#define AIM_CLI_CATALOG_FILE_MAX (1024 * 1024)

/* Adds every *.yaml file below dir (recursively, sorted by path). */
enum aim_status aim_cli_load_catalog_dir(aim_catalog *catalog, const char *dir,
                                         struct aim_error *err);

typedef void (*aim_cli_report_fn)(const struct aim_error *err, void *context);

/*
 * Like aim_cli_load_catalog_dir, but a file that does not load is handed to
 * report_cb and counted in *failures, and the other files still load. Fails
 * only when the folder cannot be listed.
 */
enum aim_status aim_cli_check_catalog_dir(aim_catalog *catalog, const char *dir,
                                          aim_cli_report_fn report_cb, void *context,
                                          int *failures, struct aim_error *err);

/*
 * Reads a whole file into a new NUL-terminated buffer the caller frees.
 * Refuses files larger than max bytes.
 */
enum aim_status aim_cli_read_file(const char *path, size_t max, char **text, size_t *length,
                                  struct aim_error *err);

#endif
