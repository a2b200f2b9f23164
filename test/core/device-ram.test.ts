/**
 * Ram's async methods forced down the device path (tape over the device episode, one read a call)
 * against the synchronous CPU ones: the same step statistics and weights after a step, the same
 * predictions, evaluations, traces and state, and no tensor left behind. Runs on tfjs 'cpu'.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, type RamConfig } from '../../src-main/core/config';
import { evaluate, evaluateAsync, type EvalSet } from '../../src-main/core/evaluate';
import { initialWeights } from '../../src-main/core/params';
import { isDeviceBackend, Ram, type StepStats } from '../../src-main/core/ram';
import { Rng } from '../../src-main/core/rng';

const COUNT = 12;

interface Case {
  name: string;
  config: RamConfig;
  images: Float32Array;
  labels: Int32Array;
}
const cases: Case[] = [];

function makeCase(name: string, overrides: Record<string, unknown>): Case {
  const config = validateConfig({
    task: 'translated', glimpses: 4, glimpseSize: 4, classes: 3, firstLocation: 'random', gradClipNorm: 0.5,
    glimpseHidden: 8, locationHidden: 8, glimpseFeatures: 12, coreHidden: 12, batchSize: COUNT, mcSamples: 3,
    ...overrides,
  });
  const S = config.imageSize as number;
  const rng = new Rng(3);
  const images = Float32Array.from({ length: COUNT * config.channels * S * S }, () => rng.next());
  const labels = Int32Array.from({ length: COUNT }, (_, i) => i % 3);
  return { name, config, images, labels };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  cases.push(makeCase('grey, one scale', { imageSize: 20, channels: 1, scales: 1, unitPixels: 7, locationStd: 0.3 }));
  cases.push(makeCase('colour, three scales', { imageSize: 16, channels: 3, scales: 3, unitPixels: 6, locationStd: 0.15, firstLocation: 'center' }));
});

function pair(config: RamConfig): [Ram, Ram] {
  const weights = initialWeights(config, 21);
  return [new Ram(config, weights, new Rng(8)), new Ram(config, weights, new Rng(8))];
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  let scale = floor;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst / scale;
}

function expectStatsClose(a: StepStats, b: StepStats): void {
  for (const key of ['loss', 'crossEntropy', 'reinforce', 'baselineLoss', 'reward', 'baseline', 'gradNorm', 'learningRate'] as const) {
    expect(Math.abs(a[key] - b[key]), `${key}: ${a[key]} vs ${b[key]}`).toBeLessThanOrEqual(1e-3 * Math.max(Math.abs(a[key]), Math.abs(b[key]), 1e-3));
  }
}

describe('trainBatchAsync on the device path', () => {
  it('is not the device backend here, and unforced it is trainBatch', async () => {
    expect(isDeviceBackend()).toBe(false);
    const { config, images, labels } = cases[0];
    const [a, b] = pair(config);
    try {
      const sa = a.trainBatch(images, labels);
      const sb = await b.trainBatchAsync(images, labels);
      expect(sb).toEqual(sa);
      expect(await b.weightArraysAsync()).toEqual(a.weightArrays());
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  for (const caseIndex of [0, 1]) {
    it(`gives trainBatch's statistics and weights after a step (case ${caseIndex})`, async () => {
      const { config, images, labels } = cases[caseIndex];
      const [cpu, dev] = pair(config);
      try {
        for (let step = 0; step < 2; step++) {
          const before = cpu.weightArrays();
          const sc = cpu.trainBatch(images, labels);
          const sd = await dev.trainBatchAsync(images, labels, { device: true });
          expectStatsClose(sc, sd);
          expect(dev.step).toBe(step + 1);
          const wc = cpu.weightArrays();
          const wd = await dev.weightArraysAsync();
          wc.forEach((w, i) => {
            // Compare the updates (the first Adam steps move every weight by about the learning rate).
            const dc = w.map((x, k) => x - before[i][k]);
            const dd = wd[i].map((x, k) => x - before[i][k]);
            expect(maxRelDiff(dc, dd), `weight ${i}, step ${step}`).toBeLessThan(1e-3);
            expect(maxRelDiff(w, wd[i]), `weight ${i}, step ${step}`).toBeLessThan(1e-3);
          });
          // The generators advanced alike: the same draws were made in the same order.
          expect(dev.rng.next()).toBe(cpu.rng.next());
        }
        // The async state is the sync state of the same model.
        const sync = dev.readState();
        const async = await dev.readStateAsync();
        expect(async).toEqual(sync);
        const cpuState = cpu.readState();
        expect(async.optimizer.step).toBe(cpuState.optimizer.step);
        for (const key of Object.keys(cpuState.optimizer.tensors)) {
          const c = cpuState.optimizer.tensors[key].data;
          const d = async.optimizer.tensors[key].data;
          expect(maxRelDiff(c, d, 1e-12), `optimizer ${key}`).toBeLessThan(2e-3);
        }
      } finally {
        cpu.dispose();
        dev.dispose();
      }
    });
  }

  it('with REINFORCE into the core and no clipping', async () => {
    const base = cases[0];
    const config = { ...base.config, reinforceIntoCore: true, gradClipNorm: 0 };
    const [cpu, dev] = pair(config);
    try {
      expectStatsClose(cpu.trainBatch(base.images, base.labels), await dev.trainBatchAsync(base.images, base.labels, { device: true }));
      const wc = cpu.weightArrays();
      const wd = await dev.weightArraysAsync();
      wc.forEach((w, i) => expect(maxRelDiff(w, wd[i]), `weight ${i}`).toBeLessThan(1e-3));
    } finally {
      cpu.dispose();
      dev.dispose();
    }
  });

  it('with one glimpse (no decision: no REINFORCE, no baseline)', async () => {
    const base = cases[0];
    const config = { ...base.config, glimpses: 1 };
    const [cpu, dev] = pair(config);
    try {
      const sd = await dev.trainBatchAsync(base.images, base.labels, { device: true });
      expectStatsClose(cpu.trainBatch(base.images, base.labels), sd);
      expect(sd.reinforce).toBe(0);
      expect(sd.baselineLoss).toBe(0);
      const wc = cpu.weightArrays();
      const wd = await dev.weightArraysAsync();
      wc.forEach((w, i) => expect(maxRelDiff(w, wd[i]), `weight ${i}`).toBeLessThan(1e-3));
      const p = await dev.predictAsync(base.images, COUNT, 'sampled', 2, {}, { device: true });
      expect(maxRelDiff(cpu.predict(base.images, COUNT, 'sampled', 2), p)).toBeLessThan(1e-5);
    } finally {
      cpu.dispose();
      dev.dispose();
    }
  });

  it('leaves no tensor behind', async () => {
    const { config, images, labels } = cases[1];
    const ram = new Ram(config, initialWeights(config, 21), new Rng(8));
    try {
      await ram.trainBatchAsync(images, labels, { device: true });
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await ram.trainBatchAsync(images, labels, { device: true });
      expect(tf.memory().numTensors).toBe(tensors);
      await ram.predictAsync(images, COUNT, 'sampled', 3, {}, { device: true });
      await ram.predictAsync(images, COUNT, 'mean', 1, {}, { device: true });
      await ram.traceAsync(images.subarray(0, 2 * (images.length / COUNT)), [0, 1].map((index) => ({ index, label: 0, pixels: new Uint8Array(16 * 16 * 3) })), 'sampled', 1, { device: true });
      await ram.readStateAsync();
      await ram.weightArraysAsync();
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      ram.dispose();
    }
  });
});

describe('predictAsync, evaluateAsync and traceAsync', () => {
  for (const caseIndex of [0, 1]) {
    it(`predict the same as predict() (case ${caseIndex})`, async () => {
      const { config, images } = cases[caseIndex];
      const ram = new Ram(config, initialWeights(config, 21));
      try {
        const indices = Array.from({ length: COUNT }, (_, n) => 100 + 3 * n);
        for (const [mode, samples] of [['mean', 1], ['sampled', 1], ['sampled', 4]] as const) {
          const sync = ram.predict(images, COUNT, mode, samples, { seed: 5, indices });
          const async = await ram.predictAsync(images, COUNT, mode, samples, { seed: 5, indices }, { device: true });
          expect(async.length).toBe(COUNT * config.classes);
          expect(maxRelDiff(sync, async), `${mode} x${samples}`).toBeLessThan(1e-5);
          // Off a device backend, unforced, it is predict() itself.
          expect(await ram.predictAsync(images, COUNT, mode, samples, { seed: 5, indices })).toEqual(sync);
        }
        await expect(ram.predictAsync(images, COUNT, 'mean', 1, { indices: [1, 2] }, { device: true })).rejects.toThrow(RangeError);
      } finally {
        ram.dispose();
      }
    });

    it(`evaluate the same as evaluate() (case ${caseIndex})`, async () => {
      const { config, images, labels } = cases[caseIndex];
      const ram = new Ram(config, initialWeights(config, 21));
      const pixels = images.length / COUNT;
      const set: EvalSet = {
        count: COUNT,
        imageSize: config.imageSize as number,
        channels: config.channels,
        labels,
        render: (idx, out) => {
          for (let i = 0; i < idx.length; i++) out.set(images.subarray(idx[i] * pixels, (idx[i] + 1) * pixels), i * pixels);
        },
      };
      try {
        for (const mode of ['mean', 'sampled'] as const) {
          const doneSync: number[] = [];
          const doneAsync: number[] = [];
          const opts = { batchSize: 10, samples: 2, seed: 3, keepMisclassified: 4 };
          const sync = evaluate(ram, set, mode, { ...opts, onBatch: (d) => doneSync.push(d) });
          const async = await evaluateAsync(ram, set, mode, { ...opts, device: true, onBatch: (d) => doneAsync.push(d) });
          expect(Array.from(async.predictions)).toEqual(Array.from(sync.predictions));
          expect({ ...async, seconds: 0 }).toEqual({ ...sync, seconds: 0 });
          expect(doneAsync).toEqual(doneSync);
          expect(doneAsync.length).toBeGreaterThan(1);
        }
      } finally {
        ram.dispose();
      }
    });

    it(`trace the same as trace() (case ${caseIndex})`, async () => {
      const { config, images, labels } = cases[caseIndex];
      const ram = new Ram(config, initialWeights(config, 21));
      const S = config.imageSize as number;
      const meta = [0, 1, 2].map((n) => ({ index: 40 + n, label: labels[n], pixels: new Uint8Array(S * S * config.channels).fill(n) }));
      const few = images.subarray(0, 3 * (images.length / COUNT));
      try {
        for (const mode of ['mean', 'sampled'] as const) {
          const sync = ram.trace(few, meta, mode, 6);
          const async = await ram.traceAsync(few, meta, mode, 6, { device: true });
          expect(await ram.traceAsync(few, meta, mode, 6)).toEqual(sync);
          expect(async.length).toBe(3);
          async.forEach((t, n) => {
            const s = sync[n];
            expect({ ...t, steps: [] }).toEqual({ ...s, steps: [] });
            expect(t.steps.length).toBe(config.glimpses);
            t.steps.forEach((step, k) => {
              const ref = s.steps[k];
              expect(maxRelDiff(ref.loc, step.loc)).toBeLessThan(1e-5);
              expect(step.boxes).toEqual(ref.boxes);
              expect(maxRelDiff(ref.probs, step.probs)).toBeLessThan(1e-5);
              expect(step.patches.length).toBe(config.scales);
              step.patches.forEach((p, q) => expect(maxRelDiff(ref.patches[q], p)).toBeLessThan(1e-5));
            });
          });
        }
      } finally {
        ram.dispose();
      }
    });
  }
});
