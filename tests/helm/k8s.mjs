// Validation of Kubernetes objects against the Kubernetes OpenAPI schema, as
// the npm package kubernetes-models compiles it, plus what that schema leaves
// out and the API server checks:
//
//   - fields the schema does not know (kubectl's --validate=strict): found by
//     walking the object beside the models' type declarations;
//   - names: DNS-1035 labels for Services and InferenceServices, DNS-1123
//     subdomains for the rest; label keys and values;
//   - LeaderWorkerSet and InferenceService, which are CRDs: their top-level
//     shape against small schemas written from their API references
//     (schemas/*.schema.json), their pod templates and pod spec against the
//     PodTemplateSpec and PodSpec models.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { requireTool, tools } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { Deployment } = requireTool('kubernetes-models/apps/v1');
const { PersistentVolumeClaim, PodSpec, PodTemplateSpec, Service } =
    requireTool('kubernetes-models/v1');
const { ServiceMonitor } = requireTool('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1');
const Ajv = requireTool('ajv');

const ajv = new Ajv({ allErrors: true, strict: false });
const lwsSchema = ajv.compile(JSON.parse(readFileSync(join(here, 'schemas/leaderworkerset.schema.json'), 'utf8')));
const isvcSchema = ajv.compile(JSON.parse(readFileSync(join(here, 'schemas/inferenceservice.schema.json'), 'utf8')));

// ---- the fields each type has, from the models' .d.ts files -------------

// interface alias -> Map(field -> {type: alias or null})
const fieldsByType = new Map();

function readDeclarations(dir) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory() && entry.name !== '_schemas' && entry.name !== 'node_modules')
            readDeclarations(path);
        else if (entry.isFile() && entry.name.endsWith('.d.ts'))
            readDeclaration(readFileSync(path, 'utf8'));
    }
}

// `export interface IName [extends TypeMeta] {` ... `}` with one `"field"?: Type;` per line at
// four spaces, and `export { IName as IIoK8s...Alias, ... }`.
function readDeclaration(text) {
    const interfaces = new Map();
    const lines = text.split('\n');
    let current = null;

    for (const line of lines) {
        const start = /^export interface (I\w+)( extends TypeMeta)? \{$/.exec(line);
        if (start) {
            // A kind: TypeMeta adds apiVersion and kind.
            current = new Map(start[2] ? [['apiVersion', null], ['kind', null]] : []);
            interfaces.set(start[1], current);
            continue;
        }
        if (current && line === '}') {
            current = null;
            continue;
        }
        const field = current && /^ {4}"([^"]+)"\??: (.*)$/.exec(line);
        if (field) {
            const type = /^(?:Array<)?(I\w+)>?;$/.exec(field[2]);
            current.set(field[1], type ? type[1] : null);
        }
    }
    for (const match of text.matchAll(/^export \{ (I\w+) as (I\w+),/gm)) {
        if (interfaces.has(match[1]))
            fieldsByType.set(match[2], interfaces.get(match[1]));
    }
}

readDeclarations(join(tools, 'node_modules/kubernetes-models'));
readDeclarations(join(tools, 'node_modules/@kubernetes-models/apimachinery'));

// Paths of fields the type's declaration does not have.
function unknownFields(value, type, path, found = []) {
    const fields = fieldsByType.get(type);
    if (fields === undefined || value === null || typeof value !== 'object')
        return found;
    if (Array.isArray(value)) {
        value.forEach((item, index) => unknownFields(item, type, `${path}[${index}]`, found));
        return found;
    }
    for (const [key, item] of Object.entries(value)) {
        if (!fields.has(key))
            found.push(`${path}.${key}`);
        else if (fields.get(key) !== null)
            unknownFields(item, fields.get(key), `${path}.${key}`, found);
    }
    return found;
}

// ---- names and labels ---------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function qualifiedNameErrors(key, what) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : null;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const errors = [];
    if (prefix !== null && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)))
        errors.push(`${what} '${key}': the prefix is not a DNS-1123 subdomain`);
    if (name.length > 63 || !LABEL_NAME.test(name))
        errors.push(`${what} '${key}': the name is not a qualified name`);
    return errors;
}

function labelErrors(labels, path) {
    const errors = [];
    for (const [key, value] of Object.entries(labels ?? {})) {
        errors.push(...qualifiedNameErrors(key, `${path} key`));
        if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value))
            errors.push(`${path}['${key}']: '${value}' is not a label value`);
    }
    return errors;
}

function annotationErrors(annotations, path) {
    const errors = [];
    for (const [key, value] of Object.entries(annotations ?? {})) {
        errors.push(...qualifiedNameErrors(key, `${path} key`));
        if (typeof value !== 'string')
            errors.push(`${path}['${key}']: not a string`);
    }
    return errors;
}

function metadataErrors(metadata, dns1035, path = '.metadata') {
    const errors = [];
    const name = metadata?.name;
    if (name !== undefined) {
        const ok = dns1035 ? name.length <= 63 && DNS1035_LABEL.test(name)
            : name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
        if (!ok)
            errors.push(`${path}.name '${name}': not a ${dns1035 ? 'DNS-1035 label' : 'DNS-1123 subdomain'}`);
    }
    if (metadata?.namespace !== undefined &&
        (metadata.namespace.length > 63 || !DNS1123_LABEL.test(metadata.namespace)))
        errors.push(`${path}.namespace '${metadata.namespace}': not a DNS-1123 label`);
    errors.push(...labelErrors(metadata?.labels, `${path}.labels`));
    errors.push(...annotationErrors(metadata?.annotations, `${path}.annotations`));
    return errors;
}

// ---- per kind -----------------------------------------------------------

function modelErrors(Model, data, path = '') {
    try {
        new Model(data).validate();
        return [];
    } catch (error) {
        const details = error.errors ?? [{ instancePath: '', message: error.message }];
        return details.map((detail) => `${path}${detail.instancePath}: ${detail.message}`);
    }
}

function ajvErrors(validate, data) {
    return validate(data) ? []
        : validate.errors.map((error) => `${error.instancePath || '/'}: ${error.message}` +
            (error.params?.additionalProperty ? ` '${error.params.additionalProperty}'` : ''));
}

function coreObject(Model, type, dns1035) {
    return (object) => [
        ...modelErrors(Model, object),
        ...unknownFields(object, type, '').map((path) => `${path}: unknown field`),
        ...metadataErrors(object.metadata, dns1035),
    ];
}

function podTemplateErrors(template, path) {
    return [
        ...modelErrors(PodTemplateSpec, template, path),
        ...unknownFields(template, 'IIoK8sApiCoreV1PodTemplateSpec', path)
            .map((field) => `${field}: unknown field`),
        ...metadataErrors(template?.metadata, false, `${path}.metadata`),
    ];
}

// The predictor's own fields; the rest is the inline PodSpec.
const predictorOwnFields = new Set(Object.keys(
    JSON.parse(readFileSync(join(here, 'schemas/inferenceservice.schema.json'), 'utf8'))
        .definitions.predictor.properties));

function inferenceServiceErrors(object) {
    const errors = [...ajvErrors(isvcSchema, object), ...metadataErrors(object.metadata, true)];
    const predictor = object?.spec?.predictor ?? {};
    const podSpec = Object.fromEntries(Object.entries(predictor)
        .filter(([key]) => !predictorOwnFields.has(key)));
    errors.push(...modelErrors(PodSpec, podSpec, '/spec/predictor'));
    errors.push(...unknownFields(podSpec, 'IIoK8sApiCoreV1PodSpec', '.spec.predictor')
        .map((path) => `${path}: unknown field (neither PodSpec nor the predictor's)`));
    if (predictor.minReplicas !== undefined && predictor.maxReplicas !== undefined &&
        predictor.maxReplicas !== 0 && predictor.minReplicas > predictor.maxReplicas)
        errors.push("/spec/predictor: 'MinReplicas' cannot be greater than MaxReplicas");
    if (!(podSpec.containers ?? []).some((container) => container.name === 'kserve-container'))
        errors.push('/spec/predictor/containers: no kserve-container');
    return errors;
}

function leaderWorkerSetErrors(object) {
    const errors = [...ajvErrors(lwsSchema, object), ...metadataErrors(object.metadata, false)];
    const template = object?.spec?.leaderWorkerTemplate ?? {};
    if (template.leaderTemplate !== undefined)
        errors.push(...podTemplateErrors(template.leaderTemplate,
            '.spec.leaderWorkerTemplate.leaderTemplate'));
    errors.push(...podTemplateErrors(template.workerTemplate,
        '.spec.leaderWorkerTemplate.workerTemplate'));
    return errors;
}

function serviceMonitorErrors(object) {
    return [...modelErrors(ServiceMonitor, object), ...metadataErrors(object.metadata, false)];
}

const validators = {
    'v1/PersistentVolumeClaim': coreObject(PersistentVolumeClaim,
        'IIoK8sApiCoreV1PersistentVolumeClaim', false),
    'v1/Service': coreObject(Service, 'IIoK8sApiCoreV1Service', true),
    'apps/v1/Deployment': coreObject(Deployment, 'IIoK8sApiAppsV1Deployment', false),
    'leaderworkerset.x-k8s.io/v1/LeaderWorkerSet': leaderWorkerSetErrors,
    'serving.kserve.io/v1beta1/InferenceService': inferenceServiceErrors,
    'monitoring.coreos.com/v1/ServiceMonitor': serviceMonitorErrors,
};

// The problems of one object: [] when it is valid.
export function validateObject(object) {
    const validator = validators[`${object?.apiVersion}/${object?.kind}`];
    if (validator === undefined)
        return [`no validator for ${object?.apiVersion} ${object?.kind}`];
    return validator(object);
}

export const knownTypeCount = () => fieldsByType.size;
