/** TensorBoard's view-only smoothing: a debiased exponential moving average. */

/** The largest weight the slider allows (1 would freeze the curve at its first value). */
export const MAX_SMOOTHING = 0.999;

/**
 * Debiased EMA of `values` with `weight` in [0, 0.999]: the running average divided by
 * 1 - weight^n, so the first points are not pulled towards zero. Non-finite values pass through
 * and do not advance the average; a constant series comes back unchanged (no float drift).
 */
export function smoothDebiasedEma(values: readonly number[], weight: number): number[] {
  const w = Math.min(MAX_SMOOTHING, Math.max(0, Number.isFinite(weight) ? weight : 0));
  const finite = values.filter((v) => Number.isFinite(v));
  const constant = finite.length > 0 && finite.every((v) => v === finite[0]);
  if (w === 0 || constant) return values.slice();
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    n++;
    return last / (1 - w ** n);
  });
}

/** The same smoothing applied to the y of {x, y} points. */
export function smoothPoints<P extends { x: number; y: number }>(points: readonly P[], weight: number): P[] {
  const ys = smoothDebiasedEma(
    points.map((p) => p.y),
    weight,
  );
  return points.map((p, i) => ({ ...p, y: ys[i]! }));
}
