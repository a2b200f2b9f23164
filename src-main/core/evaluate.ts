/** Accuracy, per-class accuracy and the confusion matrix of a model on a set of images. */
import type { LocationMode } from './model';
import type { Ram } from './ram';
import { argmaxRows } from './losses';
import { Rng } from './rng';

/** Renders images `indices[from..to)` into `out` (floats in [0, 1]). */
export type BatchRenderer = (indices: ArrayLike<number>, out: Float32Array) => void;

export interface EvalSet {
  count: number;
  imageSize: number;
  labels: ArrayLike<number>;
  render: BatchRenderer;
}

export interface EvalResult {
  mode: LocationMode;
  samples: number;
  count: number;
  accuracy: number;
  perClass: number[];
  /** confusion[label][prediction] */
  confusion: number[][];
  seconds: number;
}

export function evaluate(ram: Ram, set: EvalSet, mode: LocationMode, opts: { samples?: number; batchSize?: number; seed?: number; onBatch?: (done: number) => void } = {}): EvalResult {
  const classes = ram.config.classes;
  const samples = mode === 'mean' ? 1 : Math.max(1, opts.samples ?? ram.config.mcSamples);
  // Larger batches amortise per-op overhead; Monte-Carlo copies multiply the batch.
  const batchSize = Math.max(1, Math.floor((opts.batchSize ?? 2000) / samples));
  const rng = new Rng(opts.seed ?? 12345);
  const pixels = set.imageSize * set.imageSize;
  const images = new Float32Array(batchSize * pixels);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const started = performance.now();
  let correct = 0;
  for (let from = 0; from < set.count; from += batchSize) {
    const n = Math.min(batchSize, set.count - from);
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = from + i;
    const view = images.subarray(0, n * pixels);
    set.render(idx, view);
    const probs = ram.predict(view, n, mode, samples, rng);
    const predictions = argmaxRows(probs, n, classes);
    for (let i = 0; i < n; i++) {
      const label = set.labels[from + i];
      if (label < classes) confusion[label][predictions[i]] += 1;
      if (predictions[i] === label) correct += 1;
    }
    opts.onBatch?.(from + n);
  }
  const perClass = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : row[c] / total;
  });
  return {
    mode,
    samples,
    count: set.count,
    accuracy: set.count === 0 ? 0 : correct / set.count,
    perClass,
    confusion,
    seconds: (performance.now() - started) / 1000,
  };
}
