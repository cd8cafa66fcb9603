{{/*
The templates of the aim-model chart. They are aim_render_objects() in
src/core/render.c written in Helm: the same values give the same objects, and
a test holds them to it for every catalog model on every GPU type. A change
here needs the same change there.

Integers taken from the values go through int64: Helm reads numbers in values
files as floats, which would print 1e+06 from 1000000.
*/}}

{{/* The name of every object: .Values.name, or the release's name. */}}
{{- define "aim-model.name" -}}
{{- default .Release.Name .Values.name -}}
{{- end -}}

{{- define "aim-model.namespace" -}}
{{- default .Release.Namespace .Values.namespace -}}
{{- end -}}

{{/* The claim that holds the Hugging Face cache. */}}
{{- define "aim-model.claim" -}}
{{- printf "%s-cache" (include "aim-model.name" .) -}}
{{- end -}}

{{- define "aim-model.selectorLabels" -}}
app.kubernetes.io/name: aim-model
app.kubernetes.io/instance: {{ include "aim-model.name" . | quote }}
{{- end -}}

{{- define "aim-model.labels" -}}
{{ include "aim-model.selectorLabels" . }}
app.kubernetes.io/component: inference
app.kubernetes.io/managed-by: {{ .Values.managedBy | quote }}
aim.amd.com/model: {{ .Values.model.label | quote }}
aim.amd.com/recipe: {{ .Values.recipe.label | quote }}
aim.amd.com/gpu: {{ .Values.gpu.type | quote }}
aim.amd.com/precision: {{ .Values.precision | quote }}
aim.amd.com/backend: {{ .Values.backend | quote }}
{{- end -}}

{{/* The plan's identity and predicted performance. */}}
{{- define "aim-model.annotations" -}}
aim.amd.com/model-id: {{ .Values.model.id | quote }}
aim.amd.com/recipe-id: {{ .Values.recipe.id | quote }}
aim.amd.com/recipe-maturity: {{ .Values.recipe.maturity | quote }}
aim.amd.com/predicted-decode-tokens-per-second: {{ .Values.performance.decodeTokensPerSecond | quote }}
aim.amd.com/predicted-aggregate-tokens-per-second: {{ .Values.performance.aggregateTokensPerSecond | quote }}
aim.amd.com/predicted-ttft-milliseconds: {{ .Values.performance.ttftMilliseconds | quote }}
{{- end -}}

{{/*
Object metadata. Takes a dict: root (the chart's context), name (default:
the model's name), annotated (add the plan's annotations), kserve (add
KServe's deployment mode to them).
*/}}
{{- define "aim-model.metadata" -}}
name: {{ .name | default (include "aim-model.name" .root) | quote }}
namespace: {{ include "aim-model.namespace" .root | quote }}
labels:
  {{- include "aim-model.labels" .root | nindent 2 }}
{{- if .annotated }}
annotations:
  {{- include "aim-model.annotations" .root | nindent 2 }}
  {{- if .kserve }}
  serving.kserve.io/deploymentMode: RawDeployment
  {{- end }}
{{- end }}
{{- end -}}

{{/*
The engine's dtype or quantization flags for the precision served, as a JSON
list: bf16 and fp16 name the dtype; fp8 on a checkpoint that is not fp8 asks
for online quantization; fp8 and fp4 checkpoints carry their own.
*/}}
{{- define "aim-model.precisionArgs" -}}
{{- $precision := .Values.precision -}}
{{- if eq $precision "bf16" -}}
{{- list "--dtype" "bfloat16" | toJson -}}
{{- else if eq $precision "fp16" -}}
{{- list "--dtype" "float16" | toJson -}}
{{- else if and (eq $precision "fp8") (ne .Values.model.checkpointPrecision "fp8") -}}
{{- list "--quantization" "fp8" | toJson -}}
{{- else -}}
[]
{{- end -}}
{{- end -}}

{{/*
The container's arguments, as a YAML list of strings. Takes a dict: root,
role (single, leader, worker or kserve). In order: model, tensor parallel
size, pipeline parallel size across nodes, precision, the recipe's
arguments, the leader's or worker's, host and port, then extraArgs.
*/}}
{{- define "aim-model.args" -}}
{{- $values := .root.Values -}}
{{- $nodes := int64 $values.multiNode.nodes -}}
{{- $args := list $values.engine.modelFlag $values.model.checkpoint $values.engine.tensorParallelFlag (toString (int64 $values.engine.tensorParallelSize)) -}}
{{- if gt $nodes 1 -}}
{{- $args = concat $args (list $values.engine.pipelineParallelFlag (toString $nodes)) -}}
{{- end -}}
{{- $args = concat $args (include "aim-model.precisionArgs" .root | fromJsonArray) -}}
{{- $args = concat $args $values.engine.args -}}
{{- if eq .role "leader" -}}
{{- $args = concat $args $values.multiNode.leaderArgs -}}
{{- else if eq .role "worker" -}}
{{- $args = concat $args $values.multiNode.workerArgs -}}
{{- end -}}
{{- $args = concat $args (list "--host" "0.0.0.0" "--port" (toString (int64 $values.engine.port))) -}}
{{- $args = concat $args $values.engine.extraArgs -}}
{{- $strings := list -}}
{{- range $args -}}
{{- $strings = append $strings (toString .) -}}
{{- end -}}
{{- toYaml $strings -}}
{{- end -}}

{{/*
The container's environment: the recipe's, then where the cache is and what
runs (HF_HOME, AIM_*), VLLM_DTYPE for vLLM, then extraEnv.
*/}}
{{- define "aim-model.env" -}}
{{- $values := .Values -}}
{{- $precision := $values.precision -}}
{{- $env := concat $values.env (list
      (dict "name" "HF_HOME" "value" (printf "%s/hf" $values.storage.mountPath))
      (dict "name" "AIM_MODEL" "value" $values.model.id)
      (dict "name" "AIM_RECIPE" "value" $values.recipe.id)
      (dict "name" "AIM_GPU" "value" $values.gpu.type)
      (dict "name" "AIM_PRECISION" "value" $precision)
      (dict "name" "AIM_BACKEND" "value" $values.backend)) -}}
{{- if eq $values.backend "vllm" -}}
{{- $dtype := "auto" -}}
{{- if eq $precision "bf16" }}{{ $dtype = "bfloat16" }}{{ else if eq $precision "fp16" }}{{ $dtype = "float16" }}{{ end -}}
{{- $env = append $env (dict "name" "VLLM_DTYPE" "value" $dtype) -}}
{{- end -}}
{{- concat $env $values.extraEnv | toYaml -}}
{{- end -}}

{{/* Requests and limits: the values' CPU and memory, and the GPUs, which
cannot be overcommitted, so their request equals their limit. */}}
{{- define "aim-model.resources" -}}
{{- $gpus := toString (int64 .Values.gpu.count) -}}
{{- $requests := deepCopy .Values.resources.requests -}}
{{- $limits := deepCopy .Values.resources.limits -}}
{{- $_ := set $requests .Values.gpu.resourceName $gpus -}}
{{- $_ = set $limits .Values.gpu.resourceName $gpus -}}
{{- dict "requests" $requests "limits" $limits | toYaml -}}
{{- end -}}

{{- define "aim-model.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: http
periodSeconds: {{ .period }}
failureThreshold: {{ .failures }}
timeoutSeconds: 5
{{- end -}}

{{/* The engine's container. Takes a dict: root, role. */}}
{{- define "aim-model.container" -}}
{{- $values := .root.Values -}}
name: {{ eq .role "kserve" | ternary "kserve-container" "engine" }}
image: {{ $values.image | quote }}
command:
  {{- toYaml $values.engine.command | nindent 2 }}
args:
  {{- include "aim-model.args" . | nindent 2 }}
ports:
  - name: http
    containerPort: {{ int64 $values.engine.port }}
    protocol: TCP
env:
  {{- include "aim-model.env" .root | nindent 2 }}
resources:
  {{- include "aim-model.resources" .root | nindent 2 }}
volumeMounts:
  - name: model-cache
    mountPath: {{ $values.storage.mountPath | quote }}
  - name: dshm
    mountPath: /dev/shm
securityContext:
  privileged: false
  allowPrivilegeEscalation: false
{{- /* Workers of a multi-node group serve no HTTP; the leader answers. */}}
{{- if ne .role "worker" }}
startupProbe:
  {{- include "aim-model.httpProbe" (dict "path" "/health" "period" (int64 $values.probes.periodSeconds) "failures" (int64 $values.probes.startupFailureThreshold)) | nindent 2 }}
readinessProbe:
  {{- include "aim-model.httpProbe" (dict "path" "/v1/models" "period" 10 "failures" 3) | nindent 2 }}
livenessProbe:
  {{- include "aim-model.httpProbe" (dict "path" "/health" "period" 30 "failures" 3) | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Node affinity on the GPU's node labels, in both label forms. */}}
{{- define "aim-model.affinity" -}}
{{- $labels := .Values.gpu.nodeLabels -}}
nodeAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
      - matchExpressions:
          - key: {{ $labels.key | quote }}
            operator: In
            values:
              {{- toYaml $labels.values | nindent 14 }}
      {{- if $labels.legacyKeyPrefix }}
      {{- range $labels.values }}
      {{- if kindIs "string" . }}
      - matchExpressions:
          - key: {{ printf "%s%s" $labels.legacyKeyPrefix . | quote }}
            operator: Exists
      {{- end }}
      {{- end }}
      {{- end }}
{{- end -}}

{{/*
The pod's spec. Takes a dict: root, role. A KServe predictor has no grace
period of its own and carries the replica bounds instead.
*/}}
{{- define "aim-model.podSpec" -}}
{{- $values := .root.Values -}}
affinity:
  {{- include "aim-model.affinity" .root | nindent 2 }}
tolerations:
  - key: {{ $values.gpu.resourceName | quote }}
    operator: Exists
    effect: NoSchedule
containers:
  - {{ include "aim-model.container" . | nindent 4 | trim }}
volumes:
  - name: model-cache
    persistentVolumeClaim:
      claimName: {{ include "aim-model.claim" .root | quote }}
  - name: dshm
    emptyDir:
      medium: Memory
      sizeLimit: {{ $values.sharedMemory | quote }}
{{- if eq .role "kserve" }}
minReplicas: {{ int64 $values.replicas }}
maxReplicas: {{ int64 $values.replicas }}
{{- else }}
terminationGracePeriodSeconds: 60
{{- end }}
{{- end -}}

{{/* A pod template. Takes a dict: root, role. */}}
{{- define "aim-model.podTemplate" -}}
metadata:
  labels:
    {{- include "aim-model.labels" .root | nindent 4 }}
  annotations:
    {{- include "aim-model.annotations" .root | nindent 4 }}
spec:
  {{- include "aim-model.podSpec" . | nindent 2 }}
{{- end -}}

{{/* KServe serves one node: refuse a multi-node plan (the schema does too). */}}
{{- define "aim-model.check" -}}
{{- if and .Values.kserve (gt (int64 .Values.multiNode.nodes) 1) -}}
{{- fail (printf "kserve serves one node; this plan spans %d" (int64 .Values.multiNode.nodes)) -}}
{{- end -}}
{{- end -}}
