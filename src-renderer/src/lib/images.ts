/** Pixels for canvases, as RGBA bytes (no DOM here: components wrap them in ImageData). */
import { drawTraceFrame, frameRgba, type FrameOptions } from '../../../src-main/shared/frames';
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

/** One playback frame, exactly as the exporters draw it (a colour image in its true colours, as APNG). */
export function traceFrameImage(trace: GlimpseTrace, step: number, opts: FrameOptions): RgbaImage {
  const f = drawTraceFrame(trace, step, opts);
  return { width: f.width, height: f.height, data: clamped(frameRgba(f)) };
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

/**
 * `size` x `size` pixels of `channels` bytes each (1: grey; 3: RGB interleaved), starting at
 * byte `offset` of `pixels`: a sample page's image i starts at i * size^2 * channels.
 */
export function pixelImage(pixels: ArrayLike<number>, size: number, channels: number, offset = 0): RgbaImage {
  if (channels !== 3) return greyImage(pixels, size, offset);
  const data = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const o = offset + i * 3;
    data[i * 4] = pixels[o] ?? 0;
    data[i * 4 + 1] = pixels[o + 1] ?? 0;
    data[i * 4 + 2] = pixels[o + 2] ?? 0;
    data[i * 4 + 3] = 255;
  }
  return { width: size, height: size, data };
}

/** The images of a sample page (SamplePage.channels absent: grey), in order. */
export function pageImages(page: { imageSize: number; channels?: number; items: readonly unknown[]; pixels: ArrayLike<number> }): RgbaImage[] {
  const n = page.imageSize;
  const c = page.channels === 3 ? 3 : 1;
  return page.items.map((_, i) => pixelImage(page.pixels, n, c, i * n * n * c));
}

/** A retina patch: values in [0, 1], row-major, square, `channels` values a pixel (interleaved). */
export function patchImage(patch: readonly number[], channels = 1): RgbaImage {
  const c = channels === 3 ? 3 : 1;
  const size = Math.max(1, Math.round(Math.sqrt(patch.length / c)));
  return pixelImage(
    patch.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255)),
    size,
    c,
  );
}

/** The integer zoom that makes an image about `target` pixels wide. */
export function fitScale(imageSize: number, target: number): number {
  return Math.max(1, Math.floor(target / Math.max(1, imageSize)));
}
