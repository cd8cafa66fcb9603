#include "model_files.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aim/hf.h"
#include "catalog_files.h"

#define PATH_SIZE 4096

bool aim_cli_is_local_path(const char *arg)
{
    struct stat info;

    if (arg == NULL || arg[0] == '\0')
        return false;
    if (arg[0] == '/' || strncmp(arg, "./", 2) == 0 || strncmp(arg, "../", 3) == 0 ||
        strcmp(arg, ".") == 0 || strcmp(arg, "..") == 0)
        return true;
    return stat(arg, &info) == 0 && S_ISDIR(info.st_mode);
}

/* dir/name into out; fails rather than cut a path. */
static enum aim_status join(char *out, size_t size, const char *dir, const char *name,
                            struct aim_error *err)
{
    int written = snprintf(out, size, "%s/%s", dir, name);

    if (written < 0 || (size_t)written >= size)
        return aim_error_set(err, AIM_E_INPUT, "%s/%s: path too long", dir, name);
    return AIM_OK;
}

static bool is_file(const char *path)
{
    struct stat info;

    return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

static bool is_dir(const char *path)
{
    struct stat info;

    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* ------------------------------------------------------------ headers */

/*
 * Adds one file's header to totals: the 8-byte length, the JSON after it,
 * and a check that the tensors it describes are exactly the rest of the
 * file (a truncated download fails here).
 */
static enum aim_status add_file_header(const char *path, struct aim_tensor_totals *totals,
                                       struct aim_error *err)
{
    FILE *file = fopen(path, "rb");
    unsigned char prefix[8];
    char *json = NULL;
    uint64_t length = 0;
    double before = totals->bytes, data;
    struct stat info;
    enum aim_status rc = AIM_OK;

    if (file == NULL)
        return aim_error_set(err, AIM_E_IO, "%s: cannot read: %s", path, strerror(errno));
    if (fstat(fileno(file), &info) != 0 || fread(prefix, 1, sizeof prefix, file) != 8) {
        rc = aim_error_set(err, AIM_E_INPUT, "%s: too short for a safetensors file", path);
        goto out;
    }
    rc = aim_safetensors_header_length(prefix, path, &length, err);
    if (rc != AIM_OK)
        goto out;
    if ((uint64_t)info.st_size - 8 < length) {
        rc = aim_error_set(err, AIM_E_INPUT,
                           "%s: the safetensors header of %llu bytes runs past the end of the "
                           "file (%lld bytes)",
                           path, (unsigned long long)length, (long long)info.st_size);
        goto out;
    }
    json = malloc((size_t)length);
    if (json == NULL) {
        rc = aim_error_set(err, AIM_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    if (fread(json, 1, (size_t)length, file) != (size_t)length) {
        rc = aim_error_set(err, AIM_E_IO, "%s: cannot read the header", path);
        goto out;
    }
    rc = aim_safetensors_add_header(json, (size_t)length, path, totals, err);
    data = (double)info.st_size - 8.0 - (double)length;
    if (rc == AIM_OK && totals->bytes - before != data)
        rc = aim_error_set(err, AIM_E_INPUT,
                           "%s: the header describes %.0f bytes of tensors but the file holds "
                           "%.0f (incomplete download?)",
                           path, totals->bytes - before, data);
out:
    free(json);
    fclose(file);
    return rc;
}

static int safetensors_cb(const struct dirent *entry)
{
    size_t length = strlen(entry->d_name);

    return entry->d_name[0] != '.' && length > 12 &&
           strcmp(entry->d_name + length - 12, ".safetensors") == 0;
}

/* Sums the headers of every .safetensors file in dir, in name order. */
static enum aim_status read_headers(const char *dir, struct aim_model *model,
                                    struct aim_error *err)
{
    struct dirent **entries = NULL;
    struct aim_tensor_totals totals = {0};
    char path[PATH_SIZE];
    int count = scandir(dir, &entries, safetensors_cb, alphasort);
    enum aim_status rc = AIM_OK;

    if (count < 0)
        return aim_error_set(err, AIM_E_IO, "%s: cannot list: %s", dir, strerror(errno));
    for (int i = 0; i < count && rc == AIM_OK; i++) {
        rc = join(path, sizeof path, dir, entries[i]->d_name, err);
        if (rc == AIM_OK)
            rc = add_file_header(path, &totals, err);
    }
    for (int i = 0; i < count; i++)
        free(entries[i]);
    free(entries);
    if (rc == AIM_OK)
        aim_hf_apply_tensor_totals(model, &totals);
    return rc;
}

/* The checkpoint's size: the index when there is one, else the headers. */
static enum aim_status read_weights(const char *dir, struct aim_model *model,
                                    struct aim_error *err)
{
    char path[PATH_SIZE];
    char *text = NULL;
    size_t length;
    enum aim_status rc = join(path, sizeof path, dir, "model.safetensors.index.json", err);

    if (rc != AIM_OK)
        return rc;
    if (!is_file(path))
        return read_headers(dir, model, err);
    rc = aim_cli_read_file(path, AIM_HF_INDEX_MAX, &text, &length, err);
    if (rc == AIM_OK)
        rc = aim_hf_parse_index(text, length, path, model, err);
    free(text);
    return rc;
}

enum aim_status aim_cli_load_model_dir(const char *dir, const char *id, struct aim_model *out,
                                       struct aim_error *err)
{
    char path[PATH_SIZE];
    char *text = NULL;
    size_t length;
    enum aim_status rc;

    if (!is_dir(dir))
        return aim_error_set(err, AIM_E_IO, "%s: not a directory", dir);
    rc = join(path, sizeof path, dir, "config.json", err);
    if (rc == AIM_OK)
        rc = aim_cli_read_file(path, AIM_HF_JSON_MAX, &text, &length, err);
    if (rc == AIM_OK)
        rc = aim_hf_parse_config(text, length, id, path, out, err);
    if (rc == AIM_OK) {
        snprintf(out->source, sizeof out->source, "%s", dir);
        rc = read_weights(dir, out, err);
    }
    free(text);
    return rc;
}

/* ---------------------------------------------------------------- cache */

/* Hub ids are ORG/NAME or NAME, of letters, digits, '-', '_' and '.'. */
static bool valid_hf_id(const char *id)
{
    int slashes = 0;

    if (id[0] == '\0' || id[0] == '/' || id[strlen(id) - 1] == '/' || strstr(id, "..") != NULL)
        return false;
    for (const char *c = id; *c != '\0'; c++) {
        if (*c == '/')
            slashes++;
        else if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                   (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
            return false;
    }
    return slashes <= 1;
}

/* "models--org--name": the cache folder of a model. */
static void cache_folder(const char *id, char *out, size_t size)
{
    size_t used = (size_t)snprintf(out, size, "models--");

    for (; *id != '\0' && used + 3 < size; id++) {
        if (*id == '/') {
            out[used++] = '-';
            out[used++] = '-';
        } else {
            out[used++] = *id;
        }
    }
    out[used] = '\0';
}

/* The hub caches to search, most specific first, as huggingface_hub resolves them. */
static int cache_roots(char roots[][PATH_SIZE], int max)
{
    const char *hub = getenv("HF_HUB_CACHE"), *home = getenv("HF_HOME");
    const char *xdg = getenv("XDG_CACHE_HOME"), *user = getenv("HOME");
    int count = 0;

    if (hub != NULL && hub[0] != '\0' && count < max)
        snprintf(roots[count++], PATH_SIZE, "%s", hub);
    if (home != NULL && home[0] != '\0' && count < max)
        snprintf(roots[count++], PATH_SIZE, "%s/hub", home);
    if (xdg != NULL && xdg[0] != '\0' && count < max)
        snprintf(roots[count++], PATH_SIZE, "%s/huggingface/hub", xdg);
    if (user != NULL && user[0] != '\0' && count < max)
        snprintf(roots[count++], PATH_SIZE, "%s/.cache/huggingface/hub", user);
    return count;
}

/* MODEL/snapshots/NAME when it holds a config.json. */
static bool snapshot_path(const char *model_dir, const char *name, char *out, size_t size)
{
    char config[PATH_SIZE];
    int written = snprintf(out, size, "%s/snapshots/%s", model_dir, name);

    if (written < 0 || (size_t)written >= size || strchr(name, '/') != NULL ||
        strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || name[0] == '\0')
        return false;
    written = snprintf(config, sizeof config, "%s/config.json", out);
    return written > 0 && (size_t)written < sizeof config && is_file(config);
}

/* The snapshot refs/main names, if it is there. */
static bool main_snapshot(const char *model_dir, char *out, size_t size)
{
    char path[PATH_SIZE], ref[128];
    FILE *file;
    size_t length;

    if (snprintf(path, sizeof path, "%s/refs/main", model_dir) >= (int)sizeof path)
        return false;
    file = fopen(path, "r");
    if (file == NULL)
        return false;
    length = fread(ref, 1, sizeof ref - 1, file);
    fclose(file);
    ref[length] = '\0';
    ref[strcspn(ref, " \t\r\n")] = '\0';
    return snapshot_path(model_dir, ref, out, size);
}

static bool newer(const struct stat *a, const struct stat *b)
{
    if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)
        return a->st_mtim.tv_sec > b->st_mtim.tv_sec;
    return a->st_mtim.tv_nsec > b->st_mtim.tv_nsec;
}

/* The most recently modified snapshot with a config.json; ties go to the name. */
static bool newest_snapshot(const char *model_dir, char *out, size_t size)
{
    char path[PATH_SIZE], candidate[PATH_SIZE];
    struct dirent **entries = NULL;
    struct stat best = {0}, info;
    bool found = false;
    int count;

    if (snprintf(path, sizeof path, "%s/snapshots", model_dir) >= (int)sizeof path)
        return false;
    count = scandir(path, &entries, NULL, alphasort);
    for (int i = 0; i < count; i++) {
        if (entries[i]->d_name[0] != '.' &&
            snapshot_path(model_dir, entries[i]->d_name, candidate, sizeof candidate) &&
            strlen(candidate) < size && stat(candidate, &info) == 0 &&
            (!found || newer(&info, &best))) {
            snprintf(out, size, "%s", candidate);
            best = info;
            found = true;
        }
    }
    for (int i = 0; i < count; i++)
        free(entries[i]);
    free(entries);
    return found;
}

enum aim_status aim_cli_find_hf_cache(const char *hf_id, char *path_out, size_t size,
                                      struct aim_error *err)
{
    char roots[4][PATH_SIZE], folder[256], model_dir[PATH_SIZE], searched[1024] = "";
    int count;

    if (hf_id == NULL || !valid_hf_id(hf_id) || strlen(hf_id) >= AIM_MODEL_ID_MAX)
        return aim_error_set(err, AIM_E_INPUT,
                             "'%s' is not a Hugging Face model id (expected ORG/NAME)",
                             hf_id != NULL ? hf_id : "");
    cache_folder(hf_id, folder, sizeof folder);
    count = cache_roots(roots, 4);
    for (int i = 0; i < count; i++) {
        size_t used = strlen(searched);

        /* The list in the message may be cut; the search is not. */
        if (snprintf(searched + used, sizeof searched - used, "%s%s", i > 0 ? ", " : "",
                     roots[i]) < 0)
            searched[used] = '\0';
        if (snprintf(model_dir, sizeof model_dir, "%s/%s", roots[i], folder) >=
            (int)sizeof model_dir)
            continue;
        if (main_snapshot(model_dir, path_out, size) ||
            newest_snapshot(model_dir, path_out, size))
            return AIM_OK;
    }
    return aim_error_set(err, AIM_E_NOT_FOUND,
                         "%s is not in the Hugging Face cache (looked in %s)", hf_id,
                         count > 0 ? searched : "no cache: HOME is not set");
}
