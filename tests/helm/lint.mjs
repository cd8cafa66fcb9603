// `helm lint --strict` passes on the chart with its defaults, with the values
// of a multi-node plan, of a KServe plan with monitoring, of an SGLang plan
// and of an NVIDIA plan; and it fails on impossible values (so that a lint
// that checks nothing cannot pass).
import { aimctl, chart, helm, Report, run } from './lib.mjs';

const report = new Report('helm.lint');

const plans = [
    ['the defaults', null],
    ['a multi-node plan', ['deepseek-ai/DeepSeek-R1', '--gpu', 'MI300X', '--precision', 'bf16',
        '--max-model-len', '163840', '--node-count', '2']],
    ['a KServe plan', ['Qwen/Qwen3-32B', '--gpu', 'MI325X', '--gpus', '2', '--kserve',
        '--monitoring']],
    ['an SGLang plan', ['deepseek-ai/DeepSeek-R1', '--gpu', 'MI355X', '--backend', 'sglang']],
    ['an NVIDIA plan', ['meta-llama/Llama-3.1-70B-Instruct', '--gpu', 'H100']],
];

async function lint(what, args, extra = []) {
    let values = '';
    if (args !== null) {
        const result = await aimctl(['render', ...args, '-o', 'helm-values']);
        if (result.code !== 0)
            throw new Error(`aimctl render ${args.join(' ')}: exit ${result.code}: ${result.stderr}`);
        values = result.stdout;
    }
    return run(helm, ['lint', '--strict', chart, '-f', '-', ...extra], values);
}

async function main() {
    await Promise.all(plans.map(async ([what, args]) => {
        const result = await lint(what, args);
        report.check(result.code === 0 && result.stdout.includes('0 chart(s) failed'),
            `helm lint with ${what}`, `exit ${result.code}:\n${result.stdout}${result.stderr}`);
    }));
    const bad = await lint('an unknown precision', null, ['--set', 'precision=int4']);
    report.check(bad.code !== 0 && bad.stdout.includes("at '/precision'"),
        'helm lint with precision=int4 fails', `exit ${bad.code}:\n${bad.stdout}`);
    report.finish();
}

main().catch((error) => {
    console.log(`helm.lint: error: ${error.stack}`);
    process.exitCode = 1;
});
