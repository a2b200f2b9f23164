import { describe, expect, it } from 'vitest';
import { smoothDebiasedEma, smoothPoints } from '../../src-renderer/src/lib/smoothing';

describe('smoothDebiasedEma', () => {
  it('matches hand-computed debiased values for [1, 2, 3] at 0.5', () => {
    const s = smoothDebiasedEma([1, 2, 3], 0.5);
    expect(s[0]).toBeCloseTo(1, 10);
    expect(s[1]).toBeCloseTo(1.25 / 0.75, 10); // 1.6667
    expect(s[2]).toBeCloseTo(2.125 / 0.875, 10); // 2.4286
    expect(s.map((v) => Number(v.toFixed(4)))).toEqual([1, 1.6667, 2.4286]);
  });

  it('leaves a constant series exactly unchanged', () => {
    expect(smoothDebiasedEma([0.1, 0.1, 0.1, 0.1], 0.99)).toEqual([0.1, 0.1, 0.1, 0.1]);
  });

  it('is the identity at weight 0', () => {
    expect(smoothDebiasedEma([3, -1, 7, 2], 0)).toEqual([3, -1, 7, 2]);
  });

  it('clamps the weight to 0.999 and keeps the first point', () => {
    const s = smoothDebiasedEma([10, 0], 1);
    expect(s[0]).toBeCloseTo(10, 10);
    // weight 0.999: (0.999*0.01*10*... ) debiased -> 10*0.999/(1+0.999)
    expect(s[1]).toBeCloseTo((10 * 0.001 * 0.999) / (1 - 0.999 ** 2), 8);
  });

  it('passes non-finite values through without advancing the average', () => {
    const s = smoothDebiasedEma([1, NaN, 2], 0.5);
    expect(s[1]).toBeNaN();
    expect(s[2]).toBeCloseTo(1.25 / 0.75, 10);
  });

  it('smooths the y of points and keeps x', () => {
    const p = smoothPoints(
      [
        { x: 0, y: 1 },
        { x: 5, y: 2 },
      ],
      0.5,
    );
    expect(p.map((q) => q.x)).toEqual([0, 5]);
    expect(p[1]!.y).toBeCloseTo(1.6667, 4);
  });
});
