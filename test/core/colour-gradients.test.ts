/**
 * Colour images at several scales through training's hand-written backward pass: the same
 * gradients as the autodiff tape, finite, and every channel's patch weights reached.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, type RamConfig } from '../../src-main/core/config';
import { computeGradientsByHand } from '../../src-main/core/backprop';
import { episodeLosses } from '../../src-main/core/losses';
import { runEpisode } from '../../src-main/core/model';
import { createParams, disposeParams, initialWeights, PARAM_NAMES, type ParamName } from '../../src-main/core/params';
import { Rng } from '../../src-main/core/rng';

const COUNT = 8;
const S = 16;
let config: RamConfig;
let images: Float32Array;
let labels: Int32Array;

beforeAll(async () => {
  await tf.setBackend('cpu');
  config = validateConfig({
    task: 'translated', imageSize: S, channels: 3, glimpses: 3, glimpseSize: 4, scales: 3, unitPixels: 6, classes: 3,
    glimpseHidden: 8, locationHidden: 8, glimpseFeatures: 12, coreHidden: 12, batchSize: COUNT, locationStd: 0.15,
  });
  const rng = new Rng(3);
  images = Float32Array.from({ length: COUNT * 3 * S * S }, () => rng.next());
  labels = Int32Array.from({ length: COUNT }, (_, i) => i % 3);
});

describe('colour, three scales', () => {
  it('the backward pass training uses equals the autodiff tape, and is finite', () => {
    const params = createParams(initialWeights(config));
    try {
      const tape = {} as Record<ParamName, Float32Array>;
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const episode = runEpisode(params, config, { images, count: COUNT }, { mode: 'sampled', rng: new Rng(7) });
          const l = episodeLosses(episode, labels, config);
          return tf.addN([l.crossEntropy, l.reinforce, l.baseline]) as tf.Scalar;
        }, PARAM_NAMES.map((n) => params[n]));
        for (const name of PARAM_NAMES) tape[name] = grads[params[name].name]!.dataSync() as Float32Array;
      });
      const part = computeGradientsByHand(params, config, images, labels, new Rng(7));
      expect(Number.isFinite(part.loss)).toBe(true);
      PARAM_NAMES.forEach((name, i) => {
        const g = part.grads[i]!;
        const byHand = g instanceof tf.Tensor ? (g.dataSync() as Float32Array) : g;
        if (g instanceof tf.Tensor) g.dispose();
        expect(byHand.every(Number.isFinite), name).toBe(true);
        const scale = Math.max(...Array.from(tape[name], Math.abs), 1e-6);
        const worst = Math.max(...Array.from(tape[name], (x, k) => Math.abs(x - byHand[k]!)));
        expect(worst / scale, name).toBeLessThan(1e-4);
      });
      // The patch layer takes 3 scales x 3 channels x 4 x 4 inputs, and every row gets a gradient.
      expect(params.glimpsePatchW.shape).toEqual([3 * 3 * 16, 8]);
      const rows = tape.glimpsePatchW;
      for (let r = 0; r < 144; r++) expect(rows.subarray(r * 8, r * 8 + 8).some((v) => v !== 0), `row ${r}`).toBe(true);
    } finally {
      disposeParams(params);
    }
  });
});
