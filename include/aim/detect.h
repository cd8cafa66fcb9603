/*
 * Interpreting what a host says about its GPUs. The CLI reads sysfs, the
 * KFD topology and /proc/driver/nvidia; these functions turn the text it
 * read into GPU records and apply the *_VISIBLE_DEVICES variables.
 */
#ifndef AIM_DETECT_H
#define AIM_DETECT_H

#include <stdbool.h>

#include "aim/catalog.h"

#define AIM_DETECT_MAX 64

struct aim_detected_gpu {
    int index;                     /* order among GPUs of its vendor */
    enum aim_vendor vendor;
    unsigned pci_device_id;
    char pci_slot[32];             /* "0000:0c:00.0" when known */
    char gfx_target[16];           /* "gfx942" from KFD, when known */
    double memory_gib;             /* reported by the host, 0 when unknown */
    const struct aim_gpu *type;    /* catalog match, NULL if unknown */
    bool visible;                  /* survives *_VISIBLE_DEVICES */
};

struct aim_detection {
    struct aim_detected_gpu gpus[AIM_DETECT_MAX];
    int count;
};

/*
 * Parses a *_VISIBLE_DEVICES value into indices ("0,2", "" means none,
 * UUIDs are not indices). Returns the count, or -1 when the value is not a
 * list of indices (the caller then ignores the variable and says so).
 */
int aim_parse_visible_devices(const char *value, int *indices, int max);

/* Parses "0x74a1" (sysfs vendor/device files). */
bool aim_parse_hex_id(const char *text, unsigned *out);

/*
 * KFD topology "properties" text: gfx_target_version (e.g. 90402 ->
 * "gfx942") and device_id. Returns false if the node is a CPU.
 */
bool aim_parse_kfd_properties(const char *text, char *gfx_target, int size,
                              unsigned *device_id);

/* The type most of the visible GPUs are and how many there are. */
const struct aim_gpu *aim_detection_majority(const struct aim_detection *detection,
                                             int *count);

#endif
