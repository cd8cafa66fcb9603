// A user's --set changes what it should in the rendered objects, and the
// templates derive the rest as render.c does:
//   - gpu.count with engine.tensorParallelSize: the GPU requests and limits
//     and the tensor parallel flag;
//   - precision: --dtype or --quantization, and VLLM_DTYPE;
//   - engine.extraArgs and extraEnv: appended last;
//   - image, replicas, storage, resources, name and namespace.
import { aimctl, compareObjects, helmTemplate, parseStream, Report } from './lib.mjs';

const report = new Report('helm.overrides');

async function render(valuesText, sets) {
    const result = await helmTemplate(valuesText, sets.flatMap((set) => ['--set', set]));
    if (result.code !== 0)
        throw new Error(`helm template --set ${sets.join(' --set ')}: ${result.stderr}`);
    return parseStream(result.stdout);
}

const find = (objects, kind) => objects.find((object) => object.kind === kind);
const podSpec = (objects) => find(objects, 'Deployment').spec.template.spec;
const engine = (objects) => podSpec(objects).containers[0];
const envValue = (container, name) => container.env.find((entry) => entry.name === name)?.value;
const argAfter = (args, flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

function expectEqual(actual, expected, what) {
    const same = JSON.stringify(actual) === JSON.stringify(expected);
    report.check(same, what, `got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

async function gpuCount() {
    const objects = await render('', ['gpu.count=2', 'engine.tensorParallelSize=2']);
    const container = engine(objects);
    expectEqual(container.resources.requests['amd.com/gpu'], '2', 'gpu.count=2: GPU request');
    expectEqual(container.resources.limits['amd.com/gpu'], '2', 'gpu.count=2: GPU limit');
    expectEqual(argAfter(container.args, '--tensor-parallel-size'), '2',
        'gpu.count=2: --tensor-parallel-size');
    expectEqual(container.args.filter((arg) => arg === '--tensor-parallel-size').length, 1,
        'gpu.count=2: one tensor parallel flag');
}

async function precision() {
    // The defaults serve bf16 from a bf16 checkpoint.
    const base = engine(await render('', []));
    expectEqual(argAfter(base.args, '--dtype'), 'bfloat16', 'bf16: --dtype bfloat16');
    expectEqual(envValue(base, 'VLLM_DTYPE'), 'bfloat16', 'bf16: VLLM_DTYPE');

    const fp8 = engine(await render('', ['precision=fp8']));
    expectEqual(argAfter(fp8.args, '--quantization'), 'fp8', 'fp8 on bf16: --quantization fp8');
    expectEqual(fp8.args.includes('--dtype'), false, 'fp8 on bf16: no --dtype');
    expectEqual(envValue(fp8, 'VLLM_DTYPE'), 'auto', 'fp8: VLLM_DTYPE auto');
    expectEqual(envValue(fp8, 'AIM_PRECISION'), 'fp8', 'fp8: AIM_PRECISION');
    expectEqual(find(await render('', ['precision=fp8']), 'Deployment').metadata
        .labels['aim.amd.com/precision'], 'fp8', 'fp8: precision label');

    const fp8Checkpoint = engine(await render('', ['precision=fp8',
        'model.checkpointPrecision=fp8']));
    expectEqual(fp8Checkpoint.args.includes('--quantization') ||
        fp8Checkpoint.args.includes('--dtype'), false, 'fp8 checkpoint: no precision flag');

    const fp16 = engine(await render('', ['precision=fp16']));
    expectEqual(argAfter(fp16.args, '--dtype'), 'float16', 'fp16: --dtype float16');
    expectEqual(envValue(fp16, 'VLLM_DTYPE'), 'float16', 'fp16: VLLM_DTYPE');

    const sglang = engine(await render('', ['backend=sglang']));
    expectEqual(envValue(sglang, 'VLLM_DTYPE'), undefined, 'sglang: no VLLM_DTYPE');
}

async function appended() {
    const container = engine(await render('', [
        'engine.extraArgs={--enable-prefix-caching,--max-num-seqs,64}',
        'extraEnv[0].name=VLLM_LOGGING_LEVEL', 'extraEnv[0].value=DEBUG']));
    expectEqual(container.args.slice(-7), ['--host', '0.0.0.0', '--port', '8000',
        '--enable-prefix-caching', '--max-num-seqs', '64'], 'extraArgs: after --port, as strings');
    expectEqual(container.env.at(-1), { name: 'VLLM_LOGGING_LEVEL', value: 'DEBUG' },
        'extraEnv: last');
    expectEqual(container.env.at(-2).name, 'VLLM_DTYPE', 'extraEnv: after VLLM_DTYPE');
}

async function others() {
    const objects = await render('', ['image=registry.local/vllm:0.9', 'replicas=3',
        'storage.size=500Gi', 'storage.storageClass=fast-nvme', 'resources.requests.cpu=24',
        'resources.limits.memory=256Gi', 'name=qwen', 'namespace=serving', 'engine.port=9000']);
    const deployment = find(objects, 'Deployment');
    const claim = find(objects, 'PersistentVolumeClaim');
    const container = engine(objects);
    expectEqual(container.image, 'registry.local/vllm:0.9', 'image');
    expectEqual(deployment.spec.replicas, 3, 'replicas');
    expectEqual(claim.spec.resources.requests.storage, '500Gi', 'storage.size');
    expectEqual(claim.spec.storageClassName, 'fast-nvme', 'storage.storageClass');
    expectEqual(container.resources.requests.cpu, 24, 'resources.requests.cpu');
    expectEqual(container.resources.limits.memory, '256Gi', 'resources.limits.memory');
    expectEqual(objects.map((object) => object.metadata.name).sort(),
        ['qwen', 'qwen', 'qwen-cache'], 'name');
    expectEqual([...new Set(objects.map((object) => object.metadata.namespace))], ['serving'],
        'namespace');
    expectEqual(argAfter(container.args, '--port'), '9000', 'engine.port: --port');
    expectEqual(find(objects, 'Service').spec.ports[0].port, 9000, 'engine.port: Service');

    // An empty name and namespace fall back to the release's.
    const release = await render('', ['name=', 'namespace=']);
    expectEqual(find(release, 'Deployment').metadata.name, 'aim', 'empty name: the release');
    expectEqual(find(release, 'Deployment').metadata.namespace, 'default',
        'empty namespace: the release');
}

// Overriding a plan's values the way aimctl would render them gives what
// aimctl renders: --set replicas=2 on the values equals --replicas 2.
async function sameAsAimctl() {
    const base = ['render', 'meta-llama/Llama-3.1-70B-Instruct', '--gpu', 'MI300X'];
    const values = await aimctl([...base, '-o', 'helm-values']);
    const expected = await aimctl([...base, '--replicas', '2', '--monitoring', '-o', 'yaml']);
    const objects = await render(values.stdout, ['replicas=2', 'monitoring=true']);
    const difference = compareObjects(parseStream(expected.stdout), objects,
        'aimctl render --replicas 2 --monitoring', 'helm template --set replicas=2 ' +
        '--set monitoring=true');
    report.check(difference === null, '--set on aimctl values equals the aimctl option',
        difference);
}

async function main() {
    await Promise.all([gpuCount(), precision(), appended(), others(), sameAsAimctl()]);
    report.finish();
}

main().catch((error) => {
    console.log(`helm.overrides: error: ${error.stack}`);
    process.exitCode = 1;
});
