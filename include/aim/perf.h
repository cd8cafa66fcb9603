/*
 * The roofline (shared/reference/engines.md): decode bound by memory
 * bandwidth, prefill bound by compute.
 */
#ifndef AIM_PERF_H
#define AIM_PERF_H

struct aim_performance {
    double step_ms;                 /* one decode step, one sequence */
    double decode_tokens_per_s;     /* per sequence at batch 1 */
    int batch;                      /* sequences in the full-batch figure */
    double batch_step_ms;
    double aggregate_tokens_per_s;  /* all sequences at full batch */
    double ttft_ms;                 /* prefill of the TTFT prompt */
};

/*
 * Seconds of one decode step: (bytes read per GPU) / (bandwidth * eta) + c.
 * bandwidth in bytes/s, overhead in seconds.
 */
double aim_decode_step_seconds(double bytes_per_gpu, double bandwidth, double efficiency,
                               double overhead);

/* Seconds to prefill: 2 * active_params * tokens / (flops * mfu). flops is
   the peak of all GPUs together, in FLOP/s. */
double aim_prefill_seconds(double active_params, long tokens, double flops, double mfu);

#endif
