import { describe, expect, it } from 'vitest';
import { axisScale } from '../../src-renderer/src/lib/axis-scale';
import { metricColor, parallelLayout } from '../../src-renderer/src/lib/parallel-coordinates';

describe('axis scales', () => {
  it('numbers spanning less than 10x: linear, ends at 0 and 1', () => {
    const s = axisScale([0.1, 0.17, 0.135]);
    expect(s.kind).toBe('linear');
    expect(s.position(0.1)).toBe(0);
    expect(s.position(0.17)).toBe(1);
    expect(s.position(0.135)).toBeCloseTo(0.5, 10);
    expect(s.ticks.map((t) => t.label)).toEqual(['0.1', '0.135', '0.17']);
  });

  it('positive numbers spanning 10x or more: log', () => {
    const s = axisScale([1e-4, 1e-3, 1e-2]);
    expect(s.kind).toBe('log');
    expect(s.position(1e-3)).toBeCloseTo(0.5, 10);
    expect(axisScale([1, 10]).kind).toBe('log');
    expect(axisScale([1, 9.9]).kind).toBe('linear');
  });

  it('a zero or a negative number keeps a wide range linear', () => {
    expect(axisScale([0, 1e-4, 1e-2]).kind).toBe('linear');
    expect(axisScale([-1, 100]).kind).toBe('linear');
  });

  it('a log axis with many values labels the powers of ten inside it and its ends', () => {
    const s = axisScale([2e-5, 1e-4, 3e-4, 1e-3, 2e-3, 5e-3, 2e-2]);
    expect(s.ticks.map((t) => t.label)).toEqual(['2.00e-5', '1.00e-4', '0.001', '0.01', '0.02']);
  });

  it('text and booleans: evenly spaced points in order, false before true', () => {
    const s = axisScale(['sgd', 'adam', 'sgd']);
    expect(s.kind).toBe('categorical');
    expect(s.categories).toEqual(['adam', 'sgd']);
    expect(s.position('adam')).toBe(0);
    expect(s.position('sgd')).toBe(1);
    const b = axisScale([true, false, true]);
    expect(b.categories).toEqual(['false', 'true']);
    expect(axisScale(['a', 'b', 'c']).position('b')).toBe(0.5);
  });

  it('one value only sits in the middle; a missing value has no position', () => {
    expect(axisScale([3, 3]).position(3)).toBe(0.5);
    expect(axisScale(['x']).position('x')).toBe(0.5);
    expect(axisScale([1, 2]).position(undefined)).toBeUndefined();
  });
});

describe('parallel-coordinates layout', () => {
  const input = {
    axes: [
      { key: 'locationStd', label: 'locationStd' },
      { key: 'learningRate', label: 'learningRate' },
      { key: 'metric', label: 'best validation' },
    ],
    metricKey: 'metric',
    rows: [
      { id: 'a', values: { locationStd: 0.1, learningRate: 1e-3, metric: 0.5 } },
      { id: 'b', values: { locationStd: 0.17, learningRate: 1e-2, metric: 0.9 } },
      { id: 'c', values: { locationStd: 0.17, learningRate: undefined, metric: undefined } },
    ],
    width: 400,
    height: 200,
    margin: { top: 20, right: 50, bottom: 10, left: 50 },
  };

  it('one axis per setting plus the metric, evenly spaced across the width', () => {
    const { axes } = parallelLayout(input);
    expect(axes.map((a) => a.x)).toEqual([50, 200, 350]);
    expect(axes.map((a) => a.kind)).toEqual(['linear', 'log', 'linear']);
    expect(axes[0]).toMatchObject({ y0: 190, y1: 20 });
  });

  it('one line per trial through its values, high values at the top', () => {
    const { lines } = parallelLayout(input);
    expect(lines).toHaveLength(3);
    expect(lines[0]!.points).toEqual([
      { x: 50, y: 190 },
      { x: 200, y: 190 },
      { x: 350, y: 190 },
    ]);
    expect(lines[1]!.d).toBe('M50,20L200,20L350,20');
  });

  it('a missing value breaks the line; a trial without the metric is grey', () => {
    const c = parallelLayout(input).lines[2]!;
    expect(c.d).toBe('M50,20');
    expect(c.t).toBeUndefined();
    expect(c.color).toBe(metricColor(undefined));
  });

  it('lines are coloured by the metric from the low end of the ramp to the high end', () => {
    const [a, b] = parallelLayout(input).lines;
    expect(a!.t).toBe(0);
    expect(b!.t).toBe(1);
    expect(a!.color).toBe(metricColor(0));
    expect(b!.color).toBe(metricColor(1));
    expect(metricColor(0)).not.toBe(metricColor(1));
  });

  it('tick marks sit on their values', () => {
    const lr = parallelLayout(input).axes[1]!;
    expect(lr.ticks.map((t) => [t.label, t.y])).toEqual([
      ['0.001', 190],
      ['0.01', 20],
    ]);
  });
});
