import { describe, expect, it } from 'vitest';
import { DASH, formatDuration, formatNumber, formatPercent } from '../../src-renderer/src/lib/format';

describe('formatting', () => {
  it('formats durations by their size', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(7380)).toBe('2h 03m');
    expect(formatDuration(90000)).toBe('1d 1h');
    expect(formatDuration(undefined)).toBe(DASH);
    expect(formatDuration(NaN)).toBe(DASH);
  });

  it('formats fractions as percentages', () => {
    expect(formatPercent(0.98765)).toBe('98.77%');
    expect(formatPercent(1)).toBe('100.00%');
    expect(formatPercent(0.5, 1)).toBe('50.0%');
    expect(formatPercent(undefined)).toBe(DASH);
  });

  it('formats numbers compactly', () => {
    expect(formatNumber(0.0001)).toBe('1.00e-4');
    expect(formatNumber(1.234567)).toBe('1.235');
    expect(formatNumber(128)).toBe('128');
    expect(formatNumber(0)).toBe('0');
  });
});
