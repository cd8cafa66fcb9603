#include "aim/perf.h"

double aim_decode_step_seconds(double bytes_per_gpu, double bandwidth, double efficiency,
                               double overhead)
{
    if (bandwidth <= 0 || efficiency <= 0)
        return 0;
    return bytes_per_gpu / (bandwidth * efficiency) + overhead;
}

double aim_prefill_seconds(double active_params, long tokens, double flops, double mfu)
{
    if (flops <= 0 || mfu <= 0)
        return 0;
    return 2.0 * active_params * (double)tokens / (flops * mfu);
}
