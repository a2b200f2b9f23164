/**
 * The multi-scale retina, on typed arrays outside the autodiff tape: the sampled location carries
 * no gradient, so the patches are constants to the model and cost no tape memory.
 */
import type { GlimpseBox } from '../shared/trace';

export interface RetinaSpec {
  imageSize: number;
  /** Planes per image (1 grey, 3 RGB); images hold them one after another. */
  channels: number;
  glimpseSize: number;
  scales: number;
  unitPixels: number;
}

/** Values per image that the retina produces: scales * channels * glimpseSize^2. */
export function retinaLength(spec: Pick<RetinaSpec, 'scales' | 'channels' | 'glimpseSize'>): number {
  return spec.scales * spec.channels * spec.glimpseSize * spec.glimpseSize;
}

/** Centre of the glimpse in (continuous) pixels for a location in [-1, 1]. */
export function locationToPixels(spec: RetinaSpec, x: number, y: number): [number, number] {
  const half = spec.imageSize / 2;
  return [half + x * spec.unitPixels, half + y * spec.unitPixels];
}

/** The window of each scale: scale s is glimpseSize * 2^s wide, its corner rounded to a pixel. */
export function glimpseBoxes(spec: RetinaSpec, x: number, y: number): GlimpseBox[] {
  const [cx, cy] = locationToPixels(spec, x, y);
  const boxes: GlimpseBox[] = [];
  for (let s = 0; s < spec.scales; s++) {
    const size = spec.glimpseSize << s;
    boxes.push({ x: Math.round(cx - size / 2), y: Math.round(cy - size / 2), size });
  }
  return boxes;
}

/**
 * Summed-area tables for a batch of square planes ((S+1)^2 each, first row and column zero), so a
 * scale's block average is four look-ups whatever its width. `count` counts planes: images times
 * channels.
 */
export function integralImages(images: Float32Array, count: number, size: number, out?: Float64Array): Float64Array {
  const stride = size + 1;
  const area = stride * stride;
  const sat = out && out.length >= count * area ? out : new Float64Array(count * area);
  for (let n = 0; n < count; n++) {
    const src = n * size * size;
    const dst = n * area;
    for (let c = 0; c < stride; c++) sat[dst + c] = 0;
    for (let r = 0; r < size; r++) {
      let rowSum = 0;
      const row = dst + (r + 1) * stride;
      sat[row] = 0;
      for (let c = 0; c < size; c++) {
        rowSum += images[src + r * size + c];
        sat[row + c + 1] = sat[row - stride + c + 1] + rowSum;
      }
    }
  }
  return sat;
}

/**
 * Writes every image's glimpse into `out` (count * scales * channels * g * g floats, scale after
 * scale and within a scale channel after channel): scale s averages each 2^s x 2^s block of its
 * window down to one value; pixels outside the image count as zero. `images` holds count images of
 * `channels` planes of S^2 floats, `sat` their integralImages (count * channels planes);
 * `locations` holds (x, y) pairs in [-1, 1].
 */
export function extractGlimpses(
  spec: RetinaSpec,
  images: Float32Array,
  sat: Float64Array,
  count: number,
  locations: Float32Array,
  out: Float32Array,
): Float32Array {
  const { imageSize: S, glimpseSize: g, scales, channels } = spec;
  const stride = S + 1;
  const area = stride * stride;
  const half = S / 2;
  const perImage = scales * channels * g * g;
  for (let n = 0; n < count; n++) {
    const cx = half + locations[2 * n] * spec.unitPixels;
    const cy = half + locations[2 * n + 1] * spec.unitPixels;
    let o = n * perImage;
    for (let s = 0; s < scales; s++) {
      const f = 1 << s;
      const size = g * f;
      const x0 = Math.round(cx - size / 2);
      const y0 = Math.round(cy - size / 2);
      for (let ch = 0; ch < channels; ch++) {
        const plane = n * channels + ch;
        const base = plane * area;
        if (f === 1) {
          // The finest scale reads pixels directly.
          const img = plane * S * S;
          for (let i = 0; i < g; i++) {
            const r = y0 + i;
            const inRow = r >= 0 && r < S;
            for (let j = 0; j < g; j++) {
              const c = x0 + j;
              out[o++] = inRow && c >= 0 && c < S ? images[img + r * S + c] : 0;
            }
          }
          continue;
        }
        const inv = 1 / (f * f);
        for (let i = 0; i < g; i++) {
          const r0 = clamp(y0 + i * f, 0, S);
          const r1 = clamp(y0 + i * f + f, 0, S);
          for (let j = 0; j < g; j++) {
            const c0 = clamp(x0 + j * f, 0, S);
            const c1 = clamp(x0 + j * f + f, 0, S);
            const sum =
              sat[base + r1 * stride + c1] - sat[base + r0 * stride + c1] - sat[base + r1 * stride + c0] + sat[base + r0 * stride + c0];
            out[o++] = sum * inv;
          }
        }
      }
    }
  }
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
