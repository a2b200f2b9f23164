import type { GlimpseTrace } from '../../src-main/shared/trace';

/** 8x8 image, glimpseSize 2, 2 scales (2 and 4 px), unitPixels 2: centre = 4 + 2 * loc. */
export function tinyTrace(locs: [number, number][] = [[0, 0], [0.5, -0.5], [-1, -1], [1.5, 1.5]]): GlimpseTrace {
  const n = 8;
  const pixels = Array.from({ length: n * n }, (_, i) => i * 4);
  return {
    index: 0,
    imageSize: n,
    pixels,
    label: 3,
    prediction: 7,
    glimpseSize: 2,
    mode: 'mean',
    steps: locs.map(([lx, ly], t) => {
      const cx = n / 2 + lx * 2;
      const cy = n / 2 + ly * 2;
      const probs = Array.from({ length: 10 }, (_, k) => (k === (t === 0 ? 3 : 7) ? 0.55 : 0.05));
      return {
        loc: [lx, ly] as [number, number],
        centerPx: [cx, cy] as [number, number],
        boxes: [2, 4].map((size) => ({ x: Math.round(cx - size / 2), y: Math.round(cy - size / 2), size })),
        probs,
        patches: [],
      };
    }),
  };
}
