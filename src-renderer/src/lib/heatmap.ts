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

/**
 * A density grid (grid x grid counts) drawn over a mean image (imageSize^2 * channels bytes),
 * imageSize x imageSize: the image dimmed in grey, the heat blended in by its strength.
 */
export function heatOverlay(counts: readonly number[], grid: number, image: readonly number[] | undefined, imageSize: number, channels: number): RgbaImage {
  const n = imageSize;
  const norm = normaliseDensity(counts);
  const data = new Uint8ClampedArray(n * n * 4);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const i = y * n + x;
      let grey = 0;
      if (image) {
        if (channels === 3) grey = ((image[i * 3] ?? 0) + (image[i * 3 + 1] ?? 0) + (image[i * 3 + 2] ?? 0)) / 3;
        else grey = image[i] ?? 0;
      }
      const gx = Math.min(grid - 1, Math.floor((x * grid) / n));
      const gy = Math.min(grid - 1, Math.floor((y * grid) / n));
      const v = norm[gy * grid + gx] ?? 0;
      const [hr, hg, hb] = heatColour(v);
      const a = Math.min(1, v * 1.5);
      const base = grey * 0.45;
      data[i * 4] = base * (1 - a) + hr * a;
      data[i * 4 + 1] = base * (1 - a) + hg * a;
      data[i * 4 + 2] = base * (1 - a) + hb * a;
      data[i * 4 + 3] = 255;
    }
  }
  return { width: n, height: n, data };
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
