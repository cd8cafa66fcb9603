/*
 * The GPUs of this host, from the files the kernel drivers publish: DRM
 * cards and the KFD topology for AMD, /proc/driver/nvidia for NVIDIA. The
 * *_VISIBLE_DEVICES variables decide which are visible.
 */
#ifndef AIM_CLI_HOST_GPUS_H
#define AIM_CLI_HOST_GPUS_H

#include "aim/catalog.h"
#include "aim/detect.h"
#include "aim/error.h"

/*
 * Fills out with the host's GPUs sorted by PCI slot, each matched to a
 * catalog type by its PCI id. root prefixes every path ("" or NULL for the
 * real system) so tests can point at a fake tree. A variable that is not a
 * list of indices is ignored with a warning. A host without GPUs is not an
 * error: out->count is 0.
 */
enum aim_status aim_cli_detect_gpus(const aim_catalog *catalog, const char *root,
                                    struct aim_detection *out, struct aim_error *err);

#endif
