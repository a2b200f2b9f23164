/**
 * The tasks of Mnih et al. 2014, rendered on the fly and deterministically from a seed:
 * centered (28x28 MNIST as is), translated (digit at a uniform random place in 60x60) and
 * cluttered (translated plus random 8x8 crops of other digits, combined with max()).
 *
 * Image `index` under a given seed always renders the same, whatever the call order: each
 * image draws from its own Rng seeded by a hash of (seed, index).
 */
import { Rng } from '../core/rng';
import type { LabeledImages } from './dataset-files';
import { DataError, encodeIdx } from './idx';

import { IMAGE_SIZE, type TaskName } from '../core/config';

export type { TaskName };

export interface TaskSpec {
  name: string;
  /** Side of the square task image. */
  imageSize: number;
  /** Number of clutter crops added per image. */
  clutterPieces: number;
  /** Side of each square clutter crop. */
  clutterSize: number;
  description: string;
}

export const TASKS: Record<TaskName, TaskSpec> = {
  centered: {
    name: 'centered',
    imageSize: IMAGE_SIZE.centered,
    clutterPieces: 0,
    clutterSize: 8,
    description: 'Original 28x28 MNIST digits.',
  },
  translated: {
    name: 'translated',
    imageSize: IMAGE_SIZE.translated,
    clutterPieces: 0,
    clutterSize: 8,
    description: 'The 28x28 digit at a uniformly random position inside a 60x60 canvas.',
  },
  cluttered60: {
    name: 'cluttered60',
    imageSize: IMAGE_SIZE.cluttered60,
    clutterPieces: 4,
    clutterSize: 8,
    description: 'Translated 60x60 MNIST plus 4 random 8x8 crops of other digits.',
  },
  cluttered100: {
    name: 'cluttered100',
    imageSize: IMAGE_SIZE.cluttered100,
    clutterPieces: 8,
    clutterSize: 8,
    description: 'The digit at a random position in 100x100 plus 8 random 8x8 crops of other digits.',
  },
};

export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

export function isTaskName(name: string): name is TaskName {
  return Object.prototype.hasOwnProperty.call(TASKS, name);
}

/** The spec of a built-in task; unknown names are a DataError listing the valid ones. */
export function taskSpec(name: string): TaskSpec {
  if (!isTaskName(name)) throw new DataError(`task "${name}": unknown task; valid tasks are ${TASK_NAMES.join(', ')}`);
  return TASKS[name];
}

/** A custom task (e.g. 80x80 with 6 pieces of 10x10), validated. */
export function customTaskSpec(opts: { name?: string; imageSize: number; clutterPieces?: number; clutterSize?: number; description?: string }): TaskSpec {
  const imageSize = opts.imageSize;
  const clutterPieces = opts.clutterPieces ?? 0;
  const clutterSize = opts.clutterSize ?? Math.min(8, opts.imageSize);
  const name = opts.name ?? `custom${imageSize}x${clutterPieces}`;
  if (!Number.isInteger(imageSize) || imageSize < 1 || imageSize > 4096) throw new DataError(`task "${name}": image size must be an integer in 1..4096, got ${imageSize}`);
  if (!Number.isInteger(clutterPieces) || clutterPieces < 0) throw new DataError(`task "${name}": clutter pieces must be a non-negative integer, got ${clutterPieces}`);
  if (!Number.isInteger(clutterSize) || clutterSize < 1 || (clutterPieces > 0 && clutterSize > imageSize)) {
    throw new DataError(`task "${name}": clutter size must be an integer in 1..${imageSize}, got ${clutterSize}`);
  }
  const description =
    opts.description ?? `Digit at a random position in ${imageSize}x${imageSize}` + (clutterPieces ? ` plus ${clutterPieces} random ${clutterSize}x${clutterSize} crops.` : '.');
  return { name, imageSize, clutterPieces, clutterSize, description };
}

/** Anything that renders task images as floats in [0,1]: `channels` planes of imageSize^2 each. */
export interface TaskImages {
  readonly imageSize: number;
  readonly channels: number;
  render(index: number, out: Float32Array, offset: number): void;
}

/** Floats per rendered image. */
export function imageValues(gen: Pick<TaskImages, 'imageSize' | 'channels'>): number {
  return gen.imageSize * gen.imageSize * gen.channels;
}

/** Where the digit and clutter went in one task image (for display and tests). */
export interface TaskLayout {
  digitX: number;
  digitY: number;
  pieces: Array<{ sourceIndex: number; cropX: number; cropY: number; x: number; y: number }>;
}

/** pixel byte -> float in [0,1]. */
const TO_FLOAT = new Float32Array(256);
for (let i = 0; i < 256; i++) TO_FLOAT[i] = i / 255;

/** 32-bit hash of (seed, index), so neighbouring indices get unrelated streams. */
function imageSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x27d4eb2d, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h ^ (index >>> 0), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class TaskGenerator implements TaskImages {
  readonly spec: TaskSpec;
  readonly source: LabeledImages;
  readonly clutterSource: LabeledImages;
  readonly seed: number;
  private readonly size: number;
  private readonly sameClutterSource: boolean;

  constructor(spec: TaskSpec, source: LabeledImages, seed: number, clutterSource?: LabeledImages) {
    this.spec = spec;
    this.source = source;
    this.seed = seed;
    this.clutterSource = clutterSource ?? source;
    this.sameClutterSource = this.clutterSource === source;
    this.size = spec.imageSize;
    if (this.clutterSource.channels !== source.channels) {
      throw new DataError(`task "${spec.name}": the clutter images have ${this.clutterSource.channels} channels, the digits ${source.channels}`);
    }
    if (source.height > spec.imageSize || source.width > spec.imageSize) {
      throw new DataError(`task "${spec.name}": ${spec.imageSize}x${spec.imageSize} is too small for ${source.height}x${source.width} images`);
    }
    if (spec.clutterPieces > 0) {
      const c = this.clutterSource;
      if (spec.clutterSize > c.height || spec.clutterSize > c.width || spec.clutterSize > spec.imageSize) {
        throw new DataError(`task "${spec.name}": ${spec.clutterSize}x${spec.clutterSize} clutter does not fit ${c.height}x${c.width} source images`);
      }
      if (c.count < (this.sameClutterSource ? 2 : 1)) {
        throw new DataError(`task "${spec.name}": clutter needs images other than the digit's, but the source has only ${c.count}`);
      }
    }
  }

  get imageSize(): number {
    return this.size;
  }

  get channels(): number {
    return this.source.channels;
  }

  get pixels(): number {
    return this.size * this.size;
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.source.count) {
      throw new DataError(`task "${this.spec.name}": image index ${index} out of range 0..${this.source.count - 1}`);
    }
  }

  /** Draws the same random numbers, in the same order, as render() (placement, then each piece). */
  layout(index: number): TaskLayout {
    this.checkIndex(index);
    const rng = new Rng(imageSeed(this.seed, index));
    const { height: h, width: w } = this.source;
    const S = this.size;
    const digitY = rng.int(S - h + 1);
    const digitX = rng.int(S - w + 1);
    const pieces: TaskLayout['pieces'] = [];
    const c = this.clutterSource;
    const cs = this.spec.clutterSize;
    for (let p = 0; p < this.spec.clutterPieces; p++) {
      const sourceIndex = this.pickOther(rng, index);
      const cropY = rng.int(c.height - cs + 1);
      const cropX = rng.int(c.width - cs + 1);
      const y = rng.int(S - cs + 1);
      const x = rng.int(S - cs + 1);
      pieces.push({ sourceIndex, cropX, cropY, x, y });
    }
    return { digitX, digitY, pieces };
  }

  private pickOther(rng: Rng, index: number): number {
    const n = this.clutterSource.count;
    if (!this.sameClutterSource) return rng.int(n);
    const j = rng.int(n - 1);
    return j >= index ? j + 1 : j;
  }

  /**
   * Writes image `index` into out[offset...]: channels planes of imageSize^2 floats in [0,1] (the
   * source's interleaved bytes, de-interleaved), the digit placed and the clutter max()-ed in.
   */
  render(index: number, out: Float32Array, offset: number): void {
    this.checkIndex(index);
    const S = this.size;
    const C = this.source.channels;
    const plane = S * S;
    if (offset < 0 || offset + plane * C > out.length) {
      throw new DataError(`task "${this.spec.name}": output has room for ${out.length - offset} floats at offset ${offset}, need ${plane * C}`);
    }
    const { images, height: h, width: w } = this.source;
    const src = index * h * w * C;
    if (S === h && S === w && this.spec.clutterPieces === 0) {
      if (C === 1) for (let i = 0; i < plane; i++) out[offset + i] = TO_FLOAT[images[src + i]];
      else for (let c = 0; c < C; c++) for (let i = 0; i < plane; i++) out[offset + c * plane + i] = TO_FLOAT[images[src + i * C + c]];
      return;
    }
    const rng = new Rng(imageSeed(this.seed, index));
    out.fill(0, offset, offset + plane * C);
    const digitY = rng.int(S - h + 1);
    const digitX = rng.int(S - w + 1);
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < h; y++) {
        const o = offset + c * plane + (digitY + y) * S + digitX;
        const s = src + y * w * C + c;
        for (let x = 0; x < w; x++) out[o + x] = TO_FLOAT[images[s + x * C]];
      }
    }
    const cl = this.clutterSource;
    const cimg = cl.images;
    const cs = this.spec.clutterSize;
    for (let p = 0; p < this.spec.clutterPieces; p++) {
      const j = this.pickOther(rng, index);
      const cropY = rng.int(cl.height - cs + 1);
      const cropX = rng.int(cl.width - cs + 1);
      const py = rng.int(S - cs + 1);
      const px = rng.int(S - cs + 1);
      const base = j * cl.height * cl.width * C;
      for (let c = 0; c < C; c++) {
        for (let y = 0; y < cs; y++) {
          const o = offset + c * plane + (py + y) * S + px;
          const s = base + ((cropY + y) * cl.width + cropX) * C + c;
          for (let x = 0; x < cs; x++) {
            const v = TO_FLOAT[cimg[s + x * C]];
            if (v > out[o + x]) out[o + x] = v;
          }
        }
      }
    }
  }
}

/** Renders `indices` into a (batch x imageSize^2) float array (reused when `out` is given and big enough). */
export function renderBatch(gen: TaskImages, indices: ArrayLike<number>, out?: Float32Array): Float32Array {
  const px = imageValues(gen);
  const need = indices.length * px;
  if (out && out.length < need) throw new DataError(`renderBatch: output holds ${out.length} floats, batch of ${indices.length} needs ${need}`);
  const dst = out ?? new Float32Array(need);
  for (let b = 0; b < indices.length; b++) gen.render(indices[b], dst, b * px);
  return dst;
}

/** The labels of `indices` as int32 (for one-hot / sparse losses). */
export function labelsFor(source: LabeledImages, indices: ArrayLike<number>): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (!Number.isInteger(k) || k < 0 || k >= source.count) throw new DataError(`labelsFor: index ${k} out of range 0..${source.count - 1}`);
    out[i] = source.labels[k];
  }
  return out;
}

let scratch = new Float32Array(0);

/** Image `index` as bytes 0..255, imageSize^2 pixels with their channels interleaved (grey or RGB), for display and export. */
export function renderTaskUint8(gen: TaskImages, index: number): Uint8Array {
  const values = imageValues(gen);
  if (scratch.length < values) scratch = new Float32Array(values);
  gen.render(index, scratch, 0);
  return interleaveBytes(scratch, gen.imageSize * gen.imageSize, gen.channels);
}

/** Planar floats in [0,1] (channels planes of `pixels`) as interleaved bytes. */
export function interleaveBytes(planes: ArrayLike<number>, pixels: number, channels: number): Uint8Array {
  const out = new Uint8Array(pixels * channels);
  for (let c = 0; c < channels; c++) for (let i = 0; i < pixels; i++) out[i * channels + c] = Math.round(planes[c * pixels + i]! * 255);
  return out;
}

/** Renders `indices` to IDX-encoded images (n x S x S) and labels (n), e.g. to export a task set. */
export function encodeTaskSet(gen: TaskGenerator, indices: ArrayLike<number>): { images: Uint8Array; labels: Uint8Array } {
  const S = gen.imageSize;
  const px = imageValues(gen);
  const n = indices.length;
  if (n === 0) throw new DataError('encodeTaskSet: no images to export');
  const images = new Uint8Array(n * px);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    images.set(renderTaskUint8(gen, indices[i]), i * px);
    labels[i] = gen.source.labels[indices[i]];
  }
  const dims = gen.channels === 1 ? [n, S, S] : [n, S, S, gen.channels];
  return { images: encodeIdx(dims, images), labels: encodeIdx([n], labels) };
}
