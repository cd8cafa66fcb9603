/*
 * An ordered list of key/value settings: engine arguments (snake_case keys
 * such as "tensor_parallel_size") or environment variables.
 *
 * Storage is fixed-size and inline so that plans and recipes can be copied
 * with assignment and never need freeing. Values are kept as text together
 * with their type, which decides how they are printed (a bool engine
 * argument becomes a bare flag when true and is left out when false).
 */
#ifndef AIM_SETTINGS_H
#define AIM_SETTINGS_H

#include <stdbool.h>

#include "aim/error.h"

#define AIM_SETTINGS_MAX 32
#define AIM_SETTING_KEY_MAX 48
#define AIM_SETTING_VALUE_MAX 160

enum aim_value_type {
    AIM_VALUE_STRING,
    AIM_VALUE_INT,
    AIM_VALUE_FLOAT,
    AIM_VALUE_BOOL
};

struct aim_setting {
    char key[AIM_SETTING_KEY_MAX];
    char value[AIM_SETTING_VALUE_MAX]; /* "true"/"false" for bools */
    enum aim_value_type type;
};

struct aim_settings {
    struct aim_setting items[AIM_SETTINGS_MAX];
    int count;
};

/*
 * Sets key to value, replacing an existing entry in place (its position is
 * kept) or appending. Returns AIM_E_INPUT when the key or value is too long
 * or the list is full.
 */
enum aim_status aim_settings_set(struct aim_settings *settings, const char *key,
                                 enum aim_value_type type, const char *value);
enum aim_status aim_settings_set_int(struct aim_settings *settings, const char *key,
                                     long long value);
/* Floats are printed with the fewest digits that round-trip (0.9, 0.92). */
enum aim_status aim_settings_set_float(struct aim_settings *settings, const char *key,
                                       double value);

/* The entry for key, or NULL. */
const struct aim_setting *aim_settings_get(const struct aim_settings *settings,
                                           const char *key);

/* Integer value of key, or fallback when absent or not an integer. */
long long aim_settings_get_int(const struct aim_settings *settings, const char *key,
                               long long fallback);
double aim_settings_get_float(const struct aim_settings *settings, const char *key,
                              double fallback);

/* Removes key if present; keeps the order of the rest. */
void aim_settings_remove(struct aim_settings *settings, const char *key);

/* Copies every entry of source into target, overriding equal keys. */
enum aim_status aim_settings_merge(struct aim_settings *target,
                                   const struct aim_settings *source);

#endif
