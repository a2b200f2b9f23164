/**
 * The device retina on real WebGPU (Dawn on Vulkan, SwiftShader's software adapter here): the same
 * values as the typed-array retina, at every scale and at the image borders, grey and colour.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractGlimpsesTensor } from '../../src-main/core/device-retina';
import { extractGlimpses, integralImages, retinaLength, type RetinaSpec } from '../../src-main/core/retina';
import { Rng } from '../../src-main/core/rng';
import { selectBackend } from '../../src-main/trainer/backend';
import { haveSwiftShader, swiftShaderEnv } from '../helpers/webgpu-env';

describe.skipIf(!haveSwiftShader)('the device retina on WebGPU', () => {
  beforeAll(async () => {
    Object.assign(process.env, swiftShaderEnv());
    expect((await selectBackend('webgpu')).name).toBe('webgpu');
  }, 60_000);
  afterAll(async () => {
    await selectBackend('cpu');
  });

  async function both(spec: RetinaSpec, count: number, seed: number, locScale = 1): Promise<{ device: Float32Array; cpu: Float32Array }> {
    const rng = new Rng(seed);
    const images = Float32Array.from({ length: count * spec.channels * spec.imageSize ** 2 }, () => rng.next());
    const locs = Float32Array.from({ length: count * 2 }, () => (rng.next() * 2 - 1) * locScale);
    const cpu = extractGlimpses(spec, images, integralImages(images, count * spec.channels, spec.imageSize), count, locs, new Float32Array(count * retinaLength(spec)));
    const out = tf.tidy(() => extractGlimpsesTensor(spec, tf.tensor2d(images, [count, images.length / count]), tf.tensor2d(locs, [count, 2])));
    const device = (await out.data()) as Float32Array;
    out.dispose();
    return { device, cpu };
  }

  it.each([
    [{ imageSize: 28, channels: 1, glimpseSize: 8, scales: 1, unitPixels: 12 }],
    [{ imageSize: 60, channels: 1, glimpseSize: 12, scales: 3, unitPixels: 26 }],
    [{ imageSize: 100, channels: 1, glimpseSize: 12, scales: 4, unitPixels: 46 }],
    [{ imageSize: 20, channels: 3, glimpseSize: 4, scales: 3, unitPixels: 9 }],
  ] as RetinaSpec[][])('%o: equals the CPU retina within 1e-6 on random images, windows crossing every border', async (spec) => {
    const { device, cpu } = await both(spec, 9, spec.imageSize);
    expect(device.length).toBe(cpu.length);
    let worst = 0;
    for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(device[i]! - cpu[i]!));
    expect(worst).toBeLessThanOrEqual(1e-6);
  }, 60_000);

  it('gives the hand-computed centre glimpse of a 6x6 ramp (0.14, 0.15, 0.2, 0.21 | 0.105, 0.125, 0.225, 0.245)', async () => {
    const spec: RetinaSpec = { imageSize: 6, channels: 1, glimpseSize: 2, scales: 2, unitPixels: 2 };
    const ramp = Float32Array.from({ length: 36 }, (_, i) => i / 100);
    const out = tf.tidy(() => extractGlimpsesTensor(spec, tf.tensor2d(ramp, [1, 36]), tf.tensor2d([0, 0], [1, 2])));
    const values = Array.from(await out.data());
    out.dispose();
    [0.14, 0.15, 0.2, 0.21, 0.105, 0.125, 0.225, 0.245].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 6));
  });
});
