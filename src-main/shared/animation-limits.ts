/**
 * How large an exported animation would be, computed from its layout alone, and the bounds it
 * must stay within: checked before any frame is drawn, by the one export pipeline (export job).
 */
import { captionLayout, probStripLayout } from './frames';

export interface AnimationLayout {
  images: number;
  /** Side of one (square) test image in pixels. */
  imageSize: number;
  scale: number;
  /** Cells per row; default min(images, 8), as the CLI and the studio have always exported. */
  columns?: number;
  /** Frames: the longest trace's glimpses. */
  frames: number;
  /** Whether the cells have a line of class names under the bars (traces of data with class names). */
  captions?: boolean;
}

export interface AnimationSize {
  width: number;
  height: number;
  frames: number;
  columns: number;
}

export type AnimationFormat = 'gif' | 'apng';

/**
 * Bounds on one export. GIF stores sides in 16 bits (65,535 px is a hard ceiling, see
 * encodeGif); 8,192 px keeps the file viewable in browsers and image viewers. Drawing and
 * encoding were measured at about 1.4-2 bytes per pixel of all frames for GIF (the indexed
 * frames) and 7-8 for APNG (RGBA copies plus UPNG's filter buffers), so the pixel budgets keep
 * either export under about 400 MB.
 */
export const ANIMATION_LIMITS = {
  side: 8192,
  framePixels: 32e6,
  totalPixels: { gif: 192e6, apng: 48e6 } satisfies Record<AnimationFormat, number>,
} as const;

/** The CLI's flags or the studio's fields, for the message's advice. */
export type OptionNames = 'flags' | 'fields';

export class AnimationLimitError extends Error {
  override readonly name = 'AnimationLimitError';
}

/** The default number of columns for `images` cells. */
export function defaultColumns(images: number): number {
  return Math.min(images, 8);
}

/**
 * The size drawTraceGridFrame draws for the export's options (probability strip with labels,
 * gap 2 * scale), without drawing. test/shared/animation-limits.test.ts holds them equal.
 */
export function animationSize(layout: AnimationLayout): AnimationSize {
  const images = Math.max(1, Math.floor(layout.images));
  const scale = Math.max(1, Math.floor(layout.scale));
  const columns = Math.max(1, Math.min(Math.floor(layout.columns ?? defaultColumns(images)), images));
  const cellW = layout.imageSize * scale;
  const cellH = cellW + probStripLayout(cellW, cellW, scale, true).height + (layout.captions ? captionLayout(scale).height : 0);
  const gap = 2 * scale;
  const rows = Math.ceil(images / columns);
  return {
    width: columns * cellW + (columns - 1) * gap,
    height: rows * cellH + (rows - 1) * gap,
    frames: Math.max(1, layout.frames),
    columns,
  };
}

const count = (n: number): string => n.toLocaleString('en-US');
const mpx = (n: number): string => `${(n / 1e6).toFixed(1)} Mpx`;

/** The animation's size, or an AnimationLimitError saying how large it would be and what to change. */
export function checkAnimationSize(layout: AnimationLayout, format: AnimationFormat, names: OptionNames): AnimationSize {
  const size = animationSize(layout);
  const { side, framePixels } = ANIMATION_LIMITS;
  const totalPixels = ANIMATION_LIMITS.totalPixels[format];
  const pixels = size.width * size.height;
  if (size.width <= side && size.height <= side && pixels <= framePixels && pixels * size.frames <= totalPixels) return size;
  const option = (name: string): string => (names === 'flags' ? `--${name}` : name);
  // The change that helps most: a side over the bound is the columns' doing, pixels the images'.
  const other = size.width > side ? `fewer ${option('columns')}` : size.height > side ? `more ${option('columns')}` : `fewer ${option('images')}`;
  throw new AnimationLimitError(
    `the animation would be ${count(size.width)} x ${count(size.height)} px (${mpx(pixels)} per frame, ${size.frames} frames); ` +
      `at most ${count(side)} px a side, ${mpx(framePixels).replace('.0 ', ' ')} per frame and ${mpx(totalPixels).replace('.0 ', ' ')} over all frames ` +
      `of ${format === 'gif' ? 'a GIF' : 'an APNG'}: use a smaller ${option('scale')} or ${other}`,
  );
}
