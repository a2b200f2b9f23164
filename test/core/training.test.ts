/**
 * A short real training run of the centered-MNIST RAM (wasm backend), then evaluate() on held-out
 * test digits and trace() of what it looked at.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../src-main/core/config';
import { evaluate, type EvalSet } from '../../src-main/core/evaluate';
import { Ram, type StepStats } from '../../src-main/core/ram';
import { Rng } from '../../src-main/core/rng';
import { loadBundledMnist, type LabeledImages } from '../../src-main/data/dataset-files';

const B = 64;
const STEPS = 300;
const PX = 784;

let train: LabeledImages;
let test: LabeledImages;

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
  ({ train, test } = await loadBundledMnist());
});

function render(set: LabeledImages, idx: ArrayLike<number>, out: Float32Array): void {
  for (let i = 0; i < idx.length; i++) for (let p = 0; p < PX; p++) out[i * PX + p] = set.images[idx[i] * PX + p] / 255;
}

function testSet(count: number): EvalSet {
  return { count, imageSize: 28, channels: 1, labels: test.labels, render: (idx, out) => render(test, idx, out) };
}

describe('training a centered-MNIST RAM for a few hundred steps', () => {
  let ram: Ram;
  const stats: StepStats[] = [];
  const tensorsAt: Record<number, number> = {};

  it('trains with finite losses and a flat tensor count', () => {
    // A centred first glimpse, so the trace's first patch can be checked by hand below.
    ram = new Ram(presetConfig('centered', { batchSize: B, firstLocation: 'center' }));
    const before = evaluate(ram, testSet(1000), 'mean');
    // untrained: about chance
    expect(before.accuracy).toBeLessThan(0.3);

    const images = new Float32Array(B * PX);
    const labels = new Int32Array(B);
    const idx = new Uint32Array(B);
    const order = new Rng(3).permutation(train.count);
    for (let s = 0; s < STEPS; s++) {
      for (let i = 0; i < B; i++) {
        idx[i] = order[s * B + i];
        labels[i] = train.labels[idx[i]];
      }
      render(train, idx, images);
      stats.push(ram.trainBatch(images, labels));
      if (s + 1 === 20 || s + 1 === 150 || s + 1 === STEPS) tensorsAt[s + 1] = tf.memory().numTensors;
    }
    expect(ram.step).toBe(STEPS);
    for (const st of stats) {
      expect(Number.isFinite(st.loss)).toBe(true);
      // loss = CE + 1 * REINFORCE + baseline
      expect(st.loss).toBeCloseTo(st.crossEntropy + st.reinforce + st.baselineLoss, 4);
      expect(st.reward).toBeGreaterThanOrEqual(0);
      expect(st.reward).toBeLessThanOrEqual(1);
      expect(st.learningRate).toBe(1e-3); // no decay before step 500
    }
    // No tensor leaks: the same number alive after step 20, 150 and 300.
    expect(tensorsAt[150]).toBe(tensorsAt[20]);
    expect(tensorsAt[STEPS]).toBe(tensorsAt[20]);
    // It learned: the last 50 steps' cross-entropy is well below the first 10 (about ln 10 = 2.3).
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ceStart = mean(stats.slice(0, 10).map((s) => s.crossEntropy));
    const ceEnd = mean(stats.slice(-50).map((s) => s.crossEntropy));
    expect(ceStart).toBeGreaterThan(1.8);
    expect(ceEnd).toBeLessThan(ceStart - 0.5);
  });

  it('classifies 1000 held-out test digits well above chance', () => {
    const tensors = tf.memory().numTensors;
    const mean = evaluate(ram, testSet(1000), 'mean');
    expect(mean.count).toBe(1000);
    expect(mean.accuracy).toBeGreaterThan(0.5);
    // the confusion matrix accounts for every image, its diagonal for the correct ones
    const total = mean.confusion.flat().reduce((a, b) => a + b, 0);
    const diagonal = mean.confusion.reduce((a, row, c) => a + row[c], 0);
    expect(total).toBe(1000);
    expect(diagonal / 1000).toBeCloseTo(mean.accuracy, 10);
    const mc = evaluate(ram, testSet(1000), 'sampled', { samples: 2, batchSize: 500 });
    expect(mc.samples).toBe(2);
    expect(mc.accuracy).toBeGreaterThan(0.5);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('traces what it looked at, step by step', () => {
    const indices = [0, 1, 2];
    const images = new Float32Array(indices.length * PX);
    render(test, indices, images);
    const meta = indices.map((index) => ({ index, label: test.labels[index], pixels: test.images.slice(index * PX, (index + 1) * PX) }));
    const tensors = tf.memory().numTensors;
    const traces = ram.trace(images, meta, 'mean');
    expect(tf.memory().numTensors).toBe(tensors);
    expect(traces.length).toBe(3);
    const probsMean = ram.predict(images, 3, 'mean');
    traces.forEach((t, n) => {
      expect(t.index).toBe(indices[n]);
      expect(t.label).toBe(test.labels[indices[n]]);
      expect(t.imageSize).toBe(28);
      expect(t.glimpseSize).toBe(8);
      expect(t.steps.length).toBe(6);
      for (const step of t.steps) {
        expect(step.boxes.length).toBe(1); // one scale
        expect(step.boxes[0].size).toBe(8);
        expect(step.probs.length).toBe(10);
        expect(step.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(step.patches.length).toBe(1);
        expect(step.patches[0].length).toBe(64);
        expect(Math.abs(step.loc[0])).toBeLessThanOrEqual(1);
        expect(Math.abs(step.loc[1])).toBeLessThanOrEqual(1);
      }
      // First glimpse: the centre. loc (0,0) -> pixel (14,14) -> box corner 14 - 4 = 10, so the
      // patch is rows 10..17, cols 10..17 of the digit.
      const first = t.steps[0];
      expect(first.loc).toEqual([0, 0]);
      expect(first.centerPx).toEqual([14, 14]);
      expect(first.boxes[0]).toEqual({ x: 10, y: 10, size: 8 });
      const crop: number[] = [];
      for (let r = 10; r < 18; r++) for (let c = 10; c < 18; c++) crop.push(meta[n].pixels[r * 28 + c] / 255);
      first.patches[0].forEach((v, i) => expect(v).toBeCloseTo(crop[i], 6));
      // The last step's belief is the prediction, and it is what predict() says.
      const last = t.steps[5].probs;
      expect(t.prediction).toBe(last.indexOf(Math.max(...last)));
      last.forEach((p, c) => expect(p).toBeCloseTo(probsMean[n * 10 + c], 5));
    });
    // the policy moved the later glimpses away from the centre
    const moved = traces.flatMap((t) => t.steps.slice(1)).some((s) => s.loc[0] !== 0 || s.loc[1] !== 0);
    expect(moved).toBe(true);
    ram.dispose();
  });
});
