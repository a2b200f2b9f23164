/**
 * The hybrid loss: cross-entropy for the classifier, REINFORCE for the location policy, MSE for
 * the baseline. Rewards and advantages are computed as plain numbers, so they are constants to the
 * tape: the advantage (R - b) cannot train the baseline through the REINFORCE term.
 */
import * as tf from '@tensorflow/tfjs';
import type { RamConfig } from './config';
import type { Episode } from './model';

export interface EpisodeLosses {
  crossEntropy: tf.Scalar;
  /** -(R - b) * sum_t log pi(l_t), averaged over the batch (constant terms of log pi dropped). */
  reinforce: tf.Scalar;
  /** (b_t - R)^2 averaged over the batch and the decisions. */
  baseline: tf.Scalar;
  /** 1 where the final prediction was right: the reward. */
  reward: Float32Array;
  /** Mean baseline estimate (for the curves). */
  baselineMean: number;
}

export function argmaxRows(values: Float32Array | Int32Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = values[r * cols];
    for (let c = 1; c < cols; c++) {
      const v = values[r * cols + c];
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/** One-hot targets built on the JS side (wasm has no gather gradient; a constant needs none). */
export function oneHot(labels: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) out[i * classes + labels[i]] = 1;
  return out;
}

export function episodeLosses(episode: Episode, labels: Int32Array, config: RamConfig): EpisodeLosses {
  const count = labels.length;
  const classes = config.classes;
  const predictions = argmaxRows(episode.logits.dataSync() as Float32Array, count, classes);
  const reward = new Float32Array(count);
  for (let i = 0; i < count; i++) reward[i] = predictions[i] === labels[i] ? 1 : 0;

  const targets = tf.tensor2d(oneHot(labels, classes), [count, classes]);
  const crossEntropy = tf.neg(tf.div(tf.sum(tf.mul(targets, tf.logSoftmax(episode.logits))), count)) as tf.Scalar;

  const rewardTensor = tf.tensor2d(reward, [count, 1]);
  const inv2var = 1 / (2 * config.locationStd * config.locationStd);
  let reinforce: tf.Scalar = tf.scalar(0);
  let baseline: tf.Scalar = tf.scalar(0);
  let baselineSum = 0;
  const decisions = episode.means.length;
  for (let t = 0; t < decisions; t++) {
    const b = episode.baselines[t].dataSync() as Float32Array;
    const advantage = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      advantage[i] = reward[i] - b[i];
      baselineSum += b[i];
    }
    // The location chosen at decision t is the one glimpse t+1 used; it is data, not a tensor op.
    const chosen = tf.tensor2d(episode.locations[t + 1], [count, 2]);
    const squared = tf.sum(tf.square(tf.sub(chosen, episode.means[t])), 1);
    // -(R - b) * log pi = (R - b) * |l - mu|^2 / (2 sigma^2) + const
    const term = tf.sum(tf.mul(squared, tf.tensor1d(advantage)));
    reinforce = tf.add(reinforce, tf.mul(term, inv2var / count)) as tf.Scalar;
    const err = tf.sum(tf.square(tf.sub(episode.baselines[t], rewardTensor)));
    baseline = tf.add(baseline, tf.div(err, count * decisions)) as tf.Scalar;
  }
  return {
    crossEntropy,
    reinforce,
    baseline,
    reward,
    baselineMean: decisions > 0 ? baselineSum / (count * decisions) : 0,
  };
}
