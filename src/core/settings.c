#include "aim/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int find_index(const struct aim_settings *settings, const char *key)
{
    for (int i = 0; i < settings->count; i++) {
        if (strcmp(settings->items[i].key, key) == 0)
            return i;
    }
    return -1;
}

enum aim_status aim_settings_set(struct aim_settings *settings, const char *key,
                                 enum aim_value_type type, const char *value)
{
    struct aim_setting *slot;
    int index;

    if (strlen(key) >= AIM_SETTING_KEY_MAX || strlen(value) >= AIM_SETTING_VALUE_MAX)
        return AIM_E_INPUT;

    index = find_index(settings, key);
    if (index < 0) {
        if (settings->count == AIM_SETTINGS_MAX)
            return AIM_E_INPUT;
        index = settings->count++;
    }

    slot = &settings->items[index];
    snprintf(slot->key, sizeof slot->key, "%s", key);
    snprintf(slot->value, sizeof slot->value, "%s", value);
    slot->type = type;
    return AIM_OK;
}

enum aim_status aim_settings_set_int(struct aim_settings *settings, const char *key,
                                     long long value)
{
    char text[32];

    snprintf(text, sizeof text, "%lld", value);
    return aim_settings_set(settings, key, AIM_VALUE_INT, text);
}

enum aim_status aim_settings_set_float(struct aim_settings *settings, const char *key,
                                       double value)
{
    char text[32];

    /* The shortest of %.1g..%.17g that reads back as the same double. */
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, value);
        if (strtod(text, NULL) == value)
            break;
    }
    return aim_settings_set(settings, key, AIM_VALUE_FLOAT, text);
}

const struct aim_setting *aim_settings_get(const struct aim_settings *settings,
                                           const char *key)
{
    int index = find_index(settings, key);

    return index < 0 ? NULL : &settings->items[index];
}

long long aim_settings_get_int(const struct aim_settings *settings, const char *key,
                               long long fallback)
{
    const struct aim_setting *setting = aim_settings_get(settings, key);
    char *end;
    long long value;

    if (setting == NULL)
        return fallback;
    value = strtoll(setting->value, &end, 10);
    if (end == setting->value || *end != '\0')
        return fallback;
    return value;
}

double aim_settings_get_float(const struct aim_settings *settings, const char *key,
                              double fallback)
{
    const struct aim_setting *setting = aim_settings_get(settings, key);
    char *end;
    double value;

    if (setting == NULL)
        return fallback;
    value = strtod(setting->value, &end);
    if (end == setting->value || *end != '\0')
        return fallback;
    return value;
}

void aim_settings_remove(struct aim_settings *settings, const char *key)
{
    int index = find_index(settings, key);

    if (index < 0)
        return;
    memmove(&settings->items[index], &settings->items[index + 1],
            (size_t)(settings->count - index - 1) * sizeof settings->items[0]);
    settings->count--;
}

enum aim_status aim_settings_merge(struct aim_settings *target,
                                   const struct aim_settings *source)
{
    for (int i = 0; i < source->count; i++) {
        const struct aim_setting *item = &source->items[i];
        enum aim_status status = aim_settings_set(target, item->key, item->type, item->value);

        if (status != AIM_OK)
            return status;
    }
    return AIM_OK;
}
