/**
 * Glimpse-trace frames drawn into a fixed-palette indexed image, in plain TypeScript (no DOM,
 * no Node), so the app, the browser mode and the command line export the same pictures.
 */
import type { GlimpseTrace } from './trace';
import { CAPTION_ROWS, captionWidth, drawCaption, fitCaption } from './caption-font';

/** An indexed image: one palette index per pixel, row-major. */
export interface IndexedFrame {
  width: number;
  height: number;
  indices: Uint8Array;
  /** The palette the indices refer to: absent = PALETTE (grey traces); COLOUR_PALETTE for colour ones. */
  palette?: number[][];
  /**
   * Colour frames only: the same frame's RGBA bytes with the image in its own colours (not
   * quantized), drawn on demand so that an export that needs only indices (GIF) never holds them.
   */
  trueColour?: () => Uint8Array;
}

export interface FrameOptions {
  /** Integer pixel zoom (nearest neighbour). */
  scale: number;
  /** Earlier fixation centres joined by lines. Default true. */
  showTrail?: boolean;
  /** A strip of 10 class-probability bars under the image. Default false. */
  showProbs?: boolean;
  /** Digits under the bars (3x5 pixel font), when they fit. Default true. */
  showLabels?: boolean;
  /**
   * Under the bars, the class names (for traces that carry them): the prediction after the step,
   * green when right, red with the true class beside it when wrong. Default true.
   */
  showCaption?: boolean;
}

export interface GridFrameOptions extends FrameOptions {
  columns: number;
  /** Pixels of background between cells. Default 2 * scale. */
  gap?: number;
}

/** Grey levels for the digit image: indices 0 .. GREY_LEVELS - 1, black to white. */
export const GREY_LEVELS = 32;

/** Palette indices of the non-grey colours. */
export const COLOR = {
  background: GREY_LEVELS,
  /** One per glimpse scale, smallest first; scales beyond the list reuse the last. */
  scales: [GREY_LEVELS + 1, GREY_LEVELS + 2, GREY_LEVELS + 3, GREY_LEVELS + 4],
  trail: GREY_LEVELS + 5,
  /** The current fixation centre. */
  fixation: GREY_LEVELS + 6,
  bar: GREY_LEVELS + 7,
  barPredicted: GREY_LEVELS + 8,
  text: GREY_LEVELS + 9,
  /** Label of the true class under the bars. */
  textTrue: GREY_LEVELS + 10,
} as const;

const COLOURS: number[][] = [
  [18, 20, 28], // background: dark blue-grey, distinct from the digit's black
  [255, 72, 32], // smallest scale: red-orange
  [255, 214, 10], // second scale: yellow
  [0, 210, 255], // third scale: cyan
  [200, 110, 255], // fourth and beyond: violet
  [60, 230, 120], // trail: green
  [255, 255, 255], // current fixation: white
  [110, 130, 170], // bars
  [255, 72, 32], // predicted class bar: same as the smallest scale
  [200, 205, 215], // text
  [60, 230, 120], // true-class label: green
];

/** [r, g, b] per index; 64 entries so GIF colour tables need no padding. */
export const PALETTE: number[][] = (() => {
  const p: number[][] = [];
  for (let i = 0; i < GREY_LEVELS; i++) {
    const v = Math.round((i * 255) / (GREY_LEVELS - 1));
    p.push([v, v, v]);
  }
  p.push(...COLOURS.map((c) => [...c]));
  while (p.length < 64) p.push([0, 0, 0]);
  return p;
})();

/**
 * Colour traces: PALETTE's first entries (the grey ramp and the drawing colours, same indices),
 * then a cube of RED_LEVELS x GREEN_LEVELS x BLUE_LEVELS colours; 256 entries in all, the most a
 * GIF colour table holds. Green gets the most levels and blue the fewest, as the eye tells them.
 */
export const RED_LEVELS = 6;
export const GREEN_LEVELS = 7;
export const BLUE_LEVELS = 5;
/** Index of the cube's first colour in COLOUR_PALETTE. */
export const CUBE_START = GREY_LEVELS + COLOURS.length;

export const COLOUR_PALETTE: number[][] = (() => {
  const p = PALETTE.slice(0, CUBE_START).map((c) => [...c]);
  const level = (i: number, n: number) => Math.round((i * 255) / (n - 1));
  for (let r = 0; r < RED_LEVELS; r++) {
    for (let g = 0; g < GREEN_LEVELS; g++) for (let b = 0; b < BLUE_LEVELS; b++) p.push([level(r, RED_LEVELS), level(g, GREEN_LEVELS), level(b, BLUE_LEVELS)]);
  }
  while (p.length < 256) p.push([0, 0, 0]);
  return p;
})();

/**
 * COLOUR_PALETTE index of an RGB colour (0..255 each): greys (channels within a few levels of
 * each other) on the 32-level grey ramp, other colours on the nearest cube level per channel.
 */
export function colourIndex(r: number, g: number, b: number): number {
  const c = (v: number) => Math.min(255, Math.max(0, v));
  const [R, G, B] = [c(r), c(g), c(b)];
  if (Math.max(R, G, B) - Math.min(R, G, B) <= 6) return greyIndex((R + G + B) / 3);
  const q = (v: number, n: number) => Math.round((v * (n - 1)) / 255);
  return CUBE_START + (q(R, RED_LEVELS) * GREEN_LEVELS + q(G, GREEN_LEVELS)) * BLUE_LEVELS + q(B, BLUE_LEVELS);
}

/** Channels per pixel of a trace's image and patches (absent in traces saved before colour: 1). */
export function traceChannels(trace: Pick<GlimpseTrace, 'channels'>): number {
  return trace.channels === 3 ? 3 : 1;
}

/** Palette index of a 0..255 grey value. */
export function greyIndex(value: number): number {
  const v = Math.min(255, Math.max(0, value));
  return Math.round((v * (GREY_LEVELS - 1)) / 255);
}

/** Palette index of glimpse scale `s` (0 = smallest). */
export function scaleColor(s: number): number {
  return COLOR.scales[Math.min(s, COLOR.scales.length - 1)]!;
}

// 3x5 digits, one row per string, '#' = ink.
const FONT: string[][] = [
  ['###', '#.#', '#.#', '#.#', '###'],
  ['.#.', '##.', '.#.', '.#.', '###'],
  ['###', '..#', '###', '#..', '###'],
  ['###', '..#', '.##', '..#', '###'],
  ['#.#', '#.#', '###', '..#', '..#'],
  ['###', '#..', '###', '..#', '###'],
  ['###', '#..', '###', '#.#', '###'],
  ['###', '..#', '.#.', '.#.', '.#.'],
  ['###', '#.#', '###', '#.#', '###'],
  ['###', '#.#', '###', '..#', '###'],
];

/** Layout of the probability strip for a canvas `width` wide. */
export interface ProbStripLayout {
  /** Top row of the strip. */
  top: number;
  height: number;
  /** Width of one class's slot; bars are centred in their slot. */
  slot: number;
  barWidth: number;
  /** Left edge of slot 0 (slots are centred on the canvas). */
  left: number;
  /** Baseline row: bars grow upwards from here (exclusive). */
  baseline: number;
  barMax: number;
  /** Pixel zoom of the label font, 0 when labels do not fit. */
  fontScale: number;
  labelTop: number;
}

/**
 * `classes` bars (default 10, the digits). The strip's height does not depend on the class
 * count (the font is sized as for 10 slots), so an export's size follows from its layout alone.
 */
export function probStripLayout(width: number, imageHeight: number, scale: number, showLabels = true, classes = 10): ProbStripLayout {
  const n = Math.max(1, Math.floor(classes));
  const slot = Math.max(1, Math.floor(width / n));
  const barWidth = Math.max(1, slot - Math.max(1, Math.floor(slot / 4)));
  const left = Math.floor((width - slot * n) / 2);
  const pad = Math.max(1, Math.floor(scale / 2));
  const barMax = Math.max(8, Math.floor(width / 4));
  const tenSlot = Math.max(1, Math.floor(width / 10));
  const fontScale = showLabels && tenSlot >= 4 ? Math.max(1, Math.min(Math.floor(tenSlot / 4), scale)) : 0;
  const top = imageHeight;
  const baseline = top + pad + barMax;
  const labelTop = baseline + pad;
  const height = pad + barMax + pad + (fontScale ? 5 * fontScale + pad : 0);
  return { top, height, slot, barWidth, left, baseline, barMax, fontScale, labelTop };
}

/** The class-name line under the probability strip: its zoom and height for a frame at `scale`. */
export function captionLayout(scale: number): { zoom: number; pad: number; height: number } {
  const zoom = Math.max(1, Math.floor(scale / 2));
  const pad = Math.max(1, Math.floor(scale / 2));
  return { zoom, pad, height: CAPTION_ROWS * zoom + pad };
}

/** Whether a frame of this trace gets a caption line. */
export function hasCaption(trace: Pick<GlimpseTrace, 'classNames'>, opts: FrameOptions): boolean {
  return Boolean(opts.showProbs && (opts.showCaption ?? true) && trace.classNames?.length);
}

class Canvas {
  readonly indices: Uint8Array;
  /** RGBA bytes drawn alongside the indices (true-colour frames only). */
  readonly rgba?: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    fill: number,
    trueColour = false,
  ) {
    this.indices = new Uint8Array(width * height).fill(fill);
    if (trueColour) {
      this.rgba = new Uint8Array(width * height * 4);
      this.fillRect(0, 0, width, height, fill);
    }
  }

  /** Sets one pixel if it lies inside the clip rectangle [0, cw) x [0, ch). */
  set(x: number, y: number, c: number, cw = this.width, ch = this.height): void {
    if (x >= 0 && y >= 0 && x < cw && y < ch) {
      this.indices[y * this.width + x] = c;
      if (this.rgba) this.paint(y * this.width + x, 1, COLOUR_PALETTE[c]!);
    }
  }

  fillRect(x0: number, y0: number, w: number, h: number, c: number, cw = this.width, ch = this.height, rgb?: readonly number[]): void {
    const xa = Math.max(0, x0);
    const ya = Math.max(0, y0);
    const xb = Math.min(cw, x0 + w);
    const yb = Math.min(ch, y0 + h);
    for (let y = ya; y < yb; y++) {
      this.indices.fill(c, y * this.width + xa, y * this.width + Math.max(xa, xb));
      if (this.rgba) this.paint(y * this.width + xa, Math.max(0, xb - xa), rgb ?? COLOUR_PALETTE[c]!);
    }
  }

  private paint(start: number, n: number, rgb: readonly number[]): void {
    const out = this.rgba!;
    for (let i = start * 4, end = (start + n) * 4; i < end; i += 4) {
      out[i] = rgb[0]!;
      out[i + 1] = rgb[1]!;
      out[i + 2] = rgb[2]!;
      out[i + 3] = 255;
    }
  }

  /** 1-px outline of the rectangle [x0, x1] x [y0, y1] (inclusive), clipped. */
  outline(x0: number, y0: number, x1: number, y1: number, c: number, cw: number, ch: number): void {
    for (let x = x0; x <= x1; x++) {
      this.set(x, y0, c, cw, ch);
      this.set(x, y1, c, cw, ch);
    }
    for (let y = y0; y <= y1; y++) {
      this.set(x0, y, c, cw, ch);
      this.set(x1, y, c, cw, ch);
    }
  }

  /** Bresenham line, clipped. */
  line(x0: number, y0: number, x1: number, y1: number, c: number, cw: number, ch: number): void {
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (let guard = 0; guard < 1 << 16; guard++) {
      this.set(x0, y0, c, cw, ch);
      if (x0 === x1 && y0 === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }

  glyph(digit: number, x: number, y: number, zoom: number, c: number): void {
    const rows = FONT[digit];
    if (!rows) return;
    rows.forEach((row, r) => {
      for (let k = 0; k < 3; k++) if (row[k] === '#') this.fillRect(x + k * zoom, y + r * zoom, zoom, zoom, c);
    });
  }
}

function clampStep(trace: GlimpseTrace, step: number): number {
  return Math.min(Math.max(0, Math.floor(step)), Math.max(0, trace.steps.length - 1));
}

function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Size of the frame drawTraceFrame makes for this trace and these options. */
export function traceFrameSize(trace: GlimpseTrace, opts: FrameOptions): { width: number; height: number } {
  const scale = Math.max(1, Math.floor(opts.scale));
  const width = trace.imageSize * scale;
  const height =
    width + (opts.showProbs ? probStripLayout(width, width, scale, opts.showLabels ?? true).height : 0) + (hasCaption(trace, opts) ? captionLayout(scale).height : 0);
  return { width, height };
}

/**
 * One frame of a trace at `step` (clamped to the trace): the image zoomed by `scale`, each
 * scale's box as a 1-px outline on its pixel boundary (largest drawn first), the path of the
 * fixation centres up to `step`, and optionally the class probabilities after `step`.
 */
export function drawTraceFrame(trace: GlimpseTrace, step: number, opts: FrameOptions): IndexedFrame {
  const { width, height, indices } = drawCanvas(trace, step, opts, false);
  if (traceChannels(trace) === 1) return { width, height, indices };
  return { width, height, indices, palette: COLOUR_PALETTE, trueColour: () => drawCanvas(trace, step, opts, true).rgba! };
}

/**
 * The frame on a canvas: grey traces in PALETTE indices; colour ones in COLOUR_PALETTE indices
 * (the image quantized by colourIndex) and, with `trueColour`, in RGBA with the image unquantized.
 */
function drawCanvas(trace: GlimpseTrace, step: number, opts: FrameOptions, trueColour: boolean): Canvas {
  const scale = Math.max(1, Math.floor(opts.scale));
  const { width, height } = traceFrameSize(trace, opts);
  const n = trace.imageSize;
  const imgH = n * scale;
  const colour = traceChannels(trace) === 3;
  const canvas = new Canvas(width, height, COLOR.background, colour && trueColour);

  const px = trace.pixels;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (colour) {
        const i = (r * n + c) * 3;
        const rgb = [px[i] ?? 0, px[i + 1] ?? 0, px[i + 2] ?? 0];
        canvas.fillRect(c * scale, r * scale, scale, scale, colourIndex(rgb[0]!, rgb[1]!, rgb[2]!), width, imgH, rgb);
      } else canvas.fillRect(c * scale, r * scale, scale, scale, greyIndex(px[r * n + c] ?? 0), width, imgH);
    }
  }
  if (trace.steps.length === 0) return canvas;

  const t = clampStep(trace, step);
  const current = trace.steps[t]!;
  const centre = (i: number): [number, number] => {
    const [x, y] = trace.steps[i]!.centerPx;
    // centerPx is continuous (pixel edges at integers): the pixel containing it, zoomed to its middle.
    return [Math.floor(x * scale), Math.floor(y * scale)];
  };

  if ((opts.showTrail ?? true) && t > 0) {
    const dot = scale >= 3 ? 1 : 0;
    for (let i = 0; i < t; i++) {
      const [x0, y0] = centre(i);
      const [x1, y1] = centre(i + 1);
      canvas.line(x0, y0, x1, y1, COLOR.trail, width, imgH);
      for (let dy = -dot; dy <= dot; dy++) for (let dx = -dot; dx <= dot; dx++) canvas.set(x0 + dx, y0 + dy, COLOR.trail, width, imgH);
    }
  }

  for (let s = current.boxes.length - 1; s >= 0; s--) {
    const b = current.boxes[s]!;
    const x0 = Math.round(b.x * scale);
    const y0 = Math.round(b.y * scale);
    const x1 = Math.round((b.x + b.size) * scale) - 1;
    const y1 = Math.round((b.y + b.size) * scale) - 1;
    // On colour images a box may share its colour with the picture: a dark line inside it keeps it seen.
    if (colour && scale >= 2) canvas.outline(x0 + 1, y0 + 1, x1 - 1, y1 - 1, COLOR.background, width, imgH);
    canvas.outline(x0, y0, x1, y1, scaleColor(s), width, imgH);
  }
  const [cx, cy] = centre(t);
  canvas.set(cx, cy, COLOR.fixation, width, imgH);

  if (opts.showProbs) {
    const strip = drawProbStrip(canvas, trace, current.probs, scale, imgH, opts.showLabels ?? true);
    if (hasCaption(trace, opts)) drawCaptionLine(canvas, trace, current.probs, scale, strip.top + strip.height);
  }
  return canvas;
}

function drawCaptionLine(canvas: Canvas, trace: GlimpseTrace, probs: number[], scale: number, top: number): void {
  const names = trace.classNames ?? [];
  const { zoom, pad } = captionLayout(scale);
  const predicted = probs.length ? argmax(probs) : -1;
  const name = (k: number) => names[k] ?? String(k);
  const right = predicted === trace.label;
  const room = Math.floor((canvas.width - 2 * pad) / zoom);
  // Right: the name alone. Wrong: the prediction, then the true class, each given half the room if need be.
  const first = right ? fitCaption(name(predicted), room) : fitCaption(name(predicted), captionWidth(`${name(predicted)} / ${name(trace.label)}`) <= room ? room : Math.floor(room / 2));
  const second = right ? '' : fitCaption(` / ${name(trace.label)}`, room - captionWidth(first) - 1);
  const width = (captionWidth(first) + (second ? captionWidth(second) + 1 : 0)) * zoom;
  let x = Math.max(pad, Math.floor((canvas.width - width) / 2));
  const y = top;
  const plot = (colour: number) => (px: number, py: number, size: number) => canvas.fillRect(px, py, size, size, colour);
  x += drawCaption(first, x, y, zoom, plot(right ? COLOR.textTrue : COLOR.scales[0]));
  if (second) drawCaption(second, x, y, zoom, plot(COLOR.textTrue));
}

function drawProbStrip(canvas: Canvas, trace: GlimpseTrace, probs: number[], scale: number, imgH: number, showLabels: boolean): ProbStripLayout {
  const classes = probs.length || 10;
  const L = probStripLayout(canvas.width, imgH, scale, showLabels, classes);
  const predicted = probs.length ? argmax(probs) : -1;
  for (let k = 0; k < classes; k++) {
    const p = Math.min(1, Math.max(0, probs[k] ?? 0));
    const h = Math.round(p * L.barMax);
    const x = L.left + k * L.slot + Math.floor((L.slot - L.barWidth) / 2);
    const colour = k === predicted ? COLOR.barPredicted : COLOR.bar;
    // A one-pixel floor keeps every class visible even at probability 0.
    canvas.fillRect(x, L.baseline - Math.max(1, h), L.barWidth, Math.max(1, h), colour);
    if (L.fontScale) {
      // The label number (the frames have no font for class names): digits 4 font pixels apart,
      // at a smaller zoom when the slot is narrow, none when even zoom 1 does not fit.
      const digits = String(k);
      let zoom = L.fontScale;
      while (zoom > 1 && digits.length * 4 * zoom - zoom > L.slot) zoom--;
      const textWidth = digits.length * 4 * zoom - zoom;
      if (textWidth <= L.slot || classes <= 10) {
        const gx = L.left + k * L.slot + Math.floor((L.slot - textWidth) / 2);
        [...digits].forEach((d, j) => canvas.glyph(Number(d), gx + j * 4 * zoom, L.labelTop, zoom, k === trace.label ? COLOR.textTrue : COLOR.text));
      }
    }
  }
  return L;
}

/** Several traces side by side, `columns` per row, each at `step` (clamped per trace). */
export function drawTraceGridFrame(traces: GlimpseTrace[], step: number, opts: GridFrameOptions): IndexedFrame {
  const scale = Math.max(1, Math.floor(opts.scale));
  const columns = Math.max(1, Math.min(Math.floor(opts.columns), Math.max(1, traces.length)));
  const gap = Math.max(0, Math.floor(opts.gap ?? 2 * scale));
  const cells = traces.map((t) => drawTraceFrame(t, step, opts));
  const cellW = Math.max(1, ...cells.map((c) => c.width));
  const cellH = Math.max(1, ...cells.map((c) => c.height));
  const rows = Math.max(1, Math.ceil(cells.length / columns));
  const width = columns * cellW + (columns - 1) * gap;
  const height = rows * cellH + (rows - 1) * gap;
  const indices = new Uint8Array(width * height).fill(COLOR.background);
  const origin = (i: number) => [(i % columns) * (cellW + gap), Math.floor(i / columns) * (cellH + gap)] as const;
  cells.forEach((cell, i) => {
    const [ox, oy] = origin(i);
    for (let y = 0; y < cell.height; y++) {
      indices.set(cell.indices.subarray(y * cell.width, (y + 1) * cell.width), (oy + y) * width + ox);
    }
  });
  if (!cells.some((c) => c.palette)) return { width, height, indices };
  // Any colour cell: COLOUR_PALETTE, whose first entries are PALETTE's (grey cells keep their indices).
  const trueColour = (): Uint8Array => {
    const rgba = indicesToRgba({ width, height, indices }, COLOUR_PALETTE);
    cells.forEach((cell, i) => {
      if (!cell.trueColour) return;
      const [ox, oy] = origin(i);
      const cellRgba = cell.trueColour();
      for (let y = 0; y < cell.height; y++) rgba.set(cellRgba.subarray(y * cell.width * 4, (y + 1) * cell.width * 4), ((oy + y) * width + ox) * 4);
    });
    return rgba;
  };
  return { width, height, indices, palette: COLOUR_PALETTE, trueColour };
}

/** A frame's RGBA bytes at its best: a colour frame's true colours, else its palette's. */
export function frameRgba(frame: IndexedFrame): Uint8Array {
  return frame.trueColour ? frame.trueColour() : indicesToRgba(frame);
}

/** RGBA bytes (alpha 255) of an indexed frame (in its own palette by default), e.g. for ImageData or PNG encoders. */
export function indicesToRgba(frame: IndexedFrame, palette: number[][] = frame.palette ?? PALETTE): Uint8Array {
  const out = new Uint8Array(frame.width * frame.height * 4);
  for (let i = 0; i < frame.indices.length; i++) {
    const c = palette[frame.indices[i]!] ?? [0, 0, 0];
    out[i * 4] = c[0]!;
    out[i * 4 + 1] = c[1]!;
    out[i * 4 + 2] = c[2]!;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Number of frames an animation of these traces needs: the longest trace's step count. */
export function traceFrameCount(traces: GlimpseTrace[]): number {
  return Math.max(1, ...traces.map((t) => t.steps.length));
}
