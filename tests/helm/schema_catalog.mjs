// values.schema.json stays in step with the catalog and with aimctl:
//   - its rules on gpu.count name exactly the GPU types of `aimctl gpus -o
//     json`, each allowing the powers of two up to the GPUs its node holds;
//   - the tensor parallel rule covers every GPU count the schema allows;
//   - values.yaml is the plan it says it is.
// On a mismatch it prints the block of the schema to paste.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

import {
    aimctl, aimctlJson, chart, firstDifference, readJson, Report, YAML,
} from './lib.mjs';

const report = new Report('helm.schema_catalog');
const schema = readJson(join(chart, 'values.schema.json'));

// GPUs a node of each type holds: the catalog's gpus_per_node, from `aimctl
// gpus -o json` when it lists it, else from the values aimctl renders
// (gpu.perNode) for the first catalog model that fits one GPU of the type.
async function gpusPerNode(gpus, models) {
    const perNode = new Map();
    for (const gpu of gpus) {
        if (Number.isInteger(gpu.gpus_per_node)) {
            perNode.set(gpu.name, gpu.gpus_per_node);
            continue;
        }
        for (const model of models) {
            const result = await aimctl(['render', model, '--gpu', gpu.name, '--gpus', '1',
                '-o', 'helm-values']);
            if (result.code === 0) {
                perNode.set(gpu.name, YAML.parse(result.stdout).gpu.perNode);
                break;
            }
        }
        if (!perNode.has(gpu.name))
            throw new Error(`no catalog model fits one ${gpu.name}: cannot read its node size`);
    }
    return perNode;
}

const powersOfTwo = (limit) => [1, 2, 4, 8, 16, 32, 64].filter((count) => count <= limit);

// The block of definitions.gpuCountFitsANode.allOf the catalog asks for.
function expectedGpuRules(perNode) {
    return [...perNode].map(([name, count]) => ({
        if: { required: ['gpu'], properties: { gpu: { required: ['type'],
            properties: { type: { const: name } } } } },
        then: { properties: { gpu: { properties: { count: {
            enum: powersOfTwo(count), description: `A node of ${name} GPUs holds ${count}.` } } } } },
    }));
}

async function main() {
    const gpus = aimctlJson(['gpus']);
    const models = aimctlJson(['models'])
        .sort((a, b) => a.params_total - b.params_total)
        .map((model) => model.id);
    const perNode = await gpusPerNode(gpus, models);

    // GPU types and their limits.
    const rules = schema.definitions?.gpuCountFitsANode?.allOf ?? [];
    const inSchema = new Map(rules.map((rule) => [
        rule.if?.properties?.gpu?.properties?.type?.const,
        rule.then?.properties?.gpu?.properties?.count?.enum,
    ]));
    const expected = expectedGpuRules(perNode);
    const catalogTypes = [...perNode.keys()].sort().join(', ');
    const schemaTypes = [...inSchema.keys()].sort().join(', ');
    const typesMatch = report.check(catalogTypes === schemaTypes, 'GPU types',
        `aimctl gpus lists [${catalogTypes}], values.schema.json has rules for [${schemaTypes}]`);
    let limitsMatch = true;
    for (const [name, count] of perNode) {
        const allowed = JSON.stringify(inSchema.get(name));
        limitsMatch = report.check(allowed === JSON.stringify(powersOfTwo(count)),
            `gpu.count on ${name}`, `a node holds ${count} (aimctl), so gpu.count may be ` +
            `${JSON.stringify(powersOfTwo(count))}; the schema allows ${allowed}`) && limitsMatch;
    }
    report.check(JSON.stringify(rules) === JSON.stringify(expected), 'the rules as generated',
        'they differ from what the catalog gives (descriptions or layout)');
    if (!typesMatch || !limitsMatch || JSON.stringify(rules) !== JSON.stringify(expected))
        console.log('definitions.gpuCountFitsANode.allOf for the catalog:\n' +
            JSON.stringify(expected, null, 2));

    // Every count a node can hold is allowed, and each has its TP rule.
    const counts = schema.properties.gpu.properties.count.enum;
    const maximum = Math.max(...perNode.values());
    report.check(powersOfTwo(maximum).every((count) => counts.includes(count)), 'gpu.count enum',
        `${JSON.stringify(counts)} misses one of ${JSON.stringify(powersOfTwo(maximum))}`);
    const tpRules = schema.definitions.tensorParallelSizeIsGpuCount.allOf;
    for (const count of counts) {
        const rule = tpRules.find((candidate) =>
            candidate.if?.properties?.gpu?.properties?.count?.const === count);
        report.check(rule?.then?.properties?.engine?.properties?.tensorParallelSize?.const === count,
            `tensorParallelSize rule for gpu.count ${count}`, 'missing or wrong');
    }

    // values.yaml is the plan of the command its comment names.
    const defaults = YAML.parse(readFileSync(join(chart, 'values.yaml'), 'utf8'));
    const plan = await aimctl(['render', 'Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4',
        '-o', 'helm-values']);
    const difference = plan.code === 0 ? firstDifference(YAML.parse(plan.stdout), defaults)
        : `aimctl exit ${plan.code}`;
    report.check(difference === null, 'values.yaml', `differs at ${difference} from ` +
        '`aimctl render Qwen/Qwen3-32B --gpu MI300X --gpus 4 -o helm-values`; ' +
        'update it and keep the comments');

    report.finish(`${perNode.size} GPU types checked: ` +
        [...perNode].map(([name, count]) => `${name} ${count}`).join(', '));
}

main().catch((error) => {
    console.log(`helm.schema_catalog: error: ${error.stack}`);
    process.exitCode = 1;
});
