import { describe, expect, it } from 'vitest';
import { formatNumber, formatPercent } from '../../src-renderer/src/lib/format';
import { padFlatRange, tickLabels } from '../../src-renderer/src/lib/ticks';

const distinct = (labels: string[]) => new Set(labels).size === labels.length;

describe('chart tick labels', () => {
  it('tells close percentages apart (the per-tick format gave "82%" twice)', () => {
    const ticks = [0.8, 0.805, 0.81, 0.815, 0.82, 0.825];
    expect(distinct(ticks.map((v) => formatPercent(v, 0)))).toBe(false);
    expect(tickLabels(ticks, true)).toEqual(['80.0%', '80.5%', '81.0%', '81.5%', '82.0%', '82.5%']);
  });

  it('keeps whole percentages whole when they are far enough apart', () => {
    expect(tickLabels([0, 0.2, 0.4, 0.6], true)).toEqual(['0%', '20%', '40%', '60%']);
  });

  it('tells close learning rates apart (the per-tick format gave "9.99e-4" and "0.001" twice)', () => {
    const near = [0.0009992, 0.0009994, 0.0009996, 0.0009998];
    expect(distinct(near.map(formatNumber))).toBe(false);
    expect(tickLabels(near, false)).toEqual(['9.992e-4', '9.994e-4', '9.996e-4', '9.998e-4']);
    const around = [0.0010002, 0.0010004, 0.0010006];
    expect(distinct(around.map(formatNumber))).toBe(false);
    expect(tickLabels(around, false)).toEqual(['0.0010002', '0.0010004', '0.0010006']);
  });

  it('writes ordinary ticks as before', () => {
    expect(tickLabels([0, 0.5, 1, 1.5, 2], false)).toEqual(['0', '0.5', '1', '1.5', '2']);
    expect(tickLabels([-1, 0, 1, 2, 3], false)).toEqual(['-1', '0', '1', '2', '3']);
    expect(tickLabels([0.0001, 0.0002], false)).toEqual(['1e-4', '2e-4']);
  });
});

describe('flat chart ranges', () => {
  it('widens a range that is flat but for rounding', () => {
    const r = padFlatRange(0.001, 0.0010000000000000005);
    expect(r.min).toBeCloseTo(0.00095, 12);
    expect(r.max).toBeCloseTo(0.00105, 12);
    expect(padFlatRange(0, 0)).toEqual({ min: -1, max: 1 });
  });

  it('leaves a real range alone, however small in absolute terms', () => {
    expect(padFlatRange(0.000991, 0.001)).toEqual({ min: 0.000991, max: 0.001 });
    expect(padFlatRange(0.2, 0.9)).toEqual({ min: 0.2, max: 0.9 });
  });
});
