/**
 * The tensor retina against the CPU one: every hand-computed case of retina.test.ts, random batches
 * over many specs, Math.round's halves-up, and no leaks. Runs on tfjs's 'cpu' backend here; the
 * same file runs on WebGPU by changing the backend.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractGlimpsesTensor } from '../../src-main/core/device-retina';
import { extractGlimpses, glimpseBoxes, integralImages, retinaLength, type RetinaSpec } from '../../src-main/core/retina';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** 6x6 images, 2x2 patches at 2 scales (2 px and 4 px windows), 2 px per location unit. */
const SPEC: RetinaSpec = { imageSize: 6, channels: 1, glimpseSize: 2, scales: 2, unitPixels: 2 };
const COLOUR: RetinaSpec = { ...SPEC, channels: 3 };

/** Image k of the batch: pixel (r, c) = (r*6 + c)/100 + k. */
function ramp(count: number): Float32Array {
  const out = new Float32Array(count * 36);
  for (let k = 0; k < count; k++) for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) out[k * 36 + r * 6 + c] = (r * 6 + c) / 100 + k;
  return out;
}

/** One 6x6 RGB image as three planes: R = ramp, G = ramp + 1, B = 10 - ramp. */
function rgb(): Float32Array {
  const r = ramp(1);
  const out = new Float32Array(3 * 36);
  for (let i = 0; i < 36; i++) {
    out[i] = r[i];
    out[36 + i] = r[i] + 1;
    out[72 + i] = 10 - r[i];
  }
  return out;
}

function cpuGlimpses(spec: RetinaSpec, images: Float32Array, count: number, locs: Float32Array): Float32Array {
  const sat = integralImages(images, count * spec.channels, spec.imageSize);
  return extractGlimpses(spec, images, sat, count, locs, new Float32Array(count * retinaLength(spec)));
}

function deviceGlimpses(spec: RetinaSpec, images: Float32Array, count: number, locs: Float32Array): Float32Array {
  const out = tf.tidy(() => {
    const img = tf.tensor2d(images, [count, spec.channels * spec.imageSize * spec.imageSize]);
    const loc = tf.tensor2d(locs, [count, 2]);
    const g = extractGlimpsesTensor(spec, img, loc);
    expect(g.shape).toEqual([count, retinaLength(spec)]);
    expect(g.dtype).toBe('float32');
    return g;
  });
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}

/** Largest |device - cpu| over the batch, per scale. */
function maxDiffPerScale(spec: RetinaSpec, images: Float32Array, count: number, locs: Float32Array): number[] {
  const cpu = cpuGlimpses(spec, images, count, locs);
  const dev = deviceGlimpses(spec, images, count, locs);
  expect(dev.length).toBe(cpu.length);
  const per = spec.channels * spec.glimpseSize * spec.glimpseSize;
  const diffs = new Array<number>(spec.scales).fill(0);
  for (let n = 0; n < count; n++)
    for (let s = 0; s < spec.scales; s++)
      for (let k = 0; k < per; k++) {
        const i = n * spec.scales * per + s * per + k;
        diffs[s] = Math.max(diffs[s], Math.abs(dev[i] - cpu[i]));
      }
  return diffs;
}

/** Same values as the CPU retina; 1e-6 absolute, relative for values above 1 (float32 sums of ~10). */
function expectSame(spec: RetinaSpec, images: Float32Array, count: number, locs: number[], expected?: number[]): void {
  const l = Float32Array.from(locs);
  const cpu = cpuGlimpses(spec, images, count, l);
  const dev = deviceGlimpses(spec, images, count, l);
  expect(dev.length).toBe(cpu.length);
  for (let i = 0; i < cpu.length; i++) {
    const tol = 1e-6 * Math.max(1, Math.abs(cpu[i]));
    expect(Math.abs(dev[i] - cpu[i]), `value ${i}: device ${dev[i]} cpu ${cpu[i]}`).toBeLessThanOrEqual(tol);
  }
  if (expected) expected.forEach((e, i) => expect(dev[i], `value ${i}`).toBeCloseTo(e, 5));
}

/** Deterministic uniform [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('extractGlimpsesTensor: the hand-computed cases of retina.test.ts', () => {
  it('grey, centre glimpse at (0,0), two scales', () => {
    expectSame(SPEC, ramp(1), 1, [0, 0], [0.14, 0.15, 0.2, 0.21, 0.105, 0.125, 0.225, 0.245]);
  });

  it('grey, window over the top-right border: outside pixels are zero, divided by the full block', () => {
    expectSame(SPEC, Float32Array.from(ramp(2).subarray(36)), 1, [1, -1], [1.04, 1.05, 1.1, 1.11, 0.5175, 0.2625, 1.125, 0.57]);
  });

  it('grey, a batch of three images at different locations (one sticking out of two edges)', () => {
    expectSame(SPEC, ramp(3), 3, [0, 0, 1, -1, 1.25, -1.5], [
      0.14, 0.15, 0.2, 0.21, 0.105, 0.125, 0.225, 0.245,
      1.04, 1.05, 1.1, 1.11, 0.5175, 0.2625, 1.125, 0.57,
      0, 0, 2.05, 0, 0, 0, 2.075, 0,
    ]);
  });

  it('grey, all zeros when the window lies wholly outside the image (location in [-1,1], large unitPixels)', () => {
    // centre 3 + 1*20 = 23 (and 3 - 0.9*20 = -15): far outside a 6 px image on every scale
    const far: RetinaSpec = { ...SPEC, unitPixels: 20 };
    expectSame(far, ramp(2), 2, [1, 0, -0.9, 0.95], new Array(16).fill(0));
    // and the CPU retina's own far-out case, location 10: the border clamp needs no padding for it
    expectSame(SPEC, ramp(1), 1, [10, 0], new Array(8).fill(0));
  });

  it('grey, naive crop-and-average case: 10x10, 3 scales of 3, unitPixels 4, |loc| up to 1.2', () => {
    const spec: RetinaSpec = { imageSize: 10, channels: 1, glimpseSize: 3, scales: 3, unitPixels: 4 };
    const images = new Float32Array(5 * 100);
    for (let i = 0; i < images.length; i++) images[i] = ((i * 7919) % 101) / 101;
    const locs: number[] = [];
    for (let n = 0; n < 5; n++) locs.push(Math.sin(n * 1.7) * 1.2, Math.cos(n * 2.3) * 1.2);
    expectSame(spec, images, 5, locs);
  });

  it('colour, each scale every channel in turn at the centre', () => {
    expectSame(COLOUR, rgb(), 1, [0, 0], [
      0.14, 0.15, 0.2, 0.21, 1.14, 1.15, 1.2, 1.21, 9.86, 9.85, 9.8, 9.79,
      0.105, 0.125, 0.225, 0.245, 1.105, 1.125, 1.225, 1.245, 9.895, 9.875, 9.775, 9.755,
    ]);
  });

  it('colour, zero-fill outside the image in every channel (off the top-right corner)', () => {
    expectSame(COLOUR, rgb(), 1, [1.25, -1.5], [
      0, 0, 0.05, 0, 0, 0, 1.05, 0, 0, 0, 9.95, 0,
      0, 0, (0.04 + 0.05 + 0.1 + 0.11) / 4, 0, 0, 0, (1.04 + 1.05 + 1.1 + 1.11) / 4, 0, 0, 0, (9.96 + 9.95 + 9.9 + 9.89) / 4, 0,
    ]);
  });

  it('colour, naive crop-and-average case: 9x9 RGB, 3 scales of 2, unitPixels 5, four images', () => {
    const spec: RetinaSpec = { imageSize: 9, channels: 3, glimpseSize: 2, scales: 3, unitPixels: 5 };
    const images = new Float32Array(4 * 3 * 81);
    for (let i = 0; i < images.length; i++) images[i] = ((i * 104729) % 97) / 97;
    const locs: number[] = [];
    for (let n = 0; n < 4; n++) locs.push(Math.sin(n * 2.1 + 0.3) * 1.1, Math.cos(n * 1.3) * 1.1);
    expectSame(spec, images, 4, locs);
  });
});

describe('extractGlimpsesTensor: random images and locations', () => {
  const specs: RetinaSpec[] = [
    { imageSize: 9, channels: 1, glimpseSize: 2, scales: 1, unitPixels: 6 },
    { imageSize: 9, channels: 3, glimpseSize: 2, scales: 4, unitPixels: 5 },
    { imageSize: 12, channels: 1, glimpseSize: 3, scales: 2, unitPixels: 7 },
    { imageSize: 16, channels: 3, glimpseSize: 5, scales: 3, unitPixels: 9 },
    { imageSize: 28, channels: 1, glimpseSize: 8, scales: 3, unitPixels: 12 },
    { imageSize: 32, channels: 3, glimpseSize: 7, scales: 2, unitPixels: 20 },
    { imageSize: 45, channels: 1, glimpseSize: 4, scales: 4, unitPixels: 30 },
    { imageSize: 60, channels: 1, glimpseSize: 12, scales: 3, unitPixels: 26 },
    { imageSize: 60, channels: 3, glimpseSize: 12, scales: 3, unitPixels: 40 },
  ];
  for (const spec of specs) {
    const { imageSize: S, channels: C, glimpseSize: g, scales, unitPixels: u } = spec;
    it(`S=${S} C=${C} g=${g} scales=${scales} unitPixels=${u}: batch of 7 within 1e-6 at every scale`, () => {
      const rand = rng(S * 1000 + C * 100 + g * 10 + scales);
      const count = 7;
      const images = new Float32Array(count * C * S * S);
      for (let i = 0; i < images.length; i++) images[i] = rand();
      // Five random locations in [-1, 1], plus the corners (-1,-1) and (1,1) so windows cross every border.
      const locs = new Float32Array(2 * count);
      for (let i = 0; i < 10; i++) locs[i] = rand() * 2 - 1;
      locs.set([-1, -1, 1, 1], 10);
      const diffs = maxDiffPerScale(spec, images, count, locs);
      diffs.forEach((d, s) => expect(d, `scale ${s}`).toBeLessThanOrEqual(1e-6));
      // The spec's windows really do leave the image somewhere in the batch (the widest at least).
      const widest = glimpseBoxes(spec, -1, -1)[scales - 1];
      expect(widest.x < 0 || widest.y < 0).toBe(true);
    });
  }
});

describe('extractGlimpsesTensor: rounding, dtype, memory', () => {
  it('rounds a corner at exactly a half up, as Math.round does (tf.round would give the even neighbour)', () => {
    const S = 6;
    // Three copies of an image whose pixel (r, c) = 6r + c + 1, so the corner can be read off.
    const images = new Float32Array(3 * 36);
    for (let i = 0; i < images.length; i++) images[i] = (i % 36) + 1;
    const px = (r: number, c: number) => (r >= 0 && r < S && c >= 0 && c < S ? 6 * r + c + 1 : 0);
    const spec: RetinaSpec = { ...SPEC, scales: 1 };
    // Scale 0 (size 2): corner = round(3 + 2*loc - 1).
    // image 0, loc (0.25, 0.25): 2.5 -> 3 (tf.round: 2), both axes.
    // image 1, loc (-1.75, 0): -1.5 -> -1 (tf.round: -2); y: 2.
    // image 2, loc (0.75, -0.75): 3.5 -> 4 (tf.round: 4, same); 0.5 -> 1 (tf.round: 0).
    const locs = [0.25, 0.25, -1.75, 0, 0.75, -0.75];
    expect(glimpseBoxes(spec, 0.25, 0.25)[0]).toMatchObject({ x: 3, y: 3 });
    expect(glimpseBoxes(spec, -1.75, 0)[0]).toMatchObject({ x: -1, y: 2 });
    expect(glimpseBoxes(spec, 0.75, -0.75)[0]).toMatchObject({ x: 4, y: 1 });
    const dev = deviceGlimpses(spec, images, 3, Float32Array.from(locs));
    expect(Array.from(dev.slice(0, 4))).toEqual([px(3, 3), px(3, 4), px(4, 3), px(4, 4)]);
    expect(Array.from(dev.slice(4, 8))).toEqual([px(2, -1), px(2, 0), px(3, -1), px(3, 0)]);
    expect(Array.from(dev.slice(8, 12))).toEqual([px(1, 4), px(1, 5), px(2, 4), px(2, 5)]);
    expectSame(spec, images, 3, locs);
    // The coarser scale too (size 4, corner round(3 + 2*loc - 2)): loc 0.25 -> 1.5 -> 2 (tf.round: 2),
    // loc -0.25 -> 0.5 -> 1 (tf.round: 0), loc 0.75 -> 2.5 -> 3 (tf.round: 2).
    expect(glimpseBoxes(SPEC, 0.25, -0.25)[1]).toMatchObject({ x: 2, y: 1 });
    expectSame(SPEC, images.subarray(0, 72), 2, [0.25, -0.25, 0.75, 0.75]);
  });

  it('takes float32 locations like the model: a Float32Array and a float32 tensor', () => {
    const spec: RetinaSpec = { imageSize: 28, channels: 1, glimpseSize: 8, scales: 3, unitPixels: 12 };
    const rand = rng(42);
    const count = 4;
    const images = new Float32Array(count * 28 * 28);
    for (let i = 0; i < images.length; i++) images[i] = rand();
    // Values that float32 cannot hold exactly, as a tanh or clip of the location net produces.
    const locs = Float32Array.from([0.1, -0.3, 0.7071, 0.333333, -0.999, 0.5001, 0.123456, -0.654321]);
    const cpu = cpuGlimpses(spec, images, count, locs);
    const out = tf.tidy(() => {
      const loc = tf.tensor2d(locs, [count, 2], 'float32');
      expect(loc.dtype).toBe('float32');
      return extractGlimpsesTensor(spec, tf.tensor2d(images, [count, 784]), loc);
    });
    const dev = out.dataSync();
    out.dispose();
    let max = 0;
    for (let i = 0; i < cpu.length; i++) max = Math.max(max, Math.abs(dev[i] - cpu[i]));
    expect(max).toBeLessThanOrEqual(1e-6);
  });

  it('leaks no tensors: tf.memory().numTensors is unchanged around a tidy', () => {
    const spec: RetinaSpec = { imageSize: 16, channels: 3, glimpseSize: 4, scales: 3, unitPixels: 8 };
    const images = tf.randomUniform([5, 3 * 256]) as tf.Tensor2D;
    const locs = tf.randomUniform([5, 2], -1, 1) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const sum = tf.tidy(() => extractGlimpsesTensor(spec, images, locs).sum());
    expect(tf.memory().numTensors).toBe(before + 1);
    sum.dispose();
    tf.tidy(() => {
      extractGlimpsesTensor(spec, images, locs);
    });
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
    locs.dispose();
  });

  it('returns [0, retinaLength] for an empty batch', () => {
    const out = tf.tidy(() => extractGlimpsesTensor(SPEC, tf.zeros([0, 36]) as tf.Tensor2D, tf.zeros([0, 2]) as tf.Tensor2D));
    expect(out.shape).toEqual([0, retinaLength(SPEC)]);
    out.dispose();
  });
});
