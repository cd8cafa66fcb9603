/*
 * A thin layer over libyaml's document API for the catalog reader: loads one
 * document with hard caps, looks up mapping keys, walks sequences and reads
 * scalars with strict typing. Every failure becomes one message of the form
 * "SOURCE:LINE: FIELD.PATH: expected X, got Y" in a struct aim_error.
 *
 * Scalars are typed the way YAML 1.2's core schema types plain scalars:
 * null (empty, ~, null), true/false, integers, floats; anything quoted is
 * text. Anchors, aliases and explicit tags are refused (see yt_load).
 *
 * Ownership: struct yt_doc owns the libyaml document; nodes and their text
 * stay valid until yt_free().
 */
#ifndef AIM_YAML_TREE_H
#define AIM_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "aim/error.h"

/* First defences against hostile input, checked before any node is built. */
#define YT_MAX_BYTES (1024u * 1024u)
#define YT_MAX_DEPTH 32
#define YT_MAX_NODES 200000
/* Keys of one mapping; bounds the quadratic duplicate-key check. */
#define YT_MAX_KEYS 256
/* Longest field path kept in messages, e.g. "configs[1].args.max_model_len". */
#define YT_PATH_MAX 256

struct yt_doc {
    yaml_document_t document;
    bool loaded;
    char source[256];
    struct aim_error *err;
};

/* What a scalar is under the core schema. */
enum yt_kind {
    YT_NULL,
    YT_BOOL,
    YT_INT,
    YT_FLOAT,
    YT_STRING
};

/*
 * Loads the single YAML document in text (length bytes, NUL not needed).
 * Refuses inputs over YT_MAX_BYTES, deeper than YT_MAX_DEPTH, with more than
 * YT_MAX_NODES nodes, with more than one document, with anchors, aliases or
 * tags, with duplicate or non-scalar keys, and with mappings over
 * YT_MAX_KEYS keys. source names the input in messages; err (may be NULL)
 * is kept for the later calls. Call yt_free() whatever the result.
 */
enum aim_status yt_load(struct yt_doc *doc, const char *source, const char *text,
                        size_t length, struct aim_error *err);

/* The same without the limits pass, for documents compiled into aimctl. */
enum aim_status yt_load_trusted(struct yt_doc *doc, const char *source, const char *text,
                                size_t length, struct aim_error *err);
void yt_free(struct yt_doc *doc);

/* The root node, or NULL for an empty document. */
yaml_node_t *yt_root(struct yt_doc *doc);

/* 1-based line where the node starts. */
int yt_line(const yaml_node_t *node);

/* "SOURCE:LINE: PATH: message" (no "PATH: " when path is empty). */
enum aim_status yt_fail(struct yt_doc *doc, const yaml_node_t *node, const char *path,
                        const char *format, ...) __attribute__((format(printf, 4, 5)));

/* "SOURCE:LINE: PATH: expected WHAT, got <a description of node>". */
enum aim_status yt_expected(struct yt_doc *doc, const yaml_node_t *node, const char *path,
                            const char *what);

/* Writes a short description of a node ("a mapping", "\"40\"", "3") into buffer. */
const char *yt_describe(const yaml_node_t *node, char *buffer, size_t size);

/* Field paths: "prefix.key" and "prefix[index]", cut to size. */
const char *yt_path_key(char *buffer, size_t size, const char *prefix, const char *key);
const char *yt_path_index(char *buffer, size_t size, const char *prefix, size_t index);

/* Shape checks: AIM_OK, or AIM_E_INPUT with "expected a mapping, got ...". */
enum aim_status yt_expect_mapping(struct yt_doc *doc, const yaml_node_t *node,
                                  const char *path);
enum aim_status yt_expect_sequence(struct yt_doc *doc, const yaml_node_t *node,
                                   const char *path);

/* Mappings: number of pairs, the i-th key's text and node, the i-th value. */
size_t yt_mapping_size(const yaml_node_t *mapping);
const char *yt_key_text(struct yt_doc *doc, const yaml_node_t *mapping, size_t index);
yaml_node_t *yt_key_node(struct yt_doc *doc, const yaml_node_t *mapping, size_t index);
yaml_node_t *yt_value_node(struct yt_doc *doc, const yaml_node_t *mapping, size_t index);
/* The value under key, or NULL when absent (or when mapping is not one). */
yaml_node_t *yt_lookup(struct yt_doc *doc, const yaml_node_t *mapping, const char *key);

/* Sequences: number of items and the i-th item. */
size_t yt_sequence_length(const yaml_node_t *sequence);
yaml_node_t *yt_item(struct yt_doc *doc, const yaml_node_t *sequence, size_t index);

/* Classification of a scalar; YT_STRING for quoted ones. Not for other nodes. */
enum yt_kind yt_kind_of(const yaml_node_t *node);
/* The scalar's text (NUL-terminated), or NULL when node is not a scalar. */
const char *yt_text(const yaml_node_t *node);

/*
 * Typed reads. Each fails with AIM_E_INPUT and a message naming the path
 * when the node is not of the type or outside [min, max].
 *
 * yt_string: any non-null scalar without NUL bytes, shorter than size.
 * yt_int: a plain integer.
 * yt_double: a plain integer or float, finite; above_min makes min exclusive.
 * yt_bool: plain true or false.
 */
enum aim_status yt_string(struct yt_doc *doc, const yaml_node_t *node, const char *path,
                          char *out, size_t size);
enum aim_status yt_int(struct yt_doc *doc, const yaml_node_t *node, const char *path,
                       long long min, long long max, long long *out);
enum aim_status yt_double(struct yt_doc *doc, const yaml_node_t *node, const char *path,
                          double min, double max, bool above_min, double *out);
enum aim_status yt_bool(struct yt_doc *doc, const yaml_node_t *node, const char *path,
                        bool *out);

#endif
