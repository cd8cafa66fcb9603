/*
 * From a plan to Kubernetes objects, in two steps that the Helm chart in
 * deploy/helm/aim-model mirrors:
 *
 *   plan --aim_render_values--> values --aim_render_objects--> objects
 *
 * The values are the chart's values.yaml: every field of the plan a user may
 * override (GPU count, precision, image, arguments, environment, resources,
 * storage). aim_render_objects() is the chart's templates written in C, so
 * `helm template -f values` and `aimctl render -o yaml` give the same
 * objects; a test holds them to it for every catalog model on every GPU.
 *
 * Ownership: returned json_t values are new references the caller releases
 * with json_decref().
 */
#ifndef AIM_RENDER_H
#define AIM_RENDER_H

#include <stdbool.h>
#include <jansson.h>

#include "aim/catalog.h"
#include "aim/select.h"

struct aim_render_options {
    const char *name;             /* NULL: from the model id */
    const char *namespace_name;   /* NULL: "default" */
    const char *image;            /* NULL: the engine's image for the vendor */
    int replicas;                 /* 0: 1 */
    const char *storage_class;    /* NULL: the cluster's default */
    const char *pvc_access_mode;  /* NULL: ReadWriteOnce, ReadWriteMany across nodes */
    double cpu_per_gpu;           /* CPU request per GPU */
    double memory_per_gpu_gib;    /* memory request per GPU */
    double limit_factor;          /* limits = requests x this */
    bool monitoring;              /* add a ServiceMonitor */
    bool kserve;                  /* an InferenceService instead of Deployment+Service */
    int port;
};

/* Defaults: 4 CPUs and 16 GiB per GPU, limits twice the requests, port 8000. */
void aim_render_options_init(struct aim_render_options *options);

/* Host resources a plan needs, from the per-GPU bases. */
struct aim_host_resources {
    double cpu_request;
    double cpu_limit;
    long memory_request_gib;
    long memory_limit_gib;
    long shared_memory_gib;       /* /dev/shm */
    long storage_gib;             /* the checkpoint plus headroom */
};

void aim_plan_host_resources(const struct aim_plan *plan,
                             const struct aim_render_options *options,
                             struct aim_host_resources *out);

/*
 * A DNS label (at most 63 characters, a letter first) for the model: its
 * name part in lower case, then a hash of the whole id so two models never
 * share one.
 */
void aim_render_name(const char *model_id, char *out, size_t size);

/* True for a DNS label of at most 63 characters: lower-case letters, digits
   and '-', a letter first and a letter or digit last (RFC 1035, as
   Services require). */
bool aim_dns_label_valid(const char *name);

/* A valid label value (at most 63 of [A-Za-z0-9._-], alphanumeric ends). */
void aim_label_value(const char *text, char *out, size_t size);

/* The Helm values of a plan; NULL with err set when the plan has no choice
   or an option is invalid. */
json_t *aim_render_values(const aim_catalog *catalog, const struct aim_plan *plan,
                          const struct aim_render_options *options, struct aim_error *err);

/* The objects the values describe, as a JSON array in apply order. */
json_t *aim_render_objects(const json_t *values, struct aim_error *err);

#endif
