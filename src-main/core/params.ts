/** The RAM's weights: named tf.Variables, created from a seed, convertible to plain arrays. */
import * as tf from '@tensorflow/tfjs';
import type { RamConfig } from './config';
import { retinaLength } from './retina';
import { Rng } from './rng';

/** Weights by network, named so that tests and checkpoints can tell them apart. */
export interface RamParams {
  /** Glimpse network: patch -> hg. */
  glimpsePatchW: tf.Variable;
  glimpsePatchB: tf.Variable;
  /** Glimpse network: location -> hl. */
  glimpseLocW: tf.Variable;
  glimpseLocB: tf.Variable;
  /** Glimpse network: [hg, hl] -> g (the paper's Linear(hg) + Linear(hl), as one matrix). */
  glimpseOutW: tf.Variable;
  glimpseOutB: tf.Variable;
  /** Core: [h_prev, g] -> h (the paper's Linear(h) + Linear(g), as one matrix). */
  coreW: tf.Variable;
  coreB: tf.Variable;
  /** Location network: h -> mean location. */
  locationW: tf.Variable;
  locationB: tf.Variable;
  /** Baseline network: h -> expected reward. */
  baselineW: tf.Variable;
  baselineB: tf.Variable;
  /** Action network: h -> class logits. */
  actionW: tf.Variable;
  actionB: tf.Variable;
}

export type ParamName = keyof RamParams;

/** Which network each weight belongs to (for the gradient-routing rules and their test). */
export const PARAM_NETWORK: Record<ParamName, 'glimpse' | 'core' | 'location' | 'baseline' | 'action'> = {
  glimpsePatchW: 'glimpse',
  glimpsePatchB: 'glimpse',
  glimpseLocW: 'glimpse',
  glimpseLocB: 'glimpse',
  glimpseOutW: 'glimpse',
  glimpseOutB: 'glimpse',
  coreW: 'core',
  coreB: 'core',
  locationW: 'location',
  locationB: 'location',
  baselineW: 'baseline',
  baselineB: 'baseline',
  actionW: 'action',
  actionB: 'action',
};

export const PARAM_NAMES = Object.keys(PARAM_NETWORK) as ParamName[];

/** Shapes of every weight for a config. */
export function paramShapes(config: RamConfig): Record<ParamName, number[]> {
  const retina = retinaLength(config);
  const { glimpseHidden: hg, locationHidden: hl, glimpseFeatures: gf, coreHidden: h, classes } = config;
  return {
    glimpsePatchW: [retina, hg],
    glimpsePatchB: [hg],
    glimpseLocW: [2, hl],
    glimpseLocB: [hl],
    glimpseOutW: [hg + hl, gf],
    glimpseOutB: [gf],
    coreW: [h + gf, h],
    coreB: [h],
    locationW: [h, 2],
    locationB: [2],
    baselineW: [h, 1],
    baselineB: [1],
    actionW: [h, classes],
    actionB: [classes],
  };
}

/** Plain (transferable) weights: what checkpoints and other processes hold. */
export type PlainTensors = Record<string, { shape: number[]; data: Float32Array }>;

/**
 * Glorot-uniform weights and zero biases from the seed. The location layer starts small so the
 * first policy looks near the centre instead of saturating at the image's edge.
 */
export function initialWeights(config: RamConfig, seed = config.seed): PlainTensors {
  const rng = new Rng(seed ^ 0x5eed);
  const shapes = paramShapes(config);
  const out: PlainTensors = {};
  for (const name of PARAM_NAMES) {
    const shape = shapes[name];
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (shape.length === 2) {
      const gain = name === 'locationW' ? 0.1 : 1;
      const limit = gain * Math.sqrt(6 / (shape[0] + shape[1]));
      for (let i = 0; i < data.length; i++) data[i] = (rng.next() * 2 - 1) * limit;
    }
    out[name] = { shape, data };
  }
  return out;
}

export function createParams(weights: PlainTensors): RamParams {
  const params: Partial<Record<ParamName, tf.Variable>> = {};
  for (const name of PARAM_NAMES) {
    const w = weights[name];
    if (!w) throw new Error(`weights are missing '${name}'`);
    params[name] = tf.variable(tf.tensor(w.data, w.shape), true, `ram/${name}/${nextId++}`);
  }
  return params as RamParams;
}

let nextId = 0;

/** Checks that plain weights fit a config (a checkpoint from another config would fail obscurely). */
export function checkWeightShapes(config: RamConfig, weights: PlainTensors): void {
  const shapes = paramShapes(config);
  for (const name of PARAM_NAMES) {
    const w = weights[name];
    if (!w) throw new Error(`weights are missing '${name}'`);
    if (w.shape.join('x') !== shapes[name].join('x')) {
      throw new Error(`weight '${name}' has shape ${w.shape.join('x')} but the config needs ${shapes[name].join('x')}`);
    }
    if (w.data.length !== shapes[name].reduce((a, b) => a * b, 1)) {
      throw new Error(`weight '${name}' holds ${w.data.length} values, not ${shapes[name].reduce((a, b) => a * b, 1)}`);
    }
  }
}

export function readWeights(params: RamParams): PlainTensors {
  const out: PlainTensors = {};
  for (const name of PARAM_NAMES) {
    const v = params[name];
    out[name] = { shape: v.shape.slice(), data: v.dataSync() as Float32Array };
  }
  return out;
}

/**
 * The values of several tensors with one read: flattened, concatenated and read back with one
 * `await data()` (on a device backend each read is a round trip), then cut apart. Each array is its
 * own buffer (transferable). Works on every backend; never calls dataSync.
 */
export async function readTensorsAsync(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  if (tensors.length === 0) return [];
  const all = tf.tidy(() => (tensors.length === 1 ? tf.reshape(tensors[0], [-1]) : tf.concat(tensors.map((t) => tf.reshape(t, [-1])), 0)));
  let values: Float32Array;
  try {
    values = (await all.data()) as Float32Array;
  } finally {
    all.dispose();
  }
  const out: Float32Array[] = [];
  let at = 0;
  for (const t of tensors) {
    out.push(values.slice(at, at + t.size));
    at += t.size;
  }
  return out;
}

/** readWeights without dataSync: one read for all the weights. */
export async function readWeightsAsync(params: RamParams): Promise<PlainTensors> {
  const vars = PARAM_NAMES.map((n) => params[n]);
  const data = await readTensorsAsync(vars);
  const out: PlainTensors = {};
  PARAM_NAMES.forEach((name, i) => (out[name] = { shape: vars[i].shape.slice(), data: data[i] }));
  return out;
}

export function disposeParams(params: RamParams): void {
  for (const name of PARAM_NAMES) params[name].dispose();
}

export function paramList(params: RamParams): tf.Variable[] {
  return PARAM_NAMES.map((n) => params[n]);
}
