/*
 * libcurl and libcrypto, loaded when first needed. Only the commands that
 * talk to a cluster or read a kubeconfig use them, and linking libcurl
 * costs every aimctl run about 3.5 ms at start-up (its 30 dependent
 * libraries), more than a whole `aimctl select` otherwise takes.
 *
 * The tables are loaded once per process and never unloaded.
 */
#ifndef AIM_CLI_DYNLIB_H
#define AIM_CLI_DYNLIB_H

#include <curl/curl.h>
#include <openssl/evp.h>

#include "aim/error.h"

struct aim_cli_curl_api {
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
    CURLU *(*url)(void);
    CURLUcode (*url_set)(CURLU *url, CURLUPart part, const char *text, unsigned int flags);
    CURLUcode (*url_get)(const CURLU *url, CURLUPart part, char **text, unsigned int flags);
    void (*url_cleanup)(CURLU *url);
    void (*free)(void *pointer);
};

struct aim_cli_crypto_api {
    EVP_ENCODE_CTX *(*encode_ctx_new)(void);
    void (*encode_ctx_free)(EVP_ENCODE_CTX *ctx);
    void (*decode_init)(EVP_ENCODE_CTX *ctx);
    int (*decode_update)(EVP_ENCODE_CTX *ctx, unsigned char *out, int *out_length,
                         const unsigned char *in, int in_length);
    int (*decode_final)(EVP_ENCODE_CTX *ctx, unsigned char *out, int *out_length);
};

/* The loaded tables, or NULL with err naming the library that is missing. */
const struct aim_cli_curl_api *aim_cli_curl(struct aim_error *err);
const struct aim_cli_crypto_api *aim_cli_crypto(struct aim_error *err);

#endif
