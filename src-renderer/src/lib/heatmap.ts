/** Fixation heat maps: density grids coloured and laid over a mean image (RGBA, no DOM). */
import type { DensityGrids } from '../../../src-main/shared/jobs';
import type { RgbaImage } from './images';

/** A colour for v in [0, 1] on a black-red-yellow-white ramp ('hot'). */
export function heatColour(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));
  const r = Math.min(1, x * 3);
  const g = Math.min(1, Math.max(0, x * 3 - 1));
  const b = Math.min(1, Math.max(0, x * 3 - 2));
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

/** Counts scaled to [0, 1] by their maximum (all 0 when empty). */
export function normaliseDensity(counts: readonly number[]): number[] {
  let max = 0;
  for (const c of counts) if (c > max) max = c;
  return counts.map((c) => (max > 0 ? c / max : 0));
}

/** The grid of step t (a number) or of all steps ('all'). */
export function densityOf(grids: DensityGrids, step: number | 'all'): number[] {
  return step === 'all' ? grids.all : (grids.perStep[step] ?? []);
}

/** A square box blur of a grid x grid field, `radius` cells each way (edges averaged over what is inside). */
export function blurGrid(values: readonly number[], grid: number, radius: number): number[] {
  const r = Math.max(0, Math.floor(radius));
  if (r === 0) return [...values];
  const pass = (src: readonly number[], horizontal: boolean): number[] => {
    const out = new Array<number>(grid * grid).fill(0);
    for (let y = 0; y < grid; y++)
      for (let x = 0; x < grid; x++) {
        let sum = 0;
        let n = 0;
        for (let d = -r; d <= r; d++) {
          const xx = horizontal ? x + d : x;
          const yy = horizontal ? y : y + d;
          if (xx < 0 || yy < 0 || xx >= grid || yy >= grid) continue;
          sum += src[yy * grid + xx] ?? 0;
          n++;
        }
        out[y * grid + x] = sum / n;
      }
    return out;
  };
  return pass(pass(values, true), false);
}

export interface HeatOptions {
  /** Blur radius in grid cells (default: a cell per 28 cells of the grid, so a glimpse centre reads as a spot). */
  blur?: number;
  /** Exponent on the normalised density (default 0.5: sparse fixations still show). */
  gamma?: number;
}

/**
 * A density grid (grid x grid counts) drawn over a mean image (imageSize^2 * channels bytes),
 * imageSize x imageSize: the image in grey, stretched to its brightest pixel and dimmed, the heat
 * blended in by its strength.
 */
export function heatOverlay(counts: readonly number[], grid: number, image: readonly number[] | undefined, imageSize: number, channels: number, options: HeatOptions = {}): RgbaImage {
  const n = imageSize;
  const blur = options.blur ?? Math.max(1, Math.round(grid / 28));
  const gamma = options.gamma ?? 0.5;
  const norm = normaliseDensity(blurGrid(counts, grid, blur)).map((v) => Math.pow(v, gamma));
  const grey = new Array<number>(n * n).fill(0);
  if (image) {
    for (let i = 0; i < n * n; i++) grey[i] = channels === 3 ? ((image[i * 3] ?? 0) + (image[i * 3 + 1] ?? 0) + (image[i * 3 + 2] ?? 0)) / 3 : (image[i] ?? 0);
  }
  const brightest = Math.max(1, ...grey);
  const data = new Uint8ClampedArray(n * n * 4);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const i = y * n + x;
      const gx = Math.min(grid - 1, Math.floor((x * grid) / n));
      const gy = Math.min(grid - 1, Math.floor((y * grid) / n));
      const v = norm[gy * grid + gx] ?? 0;
      const [hr, hg, hb] = heatColour(v);
      const a = Math.min(1, v * 1.5);
      const base = (grey[i]! / brightest) * 255 * 0.45;
      data[i * 4] = base * (1 - a) + hr * a;
      data[i * 4 + 1] = base * (1 - a) + hg * a;
      data[i * 4 + 2] = base * (1 - a) + hb * a;
      data[i * 4 + 3] = 255;
    }
  }
  return { width: n, height: n, data };
}

/** Values scaled so the largest is 1 (a mean patch shown with its contrast stretched). */
export function stretch(values: readonly number[]): number[] {
  const max = Math.max(1e-9, ...values);
  return values.map((v) => v / max);
}

/** The mean of several mean images (the 'all images' background from the per-class ones, weighted by count). */
export function weightedMeanImage(images: readonly (readonly number[])[], weights: readonly number[]): number[] {
  const length = images[0]?.length ?? 0;
  const out = new Array<number>(length).fill(0);
  let total = 0;
  images.forEach((img, k) => {
    const w = weights[k] ?? 0;
    total += w;
    for (let i = 0; i < length; i++) out[i]! += (img[i] ?? 0) * w;
  });
  return out.map((v) => (total > 0 ? v / total : 0));
}
