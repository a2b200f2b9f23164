/**
 * `saccade fixations`' pictures: a fixation density as a heat map over a mean test image, and the
 * mean patches per step. Plain RGB drawing (a fixed colour map, nearest-neighbour upscaling to at
 * least 112 px), encoded as PNG with sharp.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { DensityGrids, FixationsSummary } from '../shared/jobs';

export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes. */
  data: Uint8Array;
}

/** The colour map: dark blue, red, orange, yellow, white, by a value in [0, 1]. */
const STOPS: [number, [number, number, number]][] = [
  [0, [20, 20, 120]],
  [0.35, [220, 30, 30]],
  [0.65, [250, 150, 20]],
  [0.85, [255, 240, 60]],
  [1, [255, 255, 255]],
];

export function heatColour(v: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, v));
  for (let i = 1; i < STOPS.length; i++) {
    const [b, cb] = STOPS[i]!;
    const [a, ca] = STOPS[i - 1]!;
    if (x <= b) {
      const f = (x - a) / (b - a);
      return [0, 1, 2].map((c) => Math.round(ca[c]! + f * (cb[c]! - ca[c]!))) as [number, number, number];
    }
  }
  return STOPS[STOPS.length - 1]![1];
}

/** The magnification that makes `side` at least 112 px. */
export function upscaleFor(side: number): number {
  return Math.max(1, Math.ceil(112 / side));
}

/**
 * What a density shows: blurred a little (a box of about 1/40 of the grid, so scattered glimpses
 * read as regions) and scaled so its 99th percentile is 1 (one hot cell, e.g. a fixed first
 * glimpse, does not wash out the rest).
 */
export function displayDensity(density: number[], grid: number): number[] {
  const r = Math.max(0, Math.round(grid / 40));
  const blurred = new Array<number>(grid * grid).fill(0);
  for (let y = 0; y < grid; y++) {
    for (let x = 0; x < grid; x++) {
      let sum = 0;
      let n = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const X = x + dx;
          const Y = y + dy;
          if (X < 0 || Y < 0 || X >= grid || Y >= grid) continue;
          sum += density[Y * grid + X]!;
          n += 1;
        }
      }
      blurred[y * grid + x] = sum / n;
    }
  }
  const nonzero = blurred.filter((v) => v > 0).sort((a, b) => a - b);
  if (!nonzero.length) return blurred;
  const top = nonzero[Math.min(nonzero.length - 1, Math.floor(0.99 * nonzero.length))]!;
  return blurred.map((v) => Math.min(1, v / top));
}

/**
 * `density` (grid x grid counts) over `meanImage` (imageSize^2 * channels levels): the image in
 * dimmed grey (stretched to its brightest pixel), each cell with glimpses tinted by the colour
 * map, its opacity growing with the density.
 */
export function drawDensity(density: number[], grid: number, meanImage: number[], imageSize: number, channels: number): RgbImage {
  const k = upscaleFor(imageSize);
  const side = imageSize * k;
  const data = new Uint8Array(side * side * 3);
  const shown = displayDensity(density, grid);
  const brightest = Math.max(1, ...meanImage);
  for (let Y = 0; Y < side; Y++) {
    for (let X = 0; X < side; X++) {
      const p = Math.floor(Y / k) * imageSize + Math.floor(X / k);
      let g = 0;
      for (let c = 0; c < channels; c++) g += meanImage[p * channels + c] ?? 0;
      g = ((g / channels) * 255 * 0.55) / brightest;
      let rgb: [number, number, number] = [g, g, g];
      const cell = Math.min(grid - 1, Math.floor((Y * grid) / side)) * grid + Math.min(grid - 1, Math.floor((X * grid) / side));
      const d = shown[cell]!;
      if (d > 0) {
        const a = 0.3 + 0.65 * d;
        const hc = heatColour(d);
        rgb = [0, 1, 2].map((c) => rgb[c]! * (1 - a) + hc[c]! * a) as [number, number, number];
      }
      const o = (Y * side + X) * 3;
      for (let c = 0; c < 3; c++) data[o + c] = Math.round(rgb[c]!);
    }
  }
  return { width: side, height: side, data };
}

/** The mean patches: a row per step, a column per scale, 2 px apart on dark grey. */
export function drawMeanPatches(summary: FixationsSummary): RgbImage {
  const C = summary.channels;
  const glimpseSize = Math.max(1, Math.round(Math.sqrt((summary.meanPatches[0]?.[0]?.length ?? C) / C)));
  const scales = summary.meanPatches[0]?.length ?? 0;
  const k = Math.max(1, Math.ceil(48 / glimpseSize));
  const cellSide = glimpseSize * k;
  const gap = 2;
  const width = Math.max(1, scales * (cellSide + gap) + gap);
  const height = Math.max(1, summary.steps * (cellSide + gap) + gap);
  const data = new Uint8Array(width * height * 3).fill(40);
  summary.meanPatches.forEach((perScale, t) => {
    perScale.forEach((patch, s) => {
      // Stretched to its brightest value: a mean patch is faint where glimpses differ.
      const brightest = Math.max(1e-6, ...patch);
      for (let y = 0; y < cellSide; y++) {
        for (let x = 0; x < cellSide; x++) {
          const p = Math.floor(y / k) * glimpseSize + Math.floor(x / k);
          const o = ((gap + t * (cellSide + gap) + y) * width + gap + s * (cellSide + gap) + x) * 3;
          for (let c = 0; c < 3; c++) data[o + c] = Math.round(255 * Math.max(0, Math.min(1, (patch[p * C + (C === 3 ? c : 0)] ?? 0) / brightest)));
        }
      }
    });
  });
  return { width, height, data };
}

export async function writePng(file: string, img: RgbImage): Promise<void> {
  const bytes = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 3 } })
    .png()
    .toBuffer();
  fs.writeFileSync(file, bytes);
}

/** The mean of all images: the class means weighted by their counts. */
export function overallMeanImage(summary: FixationsSummary): number[] {
  const length = summary.imageSize * summary.imageSize * summary.channels;
  const out = new Array<number>(length).fill(0);
  if (!summary.count) return out;
  summary.meanImages.forEach((mean, k) => {
    const w = summary.perClass[k]!.count / summary.count;
    for (let i = 0; i < length; i++) out[i]! += (mean[i] ?? 0) * w;
  });
  return out;
}

/**
 * Writes fixations.json and the PNGs into `dir`: for all images, each class, right and wrong,
 * `<group>-step<t>.png` per step and `<group>-all.png` (all images: `all.png`), and mean-patches.png.
 * Returns the files written (names).
 */
export async function writeFixationMaps(dir: string, summary: FixationsSummary): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = async (name: string, img: RgbImage) => {
    await writePng(path.join(dir, name), img);
    files.push(name);
  };
  fs.writeFileSync(path.join(dir, 'fixations.json'), JSON.stringify(summary));
  files.push('fixations.json');
  const overall = overallMeanImage(summary);
  const groups: [string, DensityGrids, number[]][] = [
    ['all', summary.all, overall],
    ...summary.perClass.map((g, k) => [`class-${k}`, g, summary.meanImages[k]!] as [string, DensityGrids, number[]]),
    ['right', summary.right, overall],
    ['wrong', summary.wrong, overall],
  ];
  for (const [name, grids, image] of groups) {
    if (name.startsWith('class-') && grids.count === 0) continue;
    const draw = (density: number[]) => drawDensity(density, summary.grid, image, summary.imageSize, summary.channels);
    for (let t = 0; t < summary.steps; t++) await write(`${name}-step${t + 1}.png`, draw(grids.perStep[t]!));
    await write(`${name}-all.png`, draw(grids.all));
    if (name === 'all') await write('all.png', draw(grids.all));
  }
  await write('mean-patches.png', drawMeanPatches(summary));
  return files;
}
