/**
 * The recurrent attention model's forward pass. Patches come from the typed-array retina; the
 * locations fed back are plain numbers, so no gradient can leak through a sampled location.
 */
import * as tf from '@tensorflow/tfjs';
import type { RamConfig } from './config';
import { imageSizeOf } from './config';
import type { RamParams } from './params';
import { extractGlimpses, integralImages, retinaLength, type RetinaSpec } from './retina';
import type { Rng } from './rng';

/** How locations after the first are chosen. */
export type LocationMode = 'sampled' | 'mean';

export interface EpisodeInput {
  /** count images of channels planes of imageSize^2 floats in [0, 1], one plane after another. */
  images: Float32Array;
  count: number;
}

export interface EpisodeOptions {
  mode: LocationMode;
  /**
   * Location noise and random first locations: one generator for the whole batch (training), or
   * one per row (evaluation: each image's own, see drawRng), so that a row's draws do not depend
   * on the other rows.
   */
  rng: Rng | readonly Rng[];
  /** Keep patches, locations and per-step class logits (for traces). */
  record?: boolean;
  /** Connect the policy and baseline to the core's graph (only when training with reinforceIntoCore). */
  policyIntoCore?: boolean;
}

export interface Episode {
  /** Action network logits after the last glimpse: [count, classes]. */
  logits: tf.Tensor2D;
  /** Policy means that chose glimpses 1..T-1: [count, 2] each, on the tape of the location net. */
  means: tf.Tensor2D[];
  /** The baseline's reward estimates at the same decisions: [count, 1] each. */
  baselines: tf.Tensor2D[];
  /** Locations actually used for every glimpse (count * 2 floats, x then y), T entries. */
  locations: Float32Array[];
  /** Recorded only: per glimpse, the patches and the action network's logits at that step. */
  patches?: Float32Array[];
  stepLogits?: tf.Tensor2D[];
}

export function retinaSpecOf(config: RamConfig): RetinaSpec {
  return {
    imageSize: imageSizeOf(config),
    channels: config.channels,
    glimpseSize: config.glimpseSize,
    scales: config.scales,
    unitPixels: config.unitPixels,
  };
}

function dense(x: tf.Tensor2D, w: tf.Variable, b: tf.Variable): tf.Tensor2D {
  return tf.add(tf.matMul(x, w as tf.Tensor2D), b) as tf.Tensor2D;
}

/** Runs T glimpses on a batch. Call inside tf.tidy (or a gradient function): it makes tensors. */
export function runEpisode(params: RamParams, config: RamConfig, input: EpisodeInput, opts: EpisodeOptions): Episode {
  const spec = retinaSpecOf(config);
  const { count } = input;
  const patchLength = retinaLength(spec);
  const sat = integralImages(input.images, count * spec.channels, spec.imageSize);

  let loc = firstLocations(config, count, opts.rng);
  let h = tf.zeros([count, config.coreHidden]) as tf.Tensor2D;
  const episode: Episode = { logits: h, means: [], baselines: [], locations: [] };
  if (opts.record) {
    episode.patches = [];
    episode.stepLogits = [];
  }

  for (let t = 0; t < config.glimpses; t++) {
    const patchData = extractGlimpses(spec, input.images, sat, count, loc, new Float32Array(count * patchLength));
    episode.locations.push(loc);
    if (episode.patches) episode.patches.push(patchData);

    const patch = tf.tensor2d(patchData, [count, patchLength]);
    const where = tf.tensor2d(loc, [count, 2]);
    const hg = tf.relu(dense(patch, params.glimpsePatchW, params.glimpsePatchB));
    const hl = tf.relu(dense(where, params.glimpseLocW, params.glimpseLocB));
    const g = tf.relu(dense(tf.concat([hg, hl], 1), params.glimpseOutW, params.glimpseOutB));
    h = tf.relu(dense(tf.concat([h, g], 1), params.coreW, params.coreB));
    if (episode.stepLogits) episode.stepLogits.push(dense(h, params.actionW, params.actionB));

    if (t === config.glimpses - 1) break;
    // The policy and baseline read a copy of the state: a copy has no history, so it stops gradients.
    const state = opts.policyIntoCore ? h : (tf.tensor2d(h.dataSync() as Float32Array, [count, config.coreHidden]) as tf.Tensor2D);
    const mean = tf.clipByValue(dense(state, params.locationW, params.locationB), -1, 1) as tf.Tensor2D;
    episode.means.push(mean);
    episode.baselines.push(dense(state, params.baselineW, params.baselineB));
    loc = nextLocations(mean.dataSync() as Float32Array, opts.mode, config.locationStd, opts.rng);
  }
  episode.logits = dense(h, params.actionW, params.actionB);
  return episode;
}

/** The generator of value i of a batch's locations (x and y of row i >> 1). */
function rngOf(rng: Rng | readonly Rng[], i: number): Rng {
  if (!Array.isArray(rng)) return rng as Rng;
  const row = rng[i >> 1];
  if (!row) throw new RangeError(`no random number generator for row ${i >> 1} of the batch (${rng.length} given)`);
  return row;
}

function firstLocations(config: RamConfig, count: number, rng: Rng | readonly Rng[]): Float32Array {
  const loc = new Float32Array(count * 2);
  if (config.firstLocation === 'random') {
    for (let i = 0; i < loc.length; i++) loc[i] = rngOf(rng, i).next() * 2 - 1;
  }
  return loc;
}

/** Gaussian around the mean (or the mean itself), kept inside the image's [-1, 1] square. */
function nextLocations(mean: Float32Array, mode: LocationMode, std: number, rng: Rng | readonly Rng[]): Float32Array {
  const loc = new Float32Array(mean.length);
  for (let i = 0; i < mean.length; i++) {
    const v = mode === 'mean' ? mean[i] : mean[i] + std * rngOf(rng, i).normal();
    loc[i] = v < -1 ? -1 : v > 1 ? 1 : v;
  }
  return loc;
}
