/**
 * `saccade eval --model DIR --data DIR`: a model checked on test images placed by someone else's
 * generator. The external images here are the built-in translated test set written out as IDX,
 * so the accuracy must equal the built-in evaluation's exactly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../src-main/core/config';
import { initialWeights } from '../../src-main/core/params';
import { loadBundledMnist } from '../../src-main/data/dataset-files';
import { encodeIdx } from '../../src-main/data/idx';
import { encodeTaskSet, TaskGenerator, taskSpec } from '../../src-main/data/tasks';
import { writeModelDir } from '../../src-main/storage';
import { TEST_SEED } from '../../src-main/trainer/run-data';
import { tempDir } from '../helpers/mnist-subset';
import { lastJson, saccade } from '../helpers/saccade-cli';

const COUNT = 300;

const summaryOf = (stdout: string) => lastJson<{ accuracy: number; accuracyMC: number; count: number; dataset: string }>(stdout);

let dir = '';
let model = '';
let placed = '';
let small = '';

beforeAll(async () => {
  dir = tempDir('saccade-external-');
  // An untrained translated model with small layers: its accuracy is whatever it is, but exact.
  const config = presetConfig('translated', { glimpseHidden: 16, locationHidden: 16, glimpseFeatures: 32, coreHidden: 32, mcSamples: 2 });
  model = path.join(dir, 'model');
  writeModelDir(model, { step: 0, epoch: 0, config: { ...config }, weights: initialWeights(config) });

  const { test } = await loadBundledMnist();
  const gen = new TaskGenerator(taskSpec('translated'), test, TEST_SEED);
  const indices = Array.from({ length: COUNT }, (_, i) => i);
  const { images, labels } = encodeTaskSet(gen, indices);
  placed = path.join(dir, 'placed');
  fs.mkdirSync(placed);
  fs.writeFileSync(path.join(placed, 't10k-images-idx3-ubyte'), images);
  fs.writeFileSync(path.join(placed, 't10k-labels-idx1-ubyte'), labels);

  // 28x28 images cannot feed a 60x60 model.
  small = path.join(dir, 'small');
  fs.mkdirSync(small);
  fs.writeFileSync(path.join(small, 't10k-images-idx3-ubyte'), encodeIdx([COUNT, 28, 28], test.images.subarray(0, COUNT * 784)));
  fs.writeFileSync(path.join(small, 't10k-labels-idx1-ubyte'), encodeIdx([COUNT], test.labels.subarray(0, COUNT)));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('eval --model DIR --data DIR', () => {
  it('evaluates the t10k files as they are, matching the built-in test set they were written from', async () => {
    const external = await saccade(['eval', '--model', model, '--data', placed, '--json'], dir);
    expect(external.code, external.stderr).toBe(0);
    const builtIn = await saccade(['eval', '--model', model, '--limit', String(COUNT), '--json'], dir);
    expect(builtIn.code, builtIn.stderr).toBe(0);
    const a = summaryOf(external.stdout);
    const b = summaryOf(builtIn.stdout);
    expect(a.count).toBe(COUNT);
    expect(a.dataset).toContain(path.join(placed, 't10k-images-idx3-ubyte'));
    expect(a.accuracy).toBe(b.accuracy);
  });

  it('traces the external images exactly as the built-in ones: same pixels, locations and beliefs', async () => {
    type Trace = { pixels: number[]; label: number; steps: { loc: number[]; probs: number[] }[] };
    const tracesOf = (stdout: string) => lastJson<{ traces: Trace[] }>(stdout).traces;
    const external = await saccade(['trace', '--model', model, '--data', placed, '--images', '0-4', '--json'], dir);
    const builtIn = await saccade(['trace', '--model', model, '--images', '0-4', '--json'], dir);
    expect(external.code, external.stderr).toBe(0);
    const a = tracesOf(external.stdout);
    const b = tracesOf(builtIn.stdout);
    expect(a).toHaveLength(5);
    // An untrained model's accuracy could match by chance; its per-step beliefs cannot.
    expect(a.map((t) => t.pixels)).toEqual(b.map((t) => t.pixels));
    expect(a.map((t) => t.steps.map((s) => [s.loc, s.probs]))).toEqual(b.map((t) => t.steps.map((s) => [s.loc, s.probs])));
    expect(new Set(a.map((t) => t.steps[5].probs.join())).size).toBe(5);
  });

  it('refuses test images of another size, saying both sizes', async () => {
    const r = await saccade(['eval', '--model', model, '--data', small], dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `saccade: error: ${path.join(small, 't10k-images-idx3-ubyte')}: images are 28x28 but the model takes 60x60 (task translated)`,
    );
  });
});
