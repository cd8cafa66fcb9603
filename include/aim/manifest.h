/*
 * Kubernetes manifests: a buffer holding one or more YAML documents, or
 * JSON values, turned into a list of objects (jansson values), each with
 * the document it came from and the line where it starts. A `kind: List`
 * (or any `*List` with `items`, as `kubectl get -o yaml` prints) is
 * flattened into its items.
 *
 * YAML plain scalars are typed by YAML 1.2's core schema: null (empty, ~,
 * null), true/false, integers (decimal, 0o octal, 0x hex) and finite floats;
 * quoted and block scalars stay strings, as do plain numbers JSON cannot
 * hold (.inf, .nan, integers past 64 bits). `!!str` keeps a scalar a
 * string; other tags and every alias are refused. Empty documents are
 * skipped, as kubectl skips them.
 *
 * Input starting with '{' or '[' is read as a stream of JSON values first;
 * when that fails it is read as YAML (flow-style YAML looks the same), and
 * when both fail the JSON error is the one reported.
 *
 * Every object is a JSON object with a non-empty string `kind`. Errors name
 * the source and the line: "deploy.yaml:12: expected a mapping at the top of
 * document 2".
 *
 * Ownership: the manifest owns its objects; aim_manifest_free() releases
 * them. Take a reference with json_incref() to keep one longer.
 */
#ifndef AIM_MANIFEST_H
#define AIM_MANIFEST_H

#include <stddef.h>

#include <jansson.h>

#include "aim/error.h"

/* Caps on outside input, checked while parsing, before the cost is paid. */
#define AIM_MANIFEST_MAX_BYTES (8u * 1024u * 1024u)
#define AIM_MANIFEST_MAX_DOCUMENTS 10000
#define AIM_MANIFEST_MAX_OBJECTS 10000 /* after flattening lists */
#define AIM_MANIFEST_MAX_DEPTH 64
#define AIM_MANIFEST_MAX_NODES 1000000 /* scalars and collections, all documents */

struct aim_manifest_object {
    json_t *object;  /* a JSON object holding a string "kind" */
    int document;    /* 1-based index of the YAML document or JSON value */
    int line;        /* 1-based line where the object starts */
};

struct aim_manifest {
    struct aim_manifest_object *objects;
    size_t count;
    size_t capacity;
};

/*
 * Parses text (length bytes; NUL not needed) into out, which must be zeroed
 * or freshly freed. source names the input in messages. Returns AIM_OK,
 * AIM_E_INPUT with "SOURCE:LINE: what is wrong" in err, or AIM_E_NOMEM. On
 * error out holds no objects.
 */
enum aim_status aim_manifest_parse(const char *source, const char *text, size_t length,
                                   struct aim_manifest *out, struct aim_error *err);

/* Releases every object; the manifest can be parsed into again. */
void aim_manifest_free(struct aim_manifest *manifest);

#endif
