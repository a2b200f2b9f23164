/**
 * The recurrent attention model's forward pass and hybrid loss with nothing read back to the CPU,
 * for device backends (WebGPU, where every read is a round trip and dataSync throws in Node).
 * Same maths as runEpisode (model.ts) and episodeLosses (losses.ts): the locations stay tensors,
 * the patches come from the tensor retina, and the random draws are made on the CPU beforehand,
 * from the same generators in the same order as runEpisode, so that for the same weights, images
 * and Rng the device episode looks where the CPU one does (up to float32 rounding).
 */
import * as tf from '@tensorflow/tfjs';
import type { RamConfig } from './config';
import { extractGlimpsesTensor } from './device-retina';
import { retinaSpecOf, type LocationMode } from './model';
import type { RamParams } from './params';
import type { Rng } from './rng';

type T2 = tf.Tensor2D;

/**
 * A copy of x that the tape sees as a constant. The custom gradient takes no tensor inputs (x is
 * closed over), so nothing that follows it is on a path from the weights: its gradient is zero
 * without a single zero-gradient kernel, and ops downstream (the retina's gather, argMax) need no
 * gradient functions.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad(() => ({ value: x.clone(), gradFunc: () => [] as tf.Tensor[] }));
  return (f as unknown as () => T)();
}

/** The CPU-side random draws of one episode, made in runEpisode's order. */
export interface EpisodeNoise {
  /** First locations, count * 2 values (x then y per row): zeros for a centred first glimpse. */
  first: Float32Array;
  /** Standard normals of decisions 0..T-2, count * 2 each, one decision after another ('mean' mode: empty). */
  normals: Float32Array;
}

/** The generator of value i of a batch's locations (x and y of row i >> 1), as model.ts picks it. */
function rngOf(rng: Rng | readonly Rng[], i: number): Rng {
  if (!Array.isArray(rng)) return rng as Rng;
  const row = rng[i >> 1];
  if (!row) throw new RangeError(`no random number generator for row ${i >> 1} of the batch (${rng.length} given)`);
  return row;
}

/**
 * Draws what runEpisode would draw, in its order: the random first locations (count * 2 values
 * rng.next() * 2 - 1) if firstLocation is 'random', then per decision t the count * 2 normals of
 * values i = 0..count*2-1 ('sampled' only). With one Rng per row, each row's draws come from its own.
 */
export function drawEpisodeNoise(config: RamConfig, count: number, mode: LocationMode, rng: Rng | readonly Rng[]): EpisodeNoise {
  const n = count * 2;
  const first = new Float32Array(n);
  if (config.firstLocation === 'random') for (let i = 0; i < n; i++) first[i] = rngOf(rng, i).next() * 2 - 1;
  const decisions = Math.max(0, config.glimpses - 1);
  const normals = new Float32Array(mode === 'sampled' ? decisions * n : 0);
  if (mode === 'sampled') for (let t = 0; t < decisions; t++) for (let i = 0; i < n; i++) normals[t * n + i] = rngOf(rng, i).normal();
  return { first, normals };
}

export interface DeviceEpisodeOptions {
  mode: LocationMode;
  /** Keep patches and per-step class logits (for traces). */
  record?: boolean;
  /** Connect the policy and baseline to the core's graph (only when training with reinforceIntoCore). */
  policyIntoCore?: boolean;
}

export interface DeviceEpisode {
  /** Action network logits after the last glimpse: [count, classes]. */
  logits: T2;
  /** Policy means (clipped to [-1, 1]) that chose glimpses 1..T-1: [count, 2] each. */
  means: T2[];
  /** The baseline's reward estimates at the same decisions: [count, 1] each. */
  baselines: T2[];
  /** Locations every glimpse used, [count, 2] each, T entries; constants to the tape. */
  locations: T2[];
  /** Recorded only: per glimpse, the patches [count, retinaLength] and the action network's logits. */
  patches?: T2[];
  stepLogits?: T2[];
}

function dense(x: T2, w: tf.Variable, b: tf.Variable): T2 {
  return tf.add(tf.matMul(x, w as tf.Tensor as T2), b) as T2;
}

/**
 * Runs T glimpses on a batch, all on tensors. images: [count, channels * S * S] in [0, 1]; noise:
 * drawEpisodeNoise's for this batch and mode. The location used after decision t is
 * clip(mean_t + locationStd * noise_t, -1, 1) ('sampled') or mean_t ('mean'), a constant to the
 * tape: it reaches the policy mean only through the REINFORCE term. Call inside tf.tidy (or a
 * gradient function): it makes tensors. Reads nothing back.
 */
export function runEpisodeOnDevice(params: RamParams, config: RamConfig, images: T2, noise: EpisodeNoise, opts: DeviceEpisodeOptions): DeviceEpisode {
  const spec = retinaSpecOf(config);
  const count = images.shape[0];
  const T = config.glimpses;
  const D = Math.max(0, T - 1);
  if (noise.first.length !== count * 2) throw new RangeError(`runEpisodeOnDevice: ${noise.first.length} first-location values for ${count} images`);
  if (opts.mode === 'sampled' && noise.normals.length !== D * count * 2) {
    throw new RangeError(`runEpisodeOnDevice: ${noise.normals.length} normals for ${D} decisions of ${count} images`);
  }
  const sampled = opts.mode === 'sampled' && D > 0;
  // One upload for every draw of the episode.
  const draws = sampled ? tf.tensor2d(concatArrays(noise.first, noise.normals), [(1 + D) * count, 2]) : tf.tensor2d(noise.first, [count, 2]);
  const steps = sampled ? (tf.split(draws, 1 + D, 0) as T2[]) : [draws];
  const std = tf.scalar(config.locationStd);

  let loc = steps[0];
  let h = tf.zeros([count, config.coreHidden]) as T2;
  const episode: DeviceEpisode = { logits: h, means: [], baselines: [], locations: [] };
  if (opts.record) {
    episode.patches = [];
    episode.stepLogits = [];
  }
  for (let t = 0; t < T; t++) {
    const patch = extractGlimpsesTensor(spec, images, loc);
    episode.locations.push(loc);
    if (episode.patches) episode.patches.push(patch);
    const hg = tf.relu(dense(patch, params.glimpsePatchW, params.glimpsePatchB));
    const hl = tf.relu(dense(loc, params.glimpseLocW, params.glimpseLocB));
    const g = tf.relu(dense(tf.concat([hg, hl], 1), params.glimpseOutW, params.glimpseOutB));
    h = tf.relu(dense(tf.concat([h, g], 1), params.coreW, params.coreB));
    if (episode.stepLogits) episode.stepLogits.push(dense(h, params.actionW, params.actionB));

    if (t === T - 1) break;
    // The policy and baseline read a constant copy of the state unless they train the core.
    const state = opts.policyIntoCore ? h : stopGradient(h);
    const mean = tf.clipByValue(dense(state, params.locationW, params.locationB), -1, 1) as T2;
    episode.means.push(mean);
    episode.baselines.push(dense(state, params.baselineW, params.baselineB));
    const chosen = sampled ? (tf.clipByValue(tf.add(mean, tf.mul(std, steps[t + 1])), -1, 1) as T2) : mean;
    loc = stopGradient(chosen);
  }
  episode.logits = dense(h, params.actionW, params.actionB);
  return episode;
}

function concatArrays(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export interface DeviceLosses {
  crossEntropy: tf.Scalar;
  /** -(R - b) * sum_t log pi(l_t), averaged over the batch (constant terms of log pi dropped). */
  reinforce: tf.Scalar;
  /** (b_t - R)^2 averaged over the batch and the decisions. */
  baseline: tf.Scalar;
  /** crossEntropy + reinforceWeight * reinforce + baseline: what training minimises. */
  total: tf.Scalar;
  /** 1 where the final prediction was right: the reward, [count] (a constant). */
  reward: tf.Tensor1D;
  /** Mean reward and mean baseline estimate (scalars, constants; for the curves). */
  rewardMean: tf.Scalar;
  baselineMean: tf.Scalar;
  /**
   * [loss, crossEntropy, reinforce, baselineLoss, reward, baseline] in one tensor, so that the
   * statistics of a step come back in one read.
   */
  stats: tf.Tensor1D;
}

/** The order of DeviceLosses.stats. */
export const DEVICE_STAT_KEYS = ['loss', 'crossEntropy', 'reinforce', 'baselineLoss', 'reward', 'baseline'] as const;

/**
 * The hybrid loss of losses.ts on tensors. labels: [count] int32 on the device. The reward
 * (argmax(logits) == label) and the advantage (R - b) are constants to the tape, so the advantage
 * cannot train the baseline through the REINFORCE term, and nothing is read back.
 */
export function deviceLosses(episode: DeviceEpisode, labels: tf.Tensor1D, config: RamConfig): DeviceLosses {
  const count = labels.shape[0];
  const classes = config.classes;
  const logits = episode.logits;
  const targets = tf.oneHot(tf.cast(labels, 'int32'), classes).toFloat() as T2;
  const crossEntropy = tf.neg(tf.div(tf.sum(tf.mul(targets, tf.logSoftmax(logits))), count)) as tf.Scalar;

  const predictions = tf.argMax(stopGradient(logits), 1);
  const reward = tf.cast(tf.equal(predictions, tf.cast(labels, 'int32')), 'float32') as tf.Tensor1D;
  const rewardMean = tf.mean(reward) as tf.Scalar;

  const D = episode.means.length;
  let reinforce: tf.Scalar;
  let baseline: tf.Scalar;
  let baselineMean: tf.Scalar;
  if (D === 0) {
    reinforce = tf.scalar(0);
    baseline = tf.scalar(0);
    baselineMean = tf.scalar(0);
  } else {
    // All decisions stacked: row t * count + i is decision t of image i.
    const means = D === 1 ? episode.means[0] : (tf.concat(episode.means, 0) as T2);
    const baselines = D === 1 ? episode.baselines[0] : (tf.concat(episode.baselines, 0) as T2);
    const chosen = D === 1 ? episode.locations[1] : (tf.concat(episode.locations.slice(1, D + 1), 0) as T2);
    const rewards = tf.tile(tf.reshape(reward, [1, count]), [D, 1]).reshape([D * count, 1]) as T2;
    const advantage = tf.sub(rewards, stopGradient(baselines)) as T2;
    // -(R - b) * log pi = (R - b) * |l - mu|^2 / (2 sigma^2) + const
    const squared = tf.sum(tf.square(tf.sub(chosen, means)), 1, true);
    const inv2var = 1 / (2 * config.locationStd * config.locationStd);
    reinforce = tf.mul(tf.sum(tf.mul(squared, advantage)), inv2var / count) as tf.Scalar;
    baseline = tf.div(tf.sum(tf.square(tf.sub(baselines, rewards))), count * D) as tf.Scalar;
    baselineMean = tf.mean(stopGradient(baselines)) as tf.Scalar;
  }
  const total = tf.addN([crossEntropy, tf.mul(reinforce, config.reinforceWeight), baseline]) as tf.Scalar;
  const stats = tf.stack([total, crossEntropy, reinforce, baseline, rewardMean, baselineMean].map((s) => stopGradient(s))) as tf.Tensor1D;
  return { crossEntropy, reinforce, baseline, total, reward, rewardMean, baselineMean, stats };
}
