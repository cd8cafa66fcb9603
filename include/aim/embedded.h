/* The catalog documents compiled into the binary (generated at build time). */
#ifndef AIM_EMBEDDED_H
#define AIM_EMBEDDED_H

#include <stddef.h>

struct aim_embedded_document {
    const char *path; /* relative to catalog/, e.g. "gpus.yaml" */
    const char *model; /* a recipe's model id; "" for other documents */
    const char *text; /* NUL-terminated */
    size_t length;    /* bytes, without the NUL */
};

extern const struct aim_embedded_document aim_embedded_documents[];
extern const size_t aim_embedded_document_count;

#endif
