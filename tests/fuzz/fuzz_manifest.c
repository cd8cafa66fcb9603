/*
 * libFuzzer target: any bytes as a Kubernetes manifest file, parsed and
 * every object validated against the embedded catalog (with a default GPU
 * type or none, by the input's length). Beyond the sanitizers it checks the
 * promises of manifest.h and validate.h: a failed parse says where and
 * keeps nothing, every object has a kind, and every finding is one
 * printable line with a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aim/catalog.h"
#include "aim/manifest.h"
#include "aim/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(condition)                                                                \
    do {                                                                                \
        if (!(condition))                                                               \
            __builtin_trap();                                                           \
    } while (0)

/* Loaded once: the catalog is read-only to the rules. */
static aim_catalog *shared_catalog(void)
{
    static aim_catalog *catalog;

    if (catalog == NULL) {
        catalog = aim_catalog_new();
        CHECK(catalog != NULL && aim_catalog_add_embedded(catalog, NULL) == AIM_OK);
    }
    return catalog;
}

static bool printable(const char *text)
{
    for (; *text != '\0'; text++) {
        if ((unsigned char)*text < 0x20 || *text == 0x7f)
            return false;
    }
    return true;
}

static void check_findings(const struct aim_findings *findings)
{
    size_t per_level = 0;

    for (size_t i = 0; i < findings->count; i++) {
        const struct aim_finding *finding = &findings->items[i];

        CHECK(finding->level < AIM_FINDING_LEVEL_COUNT);
        CHECK(finding->message[0] != '\0' && finding->object[0] != '\0');
        CHECK(printable(finding->message) && printable(finding->object) &&
              printable(finding->field));
    }
    for (int level = 0; level < AIM_FINDING_LEVEL_COUNT; level++)
        per_level += aim_findings_count(findings, (enum aim_finding_level)level);
    CHECK(per_level == findings->count);
    CHECK(findings->count <= AIM_FINDINGS_PER_OBJECT_MAX + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const aim_catalog *catalog = shared_catalog();
    struct aim_validate_options options = {.gpu = NULL};
    struct aim_manifest manifest;
    struct aim_findings findings = {0};
    struct aim_error err = {0};
    enum aim_status status;

    status = aim_manifest_parse("fuzz.yaml", (const char *)data, size, &manifest, &err);
    if (status != AIM_OK) {
        CHECK(status == AIM_E_INPUT || status == AIM_E_NOMEM);
        CHECK(strncmp(err.message, "fuzz.yaml:", 10) == 0);
        CHECK(manifest.count == 0 && manifest.objects == NULL);
        return 0;
    }
    if (size % 2 == 1)
        options.gpu = aim_catalog_find_gpu(catalog, "MI300X");
    for (size_t i = 0; i < manifest.count; i++) {
        const json_t *object = manifest.objects[i].object;

        CHECK(json_is_object(object) && json_is_string(json_object_get(object, "kind")));
        CHECK(manifest.objects[i].line >= 1 && manifest.objects[i].document >= 1);
        findings.count = 0;
        CHECK(aim_validate_object(catalog, object, &options, &findings, &err) == AIM_OK);
        check_findings(&findings);
    }
    aim_findings_free(&findings);
    aim_manifest_free(&manifest);
    return 0;
}
