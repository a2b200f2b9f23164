/** A RAM with its optimizer: one training step, predictions and glimpse traces. Pure tfjs, no I/O. */
import * as tf from '@tensorflow/tfjs';
import type { RamConfig } from './config';
import { Adam, clipByGlobalNorm, learningRateAt } from './adam';
import { computeGradientsByHand } from './backprop';
import { DEVICE_STAT_KEYS, deviceLosses, drawEpisodeNoise, runEpisodeOnDevice } from './device-episode';
import { episodeLosses } from './losses';
import { runEpisode, retinaSpecOf, type LocationMode } from './model';
import {
  checkWeightShapes,
  createParams,
  disposeParams,
  initialWeights,
  paramList,
  readTensorsAsync,
  readWeights,
  readWeightsAsync,
  type PlainTensors,
  type RamParams,
} from './params';
import { glimpseBoxes, locationToPixels } from './retina';
import { drawRng, Rng } from './rng';
import type { LossTerms } from '../shared/jobs';
import type { GlimpseTrace } from '../shared/trace';

/** The loss terms of a batch (or a share of it); the same shape the progress events carry. */
export type LossStats = LossTerms;

export interface StepStats extends LossStats {
  gradNorm: number;
  learningRate: number;
}

/** A share of a batch's gradients (in the order of the params), with its loss statistics. */
export interface GradientPart extends LossStats {
  count: number;
  grads: (tf.Tensor | Float32Array)[];
}

/** Where evaluation's random draws come from: the seed (default: the config's) and each image's index in its set (default: 0, 1, ...). */
export interface EvalDraws {
  seed?: number;
  indices?: ArrayLike<number>;
}

/**
 * Whether tensors live on a device whose reads are round trips (WebGPU): there the async methods
 * train with the tape over the device episode; elsewhere they take the hand-written CPU paths.
 */
export function isDeviceBackend(): boolean {
  return tf.getBackend() === 'webgpu';
}

/** Options of the async methods; `device` forces (true) or forbids (false) the device path, for tests. */
export interface AsyncOptions {
  device?: boolean;
}

type TraceMeta = { index: number; label: number; pixels: Uint8Array };

export interface ModelState {
  weights: PlainTensors;
  optimizer: { step: number; tensors: PlainTensors };
}

export class Ram {
  readonly params: RamParams;
  private readonly optimizer: Adam;
  private readonly vars: tf.Variable[];

  constructor(
    readonly config: RamConfig,
    weights: PlainTensors = initialWeights(config),
    /** Location noise; reseeded from the run's seed and step on resume. */
    public rng: Rng = new Rng(config.seed),
  ) {
    checkWeightShapes(config, weights);
    this.params = createParams(weights);
    this.vars = paramList(this.params);
    this.optimizer = new Adam(this.vars);
  }

  /** Optimizer steps taken so far. */
  get step(): number {
    return this.optimizer.step;
  }

  learningRate(step = this.step): number {
    const c = this.config;
    return learningRateAt(step, c.learningRate, c.lrDecay, c.lrDecaySteps, c.lrMin);
  }

  /** One optimizer step on a batch (images: count * imageSize^2 floats in [0, 1]). */
  trainBatch(images: Float32Array, labels: Int32Array): StepStats {
    const part = this.computeGradients(images, labels);
    return this.applyGradients([part]);
  }

  /**
   * Gradients of the hybrid loss on (part of) a batch, without touching the weights: a
   * data-parallel worker computes these on its share and the owner of the optimizer averages.
   * Uses the hand-written backward pass (same values as the tape's, about 3x fewer kernels).
   */
  computeGradients(images: Float32Array, labels: Int32Array): GradientPart {
    return computeGradientsByHand(this.params, this.config, images, labels, this.rng);
  }

  /**
   * Averages the parts' gradients (weighted by their share of the batch), clips the global norm
   * and takes one Adam step. Parts may hold tensors or plain arrays (from another thread).
   */
  applyGradients(parts: GradientPart[]): StepStats {
    const learningRate = this.learningRate();
    const total = parts.reduce((a, p) => a + p.count, 0);
    const mean = (key: keyof LossStats) =>
      parts.reduce((a, p) => a + p[key] * p.count, 0) / total;
    const { clipped, normTensor } = tf.tidy(() => {
      const averaged = this.vars.map((v, i) => {
        const terms = parts.map((p) => {
          const g = p.grads[i];
          const t = g instanceof tf.Tensor ? g : tf.tensor(g, v.shape);
          return parts.length === 1 ? t : tf.mul(t, p.count / total);
        });
        return terms.length === 1 ? terms[0] : tf.addN(terms);
      });
      const { clipped: c, norm } = clipByGlobalNorm(averaged, this.config.gradClipNorm);
      return { clipped: c, normTensor: norm };
    });
    this.optimizer.apply(clipped, learningRate);
    const gradNorm = normTensor.dataSync()[0];
    tf.dispose([...clipped, normTensor]);
    for (const p of parts) for (const g of p.grads) if (g instanceof tf.Tensor) g.dispose();
    return {
      loss: mean('loss'),
      crossEntropy: mean('crossEntropy'),
      reinforce: mean('reinforce'),
      baselineLoss: mean('baselineLoss'),
      reward: mean('reward'),
      baseline: mean('baseline'),
      gradNorm,
      learningRate,
    };
  }

  /** Gradients as plain arrays (to send to the optimizer's owner); disposes the tensors. */
  static gradientsToArrays(part: GradientPart): GradientPart {
    const grads = part.grads.map((g) => (g instanceof tf.Tensor ? (g.dataSync() as Float32Array) : g));
    for (const g of part.grads) if (g instanceof tf.Tensor) g.dispose();
    return { ...part, grads };
  }

  /** predict's copies and their generators: copy r of image n draws from drawRng(seed, indices[n], r). */
  private draws(images: Float32Array, count: number, mode: LocationMode, samples: number, draws: EvalDraws): { runs: number; pixels: number; rng: Rng[] } {
    const runs = mode === 'mean' ? 1 : samples;
    const seed = draws.seed ?? this.config.seed;
    const indices = draws.indices ?? Array.from({ length: count }, (_, n) => n);
    if (indices.length !== count) throw new RangeError(`predict: ${indices.length} image indices for ${count} images`);
    const rng: Rng[] = [];
    for (let r = 0; r < runs; r++) for (let n = 0; n < count; n++) rng.push(drawRng(seed, indices[n]!, r));
    return { runs, pixels: images.length / count, rng };
  }

  /**
   * Class probabilities, count * classes. 'mean' follows the policy's mean (deterministic);
   * 'sampled' averages the probabilities of `samples` runs with sampled locations. Every random
   * draw of image n's copy r (a random first glimpse, sampled locations) comes from
   * drawRng(draws.seed, draws.indices[n], r): an image's result does not depend on the batch.
   */
  predict(images: Float32Array, count: number, mode: LocationMode, samples = 1, draws: EvalDraws = {}): Float32Array {
    const classes = this.config.classes;
    const { runs, pixels, rng } = this.draws(images, count, mode, samples, draws);
    // Copies side by side make one bigger batch: fewer, larger matrix products.
    const tiled = runs === 1 ? images : new Float32Array(images.length * runs);
    if (runs > 1) for (let r = 0; r < runs; r++) tiled.set(images.subarray(0, count * pixels), r * count * pixels);
    const probs = tf.tidy(() => {
      const episode = runEpisode(this.params, this.config, { images: tiled, count: count * runs }, { mode, rng });
      return tf.softmax(episode.logits).dataSync() as Float32Array;
    });
    if (runs === 1) return probs;
    const mean = new Float32Array(count * classes);
    for (let r = 0; r < runs; r++) {
      for (let i = 0; i < count * classes; i++) mean[i] += probs[r * count * classes + i] / runs;
    }
    return mean;
  }

  /**
   * Where the model looked on each image, step by step, with what it saw and believed. Image
   * `meta[n].index` draws from drawRng(seed, index, 0), as predict() does: a mean-mode trace is
   * that image's evaluation, a sampled one its first Monte-Carlo copy.
   */
  trace(images: Float32Array, meta: TraceMeta[], mode: LocationMode, seed = this.config.seed): GlimpseTrace[] {
    const count = meta.length;
    const rng = meta.map((m) => drawRng(seed, m.index, 0));
    let traces: GlimpseTrace[] = [];
    tf.tidy(() => {
      const episode = runEpisode(this.params, this.config, { images, count }, { mode, rng, record: true });
      const stepProbs = (episode.stepLogits ?? []).map((l) => tf.softmax(l).dataSync() as Float32Array);
      traces = this.buildTraces(meta, mode, episode.locations, episode.patches!, stepProbs);
    });
    return traces;
  }

  /** trace() from an episode's locations, patches and per-step probabilities (one array per glimpse). */
  private buildTraces(meta: TraceMeta[], mode: LocationMode, locations: Float32Array[], allPatches: Float32Array[], stepProbs: Float32Array[]): GlimpseTrace[] {
    const spec = retinaSpecOf(this.config);
    const g2 = spec.glimpseSize * spec.glimpseSize;
    const C = spec.channels;
    const patchLength = spec.scales * C * g2;
    const classes = this.config.classes;
    const traces: GlimpseTrace[] = [];
    meta.forEach((m, n) => {
      const steps = locations.map((locs, t) => {
        const x = locs[2 * n];
        const y = locs[2 * n + 1];
        const patches: number[][] = [];
        const all = allPatches[t];
        for (let s = 0; s < spec.scales; s++) {
          // The retina's planes, channel after channel, interleaved per pixel as the image is.
          const from = n * patchLength + s * C * g2;
          const patch = new Array<number>(g2 * C);
          for (let c = 0; c < C; c++) for (let i = 0; i < g2; i++) patch[i * C + c] = all[from + c * g2 + i]!;
          patches.push(patch);
        }
        return {
          loc: [x, y] as [number, number],
          centerPx: locationToPixels(spec, x, y),
          boxes: glimpseBoxes(spec, x, y),
          probs: Array.from(stepProbs[t].subarray(n * classes, (n + 1) * classes)),
          patches,
        };
      });
      const last = steps[steps.length - 1].probs;
      traces.push({
        index: m.index,
        imageSize: spec.imageSize,
        pixels: Array.from(m.pixels),
        ...(C === 1 ? {} : { channels: C }),
        label: m.label,
        prediction: last.indexOf(Math.max(...last)),
        glimpseSize: spec.glimpseSize,
        mode,
        steps,
      });
    });
    return traces;
  }

  // ---- async twins: every backend, one `await data()` per call, never dataSync on the device path ----

  /**
   * trainBatch for device backends: the tape (tf.variableGrads) over the device episode's hybrid
   * loss, the global-norm clip and the Adam step all stay on the device, then one read brings back
   * every statistic. Elsewhere (wasm, cpu) it is trainBatch, the faster hand-written pass. Both
   * draw the same location noise from this.rng, in the same order.
   */
  async trainBatchAsync(images: Float32Array, labels: Int32Array, opts: AsyncOptions = {}): Promise<StepStats> {
    if (!(opts.device ?? isDeviceBackend())) return this.trainBatch(images, labels);
    const config = this.config;
    const count = labels.length;
    const learningRate = this.learningRate();
    const noise = drawEpisodeNoise(config, count, 'sampled', this.rng);
    let kept: tf.Tensor | undefined;
    const { clipped, summary } = tf.tidy(() => {
      const imagesT = tf.tensor2d(images, [count, images.length / count]);
      const labelsT = tf.tensor1d(labels, 'int32');
      const { grads } = tf.variableGrads(() => {
        const episode = runEpisodeOnDevice(this.params, config, imagesT, noise, { mode: 'sampled', policyIntoCore: config.reinforceIntoCore });
        const losses = deviceLosses(episode, labelsT, config);
        kept = tf.keep(losses.stats);
        return losses.total;
      }, this.vars);
      // A weight the loss does not reach (none today) gets a zero gradient, as by hand.
      const list = this.vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
      const { clipped: c, norm } = clipByGlobalNorm(list, config.gradClipNorm);
      return { clipped: c, summary: tf.concat([kept!, tf.reshape(norm, [1])]) };
    });
    kept?.dispose();
    this.optimizer.apply(clipped, learningRate);
    tf.dispose(clipped);
    let values: Float32Array;
    try {
      values = (await summary.data()) as Float32Array;
    } finally {
      summary.dispose();
    }
    const stat = (key: (typeof DEVICE_STAT_KEYS)[number]) => values[DEVICE_STAT_KEYS.indexOf(key)];
    return {
      loss: stat('loss'),
      crossEntropy: stat('crossEntropy'),
      reinforce: stat('reinforce'),
      baselineLoss: stat('baselineLoss'),
      reward: stat('reward'),
      baseline: stat('baseline'),
      gradNorm: values[DEVICE_STAT_KEYS.length],
      learningRate,
    };
  }

  /**
   * predict() with one read: the same contract and the same per-image draws, drawRng(seed, index, r).
   * On a device backend (or forced) it runs the device episode; elsewhere it is predict(), whose
   * typed-array retina is the faster one there.
   */
  async predictAsync(images: Float32Array, count: number, mode: LocationMode, samples = 1, draws: EvalDraws = {}, opts: AsyncOptions = {}): Promise<Float32Array> {
    if (!(opts.device ?? isDeviceBackend())) return this.predict(images, count, mode, samples, draws);
    const classes = this.config.classes;
    const { runs, pixels, rng } = this.draws(images, count, mode, samples, draws);
    const noise = drawEpisodeNoise(this.config, count * runs, mode, rng);
    const probsT = tf.tidy(() => {
      const one = tf.tensor2d(images.subarray(0, count * pixels), [count, pixels]);
      // Copies side by side make one bigger batch, as predict() does.
      const tiled = runs === 1 ? one : (tf.tile(one, [runs, 1]) as tf.Tensor2D);
      const episode = runEpisodeOnDevice(this.params, this.config, tiled, noise, { mode });
      return tf.softmax(episode.logits);
    });
    let probs: Float32Array;
    try {
      probs = (await probsT.data()) as Float32Array;
    } finally {
      probsT.dispose();
    }
    if (runs === 1) return probs;
    // Averaged on the CPU in predict()'s order, so the same probabilities give the same mean.
    const mean = new Float32Array(count * classes);
    for (let r = 0; r < runs; r++) {
      for (let i = 0; i < count * classes; i++) mean[i] += probs[r * count * classes + i] / runs;
    }
    return mean;
  }

  /** trace() with one read: locations, patches and per-step probabilities come back together (elsewhere than on a device backend, unless forced: trace()). */
  async traceAsync(images: Float32Array, meta: TraceMeta[], mode: LocationMode, seed = this.config.seed, opts: AsyncOptions = {}): Promise<GlimpseTrace[]> {
    if (!(opts.device ?? isDeviceBackend())) return this.trace(images, meta, mode, seed);
    const count = meta.length;
    const T = this.config.glimpses;
    const rng = meta.map((m) => drawRng(seed, m.index, 0));
    const noise = drawEpisodeNoise(this.config, count, mode, rng);
    const { locations, patches, probs } = tf.tidy(() => {
      const imagesT = tf.tensor2d(images.subarray(0, count * (images.length / count)), [count, images.length / count]);
      const episode = runEpisodeOnDevice(this.params, this.config, imagesT, noise, { mode, record: true });
      return {
        locations: tf.stack(episode.locations),
        patches: tf.stack(episode.patches!),
        probs: tf.stack(episode.stepLogits!.map((l) => tf.softmax(l))),
      };
    });
    const [loc, pat, pro] = await readTensorsAsync([locations, patches, probs]).finally(() => tf.dispose([locations, patches, probs]));
    const per = (values: Float32Array) => {
      const size = values.length / T;
      return Array.from({ length: T }, (_, t) => values.subarray(t * size, (t + 1) * size));
    };
    return this.buildTraces(meta, mode, per(loc), per(pat), per(pro));
  }

  /** The weights as plain arrays, in the order of PARAM_NAMES. */
  weightArrays(): Float32Array[] {
    return this.vars.map((v) => v.dataSync() as Float32Array);
  }

  /** weightArrays() with one read. */
  weightArraysAsync(): Promise<Float32Array[]> {
    return readTensorsAsync(this.vars);
  }

  /** Overwrites the weights (a data-parallel worker follows the optimizer's owner this way). */
  setWeightArrays(arrays: Float32Array[]): void {
    tf.tidy(() => this.vars.forEach((v, i) => v.assign(tf.tensor(arrays[i], v.shape))));
  }

  readState(): ModelState {
    return { weights: readWeights(this.params), optimizer: this.optimizer.readState() };
  }

  /** readState() without dataSync: the weights and the optimizer's moments, read together. */
  async readStateAsync(): Promise<ModelState> {
    const step = this.optimizer.step;
    const [weights, optimizer] = await Promise.all([readWeightsAsync(this.params), this.optimizer.readStateAsync()]);
    return { weights, optimizer: { ...optimizer, step } };
  }

  loadOptimizerState(state: ModelState['optimizer']): void {
    this.optimizer.loadState(state);
  }

  dispose(): void {
    disposeParams(this.params);
    this.optimizer.dispose();
  }
}
