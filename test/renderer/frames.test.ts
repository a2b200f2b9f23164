import { describe, expect, it } from 'vitest';
import { PALETTE, scaleColor } from '../../src-main/shared/frames';
import type { GlimpseTrace } from '../../src-main/shared/trace';
import { greyImage, patchImage, traceFrameImage } from '../../src-renderer/src/lib/images';

function trace(): GlimpseTrace {
  const n = 28;
  return {
    index: 0,
    imageSize: n,
    pixels: new Array(n * n).fill(0),
    label: 3,
    prediction: 3,
    glimpseSize: 8,
    mode: 'mean',
    steps: [
      {
        loc: [0, 0],
        centerPx: [14, 14],
        boxes: [
          { x: 10, y: 10, size: 8 },
          { x: 6, y: 6, size: 16 },
        ],
        probs: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
        patches: [new Array(64).fill(0.5), new Array(64).fill(1)],
      },
    ],
  };
}

function pixel(img: { width: number; data: Uint8ClampedArray }, x: number, y: number): number[] {
  const i = (y * img.width + x) * 4;
  return Array.from(img.data.slice(i, i + 4));
}

describe('playback frame drawing', () => {
  it('draws each scale box in its palette colour on the RGBA frame', () => {
    const img = traceFrameImage(trace(), 0, { scale: 2, showTrail: true });
    expect(img.width).toBe(56);
    expect(img.height).toBe(56);
    // Smallest box's top-left corner at (10*2, 10*2), second scale's at (12, 12).
    expect(pixel(img, 20, 20)).toEqual([...PALETTE[scaleColor(0)]!, 255]);
    expect(pixel(img, 12, 12)).toEqual([...PALETTE[scaleColor(1)]!, 255]);
    // Inside the box the black image shows.
    expect(pixel(img, 24, 22)).toEqual([0, 0, 0, 255]);
  });

  it('turns grey bytes and [0,1] patches into opaque RGBA', () => {
    const g = greyImage([0, 128, 255, 7], 2);
    expect(pixel(g, 1, 0)).toEqual([128, 128, 128, 255]);
    const p = patchImage(new Array(64).fill(0.5));
    expect(p.width).toBe(8);
    expect(pixel(p, 7, 7)).toEqual([128, 128, 128, 255]);
  });
});
