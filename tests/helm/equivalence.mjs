// The chart and aimctl give the same objects: for every catalog model on
// every GPU type, and for the variants below, `helm template` with the values
// of `aimctl render ... -o helm-values` equals `aimctl render ... -o yaml`,
// compared as parsed documents. A pair where nothing fits (exit 3) is
// skipped and counted.
//
// AIM_HELM_QUICK=1 (the sanitizer build) runs the variants and one GPU type
// of each vendor instead of all of them.
import {
    aimctl, catalog, compareObjects, helmTemplate, parseStream, planVariants, Report,
} from './lib.mjs';

const report = new Report('helm.equivalence');
const quick = process.env.AIM_HELM_QUICK === '1';
const NO_FIT = 3;

// Renders one plan both ways and compares. Returns 'compared', 'no-fit' or
// 'failed'. expectRejection: aimctl refuses it (exit 2) and the chart must
// refuse the same values.
async function comparePlan(args, { expectRejection = null } = {}) {
    const what = `aimctl render ${args.join(' ')}`;
    const [values, objects] = await Promise.all([
        aimctl(['render', ...args, '-o', 'helm-values']),
        aimctl(['render', ...args, '-o', 'yaml']),
    ]);

    if (expectRejection !== null) {
        const helm = await helmTemplate(values.stdout);
        const rejected = objects.code === 2 && helm.code !== 0 &&
            helm.stderr.includes(expectRejection);
        report.check(rejected, what, `expected aimctl (exit ${objects.code}) and helm ` +
            `(exit ${helm.code}) to refuse it with '${expectRejection}':\n${helm.stderr}`);
        return rejected ? 'compared' : 'failed';
    }
    if (values.code === NO_FIT && objects.code === NO_FIT)
        return 'no-fit';
    if (values.code !== 0 || objects.code !== 0) {
        report.fail(what, `exit ${values.code} (helm-values), ${objects.code} (yaml): ` +
            `${values.stderr}${objects.stderr}`);
        return 'failed';
    }

    const helm = await helmTemplate(values.stdout);
    if (helm.code !== 0) {
        report.fail(what, `helm template failed (exit ${helm.code}):\n${helm.stderr}`);
        return 'failed';
    }
    const difference = compareObjects(parseStream(objects.stdout), parseStream(helm.stdout),
        'aimctl render -o yaml', 'helm template');
    report.check(difference === null, what, difference);
    return difference === null ? 'compared' : 'failed';
}


async function main() {
    const { models, gpus } = catalog();
    const types = quick
        ? ['MI300X', 'H100'].filter((name) => gpus.some((gpu) => gpu.name === name))
        : gpus.map((gpu) => gpu.name);
    const counts = { compared: 0, 'no-fit': 0, failed: 0 };
    const kserveCounts = { compared: 0, 'no-fit': 0, failed: 0 };
    const noFit = [];

    // Every model on every GPU type, as deployed and as a KServe service
    // with monitoring.
    const pairs = models.flatMap((model) => types.map((gpu) => [model, gpu]));
    await Promise.all(pairs.map(async ([model, gpu]) => {
        const outcome = await comparePlan([model, '--gpu', gpu]);
        counts[outcome]++;
        if (outcome === 'no-fit')
            noFit.push(`${model} on ${gpu}`);
        else if (outcome === 'compared')
            kserveCounts[await comparePlan([model, '--gpu', gpu, '--kserve', '--monitoring'])]++;
    }));

    const variantCounts = { compared: 0, 'no-fit': 0, failed: 0 };
    await Promise.all(planVariants.map(async (args) => {
        variantCounts[await comparePlan(args)]++;
    }));
    // Both refuse KServe for a plan across nodes.
    variantCounts[await comparePlan(['deepseek-ai/DeepSeek-R1', '--gpu', 'MI300X',
        '--precision', 'bf16', '--max-model-len', '163840', '--node-count', '2', '--kserve'],
    { expectRejection: "at '/multiNode/nodes'" })]++;

    report.finish(
        `catalog pairs: ${pairs.length} (${models.length} models x ${types.length} GPU types): ` +
        `${counts.compared} compared, ${counts['no-fit']} skipped (nothing fits), ` +
        `${counts.failed} failed\n` +
        `  the same pairs with --kserve --monitoring: ${kserveCounts.compared} compared, ` +
        `${kserveCounts.failed} failed\n` +
        `variants: ${variantCounts.compared} compared, ${variantCounts['no-fit']} nothing fits, ` +
        `${variantCounts.failed} failed` +
        (process.env.AIM_HELM_VERBOSE === '1' ? `\nnothing fits: ${noFit.sort().join('; ')}` : ''));
    if (variantCounts['no-fit'] > 0) {
        console.log('a variant found nothing that fits: the variants must all be plans');
        process.exitCode = 1;
    }
}

main().catch((error) => {
    console.log(`helm.equivalence: error: ${error.stack}`);
    process.exitCode = 1;
});
