/*
 * Validation of Kubernetes workloads that serve LLMs: what in a Pod,
 * Deployment, StatefulSet, LeaderWorkerSet or KServe InferenceService cannot
 * work (errors), what is only unwise (warnings), and what was not checked
 * and why (notes). The rules take one object in memory and return findings;
 * they do no I/O, so the CLI (`aimctl validate`) and an admission webhook
 * share them.
 *
 * The engine container is the one whose command and args run
 * `vllm.entrypoints.openai.api_server`, `vllm serve MODEL` or
 * `sglang.launch_server` (also inside `sh -c "..."`, split on spaces), or
 * a container of the vllm/vllm-openai image with no command. Errors:
 *   - the GPUs requested (amd.com/gpu or nvidia.com/gpu limits) differ from
 *     what the engine uses: tensor x pipeline (x data) parallel size; for a
 *     LeaderWorkerSet, the GPUs of the whole group;
 *   - tensor parallelism that does not divide the model's heads;
 *   - a max_model_len above the model's maximum;
 *   - a precision the GPU type cannot run, or a GPU type whose resource is
 *     not the one requested;
 *   - a model that does not fit the requested GPUs at its precision and
 *     context length: aim_select's reason for the candidate the container
 *     is, or the memory model's alone where the ladder does not walk it
 *     (a count a recipe disables, sizes other than 1, 2, 4, 8, the
 *     container's own --gpu-memory-utilization);
 *   - a malformed field on the way (containers not a list, a GPU count that
 *     is not a whole number, a flag value that is not a number).
 * Warnings: an unknown model or GPU type (the checks that need them are
 * skipped), *_VISIBLE_DEVICES in env, a Service named `vllm`, no /dev/shm
 * volume with tensor parallelism, a GPU Deployment not using Recreate,
 * GPU requests that differ from limits. Notes: GPUs but no engine
 * container, a fitting count aimctl's recipes would not use, a flag value
 * that is not literal.
 *
 * The GPU type comes from the pod's node selector or required node affinity
 * (amd.com/gpu.device-id, beta.amd.com/gpu.device-id.<id>,
 * amd.com/gpu.product-name, nvidia.com/gpu.product; several types when the
 * affinity allows several), else the aim.amd.com/gpu label or annotation,
 * else the caller's default. The model is the engine's --model,
 * --model-path or `vllm serve` argument when the catalog knows it, else the
 * aim.amd.com/model annotation.
 *
 * Field paths follow Kubernetes' own convention: fields joined by '.',
 * list items as [index], keys of free-form maps (labels, annotations,
 * nodeSelector, resource lists) as [key]:
 *   spec.template.spec.containers[0].resources.limits[amd.com/gpu]
 *   spec.template.spec.containers[0].args[3]
 * A flag written inside a `sh -c` string points at that string.
 *
 * Ownership: findings are appended to a growing array the caller frees
 * with aim_findings_free().
 */
#ifndef AIM_VALIDATE_H
#define AIM_VALIDATE_H

#include <stddef.h>

#include <jansson.h>

#include "aim/catalog.h"
#include "aim/error.h"
#include "aim/gpu.h"
#include "aim/inventory.h"

enum aim_finding_level {
    AIM_FINDING_ERROR,   /* cannot work */
    AIM_FINDING_WARNING, /* unwise, or a check skipped for want of facts */
    AIM_FINDING_NOTE,    /* for information */
    AIM_FINDING_LEVEL_COUNT
};

#define AIM_FINDING_OBJECT_MAX 400
#define AIM_FINDING_FIELD_MAX 256
#define AIM_FINDING_MESSAGE_MAX 512
/* Findings kept per object; one note says when more were left out. */
#define AIM_FINDINGS_PER_OBJECT_MAX 64

struct aim_finding {
    enum aim_finding_level level;
    char object[AIM_FINDING_OBJECT_MAX]; /* "Deployment/default/qwen3" */
    char field[AIM_FINDING_FIELD_MAX];   /* "" when about the whole object */
    char message[AIM_FINDING_MESSAGE_MAX];
};

struct aim_findings {
    struct aim_finding *items;
    size_t count;
    size_t capacity;
};

struct aim_validate_options {
    /* The GPU type of objects that name none (no node selector, affinity or
       aim.amd.com/gpu label); NULL to skip the checks that need one. */
    const struct aim_gpu *gpu;
    /* The cluster, when validating against one: a pod whose GPU request no
       eligible node of its type has free is an error. NULL to skip. */
    const aim_inventory *inventory;
};

/* "error", "warning", "note". */
const char *aim_finding_level_name(enum aim_finding_level level);

/*
 * "Kind/namespace/name", or "Kind/name" when the object names no namespace
 * (it then lands in whatever namespace it is applied to).
 */
void aim_object_label(const json_t *object, char *out, size_t size);

/*
 * Checks one object (a JSON object with a "kind") and appends what it finds
 * to out. Objects of other kinds add nothing, except a Service named vllm.
 * options may be NULL. Returns AIM_OK, or AIM_E_NOMEM with err set (the
 * findings appended so far stay in out).
 */
enum aim_status aim_validate_object(const aim_catalog *catalog, const json_t *object,
                                    const struct aim_validate_options *options,
                                    struct aim_findings *out, struct aim_error *err);

/* How many findings of a level out holds. */
size_t aim_findings_count(const struct aim_findings *findings, enum aim_finding_level level);

void aim_findings_free(struct aim_findings *findings);

#endif
