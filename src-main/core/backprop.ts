/**
 * The RAM's forward and backward pass written out by hand, off the autodiff tape. Same maths as
 * runEpisode + episodeLosses under tf.variableGrads (a test compares them), but each weight
 * gradient is one matrix product over all glimpses (sum_t x_t^T dy_t stacked), the forward pass
 * uses fused matMul+bias+ReLU kernels, and transposed weights are made once per batch. This cuts
 * the kernels per step from about 1,000 to about 250, which is what makes wasm training fast.
 */
import * as tf from '@tensorflow/tfjs';
import type { RamConfig } from './config';
import { argmaxRows, oneHot } from './losses';
import { retinaSpecOf } from './model';
import type { RamParams } from './params';
import { extractGlimpses, integralImages, retinaLength } from './retina';
import type { Rng } from './rng';
import type { GradientPart } from './ram';

type T2 = tf.Tensor2D;

function fused(x: T2, w: tf.Variable, b: tf.Variable, relu: boolean): T2 {
  return tf.fused.matMul({ a: x, b: w as tf.Tensor as T2, bias: b, activation: relu ? 'relu' : 'linear' }) as T2;
}

/** x^T y for stacked rows: one weight gradient for every glimpse at once. */
function weightGrad(x: T2, dy: T2): T2 {
  return tf.matMul(tf.transpose(x), dy);
}

/** Gradients of the hybrid loss in the order of `vars` (PARAM_NAMES), with the loss terms. */
export function computeGradientsByHand(
  params: RamParams,
  config: RamConfig,
  images: Float32Array,
  labels: Int32Array,
  rng: Rng,
): GradientPart {
  const count = labels.length;
  const T = config.glimpses;
  const H = config.coreHidden;
  const G = config.glimpseFeatures;
  const Hg = config.glimpseHidden;
  const classes = config.classes;
  const spec = retinaSpecOf(config);
  const patchLength = retinaLength(spec);
  const sat = integralImages(images, count * spec.channels, spec.imageSize);
  const intoCore = config.reinforceIntoCore;
  const sigma2 = config.locationStd * config.locationStd;

  let stats = { loss: 0, crossEntropy: 0, reinforce: 0, baselineLoss: 0, reward: 0, baseline: 0 };
  const grads = tf.tidy(() => {
    // ---- forward ----
    const patches: T2[] = [];
    const locs: T2[] = [];
    const hgs: T2[] = [];
    const hls: T2[] = [];
    const cs: T2[] = [];
    const gs: T2[] = [];
    const us: T2[] = [];
    const hs: T2[] = [];
    const means: Float32Array[] = [];
    const preMeans: T2[] = [];
    const baselines: Float32Array[] = [];
    const used: Float32Array[] = [];

    let loc = new Float32Array(count * 2);
    if (config.firstLocation === 'random') for (let i = 0; i < loc.length; i++) loc[i] = rng.next() * 2 - 1;
    let h = tf.zeros([count, H]) as T2;
    for (let t = 0; t < T; t++) {
      used.push(loc);
      const patch = tf.tensor2d(extractGlimpses(spec, images, sat, count, loc, new Float32Array(count * patchLength)), [count, patchLength]);
      const where = tf.tensor2d(loc, [count, 2]);
      const hg = fused(patch, params.glimpsePatchW, params.glimpsePatchB, true);
      const hl = fused(where, params.glimpseLocW, params.glimpseLocB, true);
      const c = tf.concat([hg, hl], 1);
      const g = fused(c, params.glimpseOutW, params.glimpseOutB, true);
      const u = tf.concat([h, g], 1);
      h = fused(u, params.coreW, params.coreB, true);
      patches.push(patch);
      locs.push(where);
      hgs.push(hg);
      hls.push(hl);
      cs.push(c);
      gs.push(g);
      us.push(u);
      hs.push(h);
      if (t === T - 1) break;
      const pre = fused(h, params.locationW, params.locationB, false);
      preMeans.push(pre);
      const mean = tf.clipByValue(pre, -1, 1).dataSync() as Float32Array;
      means.push(mean);
      baselines.push(fused(h, params.baselineW, params.baselineB, false).dataSync() as Float32Array);
      const next = new Float32Array(count * 2);
      for (let i = 0; i < next.length; i++) {
        const v = mean[i] + config.locationStd * rng.normal();
        next[i] = v < -1 ? -1 : v > 1 ? 1 : v;
      }
      loc = next;
    }
    const hLast = hs[T - 1];
    const logits = fused(hLast, params.actionW, params.actionB, false);

    // ---- losses (as numbers) and their gradients at the heads ----
    const logitValues = logits.dataSync() as Float32Array;
    const predictions = argmaxRows(logitValues, count, classes);
    const reward = new Float32Array(count);
    let rewardSum = 0;
    for (let i = 0; i < count; i++) {
      reward[i] = predictions[i] === labels[i] ? 1 : 0;
      rewardSum += reward[i];
    }
    const logProbs = tf.logSoftmax(logits);
    const targets = tf.tensor2d(oneHot(labels, classes), [count, classes]);
    const crossEntropy = -(tf.sum(tf.mul(targets, logProbs)).dataSync()[0] / count);
    // d CE / d logits = (softmax - onehot) / B
    const dLogits = tf.div(tf.sub(tf.exp(logProbs), targets), count) as T2;

    const D = T - 1;
    let reinforce = 0;
    let baselineLoss = 0;
    let baselineSum = 0;
    const dPre: Float32Array = new Float32Array(D * count * 2);
    const dBase: Float32Array = new Float32Array(D * count);
    const w = config.reinforceWeight;
    for (let t = 0; t < D; t++) {
      const m = means[t];
      const b = baselines[t];
      const l = used[t + 1];
      for (let i = 0; i < count; i++) {
        const advantage = reward[i] - b[i];
        const dx = l[2 * i] - m[2 * i];
        const dy = l[2 * i + 1] - m[2 * i + 1];
        // -(R - b) log pi = (R - b) |l - mu|^2 / (2 sigma^2) + const
        reinforce += (advantage * (dx * dx + dy * dy)) / (2 * sigma2 * count);
        // d/d mu: (R - b) (mu - l) / sigma^2, then the REINFORCE weight
        dPre[(t * count + i) * 2] = (w * advantage * -dx) / (sigma2 * count);
        dPre[(t * count + i) * 2 + 1] = (w * advantage * -dy) / (sigma2 * count);
        const err = b[i] - reward[i];
        baselineLoss += (err * err) / (count * D);
        dBase[t * count + i] = (2 * err) / (count * D);
        baselineSum += b[i];
      }
    }

    // ---- backward ----
    const WcT = tf.transpose(params.coreW) as T2;
    const WoT = tf.transpose(params.glimpseOutW) as T2;
    const heads = D > 0 ? tf.concat(preMeans, 0) : undefined;
    // clipByValue passes the gradient where min <= x <= max (as tfjs's own gradient does).
    const dPreMasked = heads
      ? (tf.mul(tf.tensor2d(dPre, [D * count, 2]), tf.cast(tf.logicalAnd(tf.greaterEqual(heads, -1), tf.lessEqual(heads, 1)), 'float32')) as T2)
      : undefined;
    const dBaseT = D > 0 ? tf.tensor2d(dBase, [D * count, 1]) : undefined;
    const policyStates = D > 0 ? tf.concat(hs.slice(0, D), 0) : undefined;

    let intoCoreGrads: T2[] | undefined;
    if (intoCore && dPreMasked && dBaseT) {
      const dS = tf.add(tf.matMul(dPreMasked, tf.transpose(params.locationW) as T2), tf.matMul(dBaseT, tf.transpose(params.baselineW) as T2)) as T2;
      intoCoreGrads = tf.split(dS, D, 0) as T2[];
    }

    const dZ: T2[] = new Array(T);
    const dGZ: T2[] = new Array(T);
    const dHG: T2[] = new Array(T);
    const dHL: T2[] = new Array(T);
    let dh = tf.matMul(dLogits, tf.transpose(params.actionW) as T2) as T2;
    for (let t = T - 1; t >= 0; t--) {
      if (intoCoreGrads && t < D) dh = tf.add(dh, intoCoreGrads[t]) as T2;
      const dz = tf.mul(dh, tf.step(hs[t])) as T2;
      dZ[t] = dz;
      const du = tf.matMul(dz, WcT) as T2;
      const [dhPrev, dg] = tf.split(du, [H, G], 1) as [T2, T2];
      const dgz = tf.mul(dg, tf.step(gs[t])) as T2;
      dGZ[t] = dgz;
      const dc = tf.matMul(dgz, WoT) as T2;
      const [dhg, dhl] = tf.split(dc, [Hg, config.locationHidden], 1) as [T2, T2];
      dHG[t] = tf.mul(dhg, tf.step(hgs[t])) as T2;
      dHL[t] = tf.mul(dhl, tf.step(hls[t])) as T2;
      dh = dhPrev;
    }

    const stack = (xs: T2[]) => (xs.length === 1 ? xs[0] : (tf.concat(xs, 0) as T2));
    const DZ = stack(dZ);
    const DGZ = stack(dGZ);
    const DHG = stack(dHG);
    const DHL = stack(dHL);
    const zeros = (v: tf.Variable) => tf.zerosLike(v);
    const out: Record<string, tf.Tensor> = {
      glimpsePatchW: weightGrad(stack(patches), DHG),
      glimpsePatchB: tf.sum(DHG, 0),
      glimpseLocW: weightGrad(stack(locs), DHL),
      glimpseLocB: tf.sum(DHL, 0),
      glimpseOutW: weightGrad(stack(cs), DGZ),
      glimpseOutB: tf.sum(DGZ, 0),
      coreW: weightGrad(stack(us), DZ),
      coreB: tf.sum(DZ, 0),
      locationW: policyStates && dPreMasked ? weightGrad(policyStates, dPreMasked) : zeros(params.locationW),
      locationB: dPreMasked ? tf.sum(dPreMasked, 0) : zeros(params.locationB),
      baselineW: policyStates && dBaseT ? weightGrad(policyStates, dBaseT) : zeros(params.baselineW),
      baselineB: dBaseT ? tf.sum(dBaseT, 0) : zeros(params.baselineB),
      actionW: weightGrad(hLast, dLogits),
      actionB: tf.sum(dLogits, 0),
    };
    stats = {
      loss: crossEntropy + w * reinforce + baselineLoss,
      crossEntropy,
      reinforce,
      baselineLoss,
      reward: rewardSum / count,
      baseline: D > 0 ? baselineSum / (count * D) : 0,
    };
    return (Object.keys(PARAM_ORDER) as (keyof typeof PARAM_ORDER)[]).map((name) => out[name]);
  });
  return { count, grads, ...stats };
}

/** Must list the params in PARAM_NAMES order (checked by the gradient comparison test). */
const PARAM_ORDER = {
  glimpsePatchW: 0,
  glimpsePatchB: 1,
  glimpseLocW: 2,
  glimpseLocB: 3,
  glimpseOutW: 4,
  glimpseOutB: 5,
  coreW: 6,
  coreB: 7,
  locationW: 8,
  locationB: 9,
  baselineW: 10,
  baselineB: 11,
  actionW: 12,
  actionB: 13,
} as const;
