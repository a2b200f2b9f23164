/**
 * The device episode (tensors only, no reads) against the CPU one: for the same weights, images
 * and random generators it looks at the same places, and the tape over its hybrid loss gives the
 * hand-written backward pass's loss terms and gradients. Runs on tfjs 'cpu'; the same checks hold
 * on WebGPU.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, type RamConfig } from '../../src-main/core/config';
import { computeGradientsByHand } from '../../src-main/core/backprop';
import { deviceLosses, drawEpisodeNoise, runEpisodeOnDevice, stopGradient } from '../../src-main/core/device-episode';
import { runEpisode, type LocationMode } from '../../src-main/core/model';
import { createParams, disposeParams, initialWeights, PARAM_NAMES, type RamParams } from '../../src-main/core/params';
import { drawRng, Rng } from '../../src-main/core/rng';

const COUNT = 8;

interface Case {
  name: string;
  config: RamConfig;
  images: Float32Array;
  labels: Int32Array;
}
const cases: Case[] = [];

function makeCase(name: string, overrides: Record<string, unknown>): Case {
  const config = validateConfig({
    task: 'translated', glimpses: 4, glimpseSize: 4, classes: 3,
    glimpseHidden: 8, locationHidden: 8, glimpseFeatures: 12, coreHidden: 12, batchSize: COUNT,
    ...overrides,
  });
  const S = config.imageSize as number;
  const rng = new Rng(3);
  const images = Float32Array.from({ length: COUNT * config.channels * S * S }, () => rng.next());
  const labels = Int32Array.from({ length: COUNT }, (_, i) => i % 3);
  return { name, config, images, labels };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  // A large locationStd so that sampled locations reach the clip at the image's edge.
  cases.push(makeCase('grey, one scale', { imageSize: 20, channels: 1, scales: 1, unitPixels: 7, locationStd: 0.4 }));
  cases.push(makeCase('colour, three scales', { imageSize: 16, channels: 3, scales: 3, unitPixels: 6, locationStd: 0.15 }));
});

function withParams<T>(config: RamConfig, f: (params: RamParams) => T): T {
  const params = createParams(initialWeights(config, 11));
  try {
    return f(params);
  } finally {
    disposeParams(params);
  }
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst / scale;
}

function closeRel(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), 1e-3);
}

describe('the device episode takes the CPU episode\'s locations', () => {
  const modes: LocationMode[] = ['sampled', 'mean'];
  const firsts = ['random', 'center'] as const;
  const rngKinds = ['one Rng', 'one Rng per row'] as const;
  const makeRng = (kind: (typeof rngKinds)[number]) =>
    kind === 'one Rng' ? new Rng(5) : Array.from({ length: COUNT }, (_, n) => drawRng(9, n, 0));

  for (const caseIndex of [0, 1]) {
    for (const mode of modes) {
      for (const firstLocation of firsts) {
        for (const kind of rngKinds) {
          it(`case ${caseIndex}, ${mode}, first ${firstLocation}, ${kind}`, () => {
            const base = cases[caseIndex];
            const config = { ...base.config, firstLocation };
            withParams(config, (params) => {
              tf.tidy(() => {
                const cpu = runEpisode(params, config, { images: base.images, count: COUNT }, { mode, rng: makeRng(kind) });
                const noise = drawEpisodeNoise(config, COUNT, mode, makeRng(kind));
                const imagesT = tf.tensor2d(base.images, [COUNT, base.images.length / COUNT]);
                const dev = runEpisodeOnDevice(params, config, imagesT, noise, { mode });
                expect(dev.locations.length).toBe(config.glimpses);
                expect(dev.means.length).toBe(config.glimpses - 1);
                let clipped = 0;
                let moved = 0;
                cpu.locations.forEach((loc, t) => {
                  const d = dev.locations[t].dataSync();
                  expect(d.length).toBe(COUNT * 2);
                  for (let i = 0; i < loc.length; i++) {
                    expect(Math.abs(d[i] - loc[i]), `t=${t} i=${i}`).toBeLessThan(1e-5);
                    if (Math.abs(loc[i]) === 1) clipped++;
                    if (loc[i] !== 0) moved++;
                  }
                });
                expect(moved).toBeGreaterThan(0);
                if (caseIndex === 0 && mode === 'sampled') expect(clipped).toBeGreaterThan(0);
                expect(maxRelDiff(cpu.logits.dataSync(), dev.logits.dataSync())).toBeLessThan(1e-5);
                cpu.baselines.forEach((b, t) => expect(maxRelDiff(b.dataSync(), dev.baselines[t].dataSync())).toBeLessThan(1e-5));
              });
            });
          });
        }
      }
    }
  }

  it('draws noise in runEpisode\'s order: first locations, then each decision\'s normals', () => {
    const config = { ...cases[0].config, firstLocation: 'random' as const };
    const noise = drawEpisodeNoise(config, 3, 'sampled', new Rng(4));
    const r = new Rng(4);
    const first = Array.from({ length: 6 }, () => r.next() * 2 - 1);
    const normals = Array.from({ length: 6 * (config.glimpses - 1) }, () => r.normal());
    expect(Array.from(noise.first)).toEqual(Array.from(Float32Array.from(first)));
    expect(Array.from(noise.normals)).toEqual(Array.from(Float32Array.from(normals)));
    expect(drawEpisodeNoise(config, 3, 'mean', new Rng(4)).normals.length).toBe(0);
    expect(Array.from(drawEpisodeNoise({ ...config, firstLocation: 'center' }, 3, 'sampled', new Rng(4)).first)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('stopGradient', () => {
  it('passes the value and no gradient', () => {
    tf.tidy(() => {
      const x = tf.variable(tf.tensor1d([1, 2, 3]));
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.add(tf.square(x), tf.mul(stopGradient(x), x))) as tf.Scalar, [x]);
      expect(value.dataSync()[0]).toBeCloseTo(28, 5);
      // d/dx (x^2 + c x) with c = x held constant: 2x + x = 3x
      expect(Array.from(grads[x.name]!.dataSync())).toEqual([3, 6, 9]);
      x.dispose();
    });
  });
});

describe('the device loss and its tape gradients equal the hand-written backward pass', () => {
  for (const caseIndex of [0, 1]) {
    for (const reinforceIntoCore of [false, true]) {
      for (const firstLocation of ['random', 'center'] as const) {
        it(`case ${caseIndex}, first ${firstLocation}${reinforceIntoCore ? ', REINFORCE into the core' : ''}`, () => {
          const base = cases[caseIndex];
          const config = { ...base.config, firstLocation, reinforceIntoCore, reinforceWeight: caseIndex === 1 ? 0.5 : 1 };
          withParams(config, (params) => {
            const vars = PARAM_NAMES.map((n) => params[n]);
            const part = computeGradientsByHand(params, config, base.images, base.labels, new Rng(7));
            const byHand = part.grads.map((g) => {
              const a = g instanceof tf.Tensor ? (g.dataSync() as Float32Array) : g;
              if (g instanceof tf.Tensor) g.dispose();
              return a;
            });
            tf.tidy(() => {
              const noise = drawEpisodeNoise(config, COUNT, 'sampled', new Rng(7));
              const imagesT = tf.tensor2d(base.images, [COUNT, base.images.length / COUNT]);
              const labelsT = tf.tensor1d(base.labels, 'int32');
              let stats: Float32Array = new Float32Array(0);
              let reward: Float32Array = new Float32Array(0);
              const { value, grads } = tf.variableGrads(() => {
                const episode = runEpisodeOnDevice(params, config, imagesT, noise, { mode: 'sampled', policyIntoCore: reinforceIntoCore });
                const l = deviceLosses(episode, labelsT, config);
                stats = l.stats.dataSync() as Float32Array;
                reward = l.reward.dataSync() as Float32Array;
                return l.total;
              }, vars);
              const [loss, crossEntropy, reinforce, baselineLoss, rewardMean, baselineMean] = Array.from(stats);
              expect(value.dataSync()[0]).toBeCloseTo(loss, 6);
              expect(closeRel(loss, part.loss, 1e-3), `loss ${loss} vs ${part.loss}`).toBe(true);
              expect(closeRel(crossEntropy, part.crossEntropy, 1e-3)).toBe(true);
              expect(closeRel(reinforce, part.reinforce, 1e-3), `reinforce ${reinforce} vs ${part.reinforce}`).toBe(true);
              expect(closeRel(baselineLoss, part.baselineLoss, 1e-3)).toBe(true);
              expect(rewardMean).toBeCloseTo(part.reward, 6);
              expect(closeRel(baselineMean, part.baseline, 1e-3)).toBe(true);
              expect(loss).toBeCloseTo(crossEntropy + config.reinforceWeight * reinforce + baselineLoss, 5);
              expect(reward.length).toBe(COUNT);
              PARAM_NAMES.forEach((name, i) => {
                const g = grads[params[name].name];
                expect(g, `${name} has a gradient`).toBeDefined();
                const tape = g!.dataSync() as Float32Array;
                expect(tape.every(Number.isFinite), name).toBe(true);
                expect(maxRelDiff(byHand[i], tape), name).toBeLessThan(1e-3);
              });
              // The policy and the baseline train; with the state held constant the core gets
              // nothing from them (checked by the equality above against the hand-written routing).
              const mass = (name: (typeof PARAM_NAMES)[number]) => tf.sum(tf.abs(grads[params[name].name]!)).dataSync()[0];
              expect(mass('locationW')).toBeGreaterThan(0);
              expect(mass('baselineW')).toBeGreaterThan(0);
            });
          });
        });
      }
    }
  }

  it('routes each loss term as the reference does: REINFORCE reaches only the location net unless it goes into the core', () => {
    const base = cases[0];
    for (const intoCore of [false, true]) {
      const config = { ...base.config, firstLocation: 'random' as const };
      withParams(config, (params) => {
        const vars = PARAM_NAMES.map((n) => params[n]);
        tf.tidy(() => {
          const noise = drawEpisodeNoise(config, COUNT, 'sampled', new Rng(7));
          const imagesT = tf.tensor2d(base.images, [COUNT, base.images.length / COUNT]);
          const labelsT = tf.tensor1d(base.labels, 'int32');
          for (const term of ['crossEntropy', 'reinforce', 'baseline'] as const) {
            const { grads } = tf.variableGrads(() => {
              const episode = runEpisodeOnDevice(params, config, imagesT, noise, { mode: 'sampled', policyIntoCore: intoCore });
              return deviceLosses(episode, labelsT, config)[term];
            }, vars);
            const reached = PARAM_NAMES.filter((n) => {
              const g = grads[params[n].name];
              return g !== undefined && tf.sum(tf.abs(g)).dataSync()[0] > 0;
            });
            const nets = new Set(reached.map((n) => n.replace(/[WB]$/, '')));
            const expected =
              term === 'crossEntropy'
                ? ['glimpsePatch', 'glimpseLoc', 'glimpseOut', 'core', 'action']
                : term === 'reinforce'
                  ? intoCore ? ['glimpsePatch', 'glimpseLoc', 'glimpseOut', 'core', 'location'] : ['location']
                  : intoCore ? ['glimpsePatch', 'glimpseLoc', 'glimpseOut', 'core', 'baseline'] : ['baseline'];
            expect([...nets].sort(), `${term}, intoCore ${intoCore}`).toEqual([...expected].sort());
          }
        });
      });
    }
  });
});
