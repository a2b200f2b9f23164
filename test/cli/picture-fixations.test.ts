/**
 * A user's picture through the CLI (trace and export --image), fixation maps of a shipped model
 * (saccade fixations), and live glimpses while training (--json 'glimpses' events).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundledMnist } from '../../src-main/data/dataset-files';
import type { FixationsSummary, JobEvent } from '../../src-main/shared/jobs';
import type { GlimpseTrace } from '../../src-main/shared/trace';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';
import { lastJson, ROOT, saccade } from '../helpers/saccade-cli';

const home = tempDir('picture-fixations');
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
const CENTERED = path.join(ROOT, 'resources/models/centered');
const TRANSLATED = path.join(ROOT, 'resources/models/translated');

/**
 * Test digits drawn as a person would: dark ink on white paper, 5x larger, off-centre on a
 * 300x220 page. Returns the file and the digit's label.
 */
async function paperDigit(index: number, file: string): Promise<number> {
  const { test } = await loadBundledMnist();
  const digit = Buffer.from(test.images.subarray(index * 784, (index + 1) * 784).map((v) => 255 - v));
  const big = await sharp(digit, { raw: { width: 28, height: 28, channels: 1 } }).resize(140, 140).png().toBuffer();
  await sharp({ create: { width: 300, height: 220, channels: 3, background: { r: 250, g: 248, b: 240 } } })
    .composite([{ input: big, left: 30, top: 50 }])
    .png()
    .toFile(file);
  return test.labels[index]!;
}

/** The mean correlation of each step's density with the mean test image. */
function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return aa && bb ? ab / Math.sqrt(aa * bb) : 0;
}

describe('saccade trace and export --image', () => {
  const files: string[] = [];
  const labels: number[] = [];
  beforeAll(async () => {
    for (const i of [0, 1, 2, 3]) {
      const file = path.join(home, `digit-${i}.png`);
      labels.push(await paperDigit(i, file));
      files.push(file);
    }
  });

  it('traces a drawn digit on white paper: inverted, centred as MNIST, read right', async () => {
    let right = 0;
    for (let k = 0; k < files.length; k++) {
      const r = await saccade(['trace', '--model', CENTERED, '--image', files[k]!, '--json'], home);
      expect(r.code, r.stderr).toBe(0);
      const summary = lastJson<{ traces: GlimpseTrace[]; inverted: boolean; image: string }>(r.stdout);
      expect(summary.inverted).toBe(true);
      expect(summary.image).toBe(files[k]);
      const [t] = summary.traces;
      expect([t!.index, t!.label, t!.imageSize, t!.pixels.length, t!.steps.length]).toEqual([-1, -1, 28, 784, 6]);
      // Light on dark as the training digits: a black border, the ink's centre of mass at the centre.
      expect(t!.pixels[0]).toBe(0);
      let m = 0, mx = 0, my = 0;
      t!.pixels.forEach((v, p) => ((m += v), (mx += v * (p % 28)), (my += v * Math.floor(p / 28))));
      expect(Math.abs(mx / m - 13.5)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(my / m - 13.5)).toBeLessThanOrEqual(0.5);
      if (t!.prediction === labels[k]) right += 1;
    }
    expect(right).toBeGreaterThanOrEqual(3);
    const text = await saccade(['trace', '--model', CENTERED, '--image', files[0]!], home);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`picture .*digit-0\\.png: predicted \\d .*inverted to light on dark`));
    const off = await saccade(['trace', '--model', CENTERED, '--image', files[0]!, '--invert', 'off', '--json'], home);
    expect(lastJson<{ inverted: boolean }>(off.stdout).inverted).toBe(false);
  });

  it('refuses bad --image and --invert values with one line', async () => {
    const missing = await saccade(['trace', '--model', CENTERED, '--image', path.join(home, 'nope.png')], home);
    expect([missing.code, missing.stderr]).toEqual([2, `saccade: error: --image ${path.join(home, 'nope.png')}: no such file\n`]);
    const both = await saccade(['trace', '--model', CENTERED, '--image', files[0]!, '--images', '0'], home);
    expect(both.code).toBe(2);
    const invert = await saccade(['trace', '--model', CENTERED, '--image', files[0]!, '--invert', 'maybe'], home);
    expect([invert.code, invert.stderr]).toEqual([2, "saccade: error: --invert must be auto, on or off, not 'maybe'\n"]);
    const text = path.join(home, 'not-a-picture.png');
    fs.writeFileSync(text, 'hello');
    const bad = await saccade(['trace', '--model', CENTERED, '--image', text], home);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^saccade: error: .*not-a-picture\.png: not an image/);
  });

  it('exports a picture as an animation, drawn as test images are', async () => {
    const out = path.join(home, 'picture.gif');
    const r = await saccade(['export', '--model', TRANSLATED, '--image', files[1]!, '--out', out, '--scale', '2', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const s = lastJson<{ file: string; frames: number; size: string }>(r.stdout);
    expect(s.file).toBe(out);
    expect(s.frames).toBe(6);
    const bytes = fs.readFileSync(out);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(`${bytes.readUInt16LE(6)}x${bytes.readUInt16LE(8)}`).toBe(s.size);
  });
});

describe('saccade fixations', () => {
  it("writes the maps of the translated model, whose later glimpses go where the digits are", async () => {
    const out = path.join(home, 'fixations');
    const started = performance.now();
    const r = await saccade(['fixations', '--model', TRANSLATED, '--limit', '500', '--out', out, '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const seconds = (performance.now() - started) / 1000;
    const printed = lastJson<{ files: string[]; count: number; seconds: number }>(r.stdout);
    expect(printed.count).toBe(500);
    for (const name of ['fixations.json', 'all.png', 'all-step1.png', 'all-step6.png', 'class-0-all.png', 'class-9-step3.png', 'right-all.png', 'wrong-all.png', 'mean-patches.png']) {
      expect(printed.files).toContain(name);
      expect(fs.statSync(path.join(out, name)).size).toBeGreaterThan(0);
    }
    const all = await sharp(path.join(out, 'all.png')).metadata();
    expect([all.width, all.height, all.format]).toEqual([120, 120, 'png']);
    const s = JSON.parse(fs.readFileSync(path.join(out, 'fixations.json'), 'utf8')) as FixationsSummary;
    expect([s.imageSize, s.grid, s.steps, s.count, s.classes, s.mode]).toEqual([60, 60, 6, 500, 10, 'mean']);
    expect(s.accuracy).toBeGreaterThan(0.9);
    expect(s.right.count + s.wrong.count).toBe(500);
    expect(s.perClass.reduce((n, g) => n + g.count, 0)).toBe(500);
    for (const grids of [s.all, s.right, s.wrong, ...s.perClass]) {
      for (const step of grids.perStep) expect(step.reduce((a, b) => a + b, 0)).toBe(grids.count);
    }
    expect(s.meanPatches.length).toBe(6);
    expect(s.meanPatches[0]!.length).toBe(3);
    expect(s.meanPatches[0]![0]!.length).toBe(144);
    expect(s.movement[0]).toBe(0);
    expect(Math.min(...s.movement.slice(1))).toBeGreaterThan(1);
    // The first glimpse is the centre for every image (firstLocation 'center'): one cell.
    expect(s.all.perStep[0]!.filter((v) => v > 0).length).toBe(1);
    // Later ones spread as the digits are spread: their density follows the mean test image.
    const mean = s.meanImages[0]!.map((_, i) => s.meanImages.reduce((sum, img, k) => sum + img[i]! * s.perClass[k]!.count, 0));
    const first = correlation(s.all.perStep[0]!, mean);
    const later = s.all.perStep.slice(1).map((d) => correlation(d, mean));
    expect(first).toBeLessThan(0.1);
    expect(Math.max(...later)).toBeGreaterThan(0.3);
    expect(later.reduce((a, b) => a + b, 0) / later.length).toBeGreaterThan(first + 0.2);
    console.log(`fixations of 500 translated images: ${s.seconds.toFixed(2)} s in the job, ${seconds.toFixed(1)} s with the CLI; correlation step 1 ${first.toFixed(3)}, later ${later.map((c) => c.toFixed(3)).join(' ')}`);
  });

  it('traces the 10,000 centered test images in seconds', async () => {
    const out = path.join(home, 'fixations-centered');
    const r = await saccade(['fixations', '--model', CENTERED, '--out', out, '--grid', '14', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const printed = lastJson<{ count: number; seconds: number; accuracy: number; grid: number }>(r.stdout);
    expect([printed.count, printed.grid]).toEqual([10000, 14]);
    // The shipped model's evaluation (meta: 98.19%): the same predictions as mean-mode traces.
    expect(printed.accuracy).toBeCloseTo(0.9819, 4);
    expect(printed.seconds).toBeLessThan(30);
    console.log(`fixations of 10,000 centered test images: ${printed.seconds.toFixed(2)} s`);
    const refused = await saccade(['fixations', '--model', CENTERED], home);
    expect([refused.code, refused.stderr]).toEqual([2, 'saccade: error: fixations needs --out DIR (for fixations.json and the heat maps)\n']);
  });
});

describe('live glimpses while training', () => {
  it("emits 'glimpses' with 4 validation traces after each epoch", async () => {
    const data = await writeMnistSubset(path.join(home, 'mnist-small'), 400, 100);
    const r = await saccade(
      ['train', '--data', data, '--epochs', '2', '--batch-size', '50', '--validation-size', '100', '--mc-samples', '1', '--workers', '1',
        '--glimpse-hidden', '8', '--location-hidden', '8', '--glimpse-features', '16', '--core-hidden', '16', '--json'],
      home,
    );
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as JobEvent | { type: 'summary' });
    const glimpses = events.filter((e): e is Extract<JobEvent, { type: 'glimpses' }> => e.type === 'glimpses');
    const epochs = events.filter((e): e is Extract<JobEvent, { type: 'epoch' }> => e.type === 'epoch');
    expect(epochs.length).toBe(2);
    expect(glimpses.length).toBe(2);
    glimpses.forEach((g, i) => {
      expect(g.epoch).toBe(i + 1);
      expect(g.step).toBe(epochs[i]!.step);
      expect(g.traces.length).toBe(4);
      expect(g.traces.map((t) => t.index)).toEqual([0, 1, 2, 3]);
      for (const t of g.traces) {
        expect(t.mode).toBe('mean');
        expect(t.pixels.length).toBe(784);
        expect(t.steps.length).toBe(6);
      }
      // Each comes after its epoch's event.
      expect(events.indexOf(g)).toBeGreaterThan(events.indexOf(epochs[i]!));
    });
    // The same images each time, with their labels.
    expect(glimpses[1]!.traces.map((t) => t.label)).toEqual(glimpses[0]!.traces.map((t) => t.label));
    expect(glimpses[1]!.traces[0]!.pixels).toEqual(glimpses[0]!.traces[0]!.pixels);
  });
});
