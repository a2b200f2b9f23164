import { describe, expect, it } from 'vitest';
import type { MetricSeries } from '../../src-main/shared/api';
import { appendPoint, lttb, metricKeys, metricPoints, sortByX } from '../../src-renderer/src/lib/points';

const series: MetricSeries = {
  runId: 'r',
  columns: ['step', 'epoch', 'time', 'loss', 'validationAccuracy'],
  rows: [
    [20, 0.1, 1000, 2.0, NaN],
    [40, 0.2, 3000, 1.5, NaN],
    [40, 1, 4000, NaN, 0.9],
    [60, 1.1, 5500, 1.0, NaN],
  ],
};

describe('metricPoints', () => {
  it('keeps only rows with a finite value of the metric', () => {
    expect(metricPoints(series, 'loss')).toEqual([
      { x: 20, y: 2 },
      { x: 40, y: 1.5 },
      { x: 60, y: 1 },
    ]);
    expect(metricPoints(series, 'validationAccuracy')).toEqual([{ x: 40, y: 0.9 }]);
  });

  it('uses epoch or seconds since the first point as x', () => {
    expect(metricPoints(series, 'loss', 'epoch').map((p) => p.x)).toEqual([0.1, 0.2, 1.1]);
    expect(metricPoints(series, 'loss', 'time').map((p) => p.x)).toEqual([0, 2, 4.5]);
  });

  it('returns nothing for an unknown metric', () => {
    expect(metricPoints(series, 'nope')).toEqual([]);
  });

  it('lists metric columns without axes', () => {
    expect(metricKeys(series)).toEqual(['loss', 'validationAccuracy']);
  });
});

describe('point shaping', () => {
  it('sorts by x stably', () => {
    expect(
      sortByX([
        { x: 2, y: 1 },
        { x: 1, y: 2 },
        { x: 1, y: 3 },
      ]),
    ).toEqual([
      { x: 1, y: 2 },
      { x: 1, y: 3 },
      { x: 2, y: 1 },
    ]);
  });

  it('appends in place and replaces a repeated tail', () => {
    const pts = [
      { x: 1, y: 1 },
      { x: 2, y: 2 },
      { x: 3, y: 3 },
    ];
    appendPoint(pts, { x: 4, y: 4 });
    expect(pts.length).toBe(4);
    appendPoint(pts, { x: 2, y: 9 });
    expect(pts).toEqual([
      { x: 1, y: 1 },
      { x: 2, y: 9 },
    ]);
    appendPoint(pts, { x: 5, y: NaN });
    expect(pts.length).toBe(2);
  });

  it('LTTB keeps the ends, returns the threshold count and keeps a spike', () => {
    const pts = Array.from({ length: 1000 }, (_, i) => ({ x: i, y: i === 500 ? 100 : 0 }));
    const d = lttb(pts, 50);
    expect(d.length).toBe(50);
    expect(d[0]).toEqual({ x: 0, y: 0 });
    expect(d[49]).toEqual({ x: 999, y: 0 });
    expect(d.some((p) => p.y === 100)).toBe(true);
    expect(lttb(pts.slice(0, 10), 50).length).toBe(10);
  });
});
