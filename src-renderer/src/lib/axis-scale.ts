/**
 * One axis of a sweep plot from the values on it: numbers on a linear scale, or a log scale when
 * all are positive and span at least 10x; anything else (text, booleans) as evenly spaced points.
 */
import { formatNumber } from './format';

export type AxisValue = number | string | boolean;

export interface AxisTick {
  /** Position along the axis, 0 (low end) to 1 (high end). */
  at: number;
  label: string;
  /** The number at the tick (numeric axes). */
  value?: number;
}

export interface AxisScale {
  kind: 'linear' | 'log' | 'categorical';
  /** Where a value sits, 0..1; undefined for a value the axis does not hold (or none). */
  position(v: AxisValue | undefined): number | undefined;
  ticks: AxisTick[];
  /** The categories in order (categorical axes only). */
  categories?: string[];
}

/** Distinct values this many or fewer are each labelled; more get evenly spaced labels. */
const MAX_VALUE_TICKS = 6;

function categoryKey(v: AxisValue): string {
  return String(v);
}

function sortCategories(values: readonly AxisValue[]): string[] {
  const keys = [...new Set(values.map(categoryKey))];
  // false before true; text in natural order.
  return keys.sort((a, b) => (a === 'false' && b === 'true' ? -1 : a === 'true' && b === 'false' ? 1 : a.localeCompare(b, undefined, { numeric: true })));
}

export function axisScale(values: readonly (AxisValue | undefined)[]): AxisScale {
  const present = values.filter((v): v is AxisValue => v !== undefined && !(typeof v === 'number' && !Number.isFinite(v)));
  const numeric = present.length > 0 && present.every((v) => typeof v === 'number');
  if (!numeric) {
    const categories = sortCategories(present);
    const at = (i: number) => (categories.length === 1 ? 0.5 : i / (categories.length - 1));
    return {
      kind: 'categorical',
      categories,
      position: (v) => {
        if (v === undefined) return undefined;
        const i = categories.indexOf(categoryKey(v));
        return i < 0 ? undefined : at(i);
      },
      ticks: categories.map((c, i) => ({ at: at(i), label: c })),
    };
  }
  const nums = present as number[];
  const min = Math.min(...nums);
  const max = Math.max(...nums);
  const log = min > 0 && max / min >= 10;
  const f = log ? Math.log10 : (x: number) => x;
  const lo = f(min);
  const hi = f(max);
  const position = (v: AxisValue | undefined): number | undefined => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (log && v <= 0)) return undefined;
    // One value only: the middle of the axis.
    return hi === lo ? 0.5 : (f(v) - lo) / (hi - lo);
  };
  const distinct = [...new Set(nums)].sort((a, b) => a - b);
  let tickValues: number[];
  if (distinct.length <= MAX_VALUE_TICKS) tickValues = distinct;
  else if (log) {
    // The powers of ten inside the range, with both ends.
    tickValues = [min];
    for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) if (10 ** e > min && 10 ** e < max) tickValues.push(10 ** e);
    tickValues.push(max);
  } else tickValues = [0, 0.25, 0.5, 0.75, 1].map((t) => min + t * (max - min));
  return { kind: log ? 'log' : 'linear', position, ticks: tickValues.map((v) => ({ at: position(v)!, label: formatNumber(v), value: v })) };
}
