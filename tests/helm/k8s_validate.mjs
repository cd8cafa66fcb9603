// Every object aimctl renders for every catalog model on every GPU type (as
// deployed, and as KServe with monitoring), for the variants, and the
// chart's own defaults, passes the Kubernetes schema validation of k8s.mjs.
// First it proves the validation rejects broken objects, so that a
// validator that accepts anything cannot pass.
//
// AIM_HELM_QUICK=1 (the sanitizer build) takes one GPU type of each vendor
// instead of all of them.
import { aimctl, catalog, helmTemplate, parseStream, planVariants, Report } from './lib.mjs';
import { knownTypeCount, validateObject } from './k8s.mjs';

const report = new Report('helm.k8s_validate');
const NO_FIT = 3;
const counts = { objects: 0, plans: 0, noFit: 0 };
const byKind = {};

function validateAll(objects, what) {
    for (const object of objects) {
        const errors = validateObject(object);
        counts.objects++;
        byKind[object.kind] = (byKind[object.kind] ?? 0) + 1;
        report.check(errors.length === 0, `${what}: ${object.kind} ${object.metadata?.name}`,
            errors.slice(0, 10).join('\n'));
    }
}

async function validatePlan(args) {
    const result = await aimctl(['render', ...args, '-o', 'json']);
    if (result.code === NO_FIT) {
        counts.noFit++;
        return;
    }
    if (result.code !== 0) {
        report.fail(`aimctl render ${args.join(' ')}`, `exit ${result.code}: ${result.stderr}`);
        return;
    }
    counts.plans++;
    validateAll(JSON.parse(result.stdout).items, `aimctl render ${args.join(' ')}`);
}

// Broken copies of valid objects must each be rejected.
async function selfTest() {
    const result = await aimctl(['render', 'Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4',
        '--monitoring', '-o', 'json']);
    const objects = JSON.parse(result.stdout).items;
    const lws = JSON.parse((await aimctl(['render', 'meta-llama/Llama-3.1-405B-Instruct',
        '--gpu', 'H100', '--precision', 'bf16', '--node-count', '2', '-o', 'json'])).stdout).items;
    const isvc = JSON.parse((await aimctl(['render', 'Qwen/Qwen3-8B', '--gpu', 'MI300X',
        '--gpus', '1', '--kserve', '-o', 'json'])).stdout).items;
    const find = (list, kind) => structuredClone(list.find((object) => object.kind === kind));
    const broken = [
        ['a port that is not a number', find(objects, 'Deployment'), (o) => {
            o.spec.template.spec.containers[0].ports[0].containerPort = 'http'; }],
        ['an unknown container field', find(objects, 'Deployment'), (o) => {
            o.spec.template.spec.containers[0].volumeMount = []; }],
        ['a name that is not a DNS-1035 label', find(objects, 'Service'), (o) => {
            o.metadata.name = 'Qwen_3'; }],
        ['a label value with a slash', find(objects, 'PersistentVolumeClaim'), (o) => {
            o.metadata.labels['aim.amd.com/model'] = 'Qwen/Qwen3-32B'; }],
        ['args that are not strings', find(objects, 'Deployment'), (o) => {
            o.spec.template.spec.containers[0].args.push(8000); }],
        ['a ServiceMonitor endpoint that is not a list', find(objects, 'ServiceMonitor'), (o) => {
            o.spec.endpoints = { port: 'http' }; }],
        ['an unknown LeaderWorkerSet restart policy', find(lws, 'LeaderWorkerSet'), (o) => {
            o.spec.leaderWorkerTemplate.restartPolicy = 'Always'; }],
        ['a worker template field of the wrong type', find(lws, 'LeaderWorkerSet'), (o) => {
            o.spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].env = 'X=1'; }],
        ['an InferenceService name that starts with a digit', find(isvc, 'InferenceService'),
            (o) => { o.metadata.name = '3b-model'; }],
        ['a predictor field that is in neither PodSpec nor the predictor',
            find(isvc, 'InferenceService'), (o) => { o.spec.predictor.replicas = 2; }],
        ['negative minReplicas', find(isvc, 'InferenceService'), (o) => {
            o.spec.predictor.minReplicas = -1; }],
    ];
    for (const [what, object, breakIt] of broken) {
        report.check(validateObject(object).length === 0, `self-test: the valid ${object.kind}`,
            validateObject(object).join('\n'));
        breakIt(object);
        report.check(validateObject(object).length > 0, `self-test: ${what}`,
            'the validation accepted it');
    }
}

async function main() {
    if (knownTypeCount() < 500)
        throw new Error(`only ${knownTypeCount()} Kubernetes types read from the models`);
    await selfTest();

    const { models, gpus: allGpus } = catalog();
    const gpus = process.env.AIM_HELM_QUICK === '1'
        ? allGpus.filter((gpu) => gpu.name === 'MI300X' || gpu.name === 'H100') : allGpus;
    const plans = models.flatMap((model) => gpus.flatMap((gpu) => [
        [model, '--gpu', gpu.name],
        [model, '--gpu', gpu.name, '--kserve', '--monitoring'],
    ]));
    await Promise.all([...plans, ...planVariants].map(validatePlan));

    const chart = await helmTemplate('');
    if (report.check(chart.code === 0, 'helm template of the chart defaults', chart.stderr))
        validateAll(parseStream(chart.stdout), 'helm template (defaults)');

    report.finish(`${counts.objects} objects validated (` +
        Object.entries(byKind).map(([kind, count]) => `${count} ${kind}`).join(', ') +
        `) from ${counts.plans} plans of ${models.length} models x ${gpus.length} GPU types ` +
        `(as deployed and as KServe with monitoring) and ${planVariants.length} variants; ` +
        `${counts.noFit} plans skipped (nothing fits)`);
}

main().catch((error) => {
    console.log(`helm.k8s_validate: error: ${error.stack}`);
    process.exitCode = 1;
});
