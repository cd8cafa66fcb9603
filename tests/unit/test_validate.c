/* The validation rules, each with its exact message, against the embedded catalog. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aim/catalog.h"
#include "aim/manifest.h"
#include "aim/validate.h"

static aim_catalog *catalog;
static struct aim_findings findings;

/* A Deployment on MI300X nodes with one engine container; pieces fill it in. */
#define HEAD                                                                               \
    "apiVersion: apps/v1\n"                                                                \
    "kind: Deployment\n"                                                                   \
    "metadata: {name: m, namespace: ns}\n"                                                 \
    "spec:\n"                                                                              \
    "  strategy: {type: Recreate}\n"                                                       \
    "  template:\n"                                                                        \
    "    spec:\n"
#define ON_MI300X "      nodeSelector: {amd.com/gpu.device-id: \"74a1\"}\n"
#define ENGINE(command, gpus)                                                              \
    "      containers:\n"                                                                  \
    "        - name: engine\n"                                                             \
    "          command: " command "\n"                                                     \
    "          resources: {limits: {amd.com/gpu: " gpus "}, requests: {amd.com/gpu: " gpus \
    "}}\n"                                                                                 \
    "          volumeMounts: [{name: shm, mountPath: /dev/shm}]\n"
#define C0 "spec.template.spec.containers[0]"

static int load_catalog(void **state)
{
    (void)state;
    catalog = aim_catalog_new();
    return catalog == NULL || aim_catalog_add_embedded(catalog, NULL) != AIM_OK;
}

static int free_all(void **state)
{
    (void)state;
    aim_findings_free(&findings);
    aim_catalog_free(&catalog);
    return 0;
}

static void print_findings(void)
{
    for (size_t i = 0; i < findings.count; i++)
        print_message("  [%zu] %s | %s | %s | %s\n", i,
                      aim_finding_level_name(findings.items[i].level),
                      findings.items[i].object, findings.items[i].field,
                      findings.items[i].message);
}

/* Parses text and validates every object in it, with gpu as the default type. */
static void validate_on(const char *text, const char *gpu)
{
    struct aim_validate_options options = {.gpu = NULL};
    struct aim_manifest manifest = {0};
    struct aim_error err = {0};

    aim_findings_free(&findings);
    if (gpu != NULL)
        options.gpu = aim_catalog_find_gpu(catalog, gpu);
    if (aim_manifest_parse("t.yaml", text, strlen(text), &manifest, &err) != AIM_OK)
        fail_msg("%s", err.message);
    for (size_t i = 0; i < manifest.count; i++)
        assert_int_equal(aim_validate_object(catalog, manifest.objects[i].object, &options,
                                             &findings, &err),
                         AIM_OK);
    aim_manifest_free(&manifest);
}

static void validate(const char *text)
{
    validate_on(text, NULL);
}

static void expect_count(size_t count)
{
    if (findings.count != count) {
        print_findings();
        fail_msg("%zu findings, expected %zu", findings.count, count);
    }
}

static void expect(size_t index, enum aim_finding_level level, const char *field,
                   const char *message)
{
    if (index >= findings.count) {
        print_findings();
        fail_msg("no finding %zu", index);
    }
    if (findings.items[index].level != level || strcmp(findings.items[index].field, field) != 0 ||
        strcmp(findings.items[index].message, message) != 0) {
        print_findings();
        fail_msg("finding %zu is not %s | %s | %s", index, aim_finding_level_name(level), field,
                 message);
    }
}

/* ---- good objects ----------------------------------------------------- */

static void a_good_deployment_has_no_findings(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X
             ENGINE("[python3, -m, vllm.entrypoints.openai.api_server, --model, "
                    "meta-llama/Llama-3.1-70B-Instruct, --tensor-parallel-size, '4', "
                    "--max-model-len, '32768', --dtype, bfloat16]",
                    "4"));
    expect_count(0);
    assert_string_equal(aim_finding_level_name(AIM_FINDING_NOTE), "note");
}

static void every_workload_kind_is_read(void **state)
{
    (void)state;
    validate("kind: Pod\n"
             "metadata: {name: p}\n"
             "spec:\n"
             "  nodeSelector: {amd.com/gpu.device-id: \"74a1\"}\n"
             "  containers:\n"
             "    - command: [vllm, serve, Qwen/Qwen3-8B]\n"
             "      resources: {limits: {amd.com/gpu: 1}}\n"
             "---\n"
             "kind: StatefulSet\n"
             "metadata: {name: s}\n"
             "spec:\n"
             "  template:\n"
             "    metadata: {labels: {aim.amd.com/gpu: MI325X}}\n"
             "    spec:\n"
             "      containers:\n"
             "        - command: [vllm, serve, Qwen/Qwen3-8B]\n"
             "          resources: {limits: {amd.com/gpu: 1}}\n"
             "---\n"
             "kind: LeaderWorkerSet\n"
             "metadata: {name: l}\n"
             "spec:\n"
             "  leaderWorkerTemplate:\n"
             "    workerTemplate:\n"
             "      spec:\n"
             "        nodeSelector: {amd.com/gpu.device-id: \"75a3\"}\n"
             "        containers:\n"
             "          - command: [vllm, serve, Qwen/Qwen3-8B]\n"
             "            resources: {limits: {amd.com/gpu: 1}}\n"
             "---\n"
             "kind: InferenceService\n"
             "metadata: {name: i}\n"
             "spec:\n"
             "  predictor:\n"
             "    nodeSelector: {nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3}\n"
             "    model:\n"
             "      command: [python3, -m, sglang.launch_server, --model-path, Qwen/Qwen3-8B]\n"
             "      resources: {limits: {nvidia.com/gpu: 1}}\n"
             "---\n"
             "kind: InferenceService\n"
             "metadata: {name: j}\n"
             "spec:\n"
             "  predictor:\n"
             "    nodeSelector: {nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3}\n"
             "    containers:\n"
             "      - command: [python3, -m, sglang.launch_server, --model-path, Qwen/Qwen3-8B]\n"
             "        resources: {limits: {nvidia.com/gpu: 1}}\n"
             "---\n"
             "kind: ConfigMap\n"
             "metadata: {name: vllm}\n"
             "data: {a: b}\n");
    expect_count(0);
}

static void the_object_label_names_kind_namespace_and_name(void **state)
{
    json_t *object = json_pack("{s:s, s:{s:s, s:s}}", "kind", "Deployment", "metadata",
                               "name", "qwen3", "namespace", "default");
    char label[AIM_FINDING_OBJECT_MAX];

    (void)state;
    aim_object_label(object, label, sizeof label);
    assert_string_equal(label, "Deployment/default/qwen3");
    json_object_del(json_object_get(object, "metadata"), "namespace");
    aim_object_label(object, label, sizeof label);
    assert_string_equal(label, "Deployment/qwen3");
    json_object_del(object, "metadata");
    aim_object_label(object, label, sizeof label);
    assert_string_equal(label, "Deployment/(unnamed)");
    json_decref(object);
}

/* ---- GPU count against parallelism ------------------------------------- */

static void gpus_must_equal_the_tensor_parallel_size(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X
             ENGINE("[vllm, serve, Qwen/Qwen3-32B, --tensor-parallel-size, '4']", "2"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0 ".resources.limits[amd.com/gpu]",
           "requests 2 GPUs (amd.com/gpu) but vLLM uses 4 (tensor parallel size 4)");

    validate(HEAD ON_MI300X ENGINE("[vllm, serve, Qwen/Qwen3-32B, --tensor-parallel-size=1]",
                                   "2"));
    expect(0, AIM_FINDING_ERROR, C0 ".resources.limits[amd.com/gpu]",
           "requests 2 GPUs (amd.com/gpu) but vLLM uses 1 (tensor parallel size 1)");

    validate(HEAD ON_MI300X ENGINE("[vllm, serve, Qwen/Qwen3-32B]", "8"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0 ".resources.limits[amd.com/gpu]",
           "requests 8 GPUs (amd.com/gpu) but vLLM uses 1 (tensor parallel size 1, the "
           "default)");

    validate(HEAD ON_MI300X ENGINE("[vllm, serve, Qwen/Qwen3-32B, -tp, '2']", "1"));
    expect(0, AIM_FINDING_ERROR, C0 ".resources.limits[amd.com/gpu]",
           "requests 1 GPU (amd.com/gpu) but vLLM uses 2 (tensor parallel size 2)");

    validate(HEAD ON_MI300X
             "      containers:\n"
             "        - command: [vllm, serve, Qwen/Qwen3-32B]\n");
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0,
           "requests no GPUs but vLLM uses 1 (tensor parallel size 1, the default)");
}

static void sglang_flags_in_both_forms(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X
             ENGINE("[python3, -m, sglang.launch_server, --model-path, Qwen/Qwen3-32B, "
                    "--tp-size=4]",
                    "2"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0 ".resources.limits[amd.com/gpu]",
           "requests 2 GPUs (amd.com/gpu) but SGLang uses 4 (tensor parallel size 4)");

    validate(HEAD ON_MI300X
             ENGINE("[python3, -m, sglang.launch_server, --model-path, Qwen/Qwen3-32B, --tp, "
                    "'2']",
                    "2"));
    expect_count(0);

    /* DP attention splits the tensor-parallel GPUs; plain DP multiplies them. */
    validate(HEAD ON_MI300X
             ENGINE("[python3, -m, sglang.launch_server, --model-path, Qwen/Qwen3-32B, "
                    "--tp-size, '2', --dp-size, '2', --enable-dp-attention]",
                    "2"));
    expect_count(0);
    validate(HEAD ON_MI300X
             ENGINE("[python3, -m, sglang.launch_server, --model-path, Qwen/Qwen3-32B, "
                    "--tp-size, '2', --dp-size, '2']",
                    "2"));
    expect(0, AIM_FINDING_ERROR, C0 ".resources.limits[amd.com/gpu]",
           "requests 2 GPUs (amd.com/gpu) but SGLang uses 4 (tensor parallel size 2 x data "
           "parallel size 2)");
}

static void pipeline_and_data_parallel_multiply(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X
             ENGINE("[vllm, serve, Qwen/Qwen3-32B, --tensor_parallel_size, '2', "
                    "--pipeline-parallel-size, '2', -dp, '2']",
                    "4"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0 ".resources.limits[amd.com/gpu]",
           "requests 4 GPUs (amd.com/gpu) but vLLM uses 8 (tensor parallel size 2 x pipeline "
           "parallel size 2 x data parallel size 2)");
}

#define LWS(size, command)                                                                 \
    "kind: LeaderWorkerSet\n"                                                              \
    "metadata: {name: g}\n"                                                                \
    "spec:\n"                                                                              \
    "  leaderWorkerTemplate:\n"                                                            \
    "    size: " size "\n"                                                                 \
    "    leaderTemplate:\n"                                                                \
    "      spec:\n"                                                                        \
    "        nodeSelector: {amd.com/gpu.device-id: \"74a1\"}\n"                            \
    "        containers:\n"                                                                \
    "          - command: " command "\n"                                                   \
    "            resources: {limits: {amd.com/gpu: 8}}\n"                                  \
    "            volumeMounts: [{name: shm, mountPath: /dev/shm}]\n"                       \
    "    workerTemplate:\n"                                                                \
    "      spec:\n"                                                                        \
    "        containers:\n"                                                                \
    "          - command: [ray, start, --block]\n"                                         \
    "            resources: {limits: {amd.com/gpu: 8}}\n"

static void a_group_holds_the_gpus_of_all_its_pods(void **state)
{
    (void)state;
    validate(LWS("2", "[sh, -c, 'ray start --head && vllm serve "
                      "meta-llama/Llama-3.1-405B-Instruct -tp 8 -pp 2 --max-model-len 32768']"));
    expect_count(0);

    validate(LWS("3", "[sh, -c, 'vllm serve meta-llama/Llama-3.1-405B-Instruct -tp 8 -pp 2']"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR,
           "spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0].resources.limits[amd.com/"
           "gpu]",
           "the group of 3 pods holds 24 GPUs but vLLM uses 16 (tensor parallel size 8 x "
           "pipeline parallel size 2)");

    validate("kind: LeaderWorkerSet\nmetadata: {name: g}\n"
             "spec: {leaderWorkerTemplate: {size: 0, workerTemplate: {spec: {containers: []}}}}\n");
    expect(0, AIM_FINDING_ERROR, "spec.leaderWorkerTemplate.size",
           "expected a whole number from 1 to 100000");
}

/* ---- the model: memory, precision, context, heads ---------------------- */

static void a_model_that_does_not_fit_is_an_error(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X ENGINE("[vllm, serve, meta-llama/Llama-3.1-70B-Instruct]", "1"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0,
           "meta-llama/Llama-3.1-70B-Instruct at bf16 does not fit 1 MI300X GPU: needs 173.9 "
           "GiB per GPU for a 131072-token request, has 172.8 usable; the largest "
           "max_model_len that fits is 127354 (no --max-model-len: vLLM serves the model's "
           "whole context)");

    /* The same with a context that fits. */
    validate(HEAD ON_MI300X
             ENGINE("[vllm, serve, meta-llama/Llama-3.1-70B-Instruct, --max-model-len, 64k]",
                    "1"));
    expect_count(0);

    /* A recipe disables 4 GPUs; the memory model still says why. */
    validate(HEAD ON_MI300X
             ENGINE("[vllm, serve, meta-llama/Llama-3.1-405B-Instruct, -tp, '4']", "4"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0,
           "meta-llama/Llama-3.1-405B-Instruct at bf16 does not fit 4 MI300X GPUs: needs 193.0 "
           "GiB per GPU before any KV cache (weights 189.0), has 172.8 usable");

    /* SGLang shortens its KV pool rather than refuse a long context. */
    validate(HEAD ON_MI300X
             ENGINE("[python3, -m, sglang.launch_server, --model-path, "
                    "meta-llama/Llama-3.1-70B-Instruct]",
                    "1"));
    expect_count(0);
}

static void the_container_memory_share_is_used(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X
             ENGINE("[vllm, serve, meta-llama/Llama-3.1-70B-Instruct, --max-model-len, '8192', "
                    "--gpu-memory-utilization, '0.5']",
                    "1"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0,
           "meta-llama/Llama-3.1-70B-Instruct at bf16 does not fit 1 MI300X GPU: needs 133.9 "
           "GiB per GPU before any KV cache (weights 131.4), has 96.0 usable");

    validate(HEAD ON_MI300X
             ENGINE("[vllm, serve, Qwen/Qwen3-8B, --gpu-memory-utilization=1.5]", "1"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0 ".command[3]",
           "--gpu-memory-utilization '1.5': expected a number above 0, at most 1");
}

static void a_policy_refusal_is_only_a_note(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X ENGINE("[vllm, serve, Qwen/Qwen3-8B, -tp, '8']", "8"));
    expect_count(1);
    expect(0, AIM_FINDING_NOTE, C0,
           "it fits, but aimctl would not serve Qwen/Qwen3-8B at bf16 on 8 MI300X GPUs: "
           "recipe qwen3-8b.mi300x.bf16.vllm disables 8 GPUs: 16 GB of weights split 8 ways "
           "wastes GPUs; run replicas at 1 GPU instead");
}

static void a_precision_the_gpu_cannot_run_is_an_error(void **state)
{
    (void)state;
    validate(HEAD "      nodeSelector: {amd.com/gpu.device-id: \"740f\"}\n"
             ENGINE("[vllm, serve, Qwen/Qwen3-32B-FP8]", "1"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0 ".command[2]",
           "MI210 cannot run fp8 weights (Qwen/Qwen3-32B-FP8)");

    /* An -FP8 checkpoint of a known model from another organisation. */
    validate(HEAD "      nodeSelector: {amd.com/gpu.device-id: 740f}\n"
             ENGINE("[vllm, serve, Qwen3-32B-FP8-dynamic]", "1"));
    expect(0, AIM_FINDING_ERROR, C0 ".command[2]",
           "MI210 cannot run fp8 weights (Qwen3-32B-FP8-dynamic)");

    validate(HEAD "      nodeSelector: {beta.amd.com/gpu.device-id.7408: \"8\"}\n"
             ENGINE("[vllm, serve, Qwen/Qwen3-8B, --quantization, fp8]", "1"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0 ".command[4]",
           "MI250X has no native fp8, which online quantization (--quantization fp8) needs");

    /* fp16 of a bf16 checkpoint weighs the same and runs. */
    validate(HEAD ON_MI300X ENGINE("[vllm, serve, Qwen/Qwen3-8B, --dtype, float16]", "1"));
    expect_count(0);

    validate(HEAD ON_MI300X ENGINE("[vllm, serve, Qwen/Qwen3-8B, --dtype, float32]", "1"));
    expect_count(1);
    expect(0, AIM_FINDING_NOTE, C0 ".command[4]",
           "--dtype 'float32' is not one aimctl sizes (auto, bfloat16, float16); the precision "
           "and memory checks are skipped");
}

static void a_context_above_the_model_maximum_is_an_error(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X
             ENGINE("[vllm, serve, Qwen/Qwen3-8B, --max-model-len, '131072']", "1"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0 ".command[4]",
           "--max-model-len 131072 exceeds the 40960 tokens Qwen/Qwen3-8B supports");

    validate(HEAD ON_MI300X
             ENGINE("[python3, -m, sglang.launch_server, --model-path, Qwen/Qwen3-8B, "
                    "--context-length=1M]",
                    "1"));
    expect(0, AIM_FINDING_ERROR, C0 ".command[5]",
           "--context-length 1048576 exceeds the 40960 tokens Qwen/Qwen3-8B supports");
}

static void tensor_parallelism_must_divide_the_heads(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X
             ENGINE("[vllm, serve, meta-llama/Llama-3.1-8B-Instruct, -tp, '3']", "3"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0 ".command[4]",
           "tensor parallel size 3 does not divide the 32 attention heads of "
           "meta-llama/Llama-3.1-8B-Instruct");
}

static void unknown_models_are_warnings(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X ENGINE("[vllm, serve, someone/my-model]", "1"));
    expect_count(1);
    expect(0, AIM_FINDING_WARNING, C0 ".command[2]",
           "unknown model 'someone/my-model' (see 'aimctl models'); the model checks are "
           "skipped");

    validate(HEAD ON_MI300X ENGINE("[python3, -m, vllm.entrypoints.openai.api_server]", "1"));
    expect(0, AIM_FINDING_WARNING, C0,
           "vLLM names no model (flag or aim.amd.com/model annotation); the model checks are "
           "skipped");

    /* A local path with the annotation naming the model. */
    validate("kind: Deployment\n"
             "metadata: {name: m, annotations: {aim.amd.com/model: "
             "meta-llama/Llama-3.1-70B-Instruct}}\n"
             "spec:\n"
             "  strategy: {type: Recreate}\n"
             "  template:\n"
             "    spec:\n" ON_MI300X ENGINE("[vllm, serve, /models/llama]", "1"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0,
           "meta-llama/Llama-3.1-70B-Instruct at bf16 does not fit 1 MI300X GPU: needs 173.9 "
           "GiB per GPU for a 131072-token request, has 172.8 usable; the largest "
           "max_model_len that fits is 127354 (no --max-model-len: vLLM serves the model's "
           "whole context)");
}

/* ---- GPU types -------------------------------------------------------- */

static void the_gpu_type_comes_from_the_pod_or_the_default(void **state)
{
    (void)state;
    /* No type anywhere: a warning, and no memory check. */
    validate(HEAD ENGINE("[vllm, serve, meta-llama/Llama-3.1-70B-Instruct]", "1"));
    expect_count(1);
    expect(0, AIM_FINDING_WARNING, "spec.template.spec",
           "GPU type unknown: no GPU node selector or affinity, no aim.amd.com/gpu label, no "
           "default type (--gpu); the precision and memory checks are skipped");

    /* The caller's default type. */
    validate_on(HEAD ENGINE("[vllm, serve, meta-llama/Llama-3.1-70B-Instruct, --max-model-len, "
                            "'8192']",
                            "1"),
                "MI210");
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0,
           "meta-llama/Llama-3.1-70B-Instruct at bf16 does not fit 1 MI210 GPU: needs 132.5 GiB "
           "per GPU before any KV cache (weights 131.4), has 57.6 usable");

    /* The label names a type; an unknown one is a warning. */
    validate("kind: Deployment\n"
             "metadata: {name: m}\n"
             "spec:\n"
             "  strategy: {type: Recreate}\n"
             "  template:\n"
             "    metadata: {labels: {aim.amd.com/gpu: MI400X}}\n"
             "    spec:\n" ENGINE("[vllm, serve, Qwen/Qwen3-8B]", "1"));
    expect_count(2);
    expect(0, AIM_FINDING_WARNING, "spec.template.metadata.labels[aim.amd.com/gpu]",
           "'MI400X' is no GPU type in the catalog (see 'aimctl gpus')");

    /* An unknown device id is a warning and names no type. */
    validate(HEAD "      nodeSelector: {amd.com/gpu.device-id: \"ffff\"}\n"
             ENGINE("[vllm, serve, Qwen/Qwen3-8B]", "1"));
    expect_count(2);
    expect(0, AIM_FINDING_WARNING, "spec.template.spec.nodeSelector[amd.com/gpu.device-id]",
           "'ffff' is no GPU type in the catalog (see 'aimctl gpus')");
}

static void node_affinity_may_name_several_types(void **state)
{
    (void)state;
    validate(HEAD
             "      affinity:\n"
             "        nodeAffinity:\n"
             "          requiredDuringSchedulingIgnoredDuringExecution:\n"
             "            nodeSelectorTerms:\n"
             "              - matchExpressions:\n"
             "                  - {key: amd.com/gpu.device-id, operator: In, values: [\"74a1\", "
             "\"740f\"]}\n"
             "              - matchExpressions:\n"
             "                  - {key: beta.amd.com/gpu.device-id.7408, operator: Exists}\n"
             ENGINE("[vllm, serve, Qwen/Qwen3-8B-FP8]", "1"));
    expect_count(2);
    expect(0, AIM_FINDING_ERROR, C0 ".command[2]",
           "MI210 cannot run fp8 weights (Qwen/Qwen3-8B-FP8)");
    expect(1, AIM_FINDING_ERROR, C0 ".command[2]",
           "MI250X cannot run fp8 weights (Qwen/Qwen3-8B-FP8)");
}

static void the_gpu_type_must_be_of_the_requested_resource(void **state)
{
    (void)state;
    validate(HEAD "      nodeSelector: {nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3}\n"
             ENGINE("[vllm, serve, Qwen/Qwen3-8B]", "1"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0 ".resources.limits[amd.com/gpu]",
           "requests amd.com/gpu, but the node selector picks H100 GPUs, which are "
           "nvidia.com/gpu");

    /* A default type of the other vendor is no type at all. */
    validate_on(HEAD ENGINE("[vllm, serve, Qwen/Qwen3-8B]", "1"), "H100");
    expect(0, AIM_FINDING_WARNING, "spec.template.spec",
           "GPU type unknown: no GPU node selector or affinity, no aim.amd.com/gpu label, no "
           "default type (--gpu); the precision and memory checks are skipped");
}

/* ---- what is only unwise ---------------------------------------------- */

static void unwise_settings_are_warnings(void **state)
{
    (void)state;
    validate("kind: Service\nmetadata: {name: vllm}\nspec: {ports: [{port: 8000}]}\n"
             "---\n"
             "kind: Deployment\n"
             "metadata: {name: m}\n"
             "spec:\n"
             "  template:\n"
             "    spec:\n" ON_MI300X
             "      containers:\n"
             "        - command: [vllm, serve, Qwen/Qwen3-32B, --tensor-parallel-size, '2']\n"
             "          env:\n"
             "            - {name: HF_TOKEN, value: x}\n"
             "            - {name: ROCR_VISIBLE_DEVICES, value: '0,1'}\n"
             "          resources: {limits: {amd.com/gpu: 2}, requests: {amd.com/gpu: 1}}\n");
    expect_count(5);
    expect(0, AIM_FINDING_WARNING, "metadata.name",
           "a Service named vllm makes Kubernetes inject VLLM_PORT and other VLLM_* variables "
           "into the pods of its namespace, which collide with vLLM's own settings; rename it");
    expect(1, AIM_FINDING_WARNING, C0 ".resources.requests[amd.com/gpu]",
           "requests 1 but the limit is 2: Kubernetes wants GPU requests equal to limits");
    expect(2, AIM_FINDING_WARNING, "spec.strategy.type",
           "RollingUpdate (the default) starts the new pod while the old one holds its GPUs, "
           "so on a full node the update never schedules; use Recreate");
    expect(3, AIM_FINDING_WARNING, C0 ".env[1]",
           "ROCR_VISIBLE_DEVICES is set: the device plugin already assigns the GPUs, and vLLM "
           "and Ray mishandle it on ROCm (\"invalid device ordinal\")");
    expect(4, AIM_FINDING_WARNING, C0,
           "tensor parallel size 2 with no /dev/shm volume: the runtime's 64 MiB /dev/shm is "
           "too small for NCCL/RCCL; mount an emptyDir with medium: Memory there");
}

static void requests_without_limits_and_host_ipc(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X
             "      hostIPC: true\n"
             "      containers:\n"
             "        - command: [vllm, serve, Qwen/Qwen3-32B, --tensor-parallel-size, '2']\n"
             "          resources: {requests: {amd.com/gpu: '2'}}\n");
    expect_count(1);
    expect(0, AIM_FINDING_WARNING, C0 ".resources.requests[amd.com/gpu]",
           "a GPU request without a limit: Kubernetes wants GPU limits, equal to requests");
}

/* ---- reading the command ------------------------------------------------ */

static void shell_scripts_env_references_and_the_vllm_image(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X
             "      containers:\n"
             "        - command: [/bin/bash, -c]\n"
             "          args: [\"set -e; exec vllm serve \\\"$(MODEL)\\\" --tensor-parallel-size "
             "$(TP) --max-model-len ${LEN}\"]\n"
             "          env: [{name: MODEL, value: Qwen/Qwen3-32B}, {name: TP, value: '2'}]\n"
             "          resources: {limits: {amd.com/gpu: 2}}\n");
    expect_count(2);
    expect(0, AIM_FINDING_NOTE, C0 ".args[0]",
           "--max-model-len '${LEN}' is not a literal value; the checks that need it are "
           "skipped");
    expect(1, AIM_FINDING_WARNING, C0,
           "tensor parallel size 2 with no /dev/shm volume: the runtime's 64 MiB /dev/shm is "
           "too small for NCCL/RCCL; mount an emptyDir with medium: Memory there");

    validate(HEAD ON_MI300X
             "      containers:\n"
             "        - image: vllm/vllm-openai:v0.9.2\n"
             "          args: [meta-llama/Llama-3.1-8B-Instruct, --tensor-parallel-size, '2']\n"
             "          resources: {limits: {amd.com/gpu: 1}}\n");
    expect(0, AIM_FINDING_ERROR, C0 ".resources.limits[amd.com/gpu]",
           "requests 1 GPU (amd.com/gpu) but vLLM uses 2 (tensor parallel size 2)");
}

static void bad_numbers_in_flags_are_errors(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X ENGINE("[vllm, serve, Qwen/Qwen3-8B, -tp, two]", "1"));
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, C0 ".command[4]",
           "-tp 'two': expected a whole number from 1 to 1024");
    validate(HEAD ON_MI300X ENGINE("[vllm, serve, Qwen/Qwen3-8B, --max-model-len=0]", "1"));
    expect(0, AIM_FINDING_ERROR, C0 ".command[3]",
           "--max-model-len '0': expected a whole number from 1 to 1000000000");
}

static void no_engine_container_is_a_note_when_it_holds_gpus(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X ENGINE("[python3, train.py]", "8"));
    expect_count(1);
    expect(0, AIM_FINDING_NOTE, "spec.template.spec.containers",
           "requests 8 GPUs but no container runs vLLM or SGLang; nothing else checked");

    validate(HEAD "      containers: [{name: web, image: nginx}]\n");
    expect_count(0);
}

/* ---- broken objects --------------------------------------------------- */

static void broken_shapes_are_errors_not_crashes(void **state)
{
    (void)state;
    validate("kind: Deployment\nmetadata: {name: m}\nspec: {replicas: 1}\n");
    expect_count(1);
    expect(0, AIM_FINDING_ERROR, "spec.template", "required, but missing");

    validate("kind: Pod\nmetadata: {name: p}\nspec: {containers: {name: a}}\n");
    expect(0, AIM_FINDING_ERROR, "spec.containers", "expected a list, got a mapping");

    validate("kind: Pod\nmetadata: {name: p}\nspec: {containers: [3]}\n");
    expect(0, AIM_FINDING_ERROR, "spec.containers[0]", "expected a mapping, got a number");

    validate("kind: Pod\nmetadata: {name: p}\n"
             "spec: {containers: [{command: [vllm, serve, 8], resources: []}]}\n");
    expect_count(4);
    expect(0, AIM_FINDING_ERROR, "spec.containers[0].resources", "expected a mapping, got a list");
    expect(1, AIM_FINDING_ERROR, "spec.containers[0].command[2]",
           "expected a string, got a number");
    expect(2, AIM_FINDING_ERROR, "spec.containers[0]",
           "requests no GPUs but vLLM uses 1 (tensor parallel size 1, the default)");

    validate("kind: Pod\nmetadata: {name: p}\n"
             "spec: {containers: [{resources: {limits: {amd.com/gpu: 1.5}}}]}\n");
    expect(0, AIM_FINDING_ERROR, "spec.containers[0].resources.limits[amd.com/gpu]",
           "expected a whole number of GPUs, got a number");
    validate("kind: Pod\nmetadata: {name: p}\n"
             "spec: {containers: [{resources: {limits: {nvidia.com/gpu: '-1'}}}]}\n");
    expect(0, AIM_FINDING_ERROR, "spec.containers[0].resources.limits[nvidia.com/gpu]",
           "expected a whole number of GPUs, got '-1'");

    validate("kind: InferenceService\nmetadata: {name: i}\nspec: {}\n");
    expect(0, AIM_FINDING_ERROR, "spec.predictor", "required, but missing");
    validate("kind: Pod\n");
    expect(0, AIM_FINDING_ERROR, "spec", "required, but missing");
}

static void findings_per_object_are_capped(void **state)
{
    char *text = malloc(100000);
    size_t used;

    (void)state;
    assert_non_null(text);
    used = (size_t)snprintf(text, 100000, "kind: Pod\nmetadata: {name: p}\nspec:\n"
                                          "  containers:\n"
                                          "    - command: [vllm, serve, x]\n"
                                          "      env:\n");
    for (int i = 0; i < 100; i++)
        used += (size_t)snprintf(text + used, 100000 - used,
                                 "        - {name: HIP_VISIBLE_DEVICES, value: '0'}\n");
    validate(text);
    free(text);
    expect_count(AIM_FINDINGS_PER_OBJECT_MAX + 1);
    expect(AIM_FINDINGS_PER_OBJECT_MAX, AIM_FINDING_NOTE, "",
           "more findings left out: at most 64 per object");
    assert_int_equal(aim_findings_count(&findings, AIM_FINDING_WARNING),
                     AIM_FINDINGS_PER_OBJECT_MAX);
}

static void engine_containers_per_object_are_capped(void **state)
{
    char *text = malloc(100000);
    size_t used;

    (void)state;
    assert_non_null(text);
    used = (size_t)snprintf(text, 100000, "kind: Pod\nmetadata: {name: p}\nspec:\n"
                                          "  containers:\n");
    for (int i = 0; i < 20; i++)
        used += (size_t)snprintf(text + used, 100000 - used,
                                 "    - command: [vllm, serve, x-%d]\n", i);
    validate_on(text, "MI300X");
    free(text);
    /* Each of the 16 checked says it runs on no GPU and names an unknown model. */
    expect_count(2 * 16 + 1);
    expect(32, AIM_FINDING_NOTE, "spec.containers[16]",
           "more than 16 engine containers: the rest are not checked");
}

static void control_characters_never_reach_a_message(void **state)
{
    (void)state;
    validate(HEAD ON_MI300X ENGINE("[vllm, serve, \"bad\\x01name\"]", "1"));
    expect(0, AIM_FINDING_WARNING, C0 ".command[2]",
           "unknown model 'bad?name' (see 'aimctl models'); the model checks are skipped");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_deployment_has_no_findings),
        cmocka_unit_test(every_workload_kind_is_read),
        cmocka_unit_test(the_object_label_names_kind_namespace_and_name),
        cmocka_unit_test(gpus_must_equal_the_tensor_parallel_size),
        cmocka_unit_test(sglang_flags_in_both_forms),
        cmocka_unit_test(pipeline_and_data_parallel_multiply),
        cmocka_unit_test(a_group_holds_the_gpus_of_all_its_pods),
        cmocka_unit_test(a_model_that_does_not_fit_is_an_error),
        cmocka_unit_test(the_container_memory_share_is_used),
        cmocka_unit_test(a_policy_refusal_is_only_a_note),
        cmocka_unit_test(a_precision_the_gpu_cannot_run_is_an_error),
        cmocka_unit_test(a_context_above_the_model_maximum_is_an_error),
        cmocka_unit_test(tensor_parallelism_must_divide_the_heads),
        cmocka_unit_test(unknown_models_are_warnings),
        cmocka_unit_test(the_gpu_type_comes_from_the_pod_or_the_default),
        cmocka_unit_test(node_affinity_may_name_several_types),
        cmocka_unit_test(the_gpu_type_must_be_of_the_requested_resource),
        cmocka_unit_test(unwise_settings_are_warnings),
        cmocka_unit_test(requests_without_limits_and_host_ipc),
        cmocka_unit_test(shell_scripts_env_references_and_the_vllm_image),
        cmocka_unit_test(bad_numbers_in_flags_are_errors),
        cmocka_unit_test(no_engine_container_is_a_note_when_it_holds_gpus),
        cmocka_unit_test(broken_shapes_are_errors_not_crashes),
        cmocka_unit_test(findings_per_object_are_capped),
        cmocka_unit_test(engine_containers_per_object_are_capped),
        cmocka_unit_test(control_characters_never_reach_a_message),
    };

    return cmocka_run_group_tests(tests, load_catalog, free_all);
}
