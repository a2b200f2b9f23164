/**
 * The layout of a parallel-coordinates plot, in SVG user units: one vertical axis per setting and
 * a last one for the metric; one polyline per trial, coloured by its metric. Pure, so it is tested
 * without a browser; the component only draws what this returns.
 */
import { axisScale, type AxisScale, type AxisTick, type AxisValue } from './axis-scale';

export interface PcInput {
  /** The axes, left to right: the settings, then the metric (last). */
  axes: { key: string; label: string }[];
  /** One row per trial: its values by axis key (undefined where it has none). */
  rows: { id: string; values: Record<string, AxisValue | undefined> }[];
  /** The key of the metric axis (the lines' colour). */
  metricKey: string;
  width: number;
  height: number;
  /** Room around the plot: above for the axis titles, below for nothing, sides for the tick labels. */
  margin?: { top: number; right: number; bottom: number; left: number };
}

export interface PcAxis {
  key: string;
  label: string;
  x: number;
  /** y of the axis' low end (bottom) and high end (top). */
  y0: number;
  y1: number;
  kind: AxisScale['kind'];
  ticks: (AxisTick & { y: number })[];
}

export interface PcLine {
  id: string;
  /** The SVG path: segments only between axes where the trial has a value. */
  d: string;
  points: { x: number; y: number }[];
  color: string;
  /** The metric as a fraction of its range (0 worst .. 1 best); undefined without one. */
  t?: number;
}

export interface PcLayout {
  axes: PcAxis[];
  lines: PcLine[];
}

export const DEFAULT_MARGIN = { top: 28, right: 60, bottom: 14, left: 60 };

/** A colour for 0..1 along a blue (low) to orange-red (high) ramp; grey for none. */
export function metricColor(t: number | undefined): string {
  if (t === undefined || !Number.isFinite(t)) return '#b0b0b0';
  const stops: [number, number, number][] = [
    [59, 76, 192],
    [141, 176, 254],
    [221, 220, 220],
    [244, 154, 123],
    [180, 4, 38],
  ];
  const u = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const c = stops[i]!.map((v, k) => Math.round(v + f * (stops[i + 1]![k]! - v)));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

const round = (v: number) => Math.round(v * 100) / 100;

export function parallelLayout(input: PcInput): PcLayout {
  const m = input.margin ?? DEFAULT_MARGIN;
  const n = input.axes.length;
  const innerW = Math.max(0, input.width - m.left - m.right);
  const y0 = input.height - m.bottom;
  const y1 = m.top;
  const yAt = (pos: number) => round(y0 - pos * (y0 - y1));
  const scales = new Map(input.axes.map((a) => [a.key, axisScale(input.rows.map((r) => r.values[a.key]))]));
  const axes: PcAxis[] = input.axes.map((a, i) => {
    const s = scales.get(a.key)!;
    return {
      key: a.key,
      label: a.label,
      x: round(m.left + (n === 1 ? innerW / 2 : (i * innerW) / (n - 1))),
      y0,
      y1,
      kind: s.kind,
      ticks: s.ticks.map((t) => ({ ...t, y: yAt(t.at) })),
    };
  });
  const metricScale = scales.get(input.metricKey);
  const lines: PcLine[] = input.rows.map((row) => {
    let d = '';
    let pen = false;
    const points: { x: number; y: number }[] = [];
    for (const axis of axes) {
      const pos = scales.get(axis.key)!.position(row.values[axis.key]);
      if (pos === undefined) {
        pen = false;
        continue;
      }
      const p = { x: axis.x, y: yAt(pos) };
      points.push(p);
      d += `${pen ? 'L' : 'M'}${p.x},${p.y}`;
      pen = true;
    }
    const metric = row.values[input.metricKey];
    // A metric axis with a single value puts it at 0.5: colour it as the best there is.
    const pos = metricScale?.kind === 'categorical' ? undefined : metricScale?.position(metric);
    const t = pos === undefined ? undefined : metricScale && metricScale.ticks.length === 1 ? 1 : pos;
    return { id: row.id, d, points, color: metricColor(t), t };
  });
  return { axes, lines };
}
