import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, clipByGlobalNorm } from '../../src-main/core/adam';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Adam', () => {
  it('matches hand-computed updates for a scalar over two steps', () => {
    const x = tf.variable(tf.scalar(1));
    const adam = new Adam([x]); // beta1 0.9, beta2 0.999, eps 1e-8
    // Step 1, grad 0.5, lr 0.1:
    //   m = 0.1*0.5 = 0.05; v = 0.001*0.25 = 0.00025
    //   stepSize = 0.1 * sqrt(1 - 0.999) / (1 - 0.9) = 0.1 * 0.0316228 / 0.1 = 0.0316228
    //   x = 1 - 0.05 / (sqrt(0.00025) + 1e-8) * 0.0316228 = 1 - 3.16228 * 0.0316228 = 1 - 0.1 = 0.9
    adam.apply([tf.scalar(0.5)], 0.1);
    expect(x.dataSync()[0]).toBeCloseTo(0.9, 6);
    const s1 = adam.readState();
    expect(s1.step).toBe(1);
    expect(s1.tensors.m0.data[0]).toBeCloseTo(0.05, 7);
    expect(s1.tensors.v0.data[0]).toBeCloseTo(0.00025, 9);

    // Step 2, grad -1:
    //   m = 0.9*0.05 + 0.1*(-1) = -0.055; v = 0.999*0.00025 + 0.001*1 = 0.00124975
    //   stepSize = 0.1 * sqrt(1 - 0.999^2) / (1 - 0.9^2) = 0.1 * sqrt(0.001999) / 0.19 = 0.0235317
    //   sqrt(v) = 0.0353518; m / sqrt(v) = -1.555787; times stepSize = -0.0366104
    //   x = 0.9 + 0.0366104 = 0.9366104
    adam.apply([tf.scalar(-1)], 0.1);
    expect(x.dataSync()[0]).toBeCloseTo(0.9366104, 5);
    const s2 = adam.readState();
    expect(s2.step).toBe(2);
    expect(s2.tensors.m0.data[0]).toBeCloseTo(-0.055, 7);
    expect(s2.tensors.v0.data[0]).toBeCloseTo(0.00124975, 8);
    adam.dispose();
    x.dispose();
  });

  it('updates each element on its own and restores its state exactly', () => {
    const x = tf.variable(tf.tensor1d([1, 1]));
    const adam = new Adam([x]);
    // First step moves each element by about lr * sign(grad): 1 - 0.1 = 0.9, 1 + 0.1 = 1.1
    adam.apply([tf.tensor1d([3, -0.001])], 0.1);
    const after1 = Array.from(x.dataSync());
    expect(after1[0]).toBeCloseTo(0.9, 5);
    expect(after1[1]).toBeCloseTo(1.1, 3); // eps 1e-8 against sqrt(v) = 3.2e-5 costs 3e-4 of the step

    // A fresh optimizer loaded with the saved state continues identically.
    const saved = adam.readState();
    const y = tf.variable(tf.tensor1d(after1));
    const other = new Adam([y]);
    other.loadState(saved);
    adam.apply([tf.tensor1d([1, 2])], 0.05);
    other.apply([tf.tensor1d([1, 2])], 0.05);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(() => other.loadState({ step: 1, tensors: {} })).toThrow(/optimizer state m0 is missing or the wrong size/);
    adam.dispose();
    other.dispose();
    x.dispose();
    y.dispose();
  });

  it('does not leak tensors across steps', () => {
    const x = tf.variable(tf.zeros([4, 3]));
    const adam = new Adam([x]);
    const g = tf.ones([4, 3]);
    adam.apply([g], 0.01);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) adam.apply([g], 0.01);
    expect(tf.memory().numTensors).toBe(before);
    adam.dispose();
    x.dispose();
    g.dispose();
  });
});

describe('clipByGlobalNorm', () => {
  it('scales [3, 4] to norm 1: [0.6, 0.8], norm 5', () => {
    // global norm = sqrt(3^2 + 4^2) = 5; scale = 1/5
    const a = tf.tensor1d([3]);
    const b = tf.tensor2d([[4]]);
    const { clipped, norm } = clipByGlobalNorm([a, b], 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    expect(clipped[0].dataSync()[0]).toBeCloseTo(0.6, 6);
    expect(clipped[1].dataSync()[0]).toBeCloseTo(0.8, 6);
    expect(clipped[1].shape).toEqual([1, 1]);
  });

  it('leaves gradients under the limit alone and disables with 0', () => {
    const a = tf.tensor1d([3, 4]);
    const under = clipByGlobalNorm([a], 10);
    expect(Array.from(under.clipped[0].dataSync())).toEqual([3, 4]);
    expect(under.norm.dataSync()[0]).toBeCloseTo(5, 6);
    const off = clipByGlobalNorm([a], 0);
    expect(off.clipped[0]).toBe(a);
    expect(off.norm.dataSync()[0]).toBeCloseTo(5, 6);
  });
});
