/** Adam with a learning rate set per step and a state that checkpoints as plain arrays. */
import * as tf from '@tensorflow/tfjs';
import { readTensorsAsync, type PlainTensors } from './params';

export class Adam {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  /** Number of updates applied (drives the bias correction). */
  step = 0;

  constructor(
    private readonly vars: tf.Variable[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = vars.map((v) => tf.variable(tf.zerosLike(v), false));
    this.v = vars.map((v) => tf.variable(tf.zerosLike(v), false));
  }

  apply(grads: tf.Tensor[], learningRate: number): void {
    this.step += 1;
    const t = this.step;
    const stepSize = (learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    tf.tidy(() => {
      for (let i = 0; i < this.vars.length; i++) {
        const g = grads[i];
        const m = tf.add(tf.mul(this.m[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        this.vars[i].assign(tf.sub(this.vars[i], tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon)), stepSize)));
      }
    });
  }

  /** State as plain arrays: m_i, v_i for each variable, and the step in `step`. */
  readState(): { step: number; tensors: PlainTensors } {
    const tensors: PlainTensors = {};
    this.m.forEach((m, i) => (tensors[`m${i}`] = { shape: m.shape.slice(), data: m.dataSync() as Float32Array }));
    this.v.forEach((v, i) => (tensors[`v${i}`] = { shape: v.shape.slice(), data: v.dataSync() as Float32Array }));
    return { step: this.step, tensors };
  }

  /** readState without dataSync: one read for every m_i and v_i. */
  async readStateAsync(): Promise<{ step: number; tensors: PlainTensors }> {
    const step = this.step;
    const data = await readTensorsAsync([...this.m, ...this.v]);
    const tensors: PlainTensors = {};
    const n = this.m.length;
    this.m.forEach((m, i) => (tensors[`m${i}`] = { shape: m.shape.slice(), data: data[i] }));
    this.v.forEach((v, i) => (tensors[`v${i}`] = { shape: v.shape.slice(), data: data[n + i] }));
    return { step, tensors };
  }

  loadState(state: { step: number; tensors: PlainTensors }): void {
    const load = (vars: tf.Variable[], prefix: string) =>
      vars.forEach((variable, i) => {
        const saved = state.tensors[`${prefix}${i}`];
        if (!saved || saved.data.length !== variable.size) throw new Error(`optimizer state ${prefix}${i} is missing or the wrong size`);
        tf.tidy(() => variable.assign(tf.tensor(saved.data, variable.shape)));
      });
    load(this.m, 'm');
    load(this.v, 'v');
    this.step = state.step;
  }

  dispose(): void {
    this.m.forEach((m) => m.dispose());
    this.v.forEach((v) => v.dispose());
  }
}

/** Staircase decay with a floor: lr * decay^floor(step / every), never below min. */
export function learningRateAt(step: number, lr: number, decay: number, every: number, min: number): number {
  return Math.max(min, lr * decay ** Math.floor(step / every));
}

/** Scales gradients so their global L2 norm is at most maxNorm; returns the norm before clipping. */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { clipped: tf.Tensor[]; norm: tf.Scalar } {
  // Stacked and summed, not tf.addN: tfjs-backend-webgpu 4.22's AddN gives wrong sums for more
  // than a few inputs (14 gradients gave a norm of 0).
  const norm = tf.sqrt(tf.sum(tf.stack(grads.map((g) => tf.sum(tf.square(g)))))) as tf.Scalar;
  if (maxNorm <= 0) return { clipped: grads, norm };
  const scale = tf.div(maxNorm, tf.maximum(norm, maxNorm));
  return { clipped: grads.map((g) => tf.mul(g, scale)), norm };
}
