#include "aim/manifest.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* What every document of one input shares: where errors go, and the caps. */
struct reader {
    const char *source;
    struct aim_error *err;
    struct aim_manifest *out;
    long nodes;
    int documents;
};

static enum aim_status fail(struct reader *reader, int line, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static enum aim_status fail(struct reader *reader, int line, const char *format, ...)
{
    char message[AIM_ERROR_MESSAGE_MAX];
    va_list args;

    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    return aim_error_set(reader->err, AIM_E_INPUT, "%s:%d: %s", reader->source, line, message);
}

static enum aim_status out_of_memory(struct reader *reader)
{
    return aim_error_set(reader->err, AIM_E_NOMEM, "%s: out of memory", reader->source);
}

void aim_manifest_free(struct aim_manifest *manifest)
{
    for (size_t i = 0; i < manifest->count; i++)
        json_decref(manifest->objects[i].object);
    free(manifest->objects);
    memset(manifest, 0, sizeof *manifest);
}

/* ---- objects ---------------------------------------------------------- */

/* Appends one object, taking a new reference to it. */
static enum aim_status push_object(struct reader *reader, json_t *object, int document,
                                   int line)
{
    struct aim_manifest *out = reader->out;

    if (out->count == AIM_MANIFEST_MAX_OBJECTS)
        return fail(reader, line, "more than %d objects", AIM_MANIFEST_MAX_OBJECTS);
    if (out->count == out->capacity) {
        size_t capacity = out->capacity == 0 ? 16 : out->capacity * 2;
        struct aim_manifest_object *grown =
            realloc(out->objects, capacity * sizeof *grown);

        if (grown == NULL)
            return out_of_memory(reader);
        out->objects = grown;
        out->capacity = capacity;
    }
    out->objects[out->count++] = (struct aim_manifest_object){
        .object = json_incref(object), .document = document, .line = line};
    return AIM_OK;
}

static bool has_kind(const json_t *object)
{
    const char *kind = json_string_value(json_object_get(object, "kind"));

    return kind != NULL && kind[0] != '\0';
}

/* "DeploymentList" -> "Deployment"; NULL for a plain List or no list. */
static const char *list_item_kind(const char *kind, char *buffer, size_t size)
{
    size_t length = strlen(kind);

    if (length <= 4 || length - 4 >= size || strcmp(kind + length - 4, "List") != 0)
        return NULL;
    memcpy(buffer, kind, length - 4);
    buffer[length - 4] = '\0';
    return buffer;
}

/* An item of a typed list (PodList) may leave out its kind and apiVersion. */
static enum aim_status complete_item(struct reader *reader, const json_t *list, json_t *item)
{
    char buffer[128];
    const char *kind = list_item_kind(json_string_value(json_object_get(list, "kind")),
                                      buffer, sizeof buffer);
    json_t *api_version = json_object_get(list, "apiVersion");

    if (kind == NULL || json_object_get(item, "kind") != NULL)
        return AIM_OK;
    if (json_object_set_new(item, "kind", json_string(kind)) != 0)
        return out_of_memory(reader);
    if (json_is_string(api_version) && json_object_get(item, "apiVersion") == NULL &&
        json_object_set(item, "apiVersion", api_version) != 0)
        return out_of_memory(reader);
    return AIM_OK;
}

static enum aim_status add_list_items(struct reader *reader, const json_t *list,
                                      const int *item_lines, size_t line_count, int document,
                                      int line)
{
    const json_t *items = json_object_get(list, "items");
    enum aim_status status = AIM_OK;
    size_t index;
    json_t *item;

    if (items != NULL && !json_is_null(items) && !json_is_array(items))
        return fail(reader, line, "items: expected a list of objects in document %d",
                    document);
    json_array_foreach(items, index, item) {
        int item_line = index < line_count ? item_lines[index] : line;

        if (!json_is_object(item))
            return fail(reader, item_line, "items[%zu]: expected a mapping in document %d",
                        index, document);
        status = complete_item(reader, list, item);
        if (status == AIM_OK && !has_kind(item))
            status = fail(reader, item_line, "items[%zu] of document %d has no kind", index,
                          document);
        if (status == AIM_OK)
            status = push_object(reader, item, document, item_line);
        if (status != AIM_OK)
            return status;
    }
    return AIM_OK;
}

/* A List, or a typed list (PodList) holding items. */
static bool is_list(const json_t *object)
{
    const char *kind = json_string_value(json_object_get(object, "kind"));
    char buffer[128];

    if (strcmp(kind, "List") == 0)
        return true;
    return json_object_get(object, "items") != NULL &&
           list_item_kind(kind, buffer, sizeof buffer) != NULL;
}

/*
 * Adds one document's root value: an object, or the items of a list.
 * item_lines holds the lines of a list's items where the reader knows them.
 */
static enum aim_status add_document(struct reader *reader, json_t *root, int document,
                                    int line, const int *item_lines, size_t line_count)
{
    const json_t *kind;

    if (!json_is_object(root))
        return fail(reader, line, "expected a mapping at the top of document %d", document);
    kind = json_object_get(root, "kind");
    if (kind == NULL)
        return fail(reader, line, "document %d has no kind", document);
    if (!json_is_string(kind) || json_string_length(kind) == 0)
        return fail(reader, line, "kind: expected a non-empty string in document %d",
                    document);
    if (is_list(root))
        return add_list_items(reader, root, item_lines, line_count, document, line);
    return push_object(reader, root, document, line);
}

static enum aim_status count_document(struct reader *reader, int line)
{
    if (++reader->documents > AIM_MANIFEST_MAX_DOCUMENTS)
        return fail(reader, line, "more than %d documents", AIM_MANIFEST_MAX_DOCUMENTS);
    return AIM_OK;
}

static enum aim_status count_node(struct reader *reader, int line)
{
    if (++reader->nodes > AIM_MANIFEST_MAX_NODES)
        return fail(reader, line, "more than %d values in all", AIM_MANIFEST_MAX_NODES);
    return AIM_OK;
}

/* ---- YAML scalars ----------------------------------------------------- */

static bool text_is(const char *text, const char *const *words)
{
    for (; *words != NULL; words++) {
        if (strcmp(text, *words) == 0)
            return true;
    }
    return false;
}

static size_t skip_digits(const char *text, size_t at, int base)
{
    while (text[at] != '\0' &&
           (base == 16 ? isxdigit((unsigned char)text[at])
                       : text[at] >= '0' && text[at] < '0' + base))
        at++;
    return at;
}

enum int_text { NOT_AN_INT, AN_INT, TOO_BIG };

/* [-+]?[0-9]+, 0o[0-7]+ or 0x[0-9a-fA-F]+, and whether it fits 64 bits. */
static enum int_text parse_int(const char *text, long long *out)
{
    int base = 10;
    size_t start = (text[0] == '-' || text[0] == '+') ? 1 : 0;
    unsigned long long value;
    char *end;

    if (text[0] == '0' && (text[1] == 'o' || text[1] == 'x')) {
        base = text[1] == 'o' ? 8 : 16;
        start = 2;
    }
    if (text[start] == '\0' || skip_digits(text, start, base) != strlen(text))
        return NOT_AN_INT;
    errno = 0;
    if (base == 10) {
        *out = strtoll(text, &end, 10);
        return errno == 0 ? AN_INT : TOO_BIG;
    }
    value = strtoull(text + start, &end, base);
    *out = (long long)value;
    return errno == 0 && value <= LLONG_MAX ? AN_INT : TOO_BIG;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, finite. */
static bool parse_float(const char *text, double *out)
{
    size_t at = (text[0] == '-' || text[0] == '+') ? 1 : 0;
    size_t digits = skip_digits(text, at, 10);
    size_t fraction = digits;

    if (text[digits] == '.')
        fraction = skip_digits(text, digits + 1, 10);
    if (digits == at && fraction <= digits + 1)
        return false;
    at = fraction;
    if (text[at] == 'e' || text[at] == 'E') {
        size_t sign = at + 1 + (text[at + 1] == '-' || text[at + 1] == '+');

        at = skip_digits(text, sign, 10);
        if (at == sign)
            return false;
    }
    if (text[at] != '\0')
        return false;
    *out = strtod(text, NULL);
    return isfinite(*out);
}

/* A plain scalar typed by the YAML 1.2 core schema. */
static json_t *plain_scalar(const char *text, size_t length)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    long long integer;
    double real;

    if (strlen(text) != length)
        return json_stringn(text, length);
    if (text_is(text, nulls))
        return json_null();
    if (text_is(text, trues))
        return json_true();
    if (text_is(text, falses))
        return json_false();
    switch (parse_int(text, &integer)) {
    case AN_INT: return json_integer(integer);
    case TOO_BIG: return json_stringn(text, length);
    case NOT_AN_INT: break;
    }
    if (parse_float(text, &real))
        return json_real(real);
    return json_stringn(text, length);
}

/* ---- YAML documents --------------------------------------------------- */

struct frame {
    json_t *container;
    char *key;      /* a mapping's key waiting for its value */
    int key_line;
    bool items;     /* the `items` list of a document's root mapping */
};

/* One document being built from events. */
struct builder {
    struct reader *reader;
    struct frame stack[AIM_MANIFEST_MAX_DEPTH];
    int depth;
    json_t *root;
    int root_line;
    int *item_lines;
    size_t item_count;
    size_t item_capacity;
};

static void builder_reset(struct builder *builder)
{
    for (int i = 0; i < builder->depth; i++)
        free(builder->stack[i].key);
    builder->depth = 0;
    json_decref(builder->root);
    builder->root = NULL;
    builder->item_count = 0;
}

static enum aim_status note_item_line(struct builder *builder, int line)
{
    if (builder->item_count == builder->item_capacity) {
        size_t capacity = builder->item_capacity == 0 ? 64 : builder->item_capacity * 2;
        int *grown = realloc(builder->item_lines, capacity * sizeof *grown);

        if (grown == NULL)
            return out_of_memory(builder->reader);
        builder->item_lines = grown;
        builder->item_capacity = capacity;
    }
    builder->item_lines[builder->item_count++] = line;
    return AIM_OK;
}

static enum aim_status set_key_value(struct builder *builder, struct frame *top, json_t *value)
{
    enum aim_status status = AIM_OK;

    /* The _new setters take the reference even when they fail. */
    if (json_object_get(top->container, top->key) != NULL) {
        status = fail(builder->reader, top->key_line, "duplicate key '%.80s'", top->key);
        json_decref(value);
    } else if (json_object_set_new(top->container, top->key, value) != 0) {
        status = out_of_memory(builder->reader);
    }
    free(top->key);
    top->key = NULL;
    return status;
}

/* Places a new value (taking the reference) where the parent expects one. */
static enum aim_status attach(struct builder *builder, json_t *value, int line)
{
    struct frame *top = builder->depth > 0 ? &builder->stack[builder->depth - 1] : NULL;
    enum aim_status status = AIM_OK;

    if (value == NULL)
        return out_of_memory(builder->reader);
    if (top == NULL) {
        builder->root = value;
        builder->root_line = line;
        return AIM_OK;
    }
    if (json_is_object(top->container))
        return set_key_value(builder, top, value);
    if (top->items)
        status = note_item_line(builder, line);
    if (status != AIM_OK) {
        json_decref(value);
        return status;
    }
    if (json_array_append_new(top->container, value) != 0)
        return out_of_memory(builder->reader);
    return AIM_OK;
}

/* A mapping waiting for a key gets one; otherwise the scalar is a value. */
static bool wants_key(const struct builder *builder)
{
    const struct frame *top = builder->depth > 0 ? &builder->stack[builder->depth - 1] : NULL;

    return top != NULL && json_is_object(top->container) && top->key == NULL;
}

static enum aim_status check_tag(struct reader *reader, int line, const yaml_char_t *tag,
                                 const char *allowed)
{
    const char *text = (const char *)tag;

    if (text == NULL || strcmp(text, allowed) == 0 || strcmp(text, "!") == 0)
        return AIM_OK;
    return fail(reader, line, "YAML tag '%.60s' is not supported", text);
}

static enum aim_status on_scalar(struct builder *builder, const yaml_event_t *event, int line)
{
    const char *text = (const char *)event->data.scalar.value;
    size_t length = event->data.scalar.length;
    struct frame *top = &builder->stack[builder->depth > 0 ? builder->depth - 1 : 0];
    enum aim_status status = check_tag(builder->reader, line, event->data.scalar.tag,
                                       "tag:yaml.org,2002:str");

    if (status == AIM_OK)
        status = count_node(builder->reader, line);
    if (status != AIM_OK)
        return status;
    if (wants_key(builder)) {
        if (strlen(text) != length)
            return fail(builder->reader, line, "mapping keys may not contain NUL characters");
        top->key = strdup(text);
        top->key_line = line;
        return top->key == NULL ? out_of_memory(builder->reader) : AIM_OK;
    }
    if (event->data.scalar.tag != NULL || event->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return attach(builder, json_stringn(text, length), line);
    return attach(builder, plain_scalar(text, length), line);
}

static enum aim_status on_collection_start(struct builder *builder, bool mapping,
                                           const yaml_char_t *tag, int line)
{
    struct reader *reader = builder->reader;
    const struct frame *parent = builder->depth > 0 ? &builder->stack[builder->depth - 1]
                                                    : NULL;
    bool items = builder->depth == 1 && !mapping && parent->key != NULL &&
                 strcmp(parent->key, "items") == 0;
    json_t *container;
    enum aim_status status = check_tag(reader, line, tag,
                                       mapping ? "tag:yaml.org,2002:map"
                                               : "tag:yaml.org,2002:seq");

    if (status == AIM_OK && wants_key(builder))
        status = fail(reader, line, "mapping keys must be plain text");
    if (status == AIM_OK && builder->depth == AIM_MANIFEST_MAX_DEPTH)
        status = fail(reader, line, "nesting deeper than %d levels", AIM_MANIFEST_MAX_DEPTH);
    if (status == AIM_OK)
        status = count_node(reader, line);
    if (status != AIM_OK)
        return status;

    container = mapping ? json_object() : json_array();
    status = attach(builder, json_incref(container), line);
    if (status == AIM_OK)
        builder->stack[builder->depth++] = (struct frame){.container = container,
                                                          .items = items};
    json_decref(container);
    return status;
}

static enum aim_status on_document_end(struct builder *builder)
{
    struct reader *reader = builder->reader;
    enum aim_status status = AIM_OK;

    /* An empty document (a trailing ---, comments only) holds nothing. */
    if (builder->root != NULL && !json_is_null(builder->root))
        status = add_document(reader, builder->root, reader->documents, builder->root_line,
                              builder->item_lines, builder->item_count);
    builder_reset(builder);
    return status;
}

static enum aim_status on_event(struct builder *builder, const yaml_event_t *event)
{
    int line = (int)event->start_mark.line + 1;

    switch (event->type) {
    case YAML_DOCUMENT_START_EVENT:
        return count_document(builder->reader, line);
    case YAML_DOCUMENT_END_EVENT:
        return on_document_end(builder);
    case YAML_ALIAS_EVENT:
        return fail(builder->reader, line, "YAML aliases are not supported; write the value out");
    case YAML_SCALAR_EVENT:
        return on_scalar(builder, event, line);
    case YAML_SEQUENCE_START_EVENT:
        return on_collection_start(builder, false, event->data.sequence_start.tag, line);
    case YAML_MAPPING_START_EVENT:
        return on_collection_start(builder, true, event->data.mapping_start.tag, line);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        builder->depth--;
        return AIM_OK;
    default:
        return AIM_OK;
    }
}

/* Line of a byte offset, for reader errors that carry no mark. */
static int line_of_offset(const char *text, size_t length, size_t offset)
{
    int line = 1;

    for (size_t i = 0; i < offset && i < length; i++)
        line += text[i] == '\n';
    return line;
}

static enum aim_status parser_error(struct reader *reader, const yaml_parser_t *parser,
                                    const char *text, size_t length)
{
    int line = (int)parser->problem_mark.line + 1;
    const char *problem = parser->problem != NULL ? parser->problem : "unreadable input";

    if (parser->error == YAML_MEMORY_ERROR)
        return out_of_memory(reader);
    if (parser->error == YAML_READER_ERROR)
        line = line_of_offset(text, length, parser->problem_offset);
    if (parser->context != NULL)
        return fail(reader, line, "invalid YAML: %s %s", problem, parser->context);
    return fail(reader, line, "invalid YAML: %s", problem);
}

static enum aim_status parse_yaml(struct reader *reader, const char *text, size_t length)
{
    struct builder *builder = calloc(1, sizeof *builder);
    enum aim_status status = AIM_OK;
    yaml_parser_t parser;
    yaml_event_t event;
    bool done = false;

    if (builder == NULL || !yaml_parser_initialize(&parser)) {
        free(builder);
        return out_of_memory(reader);
    }
    builder->reader = reader;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, length);
    while (status == AIM_OK && !done) {
        if (!yaml_parser_parse(&parser, &event)) {
            status = parser_error(reader, &parser, text, length);
            break;
        }
        status = on_event(builder, &event);
        done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    builder_reset(builder);
    free(builder->item_lines);
    free(builder);
    return status;
}

/* ---- JSON ------------------------------------------------------------- */

/* Depth and size of a parsed JSON value against the caps. */
static enum aim_status check_json(struct reader *reader, const json_t *value, int depth,
                                  int line)
{
    enum aim_status status = count_node(reader, line);
    const char *key;
    size_t index;
    json_t *child;

    if (status != AIM_OK || (!json_is_object(value) && !json_is_array(value)))
        return status;
    if (depth == AIM_MANIFEST_MAX_DEPTH)
        return fail(reader, line, "nesting deeper than %d levels", AIM_MANIFEST_MAX_DEPTH);
    if (json_is_object(value)) {
        json_object_foreach((json_t *)value, key, child) {
            status = check_json(reader, child, depth + 1, line);
            if (status != AIM_OK)
                return status;
        }
        return AIM_OK;
    }
    json_array_foreach(value, index, child) {
        status = check_json(reader, child, depth + 1, line);
        if (status != AIM_OK)
            return status;
    }
    return AIM_OK;
}

static size_t skip_space(const char *text, size_t length, size_t at, int *line)
{
    while (at < length && isspace((unsigned char)text[at])) {
        *line += text[at] == '\n';
        at++;
    }
    return at;
}

/* One JSON value at text[*at]; advances *at and *line past it. */
static enum aim_status parse_json_value(struct reader *reader, const char *text, size_t length,
                                        size_t *at, int *line)
{
    json_error_t error;
    size_t flags = JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES | JSON_DECODE_ANY;
    json_t *value = json_loadb(text + *at, length - *at, flags, &error);
    enum aim_status status = count_document(reader, *line);

    if (status == AIM_OK && value == NULL)
        status = fail(reader, *line + error.line - 1, "invalid JSON: %s", error.text);
    if (status == AIM_OK)
        status = check_json(reader, value, 0, *line);
    if (status == AIM_OK)
        status = add_document(reader, value, reader->documents, *line, NULL, 0);
    if (status == AIM_OK) {
        for (size_t i = 0; i < (size_t)error.position; i++)
            *line += text[*at + i] == '\n';
        *at += (size_t)error.position;
    }
    json_decref(value);
    return status;
}

static enum aim_status parse_json(struct reader *reader, const char *text, size_t length)
{
    enum aim_status status = AIM_OK;
    int line = 1;
    size_t at = skip_space(text, length, 0, &line);

    while (status == AIM_OK && at < length) {
        status = parse_json_value(reader, text, length, &at, &line);
        at = skip_space(text, length, at, &line);
    }
    return status;
}

static bool looks_like_json(const char *text, size_t length)
{
    int line = 1;
    size_t at = skip_space(text, length, 0, &line);

    return at < length && (text[at] == '{' || text[at] == '[');
}

/* Resets the reader and the output for another attempt. */
static void restart(struct reader *reader)
{
    aim_manifest_free(reader->out);
    reader->nodes = 0;
    reader->documents = 0;
}

enum aim_status aim_manifest_parse(const char *source, const char *text, size_t length,
                                   struct aim_manifest *out, struct aim_error *err)
{
    struct reader reader = {source != NULL ? source : "<input>", err, out, 0, 0};
    struct aim_error json_err = {0};
    enum aim_status status;

    memset(out, 0, sizeof *out);
    if (length > AIM_MANIFEST_MAX_BYTES)
        return fail(&reader, 1, "file too large: %zu bytes, at most %u", length,
                    AIM_MANIFEST_MAX_BYTES);
    if (text == NULL)
        length = 0;
    if (length > 0 && looks_like_json(text, length)) {
        reader.err = &json_err;
        status = parse_json(&reader, text, length);
        if (status == AIM_OK || status == AIM_E_NOMEM) {
            if (err != NULL && status != AIM_OK)
                *err = json_err;
            return status;
        }
        /* Flow-style YAML ({kind: Pod}) starts the same way. */
        restart(&reader);
        reader.err = err;
    }
    status = length > 0 ? parse_yaml(&reader, text, length) : AIM_OK;
    if (status != AIM_OK && json_err.status != AIM_OK && err != NULL)
        *err = json_err;
    if (status != AIM_OK)
        aim_manifest_free(out);
    return status;
}
