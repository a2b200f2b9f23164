import { describe, expect, it } from 'vitest';
import type { GlimpseTrace } from '../../src-main/shared/trace';
import {
  BLUE_LEVELS,
  COLOR,
  COLOUR_PALETTE,
  CUBE_START,
  GREEN_LEVELS,
  PALETTE,
  RED_LEVELS,
  colourIndex,
  drawTraceFrame,
  frameRgba,
  drawTraceGridFrame,
  greyIndex,
  indicesToRgba,
  probStripLayout,
  scaleColor,
  captionLayout,
} from '../../src-main/shared/frames';
import { captionWidth, fitCaption } from '../../src-main/shared/caption-font';
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

/** tinyTrace with an RGB image: pixel i is (i * 4, 255 - i * 4, 128), and one grey pixel at 0. */
function colourTrace(): GlimpseTrace {
  const t = tinyTrace();
  const n = t.imageSize;
  const pixels: number[] = [];
  for (let i = 0; i < n * n; i++) pixels.push(i * 4, 255 - i * 4, 128);
  pixels.splice(0, 3, 200, 200, 200);
  return { ...t, channels: 3, pixels, steps: t.steps.map((s) => ({ ...s, patches: [] })) };
}

describe('colour frames', () => {
  it('COLOUR_PALETTE: PALETTE first (same indices), then a 6x7x5 cube, 256 entries', () => {
    expect(COLOUR_PALETTE).toHaveLength(256);
    expect(COLOUR_PALETTE.slice(0, CUBE_START)).toEqual(PALETTE.slice(0, CUBE_START));
    expect(CUBE_START + RED_LEVELS * GREEN_LEVELS * BLUE_LEVELS).toBeLessThanOrEqual(256);
    expect(COLOUR_PALETTE[CUBE_START]).toEqual([0, 0, 0]);
    expect(COLOUR_PALETTE[CUBE_START + RED_LEVELS * GREEN_LEVELS * BLUE_LEVELS - 1]).toEqual([255, 255, 255]);
  });

  it('colourIndex puts greys on the grey ramp and colours on the nearest cube level', () => {
    expect(colourIndex(200, 200, 200)).toBe(greyIndex(200));
    expect(colourIndex(100, 103, 98)).toBe(greyIndex(100));
    const red = colourIndex(255, 0, 0);
    expect(COLOUR_PALETTE[red]).toEqual([255, 0, 0]);
    expect(COLOUR_PALETTE[colourIndex(0, 0, 255)]).toEqual([0, 0, 255]);
    // Each channel within half a level of the colour asked for.
    for (const [r, g, b] of [[10, 200, 90], [250, 128, 3], [77, 33, 199]] as const) {
      const [R, G, B] = COLOUR_PALETTE[colourIndex(r, g, b)]!;
      expect(Math.abs(R! - r)).toBeLessThanOrEqual(255 / (RED_LEVELS - 1) / 2 + 1);
      expect(Math.abs(G! - g)).toBeLessThanOrEqual(255 / (GREEN_LEVELS - 1) / 2 + 1);
      expect(Math.abs(B! - b)).toBeLessThanOrEqual(255 / (BLUE_LEVELS - 1) / 2 + 1);
    }
  });

  it('draws a colour trace in COLOUR_PALETTE indices, with its true colours on demand', () => {
    const t = colourTrace();
    const f = drawTraceFrame(t, 0, { scale: 2, showTrail: false });
    expect(f.palette).toBe(COLOUR_PALETTE);
    // Pixel (7, 7) (index 63): far from the glimpse boxes, in the image's colour.
    const [r, g, b] = [63 * 4, 255 - 63 * 4, 128];
    expect(at(f, 14, 15)).toBe(colourIndex(r, g, b));
    expect(at(f, 0, 0)).toBe(greyIndex(200));
    const rgba = f.trueColour!();
    const px = (x: number, y: number) => [...rgba.subarray((y * f.width + x) * 4, (y * f.width + x) * 4 + 4)];
    expect(px(14, 15)).toEqual([r, g, b, 255]);
    expect(px(0, 1)).toEqual([200, 200, 200, 255]);
    // The boxes are drawn in their palette colours on the true-colour frame too.
    const box = t.steps[0]!.boxes[1]!;
    expect(at(f, box.x * 2, box.y * 2)).toBe(scaleColor(1));
    expect(px(box.x * 2, box.y * 2)).toEqual([...PALETTE[scaleColor(1)]!, 255]);
    expect(frameRgba(f)).toEqual(rgba);
    // A dark line just inside each box keeps it seen on a picture of its own colour.
    expect(at(f, box.x * 2 + 1, box.y * 2 + 1)).toBe(COLOR.background);
    expect(at(drawTraceFrame(tinyTrace(), 0, { scale: 2, showTrail: false }), box.x * 2 + 1, box.y * 2 + 1)).not.toBe(COLOR.background);
    // The indexed picture everywhere else is the true one, quantized.
    expect(indicesToRgba(f)).toEqual(indicesToRgba(f, COLOUR_PALETTE));
  });

  it('leaves grey traces exactly as before: no palette, no true-colour frame', () => {
    const f = drawTraceFrame(tinyTrace(), 1, { scale: 2, showProbs: true });
    expect(f.palette).toBeUndefined();
    expect(f.trueColour).toBeUndefined();
    expect(frameRgba(f)).toEqual(indicesToRgba(f, PALETTE));
    expect(drawTraceFrame({ ...tinyTrace(), channels: 1 }, 1, { scale: 2, showProbs: true }).indices).toEqual(f.indices);
  });

  it('grids of colour traces carry the colour palette and compose the true-colour cells', () => {
    const t = colourTrace();
    const g = drawTraceGridFrame([t, tinyTrace()], 0, { scale: 2, columns: 2, gap: 2 });
    expect(g.palette).toBe(COLOUR_PALETTE);
    const cell = drawTraceFrame(t, 0, { scale: 2 });
    const rgba = g.trueColour!();
    const cellRgba = cell.trueColour!();
    for (let y = 0; y < cell.height; y++) expect(rgba.subarray(y * g.width * 4, (y * g.width + cell.width) * 4)).toEqual(cellRgba.subarray(y * cell.width * 4, (y + 1) * cell.width * 4));
    // The grey cell keeps its PALETTE indices (the colour palette begins with them).
    const grey = drawTraceFrame(tinyTrace(), 0, { scale: 2 });
    expect(g.indices[cell.width + 2 + 3 * g.width]).toBe(grey.indices[3 * grey.width]);
  });

  it('draws one bar per class for other class counts, at the same strip height', () => {
    const t = tinyTrace();
    const three = { ...t, steps: t.steps.map((s) => ({ ...s, probs: [0.2, 0.7, 0.1] })) };
    const f = drawTraceFrame(three, 0, { scale: 6, showProbs: true });
    expect(f.height).toBe(drawTraceFrame(t, 0, { scale: 6, showProbs: true }).height);
    const L = probStripLayout(f.width, 48, 6, true, 3);
    expect(L.slot).toBe(16);
    const row = L.baseline - 1;
    const barCols = [...f.indices.subarray(row * f.width, (row + 1) * f.width)].filter((c) => c === COLOR.bar || c === COLOR.barPredicted).length;
    expect(barCols).toBe(3 * L.barWidth);
    const twelve = { ...t, steps: t.steps.map((s) => ({ ...s, probs: Array.from({ length: 12 }, (_, k) => (k === 11 ? 0.5 : 0.04)) })) };
    const g = drawTraceFrame(twelve, 0, { scale: 6, showProbs: true });
    expect(count(g, COLOR.barPredicted)).toBeGreaterThan(0);
    expect(g.height).toBe(f.height);
  });
});

describe('class names under the bars', () => {
  const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  const opts = { scale: 8, showProbs: true };
  const row = (frame: { width: number; indices: Uint8Array }, top: number, bottom: number) => {
    const seen = new Set<number>();
    for (let y = top; y < bottom; y++) for (let x = 0; x < frame.width; x++) seen.add(frame.indices[y * frame.width + x]!);
    return seen;
  };

  it('adds a line below the strip: the right prediction in green, a wrong one in red with the true class in green', () => {
    const plain = drawTraceFrame(tinyTrace(), 0, opts);
    const trace = { ...tinyTrace(), classNames: names };
    const caption = captionLayout(8);
    // Step 0 predicts 3 (Dress), the label: right.
    const right = drawTraceFrame(trace, 0, opts);
    expect(right.height).toBe(plain.height + caption.height);
    const rightInk = row(right, plain.height, right.height);
    expect(rightInk.has(COLOR.textTrue)).toBe(true);
    expect(rightInk.has(COLOR.scales[0]!)).toBe(false);
    // Step 1 predicts 7 (Sneaker): wrong, so both colours.
    const wrongInk = row(drawTraceFrame(trace, 1, opts), plain.height, right.height);
    expect(wrongInk.has(COLOR.scales[0]!)).toBe(true);
    expect(wrongInk.has(COLOR.textTrue)).toBe(true);
    // The frame above the line is the frame without names.
    expect(Array.from(right.indices.subarray(0, plain.indices.length))).toEqual(Array.from(plain.indices));
    expect(drawTraceFrame(trace, 0, { ...opts, showCaption: false }).height).toBe(plain.height);
  });

  it('fits a long name into a narrow cell, cut with a dot', () => {
    expect(fitCaption('Ankle boot', 1000)).toBe('Ankle boot');
    const cut = fitCaption('Ankle boot', 30);
    expect(cut.endsWith('.')).toBe(true);
    expect(captionWidth(cut)).toBeLessThanOrEqual(30);
    expect(fitCaption('W', 1)).toBe('');
  });
});
