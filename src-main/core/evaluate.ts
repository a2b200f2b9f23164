/** Accuracy, per-class accuracy and the confusion matrix of a model on a set of images. */
import type { LocationMode } from './model';
import type { AsyncOptions, Ram } from './ram';
import { argmaxRows } from './losses';
import type { Misclassified } from '../shared/jobs';

/** Renders images `indices[from..to)` into `out` (floats in [0, 1]). */
export type BatchRenderer = (indices: ArrayLike<number>, out: Float32Array) => void;

export interface EvalSet {
  count: number;
  imageSize: number;
  /** Planes per image: render writes channels * imageSize^2 floats an image. */
  channels: number;
  labels: ArrayLike<number>;
  render: BatchRenderer;
}

export interface EvalResult {
  mode: LocationMode;
  samples: number;
  count: number;
  accuracy: number;
  /** Accuracy per class; null for a class the set has no image of. */
  perClass: (number | null)[];
  /** confusion[label][prediction] */
  confusion: number[][];
  /** The predicted class of every image, in set order. */
  predictions: Int32Array;
  /** The first `keepMisclassified` images it got wrong, in set order. */
  misclassified: Misclassified[];
  seconds: number;
}

export interface PredictOptions {
  /** Monte-Carlo copies per image ('sampled' only; default: the config's mcSamples). */
  samples?: number;
  /** Images times copies per forward pass. */
  batchSize?: number;
  /** Seed of every draw (default: the config's seed); image i, copy r draws from drawRng(seed, i, r). */
  seed?: number;
}

/**
 * The predictions of images 0..set.count-1 of a set, one batch at a time. An image's prediction
 * depends only on the model, the seed, its index and its pixels: not on the batch size.
 */
export function* predictBatches(ram: Ram, set: EvalSet, mode: LocationMode, opts: PredictOptions = {}): Generator<{ from: number; predictions: Int32Array }> {
  const plan = batchPlan(ram, set, mode, opts);
  for (const { from, idx, view } of plan.batches()) {
    const probs = ram.predict(view, idx.length, mode, plan.samples, { seed: plan.seed, indices: idx });
    yield { from, predictions: argmaxRows(probs, idx.length, plan.classes) };
  }
}

/** predictBatches through ram.predictAsync: the same batches, draws and predictions, one read a batch. */
export async function* predictBatchesAsync(ram: Ram, set: EvalSet, mode: LocationMode, opts: PredictOptions & AsyncOptions = {}): AsyncGenerator<{ from: number; predictions: Int32Array }> {
  const plan = batchPlan(ram, set, mode, opts);
  for (const { from, idx, view } of plan.batches()) {
    const probs = await ram.predictAsync(view, idx.length, mode, plan.samples, { seed: plan.seed, indices: idx }, { device: opts.device });
    yield { from, predictions: argmaxRows(probs, idx.length, plan.classes) };
  }
}

/** How predictBatches cuts a set: batches of images rendered into one reused buffer. */
function batchPlan(ram: Ram, set: EvalSet, mode: LocationMode, opts: PredictOptions) {
  const classes = ram.config.classes;
  const samples = mode === 'mean' ? 1 : Math.max(1, opts.samples ?? ram.config.mcSamples);
  // Larger batches amortise per-op overhead; Monte-Carlo copies multiply the batch.
  const batchSize = Math.max(1, Math.floor((opts.batchSize ?? 2000) / samples));
  const seed = opts.seed ?? ram.config.seed;
  const pixels = set.imageSize * set.imageSize * set.channels;
  const images = new Float32Array(Math.min(batchSize, Math.max(1, set.count)) * pixels);
  function* batches(): Generator<{ from: number; idx: Uint32Array; view: Float32Array }> {
    for (let from = 0; from < set.count; from += batchSize) {
      const n = Math.min(batchSize, set.count - from);
      const idx = new Uint32Array(n);
      for (let i = 0; i < n; i++) idx[i] = from + i;
      const view = images.subarray(0, n * pixels);
      set.render(idx, view);
      yield { from, idx, view };
    }
  }
  return { classes, samples, seed, batches };
}

type EvaluateOptions = PredictOptions & { onBatch?: (done: number) => void; keepMisclassified?: number };

/** Tallies batches of predictions into an EvalResult. */
function tally(ram: Ram, set: EvalSet, mode: LocationMode, opts: EvaluateOptions) {
  const classes = ram.config.classes;
  const samples = mode === 'mean' ? 1 : Math.max(1, opts.samples ?? ram.config.mcSamples);
  const keep = Math.max(0, opts.keepMisclassified ?? 0);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const predictions = new Int32Array(set.count);
  const misclassified: Misclassified[] = [];
  const started = performance.now();
  let correct = 0;
  return {
    samples,
    add(batch: { from: number; predictions: Int32Array }): void {
      const n = batch.predictions.length;
      predictions.set(batch.predictions, batch.from);
      for (let i = 0; i < n; i++) {
        const index = batch.from + i;
        const label = Number(set.labels[index]);
        const prediction = batch.predictions[i];
        if (label < classes) confusion[label][prediction] += 1;
        if (prediction === label) correct += 1;
        else if (misclassified.length < keep) misclassified.push({ index, label, prediction });
      }
      opts.onBatch?.(batch.from + n);
    },
    result(): EvalResult {
      const perClass = confusion.map((row, c) => {
        const total = row.reduce((a, b) => a + b, 0);
        return total === 0 ? null : row[c] / total;
      });
      return {
        mode,
        samples,
        count: set.count,
        accuracy: set.count === 0 ? 0 : correct / set.count,
        perClass,
        confusion,
        predictions,
        misclassified,
        seconds: (performance.now() - started) / 1000,
      };
    },
  };
}

export function evaluate(ram: Ram, set: EvalSet, mode: LocationMode, opts: EvaluateOptions = {}): EvalResult {
  const t = tally(ram, set, mode, opts);
  for (const batch of predictBatches(ram, set, mode, { ...opts, samples: t.samples })) t.add(batch);
  return t.result();
}

/**
 * evaluate() through ram.predictAsync: on a device backend (or with `device: true`) the device
 * episode, no dataSync and one read a batch; elsewhere predict(). The same result either way.
 */
export async function evaluateAsync(ram: Ram, set: EvalSet, mode: LocationMode, opts: EvaluateOptions & AsyncOptions = {}): Promise<EvalResult> {
  const t = tally(ram, set, mode, opts);
  for await (const batch of predictBatchesAsync(ram, set, mode, { ...opts, samples: t.samples })) t.add(batch);
  return t.result();
}
