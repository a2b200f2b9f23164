/** Animated GIF and APNG bytes from indexed frames (see frames.ts); no file system here. */
import * as gifencModule from 'gifenc';
import UPNG from 'upng-js';
import { PALETTE, frameRgba, type IndexedFrame } from './frames';

type GifEncoderFactory = typeof gifencModule.GIFEncoder;

/**
 * gifenc is CommonJS with an ESM build: Node ESM puts module.exports under `default`, bundlers
 * and CommonJS give named exports. Accept every shape rather than depend on the loader.
 */
function resolveGifEncoder(mod: unknown): GifEncoderFactory {
  const m = mod as { GIFEncoder?: unknown; default?: unknown };
  if (typeof m.GIFEncoder === 'function') return m.GIFEncoder as GifEncoderFactory;
  const d = m.default as { GIFEncoder?: unknown } | undefined;
  if (d && typeof d.GIFEncoder === 'function') return d.GIFEncoder as GifEncoderFactory;
  if (typeof d === 'function') return d as GifEncoderFactory;
  throw new Error('gifenc: GIFEncoder export not found');
}

export interface GifOptions {
  /** Time per frame in milliseconds (GIF stores hundredths of a second). */
  delayMs: number | number[];
  /** Loop forever (default) or play once. */
  loop?: boolean;
  /** Default: the frames' own (COLOUR_PALETTE for colour traces, 256 entries), else PALETTE. */
  palette?: number[][];
}

export interface ApngOptions {
  delayMs: number | number[];
}

function delayOf(delayMs: number | number[], i: number): number {
  return Math.max(0, Array.isArray(delayMs) ? (delayMs[i] ?? delayMs[delayMs.length - 1] ?? 100) : delayMs);
}

function checkFrames(frames: IndexedFrame[]): void {
  if (frames.length === 0) throw new Error('no frames to encode');
  const { width, height } = frames[0]!;
  for (const f of frames) {
    if (f.width !== width || f.height !== height) throw new Error(`frames differ in size: ${f.width}x${f.height} vs ${width}x${height}`);
    if (f.indices.length !== width * height) throw new Error('frame indices do not match its size');
  }
}

/** GIF's logical screen and image sizes are 16-bit fields: a larger side would wrap. */
export const GIF_MAX_SIDE = 65535;

/**
 * GIF89a with the fixed palette as its global colour table: PALETTE for grey frames, and for
 * colour ones COLOUR_PALETTE, into which frames.ts already quantized the image (no per-frame
 * quantising here).
 */
export function encodeGif(frames: IndexedFrame[], opts: GifOptions): Uint8Array {
  checkFrames(frames);
  const { width, height } = frames[0]!;
  if (width > GIF_MAX_SIDE || height > GIF_MAX_SIDE) {
    const px = (n: number) => n.toLocaleString('en-US');
    throw new Error(`${px(width)} x ${px(height)} px: a GIF is at most ${px(GIF_MAX_SIDE)} px a side`);
  }
  const GIFEncoder = resolveGifEncoder(gifencModule);
  const palette = opts.palette ?? frames.find((f) => f.palette)?.palette ?? PALETTE;
  const gif = GIFEncoder();
  frames.forEach((f, i) => {
    gif.writeFrame(f.indices, f.width, f.height, {
      ...(i === 0 ? { palette, repeat: opts.loop === false ? -1 : 0 } : {}),
      delay: delayOf(opts.delayMs, i),
    });
  });
  gif.finish();
  return gif.bytes();
}

/** Lossless animated PNG; colour frames in their true colours (see IndexedFrame.trueColour). */
export function encodeApng(frames: IndexedFrame[], opts: ApngOptions): Uint8Array {
  checkFrames(frames);
  const { width, height } = frames[0]!;
  const buffers = frames.map((f) => {
    const rgba = frameRgba(f);
    return rgba.buffer.slice(rgba.byteOffset, rgba.byteOffset + rgba.byteLength) as ArrayBuffer;
  });
  const delays = frames.map((_, i) => Math.round(delayOf(opts.delayMs, i)));
  return new Uint8Array(UPNG.encode(buffers, width, height, 0, delays));
}
