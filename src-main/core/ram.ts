/** A RAM with its optimizer: one training step, predictions and glimpse traces. Pure tfjs, no I/O. */
import * as tf from '@tensorflow/tfjs';
import type { RamConfig } from './config';
import { Adam, clipByGlobalNorm, learningRateAt } from './adam';
import { computeGradientsByHand } from './backprop';
import { episodeLosses } from './losses';
import { runEpisode, retinaSpecOf, type LocationMode } from './model';
import {
  checkWeightShapes,
  createParams,
  disposeParams,
  initialWeights,
  paramList,
  readWeights,
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

  /**
   * Class probabilities, count * classes. 'mean' follows the policy's mean (deterministic);
   * 'sampled' averages the probabilities of `samples` runs with sampled locations. Every random
   * draw of image n's copy r (a random first glimpse, sampled locations) comes from
   * drawRng(draws.seed, draws.indices[n], r): an image's result does not depend on the batch.
   */
  predict(images: Float32Array, count: number, mode: LocationMode, samples = 1, draws: EvalDraws = {}): Float32Array {
    const classes = this.config.classes;
    const runs = mode === 'mean' ? 1 : samples;
    const pixels = images.length / count;
    const seed = draws.seed ?? this.config.seed;
    const indices = draws.indices ?? Array.from({ length: count }, (_, n) => n);
    if (indices.length !== count) throw new RangeError(`predict: ${indices.length} image indices for ${count} images`);
    // Copies side by side make one bigger batch: fewer, larger matrix products.
    const tiled = runs === 1 ? images : new Float32Array(images.length * runs);
    if (runs > 1) for (let r = 0; r < runs; r++) tiled.set(images.subarray(0, count * pixels), r * count * pixels);
    const rng: Rng[] = [];
    for (let r = 0; r < runs; r++) for (let n = 0; n < count; n++) rng.push(drawRng(seed, indices[n], r));
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
  trace(images: Float32Array, meta: { index: number; label: number; pixels: Uint8Array }[], mode: LocationMode, seed = this.config.seed): GlimpseTrace[] {
    const count = meta.length;
    const rng = meta.map((m) => drawRng(seed, m.index, 0));
    const spec = retinaSpecOf(this.config);
    const g2 = spec.glimpseSize * spec.glimpseSize;
    const C = spec.channels;
    const patchLength = spec.scales * C * g2;
    const traces: GlimpseTrace[] = [];
    tf.tidy(() => {
      const episode = runEpisode(this.params, this.config, { images, count }, { mode, rng, record: true });
      const stepProbs = (episode.stepLogits ?? []).map((l) => tf.softmax(l).dataSync() as Float32Array);
      const classes = this.config.classes;
      meta.forEach((m, n) => {
        const steps = episode.locations.map((locs, t) => {
          const x = locs[2 * n];
          const y = locs[2 * n + 1];
          const patches: number[][] = [];
          const all = episode.patches![t];
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
    });
    return traces;
  }

  /** The weights as plain arrays, in the order of PARAM_NAMES. */
  weightArrays(): Float32Array[] {
    return this.vars.map((v) => v.dataSync() as Float32Array);
  }

  /** Overwrites the weights (a data-parallel worker follows the optimizer's owner this way). */
  setWeightArrays(arrays: Float32Array[]): void {
    tf.tidy(() => this.vars.forEach((v, i) => v.assign(tf.tensor(arrays[i], v.shape))));
  }

  readState(): ModelState {
    return { weights: readWeights(this.params), optimizer: this.optimizer.readState() };
  }

  loadOptimizerState(state: ModelState['optimizer']): void {
    this.optimizer.loadState(state);
  }

  dispose(): void {
    disposeParams(this.params);
    this.optimizer.dispose();
  }
}
