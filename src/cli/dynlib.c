#include "dynlib.h"

#include <dlfcn.h>
#include <stdbool.h>

#define CURL_LIBRARY "libcurl.so.4"
#define CRYPTO_LIBRARY "libcrypto.so.3"

/* POSIX's way to take a function from dlsym: ISO C has no cast from an
   object pointer to a function pointer. */
#define LOAD(handle, slot, name, ok)                                                     \
    do {                                                                                  \
        if (ok)                                                                           \
            ok = (*(void **)(&(slot)) = dlsym(handle, name)) != NULL;                     \
    } while (0)

static enum aim_status open_library(const char *name, void **handle, struct aim_error *err)
{
    *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (*handle == NULL)
        return aim_error_set(err, AIM_E_IO, "talking to a cluster needs %s: %s", name,
                             dlerror());
    return AIM_OK;
}

const struct aim_cli_curl_api *aim_cli_curl(struct aim_error *err)
{
    static struct aim_cli_curl_api api;
    static bool loaded;
    void *handle;
    bool ok = true;

    if (loaded)
        return &api;
    if (open_library(CURL_LIBRARY, &handle, err) != AIM_OK)
        return NULL;
    LOAD(handle, api.easy_init, "curl_easy_init", ok);
    LOAD(handle, api.easy_setopt, "curl_easy_setopt", ok);
    LOAD(handle, api.easy_perform, "curl_easy_perform", ok);
    LOAD(handle, api.easy_getinfo, "curl_easy_getinfo", ok);
    LOAD(handle, api.easy_cleanup, "curl_easy_cleanup", ok);
    LOAD(handle, api.easy_strerror, "curl_easy_strerror", ok);
    LOAD(handle, api.slist_append, "curl_slist_append", ok);
    LOAD(handle, api.slist_free_all, "curl_slist_free_all", ok);
    LOAD(handle, api.url, "curl_url", ok);
    LOAD(handle, api.url_set, "curl_url_set", ok);
    LOAD(handle, api.url_get, "curl_url_get", ok);
    LOAD(handle, api.url_cleanup, "curl_url_cleanup", ok);
    LOAD(handle, api.free, "curl_free", ok);
    if (!ok) {
        aim_error_set(err, AIM_E_IO, "%s lacks a function aimctl needs: %s", CURL_LIBRARY,
                      dlerror());
        return NULL;
    }
    loaded = true;
    return &api;
}

const struct aim_cli_crypto_api *aim_cli_crypto(struct aim_error *err)
{
    static struct aim_cli_crypto_api api;
    static bool loaded;
    void *handle;
    bool ok = true;

    if (loaded)
        return &api;
    if (open_library(CRYPTO_LIBRARY, &handle, err) != AIM_OK)
        return NULL;
    LOAD(handle, api.encode_ctx_new, "EVP_ENCODE_CTX_new", ok);
    LOAD(handle, api.encode_ctx_free, "EVP_ENCODE_CTX_free", ok);
    LOAD(handle, api.decode_init, "EVP_DecodeInit", ok);
    LOAD(handle, api.decode_update, "EVP_DecodeUpdate", ok);
    LOAD(handle, api.decode_final, "EVP_DecodeFinal", ok);
    if (!ok) {
        aim_error_set(err, AIM_E_IO, "%s lacks a function aimctl needs: %s", CRYPTO_LIBRARY,
                      dlerror());
        return NULL;
    }
    loaded = true;
    return &api;
}
