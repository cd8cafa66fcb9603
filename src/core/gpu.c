#include "aim/gpu.h"

bool aim_gpu_runs_precision(const struct aim_gpu *gpu, enum aim_precision precision)
{
    if ((unsigned)precision >= AIM_PRECISION_COUNT)
        return false;
    return gpu->native[precision] || gpu->emulated[precision];
}
