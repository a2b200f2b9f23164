import { describe, expect, it } from 'vitest';
import { cellColour, cellIndices, cellTextColour, rowNormalise } from '../../src-renderer/src/lib/confusion';

describe('confusion matrix helpers', () => {
  it('normalises each row by its sum, an empty row staying 0', () => {
    expect(rowNormalise([[3, 1], [0, 0], [2, 2]])).toEqual([[0.75, 0.25], [0, 0], [0.5, 0.5]]);
  });

  it("a cell's images are the indices with that label and that prediction, in test-set order", () => {
    const labels = [0, 1, 1, 2, 1, 0, 1];
    const predictions = [0, 2, 1, 2, 2, 1, 2];
    expect(cellIndices(predictions, labels, 1, 2)).toEqual([1, 4, 6]);
    expect(cellIndices(predictions, labels, 1, 1)).toEqual([2]);
    expect(cellIndices(predictions, labels, 0, 2)).toEqual([]);
    // Every image lands in exactly one cell.
    let total = 0;
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) total += cellIndices(predictions, labels, r, c).length;
    expect(total).toBe(labels.length);
  });

  it('colours a cell by its row share: white at 0, full green on the diagonal and red off it at 1', () => {
    expect(cellColour(0, true)).toBe('rgb(255, 255, 255)');
    expect(cellColour(0, false)).toBe('rgb(255, 255, 255)');
    expect(cellColour(1, true)).toBe('rgb(46, 160, 90)');
    expect(cellColour(1, false)).toBe('rgb(214, 60, 50)');
    expect(cellColour(2, false)).toBe(cellColour(1, false));
    expect(cellColour(Number.NaN, false)).toBe('rgb(255, 255, 255)');
    expect(cellTextColour(0.9)).toBe('#fff');
    expect(cellTextColour(0.1)).not.toBe('#fff');
  });
});
