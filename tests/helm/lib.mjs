// Shared by the Helm chart's tests: where the tools are, running aimctl and
// helm (a bounded number at a time), parsing YAML streams, and printing the
// first difference between two objects.
//
// The tests run with `node TEST.mjs AIMCTL`; run.sh checks the tools first.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const chart = join(root, 'deploy/helm/aim-model');
export const tools = join(root, 'tools');
export const helm = process.env.AIM_HELM || join(tools, 'bin/helm');
export const aimctlPath = resolve(process.argv[2] || join(root, 'build/aimctl'));

// The npm packages live in tools/node_modules, outside the tests' folder.
export const requireTool = createRequire(join(tools, 'package.json'));
export const YAML = requireTool('yaml');

// Parallel processes: the machine has 2 cores; AIM_TEST_JOBS overrides.
const jobs = Math.max(1, Number(process.env.AIM_TEST_JOBS) || 2);
let running = 0;
const waiting = [];

async function slot(work) {
    if (running >= jobs)
        await new Promise((wake) => waiting.push(wake));
    running++;
    try {
        return await work();
    } finally {
        running--;
        if (waiting.length > 0)
            waiting.shift()();
    }
}

// Runs a program; resolves to {code, stdout, stderr}, never rejects on a
// non-zero exit status.
export function run(program, args, input) {
    return slot(() => new Promise((done, fail) => {
        const child = execFile(program, args, { maxBuffer: 64 << 20, encoding: 'utf8' },
            (error, stdout, stderr) => {
                if (error && typeof error.code !== 'number') {
                    fail(new Error(`${program}: ${error.message}`));
                    return;
                }
                done({ code: error ? error.code : 0, stdout, stderr });
            });
        // A program that reads no input may close it before the write.
        child.stdin.on('error', () => {});
        child.stdin.end(input ?? '');
    }));
}

// No GPU variables of the machine running the tests may change a plan.
for (const name of ['HIP_VISIBLE_DEVICES', 'ROCR_VISIBLE_DEVICES', 'CUDA_VISIBLE_DEVICES'])
    delete process.env[name];

export function aimctl(args) {
    return run(aimctlPath, args);
}

export function aimctlJson(args) {
    const result = spawnSync(aimctlPath, [...args, '-o', 'json'], { encoding: 'utf8' });
    if (result.status !== 0)
        throw new Error(`aimctl ${args.join(' ')}: exit ${result.status}: ${result.stderr}`);
    return JSON.parse(result.stdout);
}

// `helm template` of the chart with the values text on standard input and
// more helm arguments (--set ...).
export function helmTemplate(valuesText, extra = []) {
    return run(helm, ['template', 'aim', chart, '-f', '-', ...extra], valuesText);
}

// The documents of a YAML stream, without the empty ones a template that
// rendered nothing leaves.
export function parseStream(text) {
    const documents = YAML.parseAllDocuments(text);
    for (const document of documents) {
        if (document.errors.length > 0)
            throw new Error(`YAML: ${document.errors[0].message}`);
    }
    return documents.map((document) => document.toJS()).filter((object) => object != null);
}

export function objectKey(object) {
    return `${object?.kind}/${object?.metadata?.name}`;
}

// The path of the first difference between two values, or null.
export function firstDifference(a, b, path = '') {
    if (Array.isArray(a) && Array.isArray(b)) {
        for (let i = 0; i < Math.max(a.length, b.length); i++) {
            if (i >= a.length || i >= b.length)
                return `${path}[${i}]`;
            const found = firstDifference(a[i], b[i], `${path}[${i}]`);
            if (found !== null)
                return found;
        }
        return null;
    }
    if (a && b && typeof a === 'object' && typeof b === 'object' &&
        !Array.isArray(a) && !Array.isArray(b)) {
        for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
            if (!(key in a) || !(key in b))
                return `${path}.${key}`;
            const found = firstDifference(a[key], b[key], `${path}.${key}`);
            if (found !== null)
                return found;
        }
        return null;
    }
    return Object.is(a, b) ? null : path || '.';
}

// Keys sorted, so that a diff shows values, not key order (which YAML
// mappings do not carry).
function sorted(value) {
    if (Array.isArray(value))
        return value.map(sorted);
    if (value && typeof value === 'object')
        return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted(value[key])]));
    return value;
}

// A unified diff of two objects printed as YAML with their keys sorted.
export function diffText(expected, actual, expectedName, actualName) {
    const dir = mkdtempSync(join(tmpdir(), 'aim-diff-'));
    try {
        const left = join(dir, 'expected.yaml');
        const right = join(dir, 'actual.yaml');
        writeFileSync(left, YAML.stringify(sorted(expected)));
        writeFileSync(right, YAML.stringify(sorted(actual)));
        const result = spawnSync('diff', ['-u', '--label', expectedName, '--label', actualName,
            left, right], { encoding: 'utf8' });
        return result.stdout || result.error?.message || '';
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

// Compares two lists of objects as documents (by kind and name, as the API
// server sees them: Helm orders a stream by kind, aimctl in apply order).
// Returns null or a message with the first differing object's diff.
export function compareObjects(expected, actual, expectedName, actualName) {
    const byKey = (objects) => new Map(objects.map((object) => [objectKey(object), object]));
    const left = byKey(expected);
    const right = byKey(actual);
    const leftKeys = [...left.keys()].sort().join(', ');
    const rightKeys = [...right.keys()].sort().join(', ');

    if (leftKeys !== rightKeys || left.size !== expected.length || right.size !== actual.length)
        return `objects differ: ${expectedName} has [${expected.map(objectKey).join(', ')}], ` +
            `${actualName} has [${actual.map(objectKey).join(', ')}]`;
    for (const [key, object] of left) {
        const path = firstDifference(object, right.get(key));
        if (path !== null)
            return `${key} differs first at ${path}\n` +
                diffText(object, right.get(key), `${expectedName}: ${key}`, `${actualName}: ${key}`);
    }
    return null;
}

// Plans that exercise what the catalog pairs alone may not: KServe and
// monitoring, plans across nodes, SGLang, each precision flag, and every
// render option.
export const planVariants = [
    ['Qwen/Qwen3-32B', '--gpu', 'MI325X', '--gpus', '2', '--kserve', '--monitoring'],
    ['meta-llama/Llama-3.1-8B-Instruct', '--gpu', 'H100', '--kserve', '--monitoring'],
    ['meta-llama/Llama-3.1-70B-Instruct', '--gpu', 'MI300X', '--monitoring'],
    ['deepseek-ai/DeepSeek-R1', '--gpu', 'MI300X', '--precision', 'bf16',
        '--max-model-len', '163840', '--node-count', '2'],
    ['deepseek-ai/DeepSeek-R1', '--gpu', 'MI300X', '--precision', 'bf16',
        '--max-model-len', '163840', '--node-count', '2', '--monitoring', '--replicas', '2'],
    ['meta-llama/Llama-3.1-405B-Instruct', '--gpu', 'H100', '--precision', 'bf16',
        '--node-count', '2'],
    ['meta-llama/Llama-3.1-405B-Instruct', '--gpu', 'H100', '--precision', 'bf16',
        '--node-count', '2', '--backend', 'sglang'],
    ['deepseek-ai/DeepSeek-R1', '--gpu', 'MI355X', '--backend', 'sglang'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '1', '--backend', 'sglang'],
    ['Qwen/Qwen3-32B', '--gpu', 'H100', '--backend', 'sglang', '--kserve'],
    ['meta-llama/Llama-3.1-70B-Instruct', '--gpu', 'MI300X', '--precision', 'fp8'],
    ['meta-llama/Llama-3.1-70B-Instruct', '--gpu', 'MI300X', '--precision', 'fp16'],
    ['openai/gpt-oss-120b', '--gpu', 'MI355X', '--precision', 'fp4'],
    ['Qwen/Qwen3-8B', '--gpu', 'MI300X', '--gpus', '1', '--objective', 'throughput'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4', '--name', 'qwen'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4', '--namespace', 'serving'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4', '--image', 'registry.local/vllm:0.9'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4', '--replicas', '3'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4', '--storage-class', 'fast-nvme'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4', '--pvc-access-mode', 'ReadWriteMany'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4', '--cpu-per-gpu', '6.5'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4', '--memory-per-gpu', '40Gi'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4', '--limit-factor', '1.5'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4', '--port', '9000'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4', '--monitoring'],
    ['Qwen/Qwen3-32B', '--gpu', 'MI300X', '--gpus', '4', '--kserve'],
    ['meta-llama/Llama-3.1-70B-Instruct', '--gpu', 'MI300X', '--gpus', '4', '--name', 'llama70',
        '--namespace', 'serving', '--image', 'registry.local/vllm:0.9', '--replicas', '2',
        '--storage-class', 'fast-nvme', '--pvc-access-mode', 'ReadWriteMany',
        '--cpu-per-gpu', '8', '--memory-per-gpu', '32Gi', '--limit-factor', '1.5',
        '--port', '9000', '--monitoring'],
];

// Every catalog model and GPU type.
export function catalog() {
    return {
        models: aimctlJson(['models']).map((model) => model.id),
        gpus: aimctlJson(['gpus']),
    };
}

export function readJson(path) {
    return JSON.parse(readFileSync(path, 'utf8'));
}

// Counts and failures of one test; finish() prints the closing line and
// sets the exit status.
export class Report {
    constructor(name) {
        this.name = name;
        this.passed = 0;
        this.failed = 0;
        this.started = Date.now();
    }

    pass() {
        this.passed++;
    }

    fail(what, message) {
        this.failed++;
        if (this.failed <= 10)
            console.log(`FAIL ${what}: ${message}\n`);
        else if (this.failed === 11)
            console.log('(further failures are counted, not printed)');
    }

    check(condition, what, message) {
        if (condition)
            this.pass();
        else
            this.fail(what, message);
        return condition;
    }

    finish(summary = '') {
        const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
        if (summary)
            console.log(summary);
        console.log(`${this.name}: ${this.passed} passed, ${this.failed} failed (${seconds} s)`);
        process.exitCode = this.failed > 0 ? 1 : 0;
    }
}
