/** Evaluation and glimpse traces of a trained model on the built-in test set or a user's t10k files. */
import { evaluateAsync, predictBatchesAsync, type EvalResult, type EvalSet } from '../core/evaluate';
import { Ram } from '../core/ram';
import type { EvalJob, EvalSummary, Misclassified, MisclassifiedJob, TraceJob } from '../shared/jobs';
import type { GlimpseTrace } from '../shared/trace';
import { RunStore } from '../storage';
import type { JobContext } from './job-context';
import { loadModel, type LoadedModel } from './model-ref';
import { loadExternalTestSet, loadSourceData, prepareRunData, runTaskSpec } from './run-data';
import { renderTaskUint8, TaskGenerator } from '../data/tasks';
import { imageSizeOf } from '../core/config';
import { TEST_SEED } from './run-data';
import { DataError } from '../data/idx';
import { looksWhiteOnBlack, prepareInputImage } from '../data/input-image';

/** How many misclassified images an evaluation's summary lists (the first, in test-set order). */
export const SUMMARY_MISCLASSIFIED = 20;

/**
 * `mean` must have been evaluated with keepMisclassified: SUMMARY_MISCLASSIFIED. With the set's
 * labels, the summary lists every image's prediction and label (a confusion cell's images).
 */
export function evalSummary(mean: EvalResult, mc: EvalResult, checkpoint: string, dataset: string, classNames?: string[], labels?: ArrayLike<number>): EvalSummary {
  return {
    ...(classNames ? { classNames } : {}),
    accuracy: mean.accuracy,
    error: 1 - mean.accuracy,
    accuracyMC: mc.accuracy,
    errorMC: 1 - mc.accuracy,
    mcSamples: mc.samples,
    count: mean.count,
    perClass: mean.perClass,
    confusion: mean.confusion,
    seconds: mean.seconds + mc.seconds,
    checkpoint,
    dataset,
    misclassified: mean.misclassified.slice(0, SUMMARY_MISCLASSIFIED),
    ...(labels ? { predictions: Array.from(mean.predictions), labels: Array.from({ length: mean.count }, (_, i) => Number(labels[i])) } : {}),
  };
}

interface TestImages {
  set: EvalSet;
  /** Test item i as the model sees it: bytes 0..255, channels interleaved. */
  pixels(i: number): Uint8Array;
  name: string;
  classNames?: string[];
  /** The side of the source images (a translated task's digits), the image size otherwise. */
  digitSize: number;
}

/** Whether the model's test images are light on dark: the mean outer ring of the first 100. */
export function testSetWhiteOnBlack(test: Pick<TestImages, 'set' | 'pixels'>): boolean {
  const n = Math.min(100, test.set.count);
  const images = Array.from({ length: n }, (_, i) => test.pixels(i));
  return looksWhiteOnBlack(images, test.set.imageSize, test.set.channels);
}

export async function testImages(model: LoadedModel, dataDir: string | undefined): Promise<TestImages> {
  if (dataDir) {
    const external = await loadExternalTestSet(dataDir, model.config);
    const { set, images } = external;
    const classNames = external.classNames ?? model.classNames;
    const px = set.imageSize * set.imageSize * set.channels;
    return { set, pixels: (i) => images.images.slice(i * px, (i + 1) * px), name: images.source, digitSize: set.imageSize, ...(classNames ? { classNames } : {}) };
  }
  const source = await loadSourceData(model.dataDir, { imageSize: imageSizeOf(model.config), channels: model.config.channels === 3 ? 3 : 1 });
  const data = prepareRunData({ ...model.config, validationSize: 0 }, source);
  const gen = new TaskGenerator(runTaskSpec(model.config), source.test, TEST_SEED);
  const classNames = source.classNames ?? model.classNames;
  return {
    set: data.test,
    pixels: (i) => renderTaskUint8(gen, i),
    name: `${model.config.task} test set (${source.bundled ? 'bundled MNIST' : source.source})`,
    digitSize: source.test.width,
    ...(classNames ? { classNames } : {}),
  };
}

function limited(set: EvalSet, limit: number | undefined): EvalSet {
  if (limit === undefined || limit >= set.count) return set;
  return { ...set, count: Math.max(0, limit) };
}

export async function runEvalJob(job: EvalJob, ctx: JobContext): Promise<EvalSummary> {
  const model = loadModel(job.model);
  const { set: fullSet, name, classNames } = await testImages(model, job.dataDir);
  const set = limited(fullSet, job.limit);
  const ram = new Ram(model.config, model.weights);
  try {
    ctx.emit({ type: 'log', message: `evaluating ${model.label} on ${set.count} images of ${name}` });
    const seed = job.seed;
    const mean = await evaluateAsync(ram, set, 'mean', {
      seed,
      keepMisclassified: SUMMARY_MISCLASSIFIED,
      onBatch: (done) => ctx.emit({ type: 'evaluating', what: 'mean locations', done, total: set.count }),
    });
    await ctx.checkpoint();
    const samples = job.mcSamples ?? model.config.mcSamples;
    const mc = await evaluateAsync(ram, set, 'sampled', { samples, seed, onBatch: (done) => ctx.emit({ type: 'evaluating', what: `${samples} Monte-Carlo samples`, done, total: set.count }) });
    const summary = evalSummary(mean, mc, model.checkpoint, name, classNames, set.labels);
    if (job.record && model.runId && !job.dataDir && set.count === fullSet.count) {
      // The numbers are worth having even when they cannot be saved (a full disk): report both.
      try {
        new RunStore(job.model.home).updateMeta(model.runId, {
          test: { accuracy: mean.accuracy, accuracyMC: mc.accuracy, mcSamples: mc.samples, checkpoint: model.checkpoint },
        });
      } catch (err) {
        summary.recordError = `the result could not be recorded in run ${model.runId}: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    return summary;
  } finally {
    ram.dispose();
  }
}

export async function runTraceJob(job: TraceJob, ctx: JobContext): Promise<GlimpseTrace[]> {
  const model = loadModel(job.model);
  const traces = await traceModel(model, job);
  if (job.saveAs && model.runId) new RunStore(job.model.home).saveTrace(model.runId, job.saveAs, traces);
  ctx.emit({ type: 'log', message: job.imageFile ? `traced ${job.imageFile} with ${model.label}${describeInput(job)}` : `traced ${traces.length} images with ${model.label}` });
  return traces;
}

/**
 * Traces of the test images `job.indices` (each checked to exist) by a loaded model, or of a
 * user's picture (job.imageFile) prepared for it (see input-image.ts): index -1, label -1.
 */
export async function traceModel(model: LoadedModel, job: Pick<TraceJob, 'indices' | 'mode' | 'dataDir' | 'seed' | 'imageFile' | 'invert'>): Promise<GlimpseTrace[]> {
  const test = await testImages(model, job.dataDir);
  const { set, pixels, classNames } = test;
  const px = set.imageSize * set.imageSize * set.channels;
  let images: Float32Array;
  let meta: { index: number; label: number; pixels: Uint8Array }[];
  if (job.imageFile) {
    const channels = set.channels === 3 ? 3 : 1;
    const prepared = await prepareInputImage(
      job.imageFile,
      { imageSize: set.imageSize, channels, whiteOnBlack: testSetWhiteOnBlack(test), digitSize: test.digitSize },
      job.invert ?? 'auto',
    );
    // The model's planar floats from the interleaved bytes.
    images = new Float32Array(px);
    const plane = set.imageSize * set.imageSize;
    for (let c = 0; c < channels; c++) for (let i = 0; i < plane; i++) images[c * plane + i] = prepared.pixels[i * channels + c]! / 255;
    meta = [{ index: -1, label: -1, pixels: prepared.pixels }];
    inputNotes.set(job, { inverted: prepared.inverted, background: prepared.background });
  } else {
    for (const i of job.indices) {
      if (!Number.isInteger(i) || i < 0 || i >= set.count) {
        throw new DataError(`test image ${i} does not exist (the test set has ${set.count} images: 0 to ${set.count - 1})`);
      }
    }
    images = new Float32Array(job.indices.length * px);
    set.render(job.indices, images);
    meta = job.indices.map((index) => ({ index, label: set.labels[index], pixels: pixels(index) }));
  }
  const ram = new Ram(model.config, model.weights);
  try {
    const traces = await ram.traceAsync(images, meta, job.mode, job.seed);
    return classNames ? traces.map((t) => ({ ...t, classNames })) : traces;
  } finally {
    ram.dispose();
  }
}

/** ", inverted (its background was light, level 243)" or ", not inverted (...)". */
export function describeInput(job: object): string {
  const note = inputNotes.get(job);
  if (!note) return '';
  const bg = `its background level ${Math.round(note.background)}`;
  return note.inverted ? `, inverted to light on dark (${bg})` : `, not inverted (${bg})`;
}

/** How traceModel prepared a job's picture (for its log line). */
const inputNotes = new WeakMap<object, { inverted: boolean; background: number }>();

/**
 * The first `limit` test images the model (the checkpoint chosen) gets wrong with its mean
 * locations, in test-set order: the same predictions as evaluation's and as mean-mode traces'.
 */
export async function runMisclassifiedJob(job: MisclassifiedJob, ctx: JobContext): Promise<Misclassified[]> {
  const model = loadModel(job.model);
  const { set } = await testImages(model, job.dataDir);
  const ram = new Ram(model.config, model.weights);
  const wrong: Misclassified[] = [];
  try {
    for await (const { from, predictions } of predictBatchesAsync(ram, set, 'mean', { batchSize: 1000, seed: job.seed })) {
      for (let i = 0; i < predictions.length && wrong.length < job.limit; i++) {
        const label = Number(set.labels[from + i]);
        if (predictions[i] !== label) wrong.push({ index: from + i, label, prediction: predictions[i] });
      }
      ctx.emit({ type: 'evaluating', what: 'misclassified test images', done: from + predictions.length, total: set.count });
      if (wrong.length >= job.limit) break;
      await ctx.checkpoint();
    }
    return wrong;
  } finally {
    ram.dispose();
  }
}
