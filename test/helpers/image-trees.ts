/** Test helpers: class-folder trees of real PNG and JPEG files, written with sharp. */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { loadBundledMnist } from '../../src-main/data/dataset-files';

/** The bundled digits 0, 1 and 2 as grey 28x28 PNGs in DIR/train/<name>/ and DIR/test/<name>/ (names in sorted order). */
export const DIGIT_NAMES = ['nought', 'one', 'two'];

export async function writeDigitTree(dir: string, perClass: { train: number; test: number }): Promise<string> {
  const mnist = await loadBundledMnist();
  for (const [split, set, n] of [
    ['train', mnist.train, perClass.train],
    ['test', mnist.test, perClass.test],
  ] as const) {
    const seen = [0, 0, 0];
    for (let i = 0; i < set.count && seen.some((c) => c < n); i++) {
      const label = set.labels[i]!;
      if (label > 2 || seen[label]! >= n) continue;
      const folder = path.join(dir, split, DIGIT_NAMES[label]!);
      mkdirSync(folder, { recursive: true });
      const pixels = Buffer.from(set.images.subarray(i * 784, (i + 1) * 784));
      await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(folder, `${String(seen[label]).padStart(4, '0')}.png`));
      seen[label]! += 1;
    }
  }
  return dir;
}

/**
 * Colour JPEGs of `size` x `size` in DIR/<colour>/, no split given: a bright square of the class's
 * colour at a random place on a dark, noisy background, so a model can learn them in a few steps.
 */
export const COLOUR_NAMES = ['blue', 'green', 'red'];
const CHANNEL = { blue: 2, green: 1, red: 0 } as Record<string, number>;

export async function writeColourTree(dir: string, size: number, perClass: number, seed = 1): Promise<string> {
  let s = seed >>> 0 || 1;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let c = 0; c < COLOUR_NAMES.length; c++) {
    const folder = path.join(dir, COLOUR_NAMES[c]!);
    mkdirSync(folder, { recursive: true });
    for (let k = 0; k < perClass; k++) {
      const px = Buffer.alloc(size * size * 3);
      for (let i = 0; i < px.length; i++) px[i] = Math.floor(rand() * 40);
      const side = Math.max(3, Math.floor(size / 3));
      const x0 = Math.floor(rand() * (size - side));
      const y0 = Math.floor(rand() * (size - side));
      for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) px[(y * size + x) * 3 + CHANNEL[COLOUR_NAMES[c]!]!] = 230;
      await sharp(px, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 95 }).toFile(path.join(folder, `img${k}.jpg`));
    }
  }
  return dir;
}
