import { describe, expect, it } from 'vitest';
import {
  COLOR,
  PALETTE,
  drawTraceFrame,
  drawTraceGridFrame,
  greyIndex,
  indicesToRgba,
  probStripLayout,
  scaleColor,
} from '../../src-main/shared/frames';
import { tinyTrace } from './fixtures';

const at = (f: { width: number; indices: Uint8Array }, x: number, y: number) => f.indices[y * f.width + x];
const count = (f: { indices: Uint8Array }, c: number) => f.indices.filter((v) => v === c).length;

describe('PALETTE', () => {
  it('has 32 greys from black to white, then distinct colours, 64 entries', () => {
    expect(PALETTE).toHaveLength(64);
    expect(PALETTE[0]).toEqual([0, 0, 0]);
    expect(PALETTE[31]).toEqual([255, 255, 255]);
    expect(PALETTE[scaleColor(0)]).not.toEqual(PALETTE[scaleColor(1)]);
    expect(scaleColor(9)).toBe(scaleColor(3));
  });
});

describe('drawTraceFrame', () => {
  const trace = tinyTrace();

  it('zooms the image with nearest neighbour onto the right grey levels', () => {
    const f = drawTraceFrame(trace, 0, { scale: 2 });
    expect([f.width, f.height]).toEqual([16, 16]);
    // Pixel (row 0, col 1) = 4 and (row 7, col 7) = 252 cover 2x2 canvas pixels each.
    for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      expect(at(f, 2 + dx!, 0 + dy!)).toBe(greyIndex(4));
      expect(at(f, 14 + dx!, 14 + dy!)).toBe(greyIndex(252));
    }
    expect(greyIndex(0)).toBe(0);
    expect(greyIndex(255)).toBe(31);
    expect(greyIndex(252)).toBe(31);
    expect(greyIndex(128)).toBe(16);
  });

  it('draws each scale box as a 1-px outline at exactly its pixel edges', () => {
    const f = drawTraceFrame(trace, 0, { scale: 2 });
    // Centre (4, 4): small box x,y = 3, size 2 -> canvas 6..9; big box x,y = 2, size 4 -> canvas 4..11.
    for (const [x, y] of [[6, 6], [9, 6], [6, 9], [9, 9], [7, 6], [6, 8]]) expect(at(f, x!, y!)).toBe(scaleColor(0));
    for (const [x, y] of [[4, 4], [11, 4], [4, 11], [11, 11], [8, 4], [4, 7]]) expect(at(f, x!, y!)).toBe(scaleColor(1));
    expect(count(f, scaleColor(0))).toBe(12);
    expect(count(f, scaleColor(1))).toBe(28);
    // Inside the boxes the image shows: canvas (7,7) is image pixel (3,3); (5,5) is pixel (2,2).
    expect(at(f, 7, 7)).toBe(greyIndex((3 * 8 + 3) * 4));
    expect(at(f, 5, 5)).toBe(greyIndex((2 * 8 + 2) * 4));
    // The current fixation centre.
    expect(at(f, 8, 8)).toBe(COLOR.fixation);
  });

  it('draws no trail at step 0 and the path of earlier centres after', () => {
    expect(count(drawTraceFrame(trace, 0, { scale: 2 }), COLOR.trail)).toBe(0);
    const f = drawTraceFrame(trace, 2, { scale: 2 });
    // Centres (8,8) -> (10,6) -> (4,4) in canvas pixels.
    expect(at(f, 8, 8)).toBe(COLOR.trail);
    expect(at(f, 9, 7)).toBe(COLOR.trail);
    expect(at(f, 10, 6)).toBe(COLOR.trail);
    expect(at(f, 4, 4)).toBe(COLOR.fixation);
    expect(count(drawTraceFrame(trace, 2, { scale: 2, showTrail: false }), COLOR.trail)).toBe(0);
  });

  it('clips boxes that reach outside the image', () => {
    // Step 3: centre (7, 7): big box x,y = 5, size 4 -> canvas 10..17 on a 16 px canvas.
    const f = drawTraceFrame(trace, 3, { scale: 2 });
    expect(at(f, 10, 10)).toBe(scaleColor(1));
    expect(at(f, 15, 10)).toBe(scaleColor(1));
    expect(at(f, 10, 15)).toBe(scaleColor(1));
    expect(at(f, 15, 11)).toBe(greyIndex((5 * 8 + 7) * 4));
    expect(at(f, 15, 12)).toBe(scaleColor(0));
    expect(f.indices).toHaveLength(256);
  });

  it('clamps the step to the trace', () => {
    expect(drawTraceFrame(trace, 99, { scale: 2 }).indices).toEqual(drawTraceFrame(trace, 3, { scale: 2 }).indices);
  });

  it('adds a probability strip with the predicted class highlighted', () => {
    const scale = 4;
    const f = drawTraceFrame(trace, 1, { scale, showProbs: true });
    const L = probStripLayout(32, 32, scale);
    expect(f.width).toBe(32);
    expect(f.height).toBe(32 + L.height);
    // Class 7 (p = 0.55) is predicted at step 1: its bar is round(0.55 * barMax) tall.
    const x7 = L.left + 7 * L.slot + Math.floor((L.slot - L.barWidth) / 2);
    const h7 = Math.round(0.55 * L.barMax);
    expect(at(f, x7, L.baseline - 1)).toBe(COLOR.barPredicted);
    expect(at(f, x7, L.baseline - h7)).toBe(COLOR.barPredicted);
    expect(at(f, x7, L.baseline - h7 - 1)).toBe(COLOR.background);
    const x0 = L.left + Math.floor((L.slot - L.barWidth) / 2);
    expect(at(f, x0, L.baseline - 1)).toBe(COLOR.bar);
    expect(count(f, COLOR.barPredicted)).toBe(h7 * L.barWidth);
  });

  it('writes digit labels under the bars when they fit, the true class in its own colour', () => {
    const f = drawTraceFrame(trace, 1, { scale: 6, showProbs: true });
    expect(count(f, COLOR.text)).toBeGreaterThan(0);
    expect(count(f, COLOR.textTrue)).toBeGreaterThan(0);
    const plain = drawTraceFrame(trace, 1, { scale: 6, showProbs: true, showLabels: false });
    expect(count(plain, COLOR.text) + count(plain, COLOR.textTrue)).toBe(0);
  });
});

describe('drawTraceGridFrame and indicesToRgba', () => {
  it('tiles traces in columns with a gap and leaves empty cells as background', () => {
    const t = tinyTrace();
    const g = drawTraceGridFrame([t, t, t], 0, { scale: 2, columns: 2, gap: 3 });
    expect([g.width, g.height]).toEqual([16 * 2 + 3, 16 * 2 + 3]);
    const single = drawTraceFrame(t, 0, { scale: 2 });
    for (let y = 0; y < 16; y++) {
      expect([...g.indices.subarray(y * g.width + 19, y * g.width + 35)]).toEqual([...single.indices.subarray(y * 16, y * 16 + 16)]);
    }
    expect(at(g, 17, 0)).toBe(COLOR.background);
    expect(at(g, 30, 30)).toBe(COLOR.background);
  });

  it('expands indices into opaque RGBA from the palette', () => {
    const f = drawTraceFrame(tinyTrace(), 0, { scale: 1 });
    const rgba = indicesToRgba(f);
    expect(rgba).toHaveLength(f.width * f.height * 4);
    const i = 3 * f.width + 3;
    expect([...rgba.subarray(i * 4, i * 4 + 4)]).toEqual([...PALETTE[f.indices[i]!]!, 255]);
  });
});
