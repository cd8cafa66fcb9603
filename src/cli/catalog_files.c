#include "catalog_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PATHS_MAX 4096
#define DEPTH_MAX 8

struct path_list {
    char **items;
    size_t count;
    size_t capacity;
};

enum aim_status aim_cli_read_file(const char *path, size_t max, char **text, size_t *length,
                                  struct aim_error *err)
{
    FILE *file = fopen(path, "rb");
    char *buffer = NULL;
    size_t used = 0;
    enum aim_status status = AIM_OK;

    if (file == NULL)
        return aim_error_set(err, AIM_E_IO, "%s: cannot read: %s", path, strerror(errno));
    buffer = malloc(max + 1);
    if (buffer == NULL) {
        status = aim_error_set(err, AIM_E_NOMEM, "%s: out of memory", path);
        goto out;
    }

    /* Read one byte past the cap to tell "exactly max" from "too big". */
    used = fread(buffer, 1, max + 1, file);
    if (ferror(file)) {
        status = aim_error_set(err, AIM_E_IO, "%s: cannot read: %s", path, strerror(errno));
        goto out;
    }
    if (used > max) {
        status = aim_error_set(err, AIM_E_INPUT, "%s: larger than the %zu-byte limit", path,
                               max);
        goto out;
    }
    buffer[used] = '\0';
    *text = buffer;
    *length = used;
    buffer = NULL;
out:
    free(buffer);
    fclose(file);
    return status;
}

static bool has_yaml_suffix(const char *name)
{
    size_t length = strlen(name);

    return (length > 5 && strcmp(name + length - 5, ".yaml") == 0) ||
           (length > 4 && strcmp(name + length - 4, ".yml") == 0);
}

static enum aim_status add_path(struct path_list *list, const char *path, struct aim_error *err)
{
    if (list->count == PATHS_MAX)
        return aim_error_set(err, AIM_E_INPUT, "more than %d catalog files", PATHS_MAX);
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 64;
        char **items = realloc(list->items, capacity * sizeof *items);

        if (items == NULL)
            return aim_error_set(err, AIM_E_NOMEM, "out of memory");
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count] = strdup(path);
    if (list->items[list->count] == NULL)
        return aim_error_set(err, AIM_E_NOMEM, "out of memory");
    list->count++;
    return AIM_OK;
}

static enum aim_status collect(const char *dir, int depth, struct path_list *list,
                               struct aim_error *err)
{
    DIR *handle = opendir(dir);
    struct dirent *entry;
    enum aim_status status = AIM_OK;
    char path[4096];
    struct stat info;

    if (handle == NULL)
        return aim_error_set(err, AIM_E_IO, "%s: cannot open the catalog folder: %s", dir,
                             strerror(errno));
    while (status == AIM_OK && (entry = readdir(handle)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
        if (stat(path, &info) != 0)
            continue;
        if (S_ISDIR(info.st_mode) && depth < DEPTH_MAX)
            status = collect(path, depth + 1, list, err);
        else if (S_ISREG(info.st_mode) && has_yaml_suffix(entry->d_name))
            status = add_path(list, path, err);
    }
    closedir(handle);
    return status;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_paths(struct path_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
}

/*
 * Adds every file below dir. With report_cb, a file that fails is reported
 * and the rest still load; without it, the first failure stops the load.
 */
static enum aim_status load_dir(aim_catalog *catalog, const char *dir,
                                aim_cli_report_fn report_cb, void *context, int *failures,
                                struct aim_error *err)
{
    struct path_list list = {0};
    enum aim_status status = collect(dir, 0, &list, err);
    enum aim_status file_status;
    char *text = NULL;
    size_t length;

    if (status == AIM_OK)
        qsort(list.items, list.count, sizeof list.items[0], compare_paths);
    for (size_t i = 0; i < list.count && status == AIM_OK; i++) {
        file_status = aim_cli_read_file(list.items[i], AIM_CLI_CATALOG_FILE_MAX, &text,
                                        &length, err);
        if (file_status == AIM_OK)
            file_status = aim_catalog_add_document(catalog, list.items[i], text, length, err);
        free(text);
        text = NULL;
        if (file_status != AIM_OK && report_cb != NULL) {
            report_cb(err, context);
            (*failures)++;
        } else {
            status = file_status;
        }
    }
    free_paths(&list);
    return status;
}

enum aim_status aim_cli_load_catalog_dir(aim_catalog *catalog, const char *dir,
                                         struct aim_error *err)
{
    return load_dir(catalog, dir, NULL, NULL, NULL, err);
}

enum aim_status aim_cli_check_catalog_dir(aim_catalog *catalog, const char *dir,
                                          aim_cli_report_fn report_cb, void *context,
                                          int *failures, struct aim_error *err)
{
    *failures = 0;
    return load_dir(catalog, dir, report_cb, context, failures, err);
}
