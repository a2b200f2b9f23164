/**
 * The `saccade` command as a user runs it: `node bin/saccade.mjs ...` in a child process with
 * SACCADE_HOME pointing at a temp folder. Errors must be one line on stderr, no stack trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_FILES } from '../../src-main/data/dataset-files';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';
import { saccade, type CliResult } from '../helpers/saccade-cli';

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

let errHome: string;
let home: string;
let corruptDir: string;

beforeAll(async () => {
  errHome = tempDir('cli-err');
  home = tempDir('cli');
  corruptDir = await writeMnistSubset(path.join(errHome, 'corrupt'), 100, 50);
  // Cut the train images short: the header still promises 100 x 28 x 28 bytes.
  const file = path.join(corruptDir, MNIST_FILES.train.images);
  fs.truncateSync(file, 16 + 1000);
});

afterAll(() => {
  fs.rmSync(errHome, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

describe('saccade errors: one line, non-zero exit, no stack trace', () => {
  // [args, expected message after 'saccade: error: ', exit code]
  const cases: [string, () => string[], RegExp, number][] = [
    ['unknown command', () => ['frobnicate'], /^unknown command 'frobnicate' \(try: train, resume, eval, trace, export, runs, import, datasets, presets, bench[a-z, ]*\)$/, 2],
    ['unknown preset', () => ['train', '--preset', 'nope'], /^unknown preset 'nope' \(choose one of: centered, translated, cluttered60, cluttered100\)$/, 1],
    ['negative size', () => ['train', '--glimpse-size', '-3'], /^glimpseSize = -3 is out of range \(1 to 256\)$/, 1],
    ['glimpse larger than the image', () => ['train', '--glimpse-size', '40'], /^glimpseSize 40 is larger than the 28x28 image$/, 1],
    ['non-number', () => ['train', '--epochs', 'abc'], /^--epochs expects a number, not 'abc'$/, 2],
    ['unknown option', () => ['train', '--epochz', '3'], /^unknown option --epochz for 'train' \(see saccade train --help\)$/, 2],
    ['missing run (eval)', () => ['eval', 'no-such-run'], /^no run 'no-such-run' in .*runs$/, 1],
    ['missing run (resume)', () => ['resume', 'no-such-run'], /^no run 'no-such-run' in .*runs$/, 1],
    ['missing model folder', () => ['eval', '--model', '/nonexistent'], /^no model folder at \/nonexistent$/, 1],
    [
      'corrupt IDX file',
      () => ['train', '--data', corruptDir, '--max-steps', '1', '--validation-size', '10', '--batch-size', '8'],
      /^train-images-idx3-ubyte: truncated: expected 78400 bytes of data, found 1000 \(dims 100x28x28\)$/,
      1,
    ],
    [
      'forced backend that cannot load',
      () => ['train', '--backend', 'tensorflow', '--max-steps', '1'],
      /^backend 'tensorflow' cannot load here: Cannot find module '@tensorflow\/tfjs-node'/,
      1,
    ],
    ['unknown backend', () => ['train', '--backend', 'nope', '--max-steps', '1'], /^unknown backend 'nope' \(choose one of: tensorflow-gpu, webgpu, tensorflow, wasm, cpu\)$/, 1],
  ];

  const results = new Map<string, CliResult>();
  beforeAll(async () => {
    // two at a time: this is a 2-core machine
    const queue = [...cases];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) results.set(c[0], await saccade(c[1](), errHome));
    };
    await Promise.all([worker(), worker()]);
  });

  it.each(cases.map((c) => [c[0], c[2], c[3]] as const))('%s', (name, message, code) => {
    const r = results.get(name)!;
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).not.toContain('    at ');
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    const errors = lines.filter((l) => l.startsWith('saccade: error: '));
    expect(errors, r.stderr).toHaveLength(1);
    expect(lines[lines.length - 1]).toBe(errors[0]);
    expect(errors[0].slice('saccade: error: '.length)).toMatch(message);
  });

  it('none of these errors leaves a run behind (the corrupt data is refused before a run folder exists)', async () => {
    const r = await saccade(['runs', '--json'], errHome);
    expect(r.code).toBe(0);
    const listing = jsonLines(r.stdout)[0] as { runs: unknown[]; unreadable: unknown[] };
    expect(listing.runs).toEqual([]);
    expect(listing.unreadable).toEqual([]);
  });
});

describe('saccade happy path: train, runs, eval, export, trace', () => {
  let runId = '';

  it('trains a short run and prints JSON lines ending with a summary', async () => {
    const r = await saccade(['train', '--preset', 'centered', '--epochs', '1', '--max-steps', '30', '--validation-size', '500', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.find((l) => l.type === 'backend')).toMatchObject({ name: 'wasm' });
    const run = lines.find((l) => l.type === 'run') as { runId: string; runDir: string };
    runId = run.runId;
    expect(run.runDir).toBe(path.join(home, 'runs', runId));
    const summary = lines[lines.length - 1];
    expect(summary).toMatchObject({ type: 'summary', runId, status: 'completed', steps: 30 });
    expect(typeof summary.testAccuracy).toBe('number');
    expect(summary.testAccuracy as number).toBeGreaterThanOrEqual(0);
    expect(summary.testAccuracy as number).toBeLessThanOrEqual(1);
    expect(typeof summary.testAccuracyMC).toBe('number');
    expect(fs.existsSync(path.join(run.runDir, 'meta.json'))).toBe(true);
    // One shape for a step's numbers: the live event's metrics and a metrics line name the same things.
    const progress = lines.find((l) => l.type === 'progress') as { metrics: Record<string, number> };
    const logged = fs.readFileSync(path.join(run.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    const stepLine = logged.find((p) => 'loss' in p)!;
    expect(Object.keys(progress.metrics).sort()).toEqual(Object.keys(stepLine).filter((k) => !['step', 'epoch', 'time'].includes(k)).sort());
  });

  it('runs --json lists it', async () => {
    const r = await saccade(['runs', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const [listing] = jsonLines(r.stdout) as [{ type: string; home: string; runs: { id: string; status: string; task: string; test?: { accuracy: number } }[] }];
    expect(listing.type).toBe('runs');
    expect(listing.home).toBe(home);
    expect(listing.runs.map((x) => x.id)).toEqual([runId]);
    expect(listing.runs[0]).toMatchObject({ status: 'completed', task: 'centered' });
    expect(typeof listing.runs[0].test?.accuracy).toBe('number');
  });

  it('runs shows the Monte-Carlo test accuracy beside the mean one', async () => {
    const r = await saccade(['runs'], home);
    const [header, row] = r.stdout.trim().split('\n');
    expect(header).toMatch(/\btest mean\s+test MC\s+backend$/);
    const meta = JSON.parse(fs.readFileSync(path.join(home, 'runs', runId, 'meta.json'), 'utf8')) as { test: { accuracy: number; accuracyMC: number } };
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    expect(row).toMatch(new RegExp(`\\s${pct(meta.test.accuracy)}\\s+${pct(meta.test.accuracyMC)}\\s+\\S+$`));
  });

  it('eval RUN --limit 500 --json evaluates 500 test images', async () => {
    const r = await saccade(['eval', runId, '--limit', '500', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const summary = lines[lines.length - 1] as { type: string; count: number; accuracy: number; accuracyMC: number; mcSamples: number; confusion: number[][]; checkpoint: string };
    expect(summary.type).toBe('summary');
    expect(summary.count).toBe(500);
    expect(summary.checkpoint).toBe('best');
    expect(summary.mcSamples).toBe(10);
    expect(summary.accuracy).toBeGreaterThanOrEqual(0);
    expect(summary.accuracy).toBeLessThanOrEqual(1);
    expect(summary.confusion.flat().reduce((a, b) => a + b, 0)).toBe(500);
  });

  it('export RUN --images 0,1 --out X.gif writes an animated GIF', async () => {
    const out = path.join(home, 'X.gif');
    const r = await saccade(['export', runId, '--images', '0,1', '--out', out, '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const bytes = fs.readFileSync(out);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(bytes[bytes.length - 1]).toBe(0x3b); // GIF trailer
    const summary = jsonLines(r.stdout).pop()!;
    expect(summary).toMatchObject({ type: 'summary', file: out, format: 'gif', bytes: bytes.length });
    expect(summary.frames as number).toBeGreaterThanOrEqual(6);
  });

  it('trace RUN --images 3 --json gives a 6-step trace', async () => {
    const r = await saccade(['trace', runId, '--images', '3', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const summary = jsonLines(r.stdout).pop() as { type: string; traces: { index: number; label: number; steps: { probs: number[]; boxes: unknown[]; patches: number[][] }[] }[] };
    expect(summary.type).toBe('summary');
    expect(summary.traces).toHaveLength(1);
    const t = summary.traces[0];
    expect(t.index).toBe(3);
    expect(t.steps).toHaveLength(6);
    for (const s of t.steps) {
      expect(s.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(s.boxes).toHaveLength(1);
      expect(s.patches[0]).toHaveLength(64);
    }
  });

  it('save-model writes a model folder that eval --model reads back with the same accuracy', async () => {
    const dir = path.join(home, 'models', 'centered');
    const saved = await saccade(['save-model', runId, '--out', dir], home);
    expect(saved.code, saved.stderr).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['checkpoint.json', 'weights.bin']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as { tensors: { optimizer?: unknown[] }; extra: { sourceRun: string } };
    expect(manifest.extra.sourceRun).toBe(runId);
    expect(manifest.tensors.optimizer ?? []).toHaveLength(0);
    const fromRun = jsonLines((await saccade(['eval', runId, '--limit', '300', '--json'], home)).stdout).pop() as { accuracy: number };
    const fromModel = jsonLines((await saccade(['eval', '--model', dir, '--limit', '300', '--json'], home)).stdout).pop() as { accuracy: number };
    expect(fromModel.accuracy).toBe(fromRun.accuracy);
  });

  it('trace rejects an image index beyond the test set, in one line', async () => {
    const r = await saccade(['trace', runId, '--images', '10000'], home);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('    at ');
    expect(r.stderr.trim().split('\n').pop()).toBe('saccade: error: test image 10000 does not exist (the test set has 10000 images: 0 to 9999)');
  });
});
