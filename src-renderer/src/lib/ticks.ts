/** Axis ticks for the charts: labels that never repeat, and ranges for (nearly) flat series. */

/** The fewest digits that still tell every tick apart: 0.815 and 0.82 are "81.5%" and "82.0%", not "82%" twice. */
export function tickLabels(values: readonly number[], percent: boolean): string[] {
  const format = percent ? percentLabel : numberLabel;
  const from = percent ? 0 : 1;
  let labels: string[] = [];
  for (let digits = from; digits <= 15; digits++) {
    labels = values.map((v) => format(v, digits));
    if (new Set(labels).size === labels.length) return labels;
  }
  return labels;
}

function percentLabel(fraction: number, decimals: number): string {
  return `${(fraction * 100).toFixed(decimals)}%`;
}

/** `significant` digits, trailing zeros dropped; an exponent for tiny and huge magnitudes. */
function numberLabel(v: number, significant: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(Math.max(0, significant - 1)).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(significant)));
}

/**
 * A y range for a series that is flat but for rounding (a constant learning rate averaged over 20
 * steps gives 0.001 and 0.0010000000000000005): widened to +-5 % around it, the way chart.js
 * pads an exactly flat one, so rounding noise is neither a spike nor a stack of equal labels.
 */
export function padFlatRange(min: number, max: number): { min: number; max: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { min, max };
  const size = Math.max(Math.abs(min), Math.abs(max));
  if (max - min > size * 1e-9) return { min, max };
  const mid = (min + max) / 2;
  const pad = mid === 0 ? 1 : Math.abs(mid) * 0.05;
  return { min: mid - pad, max: mid + pad };
}
