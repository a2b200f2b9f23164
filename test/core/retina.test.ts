import { describe, expect, it } from 'vitest';
import {
  extractGlimpses,
  glimpseBoxes,
  integralImages,
  locationToPixels,
  retinaLength,
  type RetinaSpec,
} from '../../src-main/core/retina';

/** 6x6 images, 2x2 patches at 2 scales (2 px and 4 px windows), 2 px per location unit. */
const SPEC: RetinaSpec = { imageSize: 6, channels: 1, glimpseSize: 2, scales: 2, unitPixels: 2 };

/** Image k of the batch: pixel (r, c) = (r*6 + c)/100 + k. */
function ramp(count: number): Float32Array {
  const out = new Float32Array(count * 36);
  for (let k = 0; k < count; k++) for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) out[k * 36 + r * 6 + c] = (r * 6 + c) / 100 + k;
  return out;
}

function glimpse(spec: RetinaSpec, images: Float32Array, count: number, locs: number[]): number[] {
  const sat = integralImages(images, count * spec.channels, spec.imageSize);
  const out = new Float32Array(count * retinaLength(spec));
  return Array.from(extractGlimpses(spec, images, sat, count, Float32Array.from(locs), out));
}

function expectClose(actual: number[], expected: number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a, `value ${i}`).toBeCloseTo(expected[i], digits));
}

describe('locationToPixels and glimpseBoxes', () => {
  it('maps location (0,0) to the image centre and (1,-1) by unitPixels', () => {
    expect(locationToPixels(SPEC, 0, 0)).toEqual([3, 3]);
    // 3 + 1*2 = 5, 3 - 1*2 = 1
    expect(locationToPixels(SPEC, 1, -1)).toEqual([5, 1]);
    // centered preset: 28/2 + 0.5*12 = 20, 14 - 0.25*12 = 11
    expect(locationToPixels({ imageSize: 28, channels: 1, glimpseSize: 8, scales: 1, unitPixels: 12 }, 0.5, -0.25)).toEqual([20, 11]);
  });

  it('gives one box per scale, each twice as wide, corner rounded', () => {
    // centre (3,3): scale 0 size 2 -> corner 3-1 = 2; scale 1 size 4 -> corner 3-2 = 1
    expect(glimpseBoxes(SPEC, 0, 0)).toEqual([
      { x: 2, y: 2, size: 2 },
      { x: 1, y: 1, size: 4 },
    ]);
    // centre (5,1): (4,0) size 2; (3,-1) size 4
    expect(glimpseBoxes(SPEC, 1, -1)).toEqual([
      { x: 4, y: 0, size: 2 },
      { x: 3, y: -1, size: 4 },
    ]);
    // centre (5.5, 0): scale 0 corner round(4.5)=5, round(-1)=-1; scale 1 round(3.5)=4, round(-2)=-2
    expect(glimpseBoxes(SPEC, 1.25, -1.5)).toEqual([
      { x: 5, y: -1, size: 2 },
      { x: 4, y: -2, size: 4 },
    ]);
    // 3 scales of 12 px on 60x60 with unitPixels 26: centre 30 -> corners 24, 18, 6
    expect(glimpseBoxes({ imageSize: 60, channels: 1, glimpseSize: 12, scales: 3, unitPixels: 26 }, 0, 0).map((b) => [b.x, b.size])).toEqual([
      [24, 12],
      [18, 24],
      [6, 48],
    ]);
  });
});

describe('integralImages', () => {
  it('builds (S+1)^2 summed-area tables with a zero first row and column', () => {
    // image 0 = [[1,2],[3,4]], image 1 = [[10,0],[0,5]]
    const sat = integralImages(Float32Array.from([1, 2, 3, 4, 10, 0, 0, 5]), 2, 2);
    expect(Array.from(sat)).toEqual([
      // 0 0 0 / 0 1 1+2 / 0 1+3 1+2+3+4
      0, 0, 0, 0, 1, 3, 0, 4, 10,
      // 0 0 0 / 0 10 10 / 0 10 15
      0, 0, 0, 0, 10, 10, 0, 10, 15,
    ]);
  });

  it('overwrites a reused buffer completely', () => {
    const buf = new Float64Array(9).fill(99);
    const sat = integralImages(Float32Array.from([1, 1, 1, 1]), 1, 2, buf);
    expect(sat).toBe(buf);
    expect(Array.from(sat)).toEqual([0, 0, 0, 0, 1, 2, 0, 2, 4]);
  });
});

describe('extractGlimpses', () => {
  it('crops the centre glimpse at location (0,0)', () => {
    const out = glimpse(SPEC, ramp(1), 1, [0, 0]);
    expectClose(out, [
      // scale 0: box x=2,y=2 size 2 -> pixels r2c2, r2c3, r3c2, r3c3 = 14, 15, 20, 21 (/100)
      0.14, 0.15, 0.2, 0.21,
      // scale 1: box x=1,y=1 size 4, each output the mean of a 2x2 block:
      // rows1-2 cols1-2: (7+8+13+14)/4 = 10.5; rows1-2 cols3-4: (9+10+15+16)/4 = 12.5
      // rows3-4 cols1-2: (19+20+25+26)/4 = 22.5; rows3-4 cols3-4: (21+22+27+28)/4 = 24.5
      0.105, 0.125, 0.225, 0.245,
    ]);
  });

  it('counts pixels outside the image as zero and divides by the full block area', () => {
    // Image 1 has +1 on every pixel, so "mean of the inside pixels only" would give values near 1.
    const images = ramp(2).subarray(36);
    const out = glimpse(SPEC, Float32Array.from(images), 1, [1, -1]);
    expectClose(out, [
      // scale 0: box (4,0) size 2, inside: r0c4, r0c5, r1c4, r1c5 = 1.04, 1.05, 1.10, 1.11
      1.04, 1.05, 1.1, 1.11,
      // scale 1: box (3,-1) size 4
      // block rows -1..0, cols 3..4: only r0c3 + r0c4 inside = (1.03 + 1.04)/4 = 0.5175
      // block rows -1..0, cols 5..6: only r0c5 = 1.05/4 = 0.2625
      // block rows 1..2, cols 3..4: (1.09 + 1.10 + 1.15 + 1.16)/4 = 1.125
      // block rows 1..2, cols 5..6: r1c5 + r2c5 = (1.11 + 1.17)/4 = 0.57
      0.5175, 0.2625, 1.125, 0.57,
    ]);
  });

  it('handles several images with different locations in one batch', () => {
    // image 0 at (0,0), image 1 at (1,-1), image 2 at (1.25,-1.5) (centre (5.5, 0): even the finest
    // window sticks out of the top and right edges)
    const out = glimpse(SPEC, ramp(3), 3, [0, 0, 1, -1, 1.25, -1.5]);
    expect(out.length).toBe(3 * 8);
    expectClose(out.slice(0, 8), [0.14, 0.15, 0.2, 0.21, 0.105, 0.125, 0.225, 0.245]);
    expectClose(out.slice(8, 16), [1.04, 1.05, 1.1, 1.11, 0.5175, 0.2625, 1.125, 0.57]);
    expectClose(out.slice(16, 24), [
      // scale 0: box (5,-1) size 2: r-1c5=0, r-1c6=0, r0c5=2.05, r0c6=0
      0, 0, 2.05, 0,
      // scale 1: box (4,-2) size 4: top blocks (rows -2..-1) all outside -> 0;
      // rows 0..1 cols 4..5: (2.04 + 2.05 + 2.10 + 2.11)/4 = 2.075; rows 0..1 cols 6..7: outside -> 0
      0, 0, 2.075, 0,
    ]);
  });

  it('gives all zeros when the window lies wholly outside the image', () => {
    // centre (3 + 10*2, 3) = (23, 3): far right of a 6 px image
    expect(glimpse(SPEC, ramp(1), 1, [10, 0])).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('agrees with a naive crop-and-average at 3 scales on random locations', () => {
    const spec: RetinaSpec = { imageSize: 10, channels: 1, glimpseSize: 3, scales: 3, unitPixels: 4 };
    const S = 10;
    const count = 5;
    const images = new Float32Array(count * S * S);
    for (let i = 0; i < images.length; i++) images[i] = ((i * 7919) % 101) / 101;
    const locs: number[] = [];
    for (let n = 0; n < count; n++) locs.push(Math.sin(n * 1.7) * 1.2, Math.cos(n * 2.3) * 1.2);
    const out = glimpse(spec, images, count, locs);
    const pixel = (n: number, r: number, c: number) => (r >= 0 && r < S && c >= 0 && c < S ? images[n * S * S + r * S + c] : 0);
    const expected: number[] = [];
    for (let n = 0; n < count; n++) {
      const boxes = glimpseBoxes(spec, Math.fround(locs[2 * n]), Math.fround(locs[2 * n + 1]));
      boxes.forEach((box, s) => {
        const f = 2 ** s;
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 3; j++) {
            let sum = 0;
            for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) sum += pixel(n, box.y + i * f + a, box.x + j * f + b);
            expected.push(sum / (f * f));
          }
      });
    }
    expectClose(out, expected);
  });
});

describe('extractGlimpses on colour images', () => {
  /** One 6x6 RGB image as three planes: R = ramp, G = ramp + 1, B = 10 - ramp (planes back to back). */
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
  const COLOUR: RetinaSpec = { ...SPEC, channels: 3 };

  it('gives each scale every channel in turn, hand-computed at the centre', () => {
    expect(retinaLength(COLOUR)).toBe(2 * 3 * 4);
    const out = glimpse(COLOUR, rgb(), 1, [0, 0]);
    expectClose(out, [
      // scale 0, R G B: the 2x2 pixels at (2,2) of each plane (see the grey case: 14, 15, 20, 21 /100)
      0.14, 0.15, 0.2, 0.21,
      1.14, 1.15, 1.2, 1.21,
      9.86, 9.85, 9.8, 9.79,
      // scale 1, R G B: the 2x2 block means of the 4x4 window at (1,1)
      0.105, 0.125, 0.225, 0.245,
      1.105, 1.125, 1.225, 1.245,
      9.895, 9.875, 9.775, 9.755,
    ]);
  });

  it('zero-fills outside the image in every channel (a window off the top right corner)', () => {
    const out = glimpse(COLOUR, rgb(), 1, [1.25, -1.5]);
    expectClose(out, [
      // scale 0: box (5,-1) size 2: only r0c5 is inside
      0, 0, 0.05, 0,
      0, 0, 1.05, 0,
      0, 0, 9.95, 0,
      // scale 1: box (4,-2) size 4: only the block rows 0..1, cols 4..5 is inside, a quarter of it... all four pixels
      0, 0, (0.04 + 0.05 + 0.1 + 0.11) / 4, 0,
      0, 0, (1.04 + 1.05 + 1.1 + 1.11) / 4, 0,
      0, 0, (9.96 + 9.95 + 9.9 + 9.89) / 4, 0,
    ]);
  });

  it('agrees with a naive crop-and-average per channel on random images and locations, two images a batch', () => {
    const spec: RetinaSpec = { imageSize: 9, channels: 3, glimpseSize: 2, scales: 3, unitPixels: 5 };
    const S = 9;
    const count = 4;
    const images = new Float32Array(count * 3 * S * S);
    for (let i = 0; i < images.length; i++) images[i] = ((i * 104729) % 97) / 97;
    const locs: number[] = [];
    for (let n = 0; n < count; n++) locs.push(Math.sin(n * 2.1 + 0.3) * 1.1, Math.cos(n * 1.3) * 1.1);
    const out = glimpse(spec, images, count, locs);
    const pixel = (n: number, ch: number, r: number, c: number) => (r >= 0 && r < S && c >= 0 && c < S ? images[(n * 3 + ch) * S * S + r * S + c] : 0);
    const expected: number[] = [];
    for (let n = 0; n < count; n++) {
      glimpseBoxes(spec, Math.fround(locs[2 * n]), Math.fround(locs[2 * n + 1])).forEach((box, s) => {
        const f = 2 ** s;
        for (let ch = 0; ch < 3; ch++)
          for (let i = 0; i < 2; i++)
            for (let j = 0; j < 2; j++) {
              let sum = 0;
              for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) sum += pixel(n, ch, box.y + i * f + a, box.x + j * f + b);
              expected.push(sum / (f * f));
            }
      });
    }
    expectClose(out, expected);
  });
});
