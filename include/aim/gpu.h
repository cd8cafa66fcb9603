/*
 * GPU types: the figures the memory model and the roofline need, and the
 * identifiers that find a GPU on a host (PCI ids) or in a cluster (resource
 * name, node labels). Loaded from catalog documents of kind "gpus".
 */
#ifndef AIM_GPU_H
#define AIM_GPU_H

#include <stdbool.h>
#include <stdint.h>

#include "aim/types.h"

#define AIM_GPU_NAME_MAX 24
#define AIM_GPU_PCI_IDS_MAX 8
#define AIM_GPU_ALIASES_MAX 6

struct aim_gpu {
    char name[AIM_GPU_NAME_MAX];      /* catalog key, e.g. "MI300X", "H100" */
    char display_name[64];            /* "AMD Instinct MI300X" */
    char aliases[AIM_GPU_ALIASES_MAX][AIM_GPU_NAME_MAX]; /* "H100-SXM", ... */
    int alias_count;
    enum aim_vendor vendor;
    char arch[16];                    /* "gfx942", "sm90" */
    int generation;                   /* higher is newer; ranks GPU types */
    uint16_t pci_ids[AIM_GPU_PCI_IDS_MAX];
    int pci_id_count;
    double memory_gib;                /* memory the device reports, GiB */
    double bandwidth_tbps;            /* HBM bandwidth, 1e12 bytes/s */
    double peak_tflops[AIM_PRECISION_COUNT]; /* dense; 0 when not native */
    bool native[AIM_PRECISION_COUNT];   /* math in this precision on the GPU */
    bool emulated[AIM_PRECISION_COUNT]; /* runs published checkpoints of this
                                           precision without native math */
    double gpu_memory_utilization;    /* share of memory given to the engine */
    int gpus_per_node;                /* usual node size, for defaults */
    char resource_name[32];           /* "amd.com/gpu", "nvidia.com/gpu" */
    char product_label[64];           /* amd.com/gpu.product-name or
                                         nvidia.com/gpu.product value */
    bool figures_inferred;            /* some figures are estimates */
    char source[256];                 /* catalog file that defined it */
};

/* True when the GPU can run weights of this precision at all. */
bool aim_gpu_runs_precision(const struct aim_gpu *gpu, enum aim_precision precision);

#endif
