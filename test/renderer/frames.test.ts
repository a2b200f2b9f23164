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

describe('colour images for canvases', () => {
  it('pixelImage reads RGB interleaved from an offset; grey as before', async () => {
    const { pixelImage, pageImages } = await import('../../src-renderer/src/lib/images');
    const px = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210];
    const second = pixelImage(px, 2, 3, 12);
    expect(Array.from(second.data)).toEqual([100, 110, 120, 255, 130, 140, 150, 255, 160, 170, 180, 255, 190, 200, 210, 255]);
    expect(pixelImage([9, 8, 7, 6], 2, 1).data).toEqual(greyImage([9, 8, 7, 6], 2).data);
    const images = pageImages({ imageSize: 2, channels: 3, items: [{}, {}], pixels: px });
    expect(images).toHaveLength(2);
    expect(images[1]!.data).toEqual(second.data);
    // A page without channels (an older server): grey.
    expect(pageImages({ imageSize: 2, items: [{}], pixels: [1, 2, 3, 4] })[0]!.data).toEqual(greyImage([1, 2, 3, 4], 2).data);
  });

  it('patchImage takes colour patches (glimpseSize^2 x 3 values in [0, 1])', () => {
    const patch = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0.5];
    const img = patchImage(patch, 3);
    expect([img.width, img.height]).toEqual([2, 2]);
    expect(pixel(img, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(img, 1, 0)).toEqual([0, 255, 0, 255]);
    expect(pixel(img, 1, 1)).toEqual([128, 128, 128, 255]);
    expect(patchImage(new Array(16).fill(0.5)).width).toBe(4);
  });

  it('traceFrameImage shows a colour trace in its true colours', () => {
    const t = trace();
    const n = t.imageSize;
    const colour = { ...t, channels: 3, pixels: Array.from({ length: n * n * 3 }, (_, i) => (i % 3 === 0 ? 250 : i % 3 === 1 ? 20 : 90)) };
    const img = traceFrameImage(colour, 0, { scale: 2, showTrail: true });
    expect(pixel(img, 0, 0)).toEqual([250, 20, 90, 255]);
    expect(pixel(img, 20, 20)).toEqual([...PALETTE[scaleColor(0)]!, 255]);
  });
});
