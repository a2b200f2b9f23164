/** Shaping metric series into chart.js {x, y} points (parsing: false wants them ready). */
import type { MetricSeries } from '../../../src-main/shared/api';

export interface Point {
  x: number;
  y: number;
}

export type XAxis = 'step' | 'epoch' | 'time';

/** The x value of a row for an axis: step, epoch, or seconds since the series' first point. */
export function xOf(row: readonly number[], columns: readonly string[], axis: XAxis, time0: number): number {
  if (axis === 'time') return ((row[columns.indexOf('time')] ?? NaN) - time0) / 1000;
  return row[columns.indexOf(axis)] ?? NaN;
}

/** The points of one metric: rows without a finite value for it are skipped, x sorted ascending. */
export function metricPoints(series: MetricSeries, key: string, axis: XAxis = 'step'): Point[] {
  const col = series.columns.indexOf(key);
  if (col < 0) return [];
  const timeCol = series.columns.indexOf('time');
  const time0 = timeCol >= 0 && series.rows.length ? Math.min(...series.rows.map((r) => r[timeCol] ?? Infinity)) : 0;
  const out: Point[] = [];
  for (const row of series.rows) {
    const y = row[col];
    const x = xOf(row, series.columns, axis, time0);
    if (typeof y === 'number' && Number.isFinite(y) && Number.isFinite(x)) out.push({ x, y });
  }
  return sortByX(out);
}

/** Stable ascending sort by x (decimation and line drawing need ordered data). */
export function sortByX<P extends Point>(points: P[]): P[] {
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.x < points[i - 1]!.x) return points.map((p, k) => [p, k] as const).sort((a, b) => a[0].x - b[0].x || a[1] - b[1]).map(([p]) => p);
  }
  return points;
}

/**
 * Appends a live point in place. A point at or before the last x (a resumed run repeating steps)
 * replaces the tail from there, so the line never doubles back. Returns the array.
 */
export function appendPoint(points: Point[], p: Point): Point[] {
  if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return points;
  while (points.length && points[points.length - 1]!.x >= p.x) points.pop();
  points.push(p);
  return points;
}

/** The metric columns of a series: everything but the axes and bookkeeping flags. */
export function metricKeys(series: MetricSeries): string[] {
  return series.columns.filter((c) => c !== 'step' && c !== 'epoch' && c !== 'time' && c !== 'resumed');
}

/**
 * Largest-Triangle-Three-Buckets downsampling to `threshold` points (keeps the first and last);
 * the same algorithm chart.js's decimation plugin uses, for series drawn outside it.
 */
export function lttb(points: readonly Point[], threshold: number): Point[] {
  const n = points.length;
  if (threshold >= n || threshold < 3) return points.slice();
  const out: Point[] = [points[0]!];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const start = Math.floor((i + 1) * every) + 1;
    const end = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = start; j < end; j++) {
      avgX += points[j]!.x;
      avgY += points[j]!.y;
    }
    const len = Math.max(1, end - start);
    avgX /= len;
    avgY /= len;
    const rangeStart = Math.floor(i * every) + 1;
    const rangeEnd = Math.floor((i + 1) * every) + 1;
    const pa = points[a]!;
    let maxArea = -1;
    let next = rangeStart;
    for (let j = rangeStart; j < rangeEnd; j++) {
      const p = points[j]!;
      const area = Math.abs((pa.x - avgX) * (p.y - pa.y) - (pa.x - p.x) * (avgY - pa.y));
      if (area > maxArea) {
        maxArea = area;
        next = j;
      }
    }
    out.push(points[next]!);
    a = next;
  }
  out.push(points[n - 1]!);
  return out;
}
