/**
 * The images a run sees: the source digits (bundled MNIST or a user's IDX folder), the task
 * rendered from them, the validation split, and the fixed test set.
 */
import type { RamConfig } from '../core/config';
import { imageSizeOf, validationSizeFor } from '../core/config';
import type { EvalSet } from '../core/evaluate';
import { bundledMnistDir, loadBundledMnist, loadIdxFolder, type LabeledImages } from '../data/dataset-files';
import { DataError } from '../data/idx';
import { splitValidation } from '../data/split';
import { renderBatch, TaskGenerator, taskSpec, type TaskImages } from '../data/tasks';

/** The test set's placements and clutter never change, whatever the run's seed. */
export const TEST_SEED = 20141;
const VALIDATION_SALT = 0x7a11d;

export interface SourceData {
  /** Folder the IDX files came from. */
  source: string;
  bundled: boolean;
  train: LabeledImages;
  test: LabeledImages;
}

export async function loadSourceData(dataDir?: string): Promise<SourceData> {
  if (!dataDir) {
    const { train, test } = await loadBundledMnist();
    return { source: bundledMnistDir(), bundled: true, train, test };
  }
  const { train, test } = await loadIdxFolder(dataDir, 'both');
  if (!train || !test) throw new DataError(`${dataDir}: needs both the train and t10k files`);
  return { source: dataDir, bundled: false, train, test };
}

function checkLabels(set: LabeledImages, classes: number): void {
  for (let i = 0; i < set.count; i++) {
    if (set.labels[i] >= classes) {
      throw new DataError(`${set.source}: label ${set.labels[i]} at item ${i} is not below classes = ${classes}`);
    }
  }
}

export interface RunData {
  source: SourceData;
  trainIndices: Uint32Array;
  validationIndices: Uint32Array;
  /** Fresh placements every epoch for translated and cluttered tasks (the paper's on-the-fly data). */
  trainImages(epoch: number): TaskImages;
  validation: EvalSet;
  test: EvalSet;
}

export function prepareRunData(config: RamConfig, source: SourceData): RunData {
  const spec = taskSpec(config.task);
  checkLabels(source.train, config.classes);
  checkLabels(source.test, config.classes);
  const { trainIndices, validationIndices } = splitValidation(source.train.count, validationSizeFor(config, source.train.count), config.seed);
  const validationGen = new TaskGenerator(spec, source.train, config.seed ^ VALIDATION_SALT);
  const testGen = new TaskGenerator(spec, source.test, TEST_SEED);
  const validationLabels = new Uint8Array(validationIndices.length);
  validationIndices.forEach((src, i) => (validationLabels[i] = source.train.labels[src]));
  return {
    source,
    trainIndices,
    validationIndices,
    trainImages: (epoch) => new TaskGenerator(spec, source.train, (Math.imul(config.seed + 1, 2654435761) + epoch) >>> 0),
    validation: {
      count: validationIndices.length,
      imageSize: spec.imageSize,
      labels: validationLabels,
      render: (idx, out) => renderBatch(validationGen, Array.from(idx, (i) => validationIndices[i]), out),
    },
    test: testSetFromGenerator(testGen, source.test),
  };
}

export function testSetFromGenerator(gen: TaskImages, set: LabeledImages): EvalSet {
  return { count: set.count, imageSize: gen.imageSize, labels: set.labels, render: (idx, out) => renderBatch(gen, idx, out) };
}

/**
 * A user's ready-made test images (its t10k files), used as they are: they must already have the
 * model's image size, e.g. translated digits placed by someone else's generator.
 */
export async function loadExternalTestSet(dataDir: string, config: RamConfig): Promise<{ set: EvalSet; images: LabeledImages }> {
  const { test } = await loadIdxFolder(dataDir, 't10k');
  if (!test) throw new DataError(`${dataDir}: no t10k files`);
  const size = imageSizeOf(config);
  if (test.width !== size || test.height !== size) {
    throw new DataError(`${test.source}: images are ${test.height}x${test.width} but the model takes ${size}x${size} (task ${config.task})`);
  }
  checkLabels(test, config.classes);
  const pixels = size * size;
  const render = (idx: ArrayLike<number>, out: Float32Array) => {
    for (let i = 0; i < idx.length; i++) {
      const src = idx[i] * pixels;
      for (let p = 0; p < pixels; p++) out[i * pixels + p] = test.images[src + p] / 255;
    }
  };
  return { set: { count: test.count, imageSize: size, labels: test.labels, render }, images: test };
}
