#include "yaml_tree.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the event scan counts before the document is built. */
struct scan {
    int depth;
    long nodes;
    int documents;
};

static enum aim_status fail_line(struct yt_doc *doc, int line, const char *path,
                                 const char *format, va_list args)
{
    char message[AIM_ERROR_MESSAGE_MAX];

    vsnprintf(message, sizeof message, format, args);
    if (path == NULL || path[0] == '\0')
        return aim_error_set(doc->err, AIM_E_INPUT, "%s:%d: %s", doc->source, line, message);
    return aim_error_set(doc->err, AIM_E_INPUT, "%s:%d: %s: %s", doc->source, line, path,
                         message);
}

static enum aim_status fail_at(struct yt_doc *doc, int line, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static enum aim_status fail_at(struct yt_doc *doc, int line, const char *format, ...)
{
    enum aim_status status;
    va_list args;

    va_start(args, format);
    status = fail_line(doc, line, "", format, args);
    va_end(args);
    return status;
}

enum aim_status yt_fail(struct yt_doc *doc, const yaml_node_t *node, const char *path,
                        const char *format, ...)
{
    enum aim_status status;
    va_list args;

    va_start(args, format);
    status = fail_line(doc, node == NULL ? 1 : yt_line(node), path, format, args);
    va_end(args);
    return status;
}

int yt_line(const yaml_node_t *node)
{
    /* libyaml counts from 0; people and editors from 1. */
    return (int)node->start_mark.line + 1;
}

/* Line of a byte offset, for reader errors that carry no mark. */
static int line_of_offset(const char *text, size_t length, size_t offset)
{
    int line = 1;

    for (size_t i = 0; i < offset && i < length; i++)
        line += text[i] == '\n';
    return line;
}

static enum aim_status parser_error(struct yt_doc *doc, const yaml_parser_t *parser,
                                    const char *text, size_t length)
{
    int line = (int)parser->problem_mark.line + 1;
    const char *problem = parser->problem != NULL ? parser->problem : "unreadable input";

    if (parser->error == YAML_MEMORY_ERROR)
        return aim_error_set(doc->err, AIM_E_NOMEM, "%s: out of memory", doc->source);
    if (parser->error == YAML_READER_ERROR)
        line = line_of_offset(text, length, parser->problem_offset);
    if (parser->context != NULL)
        return fail_at(doc, line, "invalid YAML: %s %s", problem, parser->context);
    return fail_at(doc, line, "invalid YAML: %s", problem);
}

/* Anchors and tags of a node event, which the catalog never needs. */
static enum aim_status check_properties(struct yt_doc *doc, int line,
                                        const yaml_char_t *anchor, const yaml_char_t *tag)
{
    /* Refused so every value is written where it applies and is typed by its
       text alone; this also rules out alias cycles and expansion bombs. */
    if (anchor != NULL)
        return fail_at(doc, line, "YAML anchors are not supported; write the value out");
    if (tag != NULL)
        return fail_at(doc, line, "YAML tags are not supported; write the plain value");
    return AIM_OK;
}

static enum aim_status open_node(struct yt_doc *doc, struct scan *scan, int line,
                                 bool collection)
{
    if (++scan->nodes > YT_MAX_NODES)
        return fail_at(doc, line, "document too large: more than %d nodes", YT_MAX_NODES);
    if (collection && ++scan->depth > YT_MAX_DEPTH)
        return fail_at(doc, line, "nesting deeper than %d levels", YT_MAX_DEPTH);
    return AIM_OK;
}

static enum aim_status check_event(struct yt_doc *doc, struct scan *scan,
                                   const yaml_event_t *event)
{
    int line = (int)event->start_mark.line + 1;
    enum aim_status status;

    switch (event->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++scan->documents > 1)
            return fail_at(doc, line, "expected one YAML document, found another");
        return AIM_OK;
    case YAML_ALIAS_EVENT:
        return fail_at(doc, line, "YAML aliases are not supported; write the value out");
    case YAML_SCALAR_EVENT:
        status = check_properties(doc, line, event->data.scalar.anchor,
                                  event->data.scalar.tag);
        return status != AIM_OK ? status : open_node(doc, scan, line, false);
    case YAML_SEQUENCE_START_EVENT:
        status = check_properties(doc, line, event->data.sequence_start.anchor,
                                  event->data.sequence_start.tag);
        return status != AIM_OK ? status : open_node(doc, scan, line, true);
    case YAML_MAPPING_START_EVENT:
        status = check_properties(doc, line, event->data.mapping_start.anchor,
                                  event->data.mapping_start.tag);
        return status != AIM_OK ? status : open_node(doc, scan, line, true);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        scan->depth--;
        return AIM_OK;
    default:
        return AIM_OK;
    }
}

/*
 * Runs the event parser over the input once, so that the caps hold before
 * libyaml builds any node, whatever the loader does with deep input.
 */
static enum aim_status scan_events(struct yt_doc *doc, const char *text, size_t length)
{
    struct scan scan = {0, 0, 0};
    enum aim_status status = AIM_OK;
    yaml_parser_t parser;
    yaml_event_t event;
    bool done = false;

    if (!yaml_parser_initialize(&parser))
        return aim_error_set(doc->err, AIM_E_NOMEM, "%s: out of memory", doc->source);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, length);
    while (status == AIM_OK && !done) {
        if (!yaml_parser_parse(&parser, &event)) {
            status = parser_error(doc, &parser, text, length);
            break;
        }
        status = check_event(doc, &scan, &event);
        done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    return status;
}

/* Keys must be text so that the schema can name them. */
static enum aim_status check_mapping_keys(struct yt_doc *doc, const yaml_node_t *node)
{
    size_t size = yt_mapping_size(node);

    if (size > YT_MAX_KEYS)
        return fail_at(doc, yt_line(node), "mapping with more than %d keys", YT_MAX_KEYS);
    for (size_t i = 0; i < size; i++) {
        const yaml_node_t *key = yt_key_node(doc, node, i);

        if (key == NULL || key->type != YAML_SCALAR_NODE)
            return fail_at(doc, key == NULL ? yt_line(node) : yt_line(key),
                           "mapping keys must be plain text");
        /* Keys are looked up as C strings; "kind\0x" must not pass for "kind". */
        if (strlen((const char *)key->data.scalar.value) != key->data.scalar.length)
            return fail_at(doc, yt_line(key), "mapping keys may not contain NUL characters");
    }
    return AIM_OK;
}

static enum aim_status check_nodes(struct yt_doc *doc)
{
    for (yaml_node_t *node = doc->document.nodes.start; node < doc->document.nodes.top;
         node++) {
        if (node->type == YAML_MAPPING_NODE) {
            enum aim_status status = check_mapping_keys(doc, node);

            if (status != AIM_OK)
                return status;
        }
    }
    return AIM_OK;
}

static enum aim_status load(struct yt_doc *doc, const char *source, const char *text,
                           size_t length, bool trusted, struct aim_error *err)
{
    enum aim_status status = AIM_OK;
    yaml_parser_t parser;

    memset(doc, 0, sizeof *doc);
    snprintf(doc->source, sizeof doc->source, "%s", source != NULL ? source : "<input>");
    doc->err = err;
    if (length > YT_MAX_BYTES)
        return fail_at(doc, 1, "document too large: %zu bytes, at most %u", length,
                       YT_MAX_BYTES);
    if (text == NULL) {
        text = "";
        length = 0;
    }

    /* The first pass enforces depth, node and alias limits before a tree is
       built; documents compiled into the binary skip it (a quarter of a
       whole `aimctl select`, by callgrind). */
    if (!trusted)
        status = scan_events(doc, text, length);
    if (status != AIM_OK)
        return status;

    if (!yaml_parser_initialize(&parser))
        return aim_error_set(err, AIM_E_NOMEM, "%s: out of memory", doc->source);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, length);
    if (yaml_parser_load(&parser, &doc->document))
        doc->loaded = true;
    else
        status = parser_error(doc, &parser, text, length);
    yaml_parser_delete(&parser);
    if (status != AIM_OK)
        return status;
    return check_nodes(doc);
}

enum aim_status yt_load(struct yt_doc *doc, const char *source, const char *text,
                        size_t length, struct aim_error *err)
{
    return load(doc, source, text, length, false, err);
}

enum aim_status yt_load_trusted(struct yt_doc *doc, const char *source, const char *text,
                                size_t length, struct aim_error *err)
{
    return load(doc, source, text, length, true, err);
}

void yt_free(struct yt_doc *doc)
{
    if (doc->loaded)
        yaml_document_delete(&doc->document);
    doc->loaded = false;
}

yaml_node_t *yt_root(struct yt_doc *doc)
{
    if (!doc->loaded)
        return NULL;
    return yaml_document_get_root_node(&doc->document);
}

static yaml_node_t *node_at(struct yt_doc *doc, int index)
{
    return yaml_document_get_node(&doc->document, index);
}

size_t yt_mapping_size(const yaml_node_t *mapping)
{
    if (mapping == NULL || mapping->type != YAML_MAPPING_NODE)
        return 0;
    return (size_t)(mapping->data.mapping.pairs.top - mapping->data.mapping.pairs.start);
}

yaml_node_t *yt_key_node(struct yt_doc *doc, const yaml_node_t *mapping, size_t index)
{
    return node_at(doc, mapping->data.mapping.pairs.start[index].key);
}

yaml_node_t *yt_value_node(struct yt_doc *doc, const yaml_node_t *mapping, size_t index)
{
    return node_at(doc, mapping->data.mapping.pairs.start[index].value);
}

const char *yt_key_text(struct yt_doc *doc, const yaml_node_t *mapping, size_t index)
{
    return yt_text(yt_key_node(doc, mapping, index));
}

/* Keys are compared by their full length: "a\0b" is not "a". */
static bool key_equals(const yaml_node_t *key, const char *text, size_t length)
{
    return key != NULL && key->type == YAML_SCALAR_NODE &&
           key->data.scalar.length == length &&
           memcmp(key->data.scalar.value, text, length) == 0;
}

yaml_node_t *yt_lookup(struct yt_doc *doc, const yaml_node_t *mapping, const char *key)
{
    size_t size = yt_mapping_size(mapping);
    size_t length = strlen(key);

    for (size_t i = 0; i < size; i++) {
        if (key_equals(yt_key_node(doc, mapping, i), key, length))
            return yt_value_node(doc, mapping, i);
    }
    return NULL;
}

size_t yt_sequence_length(const yaml_node_t *sequence)
{
    if (sequence == NULL || sequence->type != YAML_SEQUENCE_NODE)
        return 0;
    return (size_t)(sequence->data.sequence.items.top - sequence->data.sequence.items.start);
}

yaml_node_t *yt_item(struct yt_doc *doc, const yaml_node_t *sequence, size_t index)
{
    return node_at(doc, sequence->data.sequence.items.start[index]);
}

const char *yt_path_key(char *buffer, size_t size, const char *prefix, const char *key)
{
    if (prefix == NULL || prefix[0] == '\0')
        snprintf(buffer, size, "%s", key);
    else
        snprintf(buffer, size, "%s.%s", prefix, key);
    return buffer;
}

const char *yt_path_index(char *buffer, size_t size, const char *prefix, size_t index)
{
    snprintf(buffer, size, "%s[%zu]", prefix != NULL ? prefix : "", index);
    return buffer;
}

/* Copies text for a one-line message: control bytes become '?', long text is cut. */
static void quote_text(char *buffer, size_t size, const char *text, size_t length,
                       bool quoted)
{
    enum { SHOWN = 40 };
    size_t shown = length;
    size_t used = 0;

    if (shown > SHOWN) {
        shown = SHOWN;
        /* Do not end inside a UTF-8 sequence. */
        while (shown > 0 && ((unsigned char)text[shown] & 0xC0) == 0x80)
            shown--;
    }
    if (quoted && used + 1 < size)
        buffer[used++] = '"';
    for (size_t i = 0; i < shown && used + 1 < size; i++) {
        unsigned char c = (unsigned char)text[i];

        buffer[used++] = (char)(c < 0x20 || c == 0x7F ? '?' : c);
    }
    snprintf(buffer + used, size - used, "%s%s", shown < length ? "..." : "",
             quoted ? "\"" : "");
}

const char *yt_describe(const yaml_node_t *node, char *buffer, size_t size)
{
    if (node == NULL || node->type == YAML_NO_NODE)
        snprintf(buffer, size, "nothing");
    else if (node->type == YAML_MAPPING_NODE)
        snprintf(buffer, size, "a mapping");
    else if (node->type == YAML_SEQUENCE_NODE)
        snprintf(buffer, size, "a sequence");
    else if (node->data.scalar.length == 0 && yt_kind_of(node) == YT_NULL)
        snprintf(buffer, size, "nothing");
    else
        quote_text(buffer, size, (const char *)node->data.scalar.value,
                   node->data.scalar.length,
                   node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE);
    return buffer;
}

enum aim_status yt_expected(struct yt_doc *doc, const yaml_node_t *node, const char *path,
                            const char *what)
{
    char got[64];

    return yt_fail(doc, node, path, "expected %s, got %s", what,
                   yt_describe(node, got, sizeof got));
}

/* Duplicate keys are refused: YAML forbids them and one would hide the other. */
static enum aim_status check_duplicates(struct yt_doc *doc, const yaml_node_t *mapping,
                                        const char *path)
{
    size_t size = yt_mapping_size(mapping);
    char at[YT_PATH_MAX];

    for (size_t i = 1; i < size; i++) {
        const yaml_node_t *key = yt_key_node(doc, mapping, i);

        for (size_t j = 0; j < i; j++) {
            const yaml_node_t *earlier = yt_key_node(doc, mapping, j);

            if (key_equals(earlier, (const char *)key->data.scalar.value,
                           key->data.scalar.length))
                return yt_fail(doc, key, yt_path_key(at, sizeof at, path, yt_text(key)),
                               "duplicate key (first at line %d)", yt_line(earlier));
        }
    }
    return AIM_OK;
}

enum aim_status yt_expect_mapping(struct yt_doc *doc, const yaml_node_t *node,
                                  const char *path)
{
    if (node == NULL || node->type != YAML_MAPPING_NODE)
        return yt_expected(doc, node, path, "a mapping");
    return check_duplicates(doc, node, path);
}

enum aim_status yt_expect_sequence(struct yt_doc *doc, const yaml_node_t *node,
                                   const char *path)
{
    if (node == NULL || node->type != YAML_SEQUENCE_NODE)
        return yt_expected(doc, node, path, "a sequence");
    return AIM_OK;
}

const char *yt_text(const yaml_node_t *node)
{
    if (node == NULL || node->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *)node->data.scalar.value;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Skips a run of digits; returns how many. */
static size_t skip_digits(const char **text)
{
    size_t count = 0;

    while (is_digit(**text)) {
        (*text)++;
        count++;
    }
    return count;
}

static bool is_null_text(const char *text)
{
    return text[0] == '\0' || strcmp(text, "~") == 0 || strcmp(text, "null") == 0 ||
           strcmp(text, "Null") == 0 || strcmp(text, "NULL") == 0;
}

static bool is_bool_text(const char *text)
{
    static const char *const spellings[] = {"true", "True", "TRUE",
                                            "false", "False", "FALSE"};

    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        if (strcmp(text, spellings[i]) == 0)
            return true;
    }
    return false;
}

/* [-+]?[0-9]+ */
static bool is_int_text(const char *text)
{
    if (*text == '-' || *text == '+')
        text++;
    return skip_digits(&text) > 0 && *text == '\0';
}

static bool is_special_float(const char *text)
{
    static const char *const spellings[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"};
    const char *unsigned_text = text + (*text == '-' || *text == '+');

    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        const char *candidate = spellings[i];

        /* A sign only goes with infinity. */
        if (candidate[1] == 'n' || candidate[1] == 'N') {
            if (strcmp(text, candidate) == 0)
                return true;
        } else if (strcmp(unsigned_text, candidate) == 0) {
            return true;
        }
    }
    return false;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, the core schema's float. */
static bool is_float_text(const char *text)
{
    size_t digits;

    if (is_special_float(text))
        return true;
    if (*text == '-' || *text == '+')
        text++;
    digits = skip_digits(&text);
    if (*text == '.') {
        text++;
        digits += skip_digits(&text);
    }
    if (digits == 0)
        return false;
    if (*text == 'e' || *text == 'E') {
        text++;
        if (*text == '-' || *text == '+')
            text++;
        if (skip_digits(&text) == 0)
            return false;
    }
    return *text == '\0';
}

enum yt_kind yt_kind_of(const yaml_node_t *node)
{
    const char *text = yt_text(node);

    if (text == NULL || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return YT_STRING;
    if (is_null_text(text))
        return YT_NULL;
    if (is_bool_text(text))
        return YT_BOOL;
    if (is_int_text(text))
        return YT_INT;
    if (is_float_text(text))
        return YT_FLOAT;
    return YT_STRING;
}

enum aim_status yt_string(struct yt_doc *doc, const yaml_node_t *node, const char *path,
                          char *out, size_t size)
{
    const char *text = yt_text(node);
    size_t length;

    if (text == NULL || yt_kind_of(node) == YT_NULL)
        return yt_expected(doc, node, path, "text");
    length = node->data.scalar.length;
    if (strlen(text) != length)
        return yt_fail(doc, node, path, "expected text without NUL characters");
    if (length >= size)
        return yt_fail(doc, node, path, "expected at most %zu characters, got %zu",
                       size - 1, length);
    memcpy(out, text, length + 1);
    return AIM_OK;
}

enum aim_status yt_int(struct yt_doc *doc, const yaml_node_t *node, const char *path,
                       long long min, long long max, long long *out)
{
    char what[96];
    long long value;

    snprintf(what, sizeof what, "an integer from %lld to %lld", min, max);
    if (yt_kind_of(node) != YT_INT)
        return yt_expected(doc, node, path, what);
    errno = 0;
    value = strtoll(yt_text(node), NULL, 10);
    if (errno == ERANGE || value < min || value > max)
        return yt_expected(doc, node, path, what);
    *out = value;
    return AIM_OK;
}

static void describe_range(char *what, size_t size, double min, double max, bool above_min)
{
    if (above_min && min == 0.0)
        snprintf(what, size, "a positive number up to %g", max);
    else if (above_min)
        snprintf(what, size, "a number above %g and up to %g", min, max);
    else
        snprintf(what, size, "a number from %g to %g", min, max);
}

enum aim_status yt_double(struct yt_doc *doc, const yaml_node_t *node, const char *path,
                          double min, double max, bool above_min, double *out)
{
    enum yt_kind kind = yt_kind_of(node);
    char what[96];
    double value;

    describe_range(what, sizeof what, min, max, above_min);
    /* .inf and .nan are floats to YAML but never a size or a rate. */
    if ((kind != YT_INT && kind != YT_FLOAT) || is_special_float(yt_text(node)))
        return yt_expected(doc, node, path, what);
    value = strtod(yt_text(node), NULL);
    if (!isfinite(value) || value < min || value > max || (above_min && value == min))
        return yt_expected(doc, node, path, what);
    *out = value;
    return AIM_OK;
}

enum aim_status yt_bool(struct yt_doc *doc, const yaml_node_t *node, const char *path,
                        bool *out)
{
    const char *text = yt_text(node);

    if (yt_kind_of(node) != YT_BOOL)
        return yt_expected(doc, node, path, "true or false");
    *out = text[0] == 't' || text[0] == 'T';
    return AIM_OK;
}
