/*
 * Calibration constants of the memory model and the roofline. Published
 * planners disagree on these (see docs in catalog/calibration.yaml), so they
 * are data: the embedded catalog sets them and --catalog DIR may override
 * any of them with a document of kind "calibration".
 */
#ifndef AIM_CALIBRATION_H
#define AIM_CALIBRATION_H

struct aim_calibration {
    /* memory, per GPU */
    double activation_gib;            /* peak activations at 8192 batched tokens */
    double runtime_overhead_gib_tp1;  /* non-torch memory with one GPU */
    double runtime_overhead_gib_tp;   /* non-torch memory with TP > 1 (RCCL/NCCL) */
    double weight_overhead_factor;    /* multiplies weight bytes (padding, buffers) */

    /* tuning */
    int typical_request_tokens;       /* tokens a request in flight holds */
    int min_context_tokens;           /* shortest useful automatic max_model_len */
    int context_rounding_tokens;      /* automatic lengths are multiples of this */
    double min_weights_per_gpu_gib;   /* derived recipes: spread no thinner */
    int default_concurrency;          /* --objective throughput without --concurrency */

    /* roofline */
    double decode_efficiency;         /* eta: achieved share of HBM bandwidth */
    double step_overhead_us;          /* c: fixed cost per decode step */
    double prefill_mfu;               /* achieved share of peak FLOPs in prefill */
    int ttft_prompt_tokens;           /* prompt length of the TTFT figure */

    char source[256];
};

/* The built-in values, used when no catalog document sets them. */
void aim_calibration_defaults(struct aim_calibration *calibration);

#endif
