#include "aim/calibration.h"

#include <string.h>

/* The values of docs/catalog-format.md, used until a catalog document sets them. */
void aim_calibration_defaults(struct aim_calibration *calibration)
{
    memset(calibration, 0, sizeof *calibration);
    calibration->activation_gib = 1.9;
    calibration->runtime_overhead_gib_tp1 = 0.6;
    calibration->runtime_overhead_gib_tp = 2.1;
    calibration->weight_overhead_factor = 1.0;
    calibration->typical_request_tokens = 4096;
    calibration->min_context_tokens = 8192;
    calibration->context_rounding_tokens = 1024;
    calibration->min_weights_per_gpu_gib = 10;
    calibration->default_concurrency = 64;
    calibration->decode_efficiency = 0.8;
    calibration->step_overhead_us = 3;
    calibration->prefill_mfu = 0.4;
    calibration->ttft_prompt_tokens = 1000;
    strcpy(calibration->source, "built-in");
}
