// values.schema.json refuses impossible values before anything renders:
// `helm template` fails with the message that names the value and what it
// must be. The messages are Helm's (its JSON Schema validator's), asserted
// word for word where they carry the reason.
import { helmTemplate, Report } from './lib.mjs';

const report = new Report('helm.schema_rejections');
const HEADER = "values don't meet the specifications of the schema(s)";

// [what, --set arguments, expected message parts]
const cases = [
    ['an unknown precision', ['precision=int4'],
        ["at '/precision': value must be one of 'bf16', 'fp16', 'fp8', 'fp4'"]],
    ['an unknown backend', ['backend=tgi'],
        ["at '/backend': value must be one of 'vllm', 'sglang'"]],
    ['tensor parallel size other than the GPU count', ['engine.tensorParallelSize=2'],
        ["at '/engine/tensorParallelSize': value must be 4"]],
    ['GPU count changed alone', ['gpu.count=2'],
        ["at '/engine/tensorParallelSize': value must be 2"]],
    ['16 GPUs on MI300X', ['gpu.count=16', 'engine.tensorParallelSize=16'],
        ["at '/gpu/count': value must be one of 1, 2, 4, 8"]],
    ['8 GPUs on MI300A, whose node holds 4',
        ['gpu.type=MI300A', 'gpu.count=8', 'engine.tensorParallelSize=8'],
        ["at '/gpu/count': value must be one of 1, 2, 4"]],
    ['3 GPUs', ['gpu.count=3', 'engine.tensorParallelSize=3'],
        ["at '/gpu/count': value must be one of 1, 2, 4, 8, 16, 32, 64"]],
    ['no replicas', ['replicas=0'], ["at '/replicas': minimum: got 0, want 1"]],
    ['negative replicas', ['replicas=-2'], ["at '/replicas': minimum: got -2, want 1"]],
    ['a storage size that is not a quantity', ['storage.size=lots'],
        ["at '/storage/size': 'lots' does not match pattern"]],
    ['a negative storage size', ['storage.size=-5Gi'],
        ["at '/storage/size': '-5Gi' does not match pattern"]],
    ['a name that is not a DNS-1035 label', ['name=Qwen_3'],
        ["at '/name': 'Qwen_3' does not match pattern"]],
    ['a name that starts with a digit', ['name=3b-model'],
        ["at '/name': '3b-model' does not match pattern"]],
    ['a name longer than 63', [`name=${'a'.repeat(64)}`],
        ["at '/name': maxLength: got 64, want 63"]],
    ['a namespace that is not a DNS-1123 label', ['namespace=Serving'],
        ["at '/namespace': 'Serving' does not match pattern"]],
    ['an unknown access mode', ['storage.accessMode=Shared'],
        ["at '/storage/accessMode': value must be one of 'ReadWriteOnce', 'ReadWriteMany', " +
            "'ReadWriteOncePod', 'ReadOnlyMany'"]],
    ['an unknown vendor', ['gpu.vendor=intel'],
        ["at '/gpu/vendor': value must be one of 'amd', 'nvidia'"]],
    ['a port out of range', ['engine.port=70000'],
        ["at '/engine/port': maximum: got 70,000, want 65,535"]],
    ['KServe across nodes', ['kserve=true', 'multiNode.nodes=2'],
        ["at '/multiNode/nodes': value must be 1"]],
    ['a misspelt value', ['gpu.cout=2'], ["at '/gpu': additional properties 'cout' not allowed"]],
    ['a misspelt top-level value', ['replica=2'],
        ["at '': additional properties 'replica' not allowed"]],
    ['an environment value that is a number', ['extraEnv[0].name=X', 'extraEnv[0].value=1'],
        ["at '/extraEnv/0/value': got number, want string"]],
    ['a CPU request that is not a quantity', ['resources.requests.cpu=lots'],
        ["at '/resources/requests/cpu'"]],
    ['an unknown maturity', ['recipe.maturity=beta'],
        ["at '/recipe/maturity': value must be one of 'validated', 'preview', 'derived'"]],
    ['a checkpoint of unknown precision', ['model.checkpointPrecision=int4'],
        ["at '/model/checkpointPrecision': value must be one of 'bf16', 'fp16', 'fp8', 'fp4'"]],
];

async function main() {
    await Promise.all(cases.map(async ([what, sets, expected]) => {
        const result = await helmTemplate('', sets.flatMap((set) => ['--set', set]));
        const missing = expected.filter((part) => !result.stderr.includes(part));
        report.check(result.code !== 0 && result.stderr.includes(HEADER) && missing.length === 0,
            `${what} (--set ${sets.join(' --set ')})`,
            `exit ${result.code}; expected ${JSON.stringify(missing)} in:\n${result.stderr}`);
    }));

    // The same values minus the mistake render.
    const fine = await helmTemplate('', ['--set', 'gpu.count=2', '--set',
        'engine.tensorParallelSize=2', '--set', 'replicas=3', '--set', 'name=qwen']);
    report.check(fine.code === 0, 'valid overrides', fine.stderr);
    report.finish(`${cases.length} impossible values refused`);
}

main().catch((error) => {
    console.log(`helm.schema_rejections: error: ${error.stack}`);
    process.exitCode = 1;
});
