/**
 * Which loss term trains which network. The hybrid loss of Mnih et al. 2014 is only right if:
 * cross-entropy trains glimpse + core + action (never the policy or the baseline), REINFORCE trains
 * the location network only (the advantage is a constant and the sampled location carries no
 * gradient), and the baseline's regression trains the baseline only. Checked on a real Ram
 * episode over real MNIST digits, one loss term at a time.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetConfig, validateConfig, type RamConfig } from '../../src-main/core/config';
import { episodeLosses, type EpisodeLosses } from '../../src-main/core/losses';
import { runEpisode, type Episode } from '../../src-main/core/model';
import { createParams, disposeParams, initialWeights, PARAM_NAMES, PARAM_NETWORK, type ParamName, type RamParams } from '../../src-main/core/params';
import { Rng } from '../../src-main/core/rng';
import { computeGradientsByHand } from '../../src-main/core/backprop';
import { loadBundledMnist } from '../../src-main/data/dataset-files';

type Term = 'crossEntropy' | 'reinforce' | 'baseline';
type Network = (typeof PARAM_NETWORK)[ParamName];

const COUNT = 16;
let config: RamConfig;
let images: Float32Array;
let labels: Int32Array;

beforeAll(async () => {
  await tf.setBackend('cpu');
  config = presetConfig('centered', { glimpseHidden: 8, locationHidden: 8, glimpseFeatures: 16, coreHidden: 16, glimpses: 3, batchSize: COUNT });
  const { train } = await loadBundledMnist();
  images = new Float32Array(COUNT * 784);
  for (let i = 0; i < images.length; i++) images[i] = train.images[i] / 255;
  labels = Int32Array.from(train.labels.subarray(0, COUNT));
});

interface Routing {
  /** sum |grad| per parameter; 0 when the parameter got no gradient at all. */
  mass: Record<ParamName, number>;
  losses: { reward: Float32Array; advantages: number[]; value: number };
}

/** Gradients of one loss term w.r.t. all 14 parameters, on the same (seeded) episode. */
function routing(params: RamParams, term: Term, policyIntoCore: boolean): Routing {
  const vars = PARAM_NAMES.map((n) => params[n]);
  let reward: Float32Array = new Float32Array(0);
  let advantages: number[] = [];
  const mass = {} as Record<ParamName, number>;
  let value = 0;
  tf.tidy(() => {
    const { value: v, grads } = tf.variableGrads(() => {
      const episode = runEpisode(params, config, { images, count: COUNT }, { mode: 'sampled', rng: new Rng(7), policyIntoCore });
      const losses: EpisodeLosses = episodeLosses(episode, labels, config);
      reward = losses.reward;
      advantages = episode.baselines.flatMap((b) => Array.from(b.dataSync(), (x, i) => reward[i] - x));
      return losses[term];
    }, vars);
    value = v.dataSync()[0];
    for (const name of PARAM_NAMES) {
      const g = grads[params[name].name];
      mass[name] = g ? tf.sum(tf.abs(g)).dataSync()[0] : 0;
    }
  });
  return { mass, losses: { reward, advantages, value } };
}

function networksOf(mass: Record<ParamName, number>, pred: (m: number) => boolean): Set<Network> {
  return new Set(PARAM_NAMES.filter((n) => pred(mass[n])).map((n) => PARAM_NETWORK[n]));
}

function expectRouting(r: Routing, reaches: Network[]): void {
  for (const name of PARAM_NAMES) {
    const net = PARAM_NETWORK[name];
    if (reaches.includes(net)) expect(r.mass[name], `${name} (${net}) should get a gradient`).toBeGreaterThan(1e-8);
    else expect(r.mass[name], `${name} (${net}) should get no gradient`).toBe(0);
  }
}

describe('gradient routing on a real Ram episode (MNIST, 3 glimpses)', () => {
  let params: RamParams;
  beforeAll(() => {
    params = createParams(initialWeights(config));
  });

  it('covers all 14 parameters of the 5 networks', () => {
    expect(PARAM_NAMES.length).toBe(14);
    expect(new Set(Object.values(PARAM_NETWORK))).toEqual(new Set(['glimpse', 'core', 'location', 'baseline', 'action']));
  });

  it('the episode is not degenerate: mixed rewards, non-zero advantages', () => {
    const r = routing(params, 'reinforce', false);
    // Untrained, some predictions are still right by chance and most are wrong; either way the
    // advantage R - b must be non-zero or REINFORCE would have nothing to push.
    expect(r.losses.reward.length).toBe(COUNT);
    expect(r.losses.advantages.length).toBe(COUNT * (config.glimpses - 1));
    expect(r.losses.advantages.filter((a) => Math.abs(a) > 1e-3).length).toBeGreaterThan(COUNT);
    expect(r.losses.value).not.toBe(0);
  });

  it('cross-entropy trains glimpse, core and action; never location or baseline', () => {
    const r = routing(params, 'crossEntropy', false);
    expectRouting(r, ['glimpse', 'core', 'action']);
    // In particular the location layer of the glimpse network learns, though the locations it
    // reads are sampled: they are inputs, not a path back to the location network.
    expect(r.mass.glimpseLocW).toBeGreaterThan(1e-8);
    expect(r.mass.locationW).toBe(0);
    expect(r.mass.locationB).toBe(0);
  });

  it('REINFORCE trains the location network only', () => {
    const r = routing(params, 'reinforce', false);
    expectRouting(r, ['location']);
    expect(networksOf(r.mass, (m) => m > 0)).toEqual(new Set(['location']));
  });

  it('the baseline loss trains the baseline only', () => {
    const r = routing(params, 'baseline', false);
    expectRouting(r, ['baseline']);
  });

  it('with reinforceIntoCore, REINFORCE and the baseline reach the core (and through it the glimpse net)', () => {
    const intoCore = validateConfig({ ...config, reinforceIntoCore: true });
    expect(intoCore.reinforceIntoCore).toBe(true);
    const rf = routing(params, 'reinforce', true);
    expectRouting(rf, ['location', 'core', 'glimpse']);
    const bl = routing(params, 'baseline', true);
    expectRouting(bl, ['baseline', 'core', 'glimpse']);
    // cross-entropy is unchanged by the switch
    const ce = routing(params, 'crossEntropy', true);
    expectRouting(ce, ['glimpse', 'core', 'action']);
  });

  it('the same episode gives the same gradients (the seeded location noise repeats)', () => {
    const a = routing(params, 'reinforce', false);
    const b = routing(params, 'reinforce', false);
    expect(b.mass.locationW).toBe(a.mass.locationW);
    expect(b.losses.value).toBe(a.losses.value);
  });

  it('leaves no tensors behind', () => {
    routing(params, 'crossEntropy', false);
    const before = tf.memory().numTensors;
    routing(params, 'reinforce', false);
    routing(params, 'baseline', true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cleans up', () => {
    disposeParams(params);
  });
});

describe('the hand-written backward pass that training uses routes the same way', () => {
  let params: RamParams;
  beforeAll(() => {
    params = createParams(initialWeights(config));
  });

  /** Gradients per parameter (PARAM_NAMES order) as plain arrays, on the same seeded episode. */
  function hand(cfg: RamConfig): { grads: Record<ParamName, Float32Array>; reinforce: number } {
    const part = computeGradientsByHand(params, cfg, images, labels, new Rng(7));
    const grads = {} as Record<ParamName, Float32Array>;
    PARAM_NAMES.forEach((name, i) => {
      const g = part.grads[i];
      grads[name] = g instanceof tf.Tensor ? (g.dataSync() as Float32Array) : g;
      if (g instanceof tf.Tensor) g.dispose();
    });
    return { grads, reinforce: part.reinforce };
  }
  const absSum = (a: Float32Array) => a.reduce((s, x) => s + Math.abs(x), 0);

  it('matches the autodiff tape on the total loss', () => {
    const tape = {} as Record<ParamName, Float32Array>;
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const episode = runEpisode(params, config, { images, count: COUNT }, { mode: 'sampled', rng: new Rng(7) });
        const l = episodeLosses(episode, labels, config);
        return tf.addN([l.crossEntropy, l.reinforce, l.baseline]) as tf.Scalar;
      }, PARAM_NAMES.map((n) => params[n]));
      for (const name of PARAM_NAMES) tape[name] = grads[params[name].name].dataSync() as Float32Array;
    });
    const byHand = hand(config).grads;
    for (const name of PARAM_NAMES) {
      const scale = Math.max(...Array.from(tape[name], Math.abs), 1e-6);
      const worst = Math.max(...Array.from(tape[name], (x, i) => Math.abs(x - byHand[name][i])));
      expect(worst / scale, name).toBeLessThan(1e-4);
    }
  });

  it('REINFORCE reaches only the location network; cross-entropy and baseline never reach it', () => {
    const withRf = hand(config);
    const noRf = hand(validateConfig({ ...config, reinforceWeight: 0 }));
    expect(withRf.reinforce).not.toBe(0);
    for (const name of PARAM_NAMES) {
      if (PARAM_NETWORK[name] === 'location') {
        expect(absSum(withRf.grads[name]), name).toBeGreaterThan(1e-8);
        // without REINFORCE nothing else trains the location network
        expect(absSum(noRf.grads[name]), name).toBe(0);
      } else {
        // switching REINFORCE off changes nothing outside the location network
        expect(Array.from(noRf.grads[name]), name).toEqual(Array.from(withRf.grads[name]));
      }
    }
    // the baseline is trained (by its own regression) either way
    expect(absSum(noRf.grads.baselineW)).toBeGreaterThan(1e-8);
  });

  it('reinforceIntoCore sends the policy and baseline gradients into the core, never the action net', () => {
    const off = hand(config).grads;
    const on = hand(validateConfig({ ...config, reinforceIntoCore: true })).grads;
    for (const name of PARAM_NAMES) {
      const net = PARAM_NETWORK[name];
      if (net === 'core' || net === 'glimpse') {
        const diff = Array.from(on[name], (x, i) => Math.abs(x - off[name][i])).reduce((a, b) => a + b, 0);
        expect(diff, name).toBeGreaterThan(1e-9);
      } else {
        expect(Array.from(on[name]), name).toEqual(Array.from(off[name]));
      }
    }
  });

  it('cleans up', () => {
    disposeParams(params);
  });
});

describe('episodeLosses on a hand-built episode', () => {
  // 2 images, 3 classes, 3 glimpses (2 location decisions), locationStd 0.5 -> 1/(2 sigma^2) = 2.
  const cfg = validateConfig({ classes: 3, locationStd: 0.5, glimpses: 3 });
  const handLabels = Int32Array.from([0, 1]);

  function build(vars: { logits: tf.Tensor; m0: tf.Tensor; m1: tf.Tensor; b0: tf.Tensor; b1: tf.Tensor }): Episode {
    return {
      // row 0 predicts class 0 (label 0: reward 1); row 1 predicts class 0 (label 1: reward 0)
      logits: vars.logits as tf.Tensor2D,
      means: [vars.m0 as tf.Tensor2D, vars.m1 as tf.Tensor2D],
      baselines: [vars.b0 as tf.Tensor2D, vars.b1 as tf.Tensor2D],
      locations: [
        Float32Array.from([0, 0, 0, 0]), // the first glimpse: not a decision, unused by the loss
        Float32Array.from([0.5, 0, 0.5, 1]), // chosen by decision 0
        Float32Array.from([0.1, 0.8, 1, -1]), // chosen by decision 1
      ],
    };
  }

  it('matches hand-computed cross-entropy, REINFORCE, baseline values and their gradients', () => {
    const v = {
      logits: tf.variable(tf.tensor2d([[1, 0, 0], [2, 0, 0]])),
      m0: tf.variable(tf.tensor2d([[0, 0], [0.5, 0.5]])),
      m1: tf.variable(tf.tensor2d([[0.1, -0.2], [0, 0]])),
      b0: tf.variable(tf.tensor2d([[0.25], [0.5]])),
      b1: tf.variable(tf.tensor2d([[0.5], [0.5]])),
    };
    const losses = episodeLosses(build(v), handLabels, cfg);

    // reward: argmax [1,0,0] = 0 = label 0 -> 1; argmax [2,0,0] = 0 != label 1 -> 0
    expect(Array.from(losses.reward)).toEqual([1, 0]);
    // cross-entropy: row 0: -log softmax_0 = ln(e + 2) - 1 = 1.5514447 - 1 = 0.5514447
    //                row 1: -log softmax_1 = ln(e^2 + 2) - 0 = ln(9.3890561) = 2.2395448
    //                mean = (0.5514447 + 2.2395448) / 2 = 1.3954947
    expect(losses.crossEntropy.dataSync()[0]).toBeCloseTo(1.3954947, 5);
    // REINFORCE, term = sum_i (R_i - b_i) * |l_i - mu_i|^2 * 2 / 2 (1/(2 sigma^2) = 2, count = 2):
    //   decision 0: advantages 1 - 0.25 = 0.75, 0 - 0.5 = -0.5;
    //               |l - mu|^2: (0.5,0)-(0,0) -> 0.25; (0.5,1)-(0.5,0.5) -> 0.25
    //               0.75*0.25 - 0.5*0.25 = 0.0625
    //   decision 1: advantages 1 - 0.5 = 0.5, 0 - 0.5 = -0.5;
    //               |l - mu|^2: (0.1,0.8)-(0.1,-0.2) -> 1.0; (1,-1)-(0,0) -> 2.0
    //               0.5*1 - 0.5*2 = -0.5
    //   total 0.0625 - 0.5 = -0.4375
    expect(losses.reinforce.dataSync()[0]).toBeCloseTo(-0.4375, 6);
    // baseline: [(0.25-1)^2 + (0.5-0)^2 + (0.5-1)^2 + (0.5-0)^2] / (2 images * 2 decisions)
    //         = (0.5625 + 0.25 + 0.25 + 0.25) / 4 = 0.328125
    expect(losses.baseline.dataSync()[0]).toBeCloseTo(0.328125, 6);
    // mean baseline estimate: (0.25 + 0.5 + 0.5 + 0.5) / 4 = 0.4375
    expect(losses.baselineMean).toBeCloseTo(0.4375, 6);

    const all = [v.logits, v.m0, v.m1, v.b0, v.b1];
    const grad = (term: Term) => tf.variableGrads(() => episodeLosses(build(v), handLabels, cfg)[term], all).grads;
    const arr = (t: tf.Tensor | undefined) => (t ? Array.from(t.dataSync()) : undefined);

    // d CE / d logits = (softmax - onehot) / 2:
    //   row 0: softmax [e, 1, 1]/(e+2) = [0.5761169, 0.2119416, 0.2119416] -> [-0.2119416, 0.1059708, 0.1059708]
    //   row 1: softmax [e^2, 1, 1]/(e^2+2) = [0.7869860, 0.1065070, 0.1065070] -> [0.3934930, -0.4467465, 0.0532535]
    const ce = grad('crossEntropy');
    arr(ce[v.logits.name])!.forEach((g, i) =>
      expect(g).toBeCloseTo([-0.2119416, 0.1059708, 0.1059708, 0.393493, -0.4467465, 0.0532535][i], 5),
    );
    expect(ce[v.m0.name]).toBeUndefined();
    expect(ce[v.b0.name]).toBeUndefined();

    // d REINFORCE / d mu = -2 (l - mu) * advantage * 2 / 2 = -2 (l - mu) * advantage
    //   decision 0: row 0: -2 (0.5, 0) * 0.75 = (-0.75, 0); row 1: -2 (0, 0.5) * -0.5 = (0, 0.5)
    //   decision 1: row 0: -2 (0, 1) * 0.5 = (0, -1);     row 1: -2 (1, -1) * -0.5 = (1, -1)
    const rf = grad('reinforce');
    arr(rf[v.m0.name])!.forEach((g, i) => expect(g).toBeCloseTo([-0.75, 0, 0, 0.5][i], 5));
    arr(rf[v.m1.name])!.forEach((g, i) => expect(g).toBeCloseTo([0, -1, 1, -1][i], 5));
    // The advantage is a constant: REINFORCE never trains the baseline, nor the classifier.
    expect(rf[v.b0.name]).toBeUndefined();
    expect(rf[v.b1.name]).toBeUndefined();
    expect(rf[v.logits.name]).toBeUndefined();

    // d baseline / d b = 2 (b - R) / 4 = (b - R) / 2:
    //   decision 0: (0.25 - 1)/2 = -0.375, (0.5 - 0)/2 = 0.25; decision 1: -0.25, 0.25
    const bl = grad('baseline');
    arr(bl[v.b0.name])!.forEach((g, i) => expect(g).toBeCloseTo([-0.375, 0.25][i], 6));
    arr(bl[v.b1.name])!.forEach((g, i) => expect(g).toBeCloseTo([-0.25, 0.25][i], 6));
    expect(bl[v.m0.name]).toBeUndefined();
    expect(bl[v.logits.name]).toBeUndefined();
    tf.dispose(all);
  });

  it('with no decisions (1 glimpse) REINFORCE and baseline are 0', () => {
    const one = validateConfig({ classes: 3, locationStd: 0.5, glimpses: 1 });
    const losses = episodeLosses(
      { logits: tf.tensor2d([[0, 0, 5]]), means: [], baselines: [], locations: [new Float32Array(2)] },
      Int32Array.from([2]),
      one,
    );
    expect(Array.from(losses.reward)).toEqual([1]);
    expect(losses.reinforce.dataSync()[0]).toBe(0);
    expect(losses.baseline.dataSync()[0]).toBe(0);
    expect(losses.baselineMean).toBe(0);
    // -log softmax_2 of [0,0,5] = ln(2 + e^5) - 5 = ln(150.4131591) - 5 = 0.0133857
    expect(losses.crossEntropy.dataSync()[0]).toBeCloseTo(0.0133857, 5);
  });
});
