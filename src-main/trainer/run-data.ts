/**
 * The images a run sees: the source digits (bundled MNIST or a user's IDX folder), the task
 * rendered from them, the validation split, and the fixed test set.
 */
import type { RamConfig } from '../core/config';
import { imageSizeOf, validationSizeFor } from '../core/config';
import type { EvalSet } from '../core/evaluate';
import type { DataShape } from '../core/fit-data';
import { bundledMnistDir, countClasses, hasIdxFiles, loadBundledMnist, loadIdxFolder, type LabeledImages } from '../data/dataset-files';
import { DataError } from '../data/idx';
import { loadImageFolder, looksLikeImageFolder, type ImageFolderOptions } from '../data/image-folder';
import { splitValidation } from '../data/split';
import { imageValues, renderBatch, TaskGenerator, taskSpec, type TaskImages, type TaskSpec } from '../data/tasks';

/** The test set's placements and clutter never change, whatever the run's seed. */
export const TEST_SEED = 20141;
const VALIDATION_SALT = 0x7a11d;

export interface SourceData {
  /** Folder the images came from (an IDX folder, an import's cache, or a class-folder tree). */
  source: string;
  bundled: boolean;
  train: LabeledImages;
  test: LabeledImages;
  /** Class names by label, when the data has them. */
  classNames?: string[];
}

/** How a class-folder tree is decoded when a run reads it directly. */
export type SourceOptions = Pick<ImageFolderOptions, 'imageSize' | 'channels' | 'onProgress'>;

/**
 * The images of a run: the bundled MNIST, an IDX folder (an import's cache is one) or a
 * class-folder tree, decoded here each time (an import decodes it once into the cache).
 */
export async function loadSourceData(dataDir?: string, options: SourceOptions = {}): Promise<SourceData> {
  if (!dataDir) {
    const { train, test } = await loadBundledMnist();
    return { source: bundledMnistDir(), bundled: true, train, test };
  }
  if (!hasIdxFiles(dataDir) && looksLikeImageFolder(dataDir)) {
    const data = await loadImageFolder(dataDir, options);
    return { source: dataDir, bundled: false, train: data.train, test: data.test, classNames: data.classNames };
  }
  const { train, test } = await loadIdxFolder(dataDir, 'both');
  if (!train || !test) throw new DataError(`${dataDir}: needs both the train and t10k files`);
  for (const set of [train, test]) checkSquare(set);
  if (train.channels !== test.channels || train.width !== test.width) {
    throw new DataError(`${dataDir}: the train images are ${describeImages(train)} but the t10k images ${describeImages(test)}`);
  }
  const classNames = test.classNames ?? train.classNames;
  return { source: dataDir, bundled: false, train, test, ...(classNames ? { classNames } : {}) };
}

/** The model takes square images; an image-folder import fits others into a square. */
export function checkSquare(set: LabeledImages): void {
  if (set.height !== set.width) {
    throw new DataError(`${set.source}: images are ${set.height}x${set.width}; the model takes square images (importing them as image files fits them into a square)`);
  }
}

function describeImages(set: LabeledImages): string {
  return `${set.height}x${set.width} ${set.channels === 1 ? 'grey' : 'colour'}`;
}

/** What fitConfigToData needs to know of a run's data. */
export function dataShapeOf(source: SourceData): DataShape {
  const classes = Math.max(source.classNames?.length ?? 0, countClasses(source.train.labels), countClasses(source.test.labels));
  return { imageSize: source.train.width, channels: source.train.channels, classes };
}

/** The task a config renders: its canvas is the model's image size (centered: the data's own). */
export function runTaskSpec(config: RamConfig): TaskSpec {
  return { ...taskSpec(config.task), imageSize: imageSizeOf(config) };
}

/** The data must be what the model takes: its channels, and images that fit its canvas. */
export function checkSourceFits(config: RamConfig, source: SourceData): void {
  const size = imageSizeOf(config);
  const { train } = source;
  if (train.channels !== config.channels) {
    throw new DataError(`${source.source}: its images have ${train.channels} channel${train.channels === 1 ? '' : 's'} but the model takes ${config.channels} (${config.channels === 1 ? 'grey' : 'colour'})`);
  }
  if (config.task === 'centered' ? train.width !== size : train.width > size) {
    throw new DataError(`${source.source}: its images are ${train.height}x${train.width} but the model takes ${size}x${size} (task ${config.task})`);
  }
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
  checkSourceFits(config, source);
  const spec = runTaskSpec(config);
  checkLabels(source.train, config.classes);
  checkLabels(source.test, config.classes);
  const { trainIndices, validationIndices } = splitValidation(source.train.count, validationSizeFor(config, source.train.count), config.seed, source.train.labels);
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
      channels: source.train.channels,
      labels: validationLabels,
      render: (idx, out) => renderBatch(validationGen, Array.from(idx, (i) => validationIndices[i]), out),
    },
    test: testSetFromGenerator(testGen, source.test),
  };
}

export function testSetFromGenerator(gen: TaskImages, set: LabeledImages): EvalSet {
  return { count: set.count, imageSize: gen.imageSize, channels: gen.channels, labels: set.labels, render: (idx, out) => renderBatch(gen, idx, out) };
}

/**
 * A user's ready-made test images, used as they are: an IDX folder's t10k files (which must already
 * have the model's image size, e.g. translated digits placed by someone else's generator), or the
 * test split of an import or a class-folder tree.
 */
export async function loadExternalTestSet(dataDir: string, config: RamConfig): Promise<{ set: EvalSet; images: LabeledImages; classNames?: string[] }> {
  const size = imageSizeOf(config);
  let test: LabeledImages | undefined;
  let classNames: string[] | undefined;
  if (!hasIdxFiles(dataDir) && looksLikeImageFolder(dataDir)) {
    // Decoded as an import would decode them: a model never silently gets resized or recoloured data.
    const data = await loadImageFolder(dataDir);
    test = data.test;
    classNames = data.classNames;
  } else {
    test = (await loadIdxFolder(dataDir, 't10k')).test;
    classNames = test?.classNames;
  }
  if (!test) throw new DataError(`${dataDir}: no t10k files`);
  checkSquare(test);
  if (test.width !== size || test.height !== size) {
    throw new DataError(`${test.source}: images are ${test.height}x${test.width} but the model takes ${size}x${size} (task ${config.task})`);
  }
  if (test.channels !== config.channels) {
    throw new DataError(`${test.source}: images have ${test.channels} channel${test.channels === 1 ? '' : 's'} but the model takes ${config.channels} (${config.channels === 1 ? 'grey' : 'colour'})`);
  }
  checkLabels(test, config.classes);
  const pixels = size * size;
  const C = test.channels;
  const images = test.images;
  const render = (idx: ArrayLike<number>, out: Float32Array) => {
    for (let i = 0; i < idx.length; i++) {
      const src = idx[i]! * pixels * C;
      const dst = i * pixels * C;
      for (let c = 0; c < C; c++) for (let p = 0; p < pixels; p++) out[dst + c * pixels + p] = images[src + p * C + c]! / 255;
    }
  };
  const set: EvalSet = { count: test.count, imageSize: size, channels: C, labels: test.labels, render };
  return { set, images: test, ...(classNames ? { classNames } : {}) };
}
