/* The manifest reader: YAML streams, JSON, lists, scalar typing, caps, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aim/manifest.h"

static struct aim_manifest manifest;
static struct aim_error err;

static enum aim_status parse(const char *text)
{
    aim_manifest_free(&manifest);
    memset(&err, 0, sizeof err);
    return aim_manifest_parse("m.yaml", text, strlen(text), &manifest, &err);
}

/* Parsing must fail with exactly this message and leave no objects. */
static void assert_parse_error(const char *text, const char *message)
{
    assert_int_equal(parse(text), AIM_E_INPUT);
    assert_string_equal(err.message, message);
    assert_int_equal(manifest.count, 0);
}

static const char *kind_at(size_t index)
{
    return json_string_value(json_object_get(manifest.objects[index].object, "kind"));
}

static json_t *value_at(size_t index, const char *key)
{
    return json_object_get(manifest.objects[index].object, key);
}

static int free_manifest(void **state)
{
    (void)state;
    aim_manifest_free(&manifest);
    return 0;
}

static void several_documents_keep_their_index_and_line(void **state)
{
    (void)state;
    assert_int_equal(parse("# leading comment\n"
                           "apiVersion: v1\n"
                           "kind: Service\n"
                           "---\n"
                           "---\n"
                           "\n"
                           "kind: Pod\n"
                           "metadata: {name: p}\n"
                           "...\n"
                           "---\n"
                           "kind: ConfigMap\n"),
                     AIM_OK);
    assert_int_equal(manifest.count, 3);
    assert_string_equal(kind_at(0), "Service");
    assert_int_equal(manifest.objects[0].document, 1);
    assert_int_equal(manifest.objects[0].line, 2);
    assert_string_equal(kind_at(1), "Pod");
    assert_int_equal(manifest.objects[1].document, 3);
    assert_int_equal(manifest.objects[1].line, 7);
    assert_string_equal(kind_at(2), "ConfigMap");
    assert_int_equal(manifest.objects[2].document, 4);
    assert_int_equal(manifest.objects[2].line, 11);
}

static void plain_scalars_follow_the_yaml_1_2_core_schema(void **state)
{
    (void)state;
    assert_int_equal(parse("kind: X\n"
                           "int: 8\nneg: -3\nhex: 0x1F\noct: 0o17\nreal: 0.9\nexp: 1e3\n"
                           "dot: .5\nt: true\nf: False\nn: ~\ne:\nword: yes\n"
                           "quoted: \"8\"\nsingle: 'true'\nblock: |\n  8\n"
                           "inf: .inf\nbig: 99999999999999999999\ntagged: !!str 8\n"
                           "version: 1.2.3\n"),
                     AIM_OK);
    assert_int_equal(json_integer_value(value_at(0, "int")), 8);
    assert_int_equal(json_integer_value(value_at(0, "neg")), -3);
    assert_int_equal(json_integer_value(value_at(0, "hex")), 31);
    assert_int_equal(json_integer_value(value_at(0, "oct")), 15);
    assert_true(json_real_value(value_at(0, "real")) == 0.9);
    assert_true(json_real_value(value_at(0, "exp")) == 1000.0);
    assert_true(json_real_value(value_at(0, "dot")) == 0.5);
    assert_true(json_is_true(value_at(0, "t")));
    assert_true(json_is_false(value_at(0, "f")));
    assert_true(json_is_null(value_at(0, "n")));
    assert_true(json_is_null(value_at(0, "e")));
    /* YAML 1.1's yes/no are text in 1.2. */
    assert_string_equal(json_string_value(value_at(0, "word")), "yes");
    assert_string_equal(json_string_value(value_at(0, "quoted")), "8");
    assert_string_equal(json_string_value(value_at(0, "single")), "true");
    assert_string_equal(json_string_value(value_at(0, "block")), "8\n");
    /* What JSON cannot hold stays text. */
    assert_string_equal(json_string_value(value_at(0, "inf")), ".inf");
    assert_string_equal(json_string_value(value_at(0, "big")), "99999999999999999999");
    assert_string_equal(json_string_value(value_at(0, "tagged")), "8");
    assert_string_equal(json_string_value(value_at(0, "version")), "1.2.3");
}

static void json_streams_and_flow_yaml_are_read(void **state)
{
    (void)state;
    assert_int_equal(parse("{\"kind\": \"Pod\", \"spec\": {}}\n\n"
                           "{\"kind\": \"Service\"}\n"),
                     AIM_OK);
    assert_int_equal(manifest.count, 2);
    assert_string_equal(kind_at(1), "Service");
    assert_int_equal(manifest.objects[1].document, 2);
    assert_int_equal(manifest.objects[1].line, 3);

    /* Not JSON, but YAML in flow style. */
    assert_int_equal(parse("{kind: Pod, metadata: {name: x}}\n"), AIM_OK);
    assert_int_equal(manifest.count, 1);
    assert_string_equal(kind_at(0), "Pod");
}

static void lists_are_flattened(void **state)
{
    (void)state;
    assert_int_equal(parse("apiVersion: v1\n"
                           "kind: List\n"
                           "items:\n"
                           "  - kind: Service\n"
                           "    metadata: {name: a}\n"
                           "  - kind: Deployment\n"
                           "    metadata: {name: b}\n"
                           "---\n"
                           "apiVersion: v1\n"
                           "kind: PodList\n"
                           "items:\n"
                           "  - metadata: {name: c}\n"),
                     AIM_OK);
    assert_int_equal(manifest.count, 3);
    assert_string_equal(kind_at(0), "Service");
    assert_int_equal(manifest.objects[0].line, 4);
    assert_string_equal(kind_at(1), "Deployment");
    assert_int_equal(manifest.objects[1].line, 6);
    assert_int_equal(manifest.objects[1].document, 1);
    /* A typed list's items may leave out their kind and apiVersion. */
    assert_string_equal(kind_at(2), "Pod");
    assert_string_equal(json_string_value(value_at(2, "apiVersion")), "v1");
    assert_int_equal(manifest.objects[2].document, 2);
    assert_int_equal(manifest.objects[2].line, 12);

    assert_int_equal(parse("{\"kind\": \"List\", \"items\": [{\"kind\": \"Pod\"}]}"), AIM_OK);
    assert_int_equal(manifest.count, 1);
    assert_string_equal(kind_at(0), "Pod");
    assert_int_equal(parse("kind: List\nitems: []\n"), AIM_OK);
    assert_int_equal(manifest.count, 0);
}

static void empty_input_holds_no_objects(void **state)
{
    (void)state;
    assert_int_equal(parse(""), AIM_OK);
    assert_int_equal(manifest.count, 0);
    assert_int_equal(parse("# only a comment\n---\n"), AIM_OK);
    assert_int_equal(manifest.count, 0);
    assert_int_equal(aim_manifest_parse("m.yaml", NULL, 0, &manifest, &err), AIM_OK);
}

static void documents_that_are_not_objects_are_refused(void **state)
{
    (void)state;
    assert_parse_error("kind: Pod\n---\njust text\n",
                       "m.yaml:3: expected a mapping at the top of document 2");
    assert_parse_error("- a\n- b\n", "m.yaml:1: expected a mapping at the top of document 1");
    assert_parse_error("[1, 2]", "m.yaml:1: expected a mapping at the top of document 1");
    assert_parse_error("metadata: {name: x}\n", "m.yaml:1: document 1 has no kind");
    assert_parse_error("kind: 42\n", "m.yaml:1: kind: expected a non-empty string in document 1");
    assert_parse_error("kind: ''\n", "m.yaml:1: kind: expected a non-empty string in document 1");
    assert_parse_error("kind: List\nitems:\n  - kind: Pod\n  - 3\n",
                       "m.yaml:4: items[1]: expected a mapping in document 1");
    assert_parse_error("kind: List\nitems:\n  - {metadata: {}}\n",
                       "m.yaml:3: items[0] of document 1 has no kind");
    assert_parse_error("kind: List\nitems: {a: 1}\n",
                       "m.yaml:1: items: expected a list of objects in document 1");
}

static void broken_yaml_names_the_line(void **state)
{
    (void)state;
    assert_parse_error("kind: Pod\nspec:\n  containers:\n    - name: a\n   bad: [\n",
                       "m.yaml:5: invalid YAML: did not find expected key while parsing a "
                       "block mapping");
    assert_parse_error("kind: Pod\nspec: {containers: [\n",
                       "m.yaml:3: invalid YAML: did not find expected node content while "
                       "parsing a flow node");
    assert_parse_error("kind: Pod\nname: \"unterminated\n",
                       "m.yaml:3: invalid YAML: found unexpected end of stream while scanning "
                       "a quoted scalar");
    assert_parse_error("kind: Pod\nkind: Service\n", "m.yaml:2: duplicate key 'kind'");
    assert_parse_error("kind: Pod\n? [a]\n: b\n", "m.yaml:2: mapping keys must be plain text");
    assert_parse_error("kind: Pod\n\"a\\0b\": 1\n",
                       "m.yaml:2: mapping keys may not contain NUL characters");
    assert_parse_error("kind: Pod\nx: !custom 1\n",
                       "m.yaml:2: YAML tag '!custom' is not supported");
    assert_parse_error("kind: Pod\nx: \xff\n",
                       "m.yaml:2: invalid YAML: invalid leading UTF-8 octet");
}

static void aliases_are_refused(void **state)
{
    (void)state;
    assert_parse_error("kind: Pod\na: &x {b: 1}\nc: *x\n",
                       "m.yaml:3: YAML aliases are not supported; write the value out");
    assert_parse_error("kind: Pod\na: &x {b: 1}\nc:\n  <<: *x\n",
                       "m.yaml:4: YAML aliases are not supported; write the value out");
}

static void broken_json_falls_back_to_yaml_and_reports_the_json_error(void **state)
{
    (void)state;
    assert_parse_error("{\"kind\": \"Pod\",\n \"spec\": ",
                       "m.yaml:2: invalid JSON: unexpected token near end of file");
    assert_parse_error("{\"kind\": \"Pod\"}\n{\"kind\": \"Pod\", \"kind\": \"X\"}",
                       "m.yaml:2: invalid JSON: duplicate object key near '\"kind\"'");
    assert_parse_error("[{\"kind\": \"Pod\"}]",
                       "m.yaml:1: expected a mapping at the top of document 1");
}

static void caps_hold(void **state)
{
    size_t size = 4 * 70 + 16;
    char *deep = malloc(size);
    char *many;
    size_t used = 0;

    (void)state;
    assert_non_null(deep);
    used += (size_t)snprintf(deep, size, "kind: X\na: ");
    for (int i = 0; i < 65; i++)
        deep[used++] = '[';
    deep[used] = '\0';
    assert_parse_error(deep, "m.yaml:2: nesting deeper than 64 levels");
    free(deep);

    many = malloc(10001 * 12 + 1);
    assert_non_null(many);
    used = 0;
    for (int i = 0; i < 10001; i++)
        used += (size_t)sprintf(many + used, "kind: X\n---\n");
    assert_parse_error(many, "m.yaml:20000: more than 10000 documents");
    free(many);

    assert_int_equal(aim_manifest_parse("m.yaml", "kind: X", AIM_MANIFEST_MAX_BYTES + 1,
                                        &manifest, &err),
                     AIM_E_INPUT);
    assert_string_equal(err.message, "m.yaml:1: file too large: 8388609 bytes, at most 8388608");
}

static void json_depth_is_capped_too(void **state)
{
    char text[300];
    size_t used = 0;

    (void)state;
    used += (size_t)snprintf(text, sizeof text, "{\"kind\": \"X\", \"a\": ");
    for (int i = 0; i < 64; i++)
        text[used++] = '[';
    for (int i = 0; i < 64; i++)
        text[used++] = ']';
    text[used++] = '}';
    text[used] = '\0';
    assert_parse_error(text, "m.yaml:1: nesting deeper than 64 levels");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(several_documents_keep_their_index_and_line),
        cmocka_unit_test(plain_scalars_follow_the_yaml_1_2_core_schema),
        cmocka_unit_test(json_streams_and_flow_yaml_are_read),
        cmocka_unit_test(lists_are_flattened),
        cmocka_unit_test(empty_input_holds_no_objects),
        cmocka_unit_test(documents_that_are_not_objects_are_refused),
        cmocka_unit_test(broken_yaml_names_the_line),
        cmocka_unit_test(aliases_are_refused),
        cmocka_unit_test(broken_json_falls_back_to_yaml_and_reports_the_json_error),
        cmocka_unit_test(caps_hold),
        cmocka_unit_test(json_depth_is_capped_too),
    };

    return cmocka_run_group_tests(tests, NULL, free_manifest);
}
