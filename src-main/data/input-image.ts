/**
 * A user's own picture (a photo, a drawing) as a model's input: decoded with sharp, grey or sRGB
 * as the model was trained, inverted to the model's polarity, and resized to its square input.
 *
 * Steps: decode (bounded by a pixel limit; EXIF orientation applied), flatten alpha onto white (a
 * drawing's transparent canvas is its background; strokes that are themselves light go onto black
 * instead, so they stay visible), convert to grey or sRGB, measure the background (the mean of
 * the outer ring of pixels), decide inversion, then either
 *  - fit the whole picture into the square ('contain', the margins filled with the background), or
 *  - for grey white-on-black models (MNIST-like), do what MNIST's makers did: fit the ink's
 *    bounding box into a 20x20 box of a 28x28 digit (20/28 of the digit's side) keeping its aspect
 *    ratio, then shift it so that its centre of mass falls on the centre of the image; levels are
 *    stretched so the background is 0 and the darkest-to-brightest ink reaches 255, as MNIST's.
 * Resizing averages areas (a box filter over fractional source pixels): exact for whole factors,
 * and anti-aliased as MNIST's digits are.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import type { InvertMode } from '../shared/jobs';
import { DataError } from './idx';

/** A bound on the decoded picture's pixels (sharp's limitInputPixels). */
export const INPUT_MAX_PIXELS = 50_000_000;
/** Larger pictures are first brought to this side by sharp (libvips), then area-averaged here. */
const WORK_SIDE = 1024;

export interface InputTarget {
  imageSize: number;
  channels: 1 | 3;
  /** The model's data has a dark background and light strokes (MNIST). */
  whiteOnBlack: boolean;
  /**
   * The side of the digits in the model's images (default imageSize): a translated model's digits
   * are 28 px in a larger canvas, so the MNIST box is 20/28 of that side, not of the canvas.
   */
  digitSize?: number;
}

export interface PreparedImage {
  /** imageSize^2 * channels bytes, row-major, channels interleaved. */
  pixels: Uint8Array;
  inverted: boolean;
  /** The picture's background level as given (grey 0..255, after flattening): the outer ring's mean. */
  background: number;
}

interface Raw {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

async function decode(input: Uint8Array | string, channels: 1 | 3): Promise<Raw> {
  let bytes: Uint8Array | string = input;
  if (typeof input === 'string') {
    let size: number;
    try {
      size = fs.statSync(input).size;
    } catch (e) {
      throw new DataError(`${input}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (size === 0) throw new DataError(`${input}: empty file, not an image`);
  } else if (input.length === 0) {
    throw new DataError('the picture is empty (0 bytes), not an image');
  } else bytes = Buffer.from(input.buffer, input.byteOffset, input.length);
  const name = typeof input === 'string' ? input : 'the picture';
  try {
    const base = () => sharp(bytes as Buffer | string, { limitInputPixels: INPUT_MAX_PIXELS, failOn: 'truncated' }).autoOrient();
    const meta = await base().metadata();
    let width = meta.autoOrient?.width ?? meta.width ?? 0;
    let height = meta.autoOrient?.height ?? meta.height ?? 0;
    let img = base();
    if (Math.max(width, height) > WORK_SIDE) {
      img = img.resize(WORK_SIDE, WORK_SIDE, { fit: 'inside' });
    }
    // Alpha: decide the canvas colour from the opaque pixels (light strokes go onto black).
    let background = { r: 255, g: 255, b: 255 };
    if (meta.hasAlpha) {
      const { data, info } = await img.clone().ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      let sum = 0;
      let weight = 0;
      // Grey and alpha (2 channels) or RGBA (4): the alpha comes last.
      const n = info.channels;
      for (let i = 0; i < info.width * info.height; i++) {
        const a = data[n * i + n - 1]! / 255;
        let level = 0;
        for (let c = 0; c < n - 1; c++) level += data[n * i + c]!;
        sum += (a * level) / (n - 1);
        weight += a;
      }
      if (weight > 0 && sum / weight > 127) background = { r: 0, g: 0, b: 0 };
    }
    img = img.flatten({ background });
    img = channels === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb');
    const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    width = info.width;
    height = info.height;
    if (info.channels !== channels) throw new Error(`decoded to ${info.channels} channels, expected ${channels}`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height, channels: info.channels };
  } catch (e) {
    if (e instanceof DataError) throw e;
    const msg = String((e as Error)?.message ?? e).split('\n')[0]!.trim();
    if (/pixel limit/i.test(msg)) throw new DataError(`${name}: over the ${INPUT_MAX_PIXELS.toLocaleString('en-US')}-pixel limit`);
    if (/unsupported image format/i.test(msg)) throw new DataError(`${name}: not an image (PNG, JPEG, WebP, GIF, TIFF or AVIF)`);
    throw new DataError(`${name}: cannot be decoded (${msg})`);
  }
}

/** Grey level of pixel p (the mean of its channels). */
function grey(img: Raw, p: number): number {
  if (img.channels === 1) return img.data[p]!;
  let s = 0;
  for (let c = 0; c < img.channels; c++) s += img.data[p * img.channels + c]!;
  return s / img.channels;
}

/** The mean grey level of the outer ring of pixels (each border pixel once). */
export function borderMean(img: Raw): number {
  const { width: w, height: h } = img;
  let sum = 0;
  let n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (y !== 0 && y !== h - 1 && x !== 0 && x !== w - 1) continue;
      sum += grey(img, y * w + x);
      n += 1;
    }
  }
  return n ? sum / n : 0;
}

/**
 * Area-averaging resize of the source rectangle (sx, sy, sw, sh) (fractional, in source pixels)
 * to dw x dh: each output pixel is the mean of the source area it covers.
 */
function resampleArea(img: Raw, sx: number, sy: number, sw: number, sh: number, dw: number, dh: number): Float64Array {
  const C = img.channels;
  const out = new Float64Array(dw * dh * C);
  const fx = sw / dw;
  const fy = sh / dh;
  // Per axis: the source pixels each output pixel covers, with their coverage.
  const spans = (start: number, f: number, n: number, limit: number) =>
    Array.from({ length: n }, (_, i) => {
      const a = start + i * f;
      const b = a + f;
      const cells: [number, number][] = [];
      for (let s = Math.floor(a); s < b; s++) {
        const cover = Math.min(b, s + 1) - Math.max(a, s);
        if (cover > 1e-9) cells.push([Math.min(limit - 1, Math.max(0, s)), cover]);
      }
      return cells;
    });
  const xs = spans(sx, fx, dw, img.width);
  const ys = spans(sy, fy, dh, img.height);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      for (let c = 0; c < C; c++) {
        let sum = 0;
        let area = 0;
        for (const [yy, wy] of ys[y]!) {
          for (const [xx, wx] of xs[x]!) {
            sum += img.data[(yy * img.width + xx) * C + c]! * wx * wy;
            area += wx * wy;
          }
        }
        out[(y * dw + x) * C + c] = sum / area;
      }
    }
  }
  return out;
}

function toBytes(values: Float64Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(values[i]!)));
  return out;
}

/** The whole picture fitted into size x size, centred, the margins at `fill`. */
function contain(img: Raw, size: number, fill: number): Uint8Array {
  const C = img.channels;
  const scale = Math.min(size / img.width, size / img.height);
  const rw = Math.max(1, Math.min(size, Math.round(img.width * scale)));
  const rh = Math.max(1, Math.min(size, Math.round(img.height * scale)));
  const resized = rw === img.width && rh === img.height ? Float64Array.from(img.data) : resampleArea(img, 0, 0, img.width, img.height, rw, rh);
  const out = new Float64Array(size * size * C).fill(fill);
  const left = Math.floor((size - rw) / 2);
  const top = Math.floor((size - rh) / 2);
  for (let y = 0; y < rh; y++) for (let x = 0; x < rw; x++) for (let c = 0; c < C; c++) out[((top + y) * size + left + x) * C + c] = resized[(y * rw + x) * C + c]!;
  return toBytes(out);
}

/**
 * MNIST's normalisation of a grey, white-on-black picture (background near 0 after inversion):
 * the ink's bounding box into a box of round(digitSize * 20 / 28) px keeping its aspect ratio,
 * levels stretched to 0..255, placed so its centre of mass is the image's centre (whole pixels).
 */
function mnistStyle(img: Raw, size: number, digitSize: number, background: number): Uint8Array {
  const { width: w, height: h } = img;
  let peak = 0;
  for (let p = 0; p < w * h; p++) peak = Math.max(peak, img.data[p]! - background);
  const out = new Uint8Array(size * size);
  if (peak <= 8) return out; // No ink: an empty (black) image.
  // Ink: pixels a quarter of the way from the background to the brightest stroke.
  const threshold = background + peak / 4;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (img.data[y * w + x]! < threshold) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const box = Math.max(1, Math.min(size, Math.round((digitSize * 20) / 28)));
  const scale = box / Math.max(bw, bh);
  const rw = Math.max(1, Math.min(box, Math.round(bw * scale)));
  const rh = Math.max(1, Math.min(box, Math.round(bh * scale)));
  const crop = resampleArea(img, x0, y0, bw, bh, rw, rh);
  // Levels: background 0, the brightest ink 255.
  const ink = new Float64Array(rw * rh);
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < rh; y++) {
    for (let x = 0; x < rw; x++) {
      const v = Math.max(0, Math.min(1, (crop[y * rw + x]! - background) / peak)) * 255;
      ink[y * rw + x] = v;
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  // Centre of mass (pixel centres) onto the image's centre, (size - 1) / 2, by whole pixels.
  const cx = mass ? mx / mass : (rw - 1) / 2;
  const cy = mass ? my / mass : (rh - 1) / 2;
  const left = Math.round((size - 1) / 2 - cx);
  const top = Math.round((size - 1) / 2 - cy);
  for (let y = 0; y < rh; y++) {
    for (let x = 0; x < rw; x++) {
      const X = left + x;
      const Y = top + y;
      if (X < 0 || Y < 0 || X >= size || Y >= size) continue;
      out[Y * size + X] = Math.round(ink[y * rw + x]!);
    }
  }
  return out;
}

/** The picture (bytes or a file) as the model's input; see the module comment. */
export async function prepareInputImage(input: Uint8Array | string, target: InputTarget, invert: InvertMode = 'auto'): Promise<PreparedImage> {
  const size = target.imageSize;
  if (!Number.isInteger(size) || size < 1) throw new DataError(`image size ${size} must be a positive whole number`);
  const img = await decode(input, target.channels);
  const background = borderMean(img);
  const light = background > 127;
  const inverted = invert === 'on' || (invert === 'auto' && light === target.whiteOnBlack);
  if (inverted) for (let i = 0; i < img.data.length; i++) img.data[i] = 255 - img.data[i]!;
  const bgNow = inverted ? 255 - background : background;
  if (target.channels === 1 && target.whiteOnBlack && bgNow <= 127) {
    return { pixels: mnistStyle(img, size, target.digitSize ?? size, bgNow), inverted, background };
  }
  return { pixels: contain(img, size, bgNow), inverted, background };
}

/** Whether a set's images are light strokes on a dark background: the mean of their outer rings <= 127. */
export function looksWhiteOnBlack(images: Uint8Array[], imageSize: number, channels: number): boolean {
  if (!images.length) return true;
  let sum = 0;
  for (const data of images) sum += borderMean({ data, width: imageSize, height: imageSize, channels });
  return sum / images.length <= 127;
}
