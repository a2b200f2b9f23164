/**
 * Training and evaluation on real WebGPU (Dawn on Vulkan; SwiftShader's software adapter here),
 * against wasm for the same weights: the loss and every gradient of a step, a short training
 * that learns, no leaked tensors, and the same predictions and traces. Slow on a software
 * adapter, so small.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, type RamConfig } from '../../src-main/core/config';
import { computeGradientsByHand } from '../../src-main/core/backprop';
import { deviceLosses, drawEpisodeNoise, runEpisodeOnDevice } from '../../src-main/core/device-episode';
import { createParams, disposeParams, initialWeights, PARAM_NAMES, type PlainTensors } from '../../src-main/core/params';
import { Ram } from '../../src-main/core/ram';
import { clipByGlobalNorm } from '../../src-main/core/adam';
import { Rng } from '../../src-main/core/rng';
import { loadBundledMnist } from '../../src-main/data/dataset-files';
import { selectBackend } from '../../src-main/trainer/backend';
import { haveSwiftShader, swiftShaderEnv } from '../helpers/webgpu-env';

const COUNT = 32;
let config: RamConfig;
let weights: PlainTensors;
let images: Float32Array;
let labels: Int32Array;

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]!));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst / scale;
}

describe.skipIf(!haveSwiftShader)('WebGPU against wasm', () => {
  beforeAll(async () => {
    Object.assign(process.env, swiftShaderEnv());
    // Translated-like: 3 scales, so every part of the device retina is in the step.
    config = validateConfig({
      task: 'translated', imageSize: 28, glimpses: 4, glimpseSize: 6, scales: 3, unitPixels: 10, locationStd: 0.15, firstLocation: 'random',
      glimpseHidden: 32, locationHidden: 32, glimpseFeatures: 64, coreHidden: 64, batchSize: COUNT, learningRate: 3e-3,
    });
    weights = initialWeights(config, 5);
    const { train } = await loadBundledMnist();
    images = new Float32Array(COUNT * 784);
    for (let i = 0; i < COUNT * 784; i++) images[i] = train.images[i]! / 255;
    labels = Int32Array.from(train.labels.subarray(0, COUNT));
  }, 60_000);
  afterAll(async () => {
    await selectBackend('cpu');
  });

  it('a training step: the loss terms and every gradient equal wasm\'s within 1e-3 relative', async () => {
    await selectBackend('wasm');
    const wasmParams = createParams(weights);
    const part = computeGradientsByHand(wasmParams, config, images, labels, new Rng(9));
    const reference = part.grads.map((g) => (g instanceof tf.Tensor ? (g.dataSync() as Float32Array) : g));
    for (const g of part.grads) if (g instanceof tf.Tensor) g.dispose();
    disposeParams(wasmParams);

    expect((await selectBackend('webgpu')).name).toBe('webgpu');
    const params = createParams(weights);
    const vars = PARAM_NAMES.map((n) => params[n]);
    const { grads, stats } = tf.tidy(() => {
      const noise = drawEpisodeNoise(config, COUNT, 'sampled', new Rng(9));
      const x = tf.tensor2d(images, [COUNT, 784]);
      const y = tf.tensor1d(labels, 'int32');
      let s: tf.Tensor | undefined;
      const { grads: g } = tf.variableGrads(() => {
        const l = deviceLosses(runEpisodeOnDevice(params, config, x, noise, { mode: 'sampled' }), y, config);
        s = tf.keep(l.stats);
        return l.total;
      }, vars);
      return { grads: PARAM_NAMES.map((n) => g[params[n].name]!), stats: s! };
    });
    const [loss, crossEntropy, reinforce, baselineLoss, reward] = Array.from(await stats.data());
    expect(Math.abs(loss! - part.loss) / Math.abs(part.loss)).toBeLessThan(1e-3);
    expect(Math.abs(crossEntropy! - part.crossEntropy) / part.crossEntropy).toBeLessThan(1e-3);
    expect(Math.abs(reinforce! - part.reinforce)).toBeLessThan(1e-3 * Math.max(1, Math.abs(part.reinforce)));
    expect(Math.abs(baselineLoss! - part.baselineLoss) / part.baselineLoss).toBeLessThan(1e-3);
    expect(reward).toBeCloseTo(part.reward, 6);
    for (const [i, g] of grads.entries()) expect(maxRelDiff(reference[i]!, await g.data()), PARAM_NAMES[i]).toBeLessThan(1e-3);
    tf.dispose([...grads, stats]);
    disposeParams(params);
  }, 300_000);

  it('the global gradient norm of 14 tensors is right (tfjs-webgpu\'s AddN is not, past a few inputs)', async () => {
    await selectBackend('webgpu');
    const arrays = Array.from({ length: 14 }, (_, k) => Float32Array.from({ length: 10 + 7 * k }, (_, i) => Math.sin(i * 0.37 + k)));
    const want = Math.sqrt(arrays.reduce((acc, a) => acc + a.reduce((x, v) => x + v * v, 0), 0));
    const { clipped, norm } = tf.tidy(() => clipByGlobalNorm(arrays.map((a) => tf.tensor1d(a)), 5));
    expect((await norm.data())[0]).toBeCloseTo(want, 3);
    // Clipped to 5 in all.
    let total = 0;
    for (const c of clipped) total += Array.from(await c.data()).reduce((x: number, v: number) => x + v * v, 0);
    expect(Math.sqrt(total)).toBeCloseTo(5, 3);
    tf.dispose([...clipped, norm]);
  });

  it('trains: 12 steps lower the cross-entropy, with no tensor left behind', async () => {
    await selectBackend('webgpu');
    const ram = new Ram(config, weights, new Rng(2));
    // What a checkpoint saves, read back in one go: exactly the weights it started from.
    const state = await ram.readStateAsync();
    for (const name of PARAM_NAMES) expect(Array.from(state.weights[name]!.data), name).toEqual(Array.from(weights[name]!.data));
    const before = tf.memory().numTensors;
    const ce: number[] = [];
    for (let step = 0; step < 12; step++) ce.push((await ram.trainBatchAsync(images, labels)).crossEntropy);
    expect(tf.memory().numTensors).toBe(before);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // The same 32 digits every step: the classifier fits them.
    expect(mean(ce.slice(-3))).toBeLessThan(mean(ce.slice(0, 3)) - 0.2);
    await ram.predictAsync(images, COUNT, 'sampled', 2);
    expect(tf.memory().numTensors).toBe(before);
    ram.dispose();
  }, 300_000);

  it('evaluation and traces give the same predictions and places as wasm for the same weights', async () => {
    await selectBackend('wasm');
    const onWasm = new Ram(config, weights);
    const wasmMean = onWasm.predict(images, COUNT, 'mean');
    const wasmSampled = onWasm.predict(images, COUNT, 'sampled', 3);
    const meta = [0, 1].map((index) => ({ index, label: labels[index]!, pixels: new Uint8Array(784) }));
    const wasmTraces = onWasm.trace(images.subarray(0, 2 * 784), meta, 'mean');
    onWasm.dispose();

    await selectBackend('webgpu');
    const onGpu = new Ram(config, weights);
    const gpuMean = await onGpu.predictAsync(images, COUNT, 'mean');
    const gpuSampled = await onGpu.predictAsync(images, COUNT, 'sampled', 3);
    const gpuTraces = await onGpu.traceAsync(images.subarray(0, 2 * 784), meta, 'mean');
    onGpu.dispose();

    expect(maxRelDiff(wasmMean, gpuMean)).toBeLessThan(1e-4);
    expect(maxRelDiff(wasmSampled, gpuSampled)).toBeLessThan(1e-4);
    const argmax = (p: Float32Array, n: number) => Array.from({ length: COUNT }, (_, r) => p.subarray(r * n, (r + 1) * n).indexOf(Math.max(...p.subarray(r * n, (r + 1) * n))));
    expect(argmax(gpuMean, 10)).toEqual(argmax(wasmMean, 10));
    gpuTraces.forEach((t, i) => {
      expect(t.prediction).toBe(wasmTraces[i]!.prediction);
      t.steps.forEach((s, k) => {
        expect(s.loc[0]).toBeCloseTo(wasmTraces[i]!.steps[k]!.loc[0], 4);
        expect(s.boxes).toEqual(wasmTraces[i]!.steps[k]!.boxes);
      });
    });
  }, 300_000);
});
