/** Pixels for canvases, as RGBA bytes (no DOM here: components wrap them in ImageData). */
import { drawTraceFrame, indicesToRgba, type FrameOptions } from '../../../src-main/shared/frames';
import type { GlimpseTrace } from '../../../src-main/shared/trace';

export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray<ArrayBuffer>;
}

function clamped(bytes: Uint8Array): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(bytes.length);
  out.set(bytes);
  return out;
}

/** One playback frame, exactly as the exporters draw it. */
export function traceFrameImage(trace: GlimpseTrace, step: number, opts: FrameOptions): RgbaImage {
  const f = drawTraceFrame(trace, step, opts);
  return { width: f.width, height: f.height, data: clamped(indicesToRgba(f)) };
}

/** Grey bytes (0..255), `size` x `size`, starting at `offset` in `pixels`. */
export function greyImage(pixels: ArrayLike<number>, size: number, offset = 0): RgbaImage {
  const data = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const v = pixels[offset + i] ?? 0;
    data[i * 4] = v;
    data[i * 4 + 1] = v;
    data[i * 4 + 2] = v;
    data[i * 4 + 3] = 255;
  }
  return { width: size, height: size, data };
}

/** A retina patch: values in [0, 1], row-major, square. */
export function patchImage(patch: readonly number[]): RgbaImage {
  const size = Math.max(1, Math.round(Math.sqrt(patch.length)));
  return greyImage(
    patch.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255)),
    size,
  );
}

/** The integer zoom that makes an image about `target` pixels wide. */
export function fitScale(imageSize: number, target: number): number {
  return Math.max(1, Math.floor(target / Math.max(1, imageSize)));
}
