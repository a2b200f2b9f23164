/**
 * A user's own images from the command line, as a new user would: class-folder trees (grey PNGs
 * with train/ and test/, colour JPEGs of another size without a split) trained with --data DIR and
 * evaluated; an import by name; and bad folders, each refused in one clear line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalSummary, TrainSummary } from '../../src-main/shared/jobs';
import { tempDir } from '../helpers/mnist-subset';
import { COLOUR_NAMES, DIGIT_NAMES, writeColourTree, writeDigitTree } from '../helpers/image-trees';
import { lastJson, ROOT, saccade } from '../helpers/saccade-cli';
import { spawn } from 'node:child_process';

let root: string;
let home: string;
let digits: string;
let colours: string;

beforeAll(async () => {
  root = tempDir('own-images');
  home = path.join(root, 'home');
  digits = await writeDigitTree(path.join(root, 'digits'), { train: 60, test: 20 });
  colours = await writeColourTree(path.join(root, 'colours'), 20, 30);
  fs.writeFileSync(path.join(colours, 'README.txt'), 'not an image');
}, 60_000);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function runMeta(runId: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(home, 'runs', runId, 'meta.json'), 'utf8'));
}

describe('saccade train --data DIR on a class-folder tree', () => {
  it('trains grey PNGs with train/ and test/ folders and names the classes in the summary', async () => {
    const r = await saccade(['train', '--data', digits, '--preset', 'centered', '--epochs', '3', '--batch-size', '30', '--json'], home, 300_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = lastJson<TrainSummary & { type: string }>(r.stdout);
    expect(summary.status).toBe('completed');
    expect(summary.test!.classNames).toEqual(DIGIT_NAMES);
    expect(summary.test!.count).toBe(60);
    expect(summary.test!.confusion).toHaveLength(3);
    // Three digit classes are easy: far above chance (1/3) after a few epochs.
    expect(summary.test!.accuracy).toBeGreaterThan(0.6);
    const meta = runMeta(summary.runId);
    expect(meta.config).toMatchObject({ imageSize: 28, channels: 1, classes: 3, unitPixels: 12 });
    expect(meta.dataset).toMatchObject({ source: digits, imageSize: 28, channels: 1, classNames: DIGIT_NAMES, test: 60 });
    // 180 training images: the adaptive validation split holds out 18, not 5,000.
    expect(meta.dataset.validation).toBe(18);
    expect(meta.dataset.train).toBe(162);

    const ev = await saccade(['eval', summary.runId, '--json'], home, 120_000);
    expect(ev.code).toBe(0);
    const evSummary = lastJson<EvalSummary>(ev.stdout);
    expect(evSummary.classNames).toEqual(DIGIT_NAMES);
    expect(evSummary.accuracy).toBe(summary.test!.accuracy);
  }, 400_000);

  it('trains colour JPEGs of another size, holding out a fixed 10% of each class for testing', async () => {
    const r = await saccade(['train', '--data', colours, '--preset', 'centered', '--epochs', '4', '--batch-size', '27', '--json'], home, 300_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = lastJson<TrainSummary>(r.stdout);
    expect(summary.test!.classNames).toEqual(COLOUR_NAMES);
    // 3 images of 30 per class held out.
    expect(summary.test!.count).toBe(9);
    const meta = runMeta(summary.runId);
    // 20 px images: the model takes them as they are, 3 channels, unitPixels scaled 12 * 20 / 28.
    expect(meta.config).toMatchObject({ imageSize: 20, channels: 3, classes: 3, unitPixels: 8.57 });
    const weights = JSON.parse(fs.readFileSync(path.join(home, 'runs', summary.runId, 'checkpoints', 'best', 'checkpoint.json'), 'utf8'));
    expect(weights.config.channels).toBe(3);
    const trace = await saccade(['trace', summary.runId, '--images', '0', '--json'], home, 120_000);
    expect(trace.code).toBe(0);
    const t = lastJson<{ traces: { channels: number; pixels: number[]; classNames: string[]; steps: { patches: number[][] }[] }[] }>(trace.stdout).traces[0]!;
    expect(t.channels).toBe(3);
    expect(t.pixels).toHaveLength(20 * 20 * 3);
    expect(t.classNames).toEqual(COLOUR_NAMES);
    expect(t.steps[0]!.patches[0]).toHaveLength(8 * 8 * 3);
    const gif = path.join(root, 'colour.gif');
    const ex = await saccade(['export', summary.runId, '--images', '0-2', '--out', gif], home, 120_000);
    expect(ex.code).toBe(0);
    expect(fs.readFileSync(gif).subarray(0, 6).toString()).toBe('GIF89a');
  }, 400_000);
});

describe('other tasks on own images', () => {
  it('renders a colour set into the translated canvas: 60x60, 3 channels, the preset unitPixels', async () => {
    const r = await saccade(['train', '--data', colours, '--preset', 'translated', '--max-steps', '2', '--batch-size', '16', '--json'], home, 300_000);
    expect(r.code).toBe(0);
    const meta = runMeta(lastJson<TrainSummary>(r.stdout).runId);
    expect(meta.config).toMatchObject({ task: 'translated', imageSize: 60, channels: 3, classes: 3, unitPixels: 26 });
  }, 300_000);
});

describe('saccade import and datasets', () => {
  it('an import killed while decoding leaves nothing that looks like a dataset, and the next import clears it', async () => {
    const big = await writeColourTree(path.join(root, 'big'), 48, 400, 7);
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/saccade.mjs'), 'import', big, '--name', 'big', '--json'], {
      cwd: ROOT,
      env: { ...process.env, SACCADE_HOME: home },
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        if (b.toString().includes('"decoding"')) resolve();
      });
      child.on('exit', () => reject(new Error('the import ended before it was killed')));
    });
    // The whole group: the CLI and its trainer process, as a crash or the OOM killer would.
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    const list = await saccade(['datasets', '--json'], home);
    expect(lastJson<{ datasets: { name: string }[] }>(list.stdout).datasets.map((d) => d.name)).not.toContain('big');
    expect(fs.existsSync(path.join(home, 'datasets', 'big'))).toBe(false);
    const next = await saccade(['import', digits, '--name', 'digits'], home, 120_000);
    expect(next.code).toBe(0);
    expect(fs.readdirSync(path.join(home, 'datasets')).filter((n) => n.startsWith('.importing-'))).toEqual([]);
  }, 300_000);

  it('imports once, lists it, and trains on it by name; the model refuses data of another channel count', async () => {
    const r = await saccade(['import', colours, '--name', 'Colour squares'], home, 120_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("imported 'Colour squares': 81 training and 9 test images (10% held out for testing, the same every time), 20x20 colour");
    expect(r.stdout).toContain('3 classes: blue (27+3), green (27+3), red (27+3)');
    expect(r.stdout).toContain('ignored 1 file that is not an image');
    const cache = path.join(home, 'datasets', 'colour-squares');
    expect(fs.readdirSync(cache).sort()).toEqual(['classes.txt', 'dataset.json', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte']);
    // Raw uint8 tensors: header plus 81 x 20 x 20 x 3 bytes.
    expect(fs.statSync(path.join(cache, 'train-images-idx3-ubyte')).size).toBe(4 + 4 * 4 + 81 * 20 * 20 * 3);

    const list = await saccade(['datasets'], home);
    expect(list.stdout).toMatch(/Colour squares\s+20x20 colour\s+3\s+81\s+9\s+/);
    const again = await saccade(['import', colours, '--name', 'Colour squares'], home);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^saccade: error: a dataset named 'Colour squares' is already imported/);

    const train = await saccade(['train', '--data', 'Colour squares', '--epochs', '1', '--batch-size', '27', '--json'], home, 300_000);
    expect(train.code).toBe(0);
    const summary = lastJson<TrainSummary>(train.stdout);
    expect(runMeta(summary.runId).dataset).toMatchObject({ name: 'Colour squares', source: cache, classNames: COLOUR_NAMES });

    const text = await saccade(['eval', summary.runId], home, 120_000);
    expect(text.stdout).toMatch(/^per class: blue:[\d.]+ green:[\d.]+ red:[\d.]+$/m);
    expect(text.stdout).toMatch(/^  0 blue  +\d+ +\d+ +\d+$/m);

    const wrong = await saccade(['eval', summary.runId, '--data', digits], home, 120_000);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toMatch(/^saccade: error: .*images are 28x28 but the model takes 20x20 \(task centered\)$/);
  }, 600_000);
});

describe('bad folders get one clear line each', () => {
  it.each([
    ['no such folder', (d: string) => path.join(d, 'missing'), /^saccade: error: --data .*missing: no such folder or imported dataset/],
    ['a folder without images', (d: string) => (fs.mkdirSync(path.join(d, 'empty', 'cat'), { recursive: true }), path.join(d, 'empty')), /no images|data folder not found|missing/],
    [
      'a single class',
      (d: string) => {
        const f = path.join(d, 'single', 'cat');
        fs.mkdirSync(f, { recursive: true });
        fs.copyFileSync(path.join(digits, 'train', 'nought', '0000.png'), path.join(f, 'a.png'));
        fs.copyFileSync(path.join(digits, 'train', 'nought', '0001.png'), path.join(f, 'b.png'));
        return path.join(d, 'single');
      },
      /needs at least 2 classes/,
    ],
    [
      'a corrupt image',
      (d: string) => {
        const f = path.join(d, 'corrupt');
        fs.cpSync(path.join(colours), f, { recursive: true });
        fs.writeFileSync(path.join(f, 'red', 'broken.jpg'), Buffer.from('not a jpeg at all'));
        return f;
      },
      /red\/broken\.jpg.*--skip-bad imports the rest/,
    ],
  ])('%s', async (_what, make, message) => {
    const dir = make(root);
    const r = await saccade(['train', '--data', dir, '--max-steps', '1'], home, 120_000);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.trim());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^saccade: error: /);
    expect(lines[0]).toMatch(message);
  }, 130_000);

  it('--skip-bad imports the rest and says what it skipped', async () => {
    const r = await saccade(['import', path.join(root, 'corrupt'), '--name', 'with-bad', '--skip-bad'], home, 120_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/skipped 1 bad image: red\/broken\.jpg \(/);
  }, 130_000);
});
