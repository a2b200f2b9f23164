import { describe, expect, it } from 'vitest';
import { blurGrid, densityOf, heatColour, heatOverlay, normaliseDensity, stretch, weightedMeanImage } from '../../src-renderer/src/lib/heatmap';

describe('fixation heat maps', () => {
  it('ramps black, red, yellow, white, clamped', () => {
    expect(heatColour(0)).toEqual([0, 0, 0]);
    expect(heatColour(1 / 3)).toEqual([255, 0, 0]);
    expect(heatColour(2 / 3)).toEqual([255, 255, 0]);
    expect(heatColour(1)).toEqual([255, 255, 255]);
    expect(heatColour(5)).toEqual([255, 255, 255]);
    expect(heatColour(-1)).toEqual([0, 0, 0]);
    // Brightness never falls as the density rises.
    let last = -1;
    for (let i = 0; i <= 20; i++) {
      const sum = heatColour(i / 20).reduce((a, b) => a + b, 0);
      expect(sum).toBeGreaterThanOrEqual(last);
      last = sum;
    }
  });

  it('scales counts by their maximum', () => {
    expect(normaliseDensity([0, 2, 4])).toEqual([0, 0.5, 1]);
    expect(normaliseDensity([0, 0])).toEqual([0, 0]);
  });

  it('picks a step or all steps', () => {
    const g = { perStep: [[1, 0], [0, 1]], all: [1, 1], count: 1 };
    expect(densityOf(g, 0)).toEqual([1, 0]);
    expect(densityOf(g, 'all')).toEqual([1, 1]);
    expect(densityOf(g, 7)).toEqual([]);
  });

  it('lays the grid over the stretched, dimmed image: the densest cell is white, an empty one the image', () => {
    // 4x4 image, 2x2 grid: all fixations in the top-left cell.
    const image = new Array(16).fill(100);
    image[15] = 200;
    const out = heatOverlay([10, 0, 0, 0], 2, image, 4, 1, { blur: 0, gamma: 1 });
    expect(out.width).toBe(4);
    expect([...out.data.slice(0, 4)]).toEqual([255, 255, 255, 255]);
    const bottomRight = (3 * 4 + 3) * 4;
    expect([...out.data.slice(bottomRight, bottomRight + 4)]).toEqual([115, 115, 115, 255]); // 200 stretched to 255, dimmed to 45%
    const bottomLeft = (3 * 4) * 4;
    expect(out.data[bottomLeft]).toBe(57);
    // The default blur spreads a lone fixation to its neighbours; the gamma lifts faint ones.
    const spread = heatOverlay([0, 0, 0, 0, 9, 0, 0, 0, 0], 3, undefined, 3, 1, { blur: 1 });
    expect(spread.data[0]).toBeGreaterThan(0);
  });

  it('blurs a grid within its edges, keeping a uniform field, and stretches patches to their maximum', () => {
    expect(blurGrid([1, 1, 1, 1], 2, 1)).toEqual([1, 1, 1, 1]);
    const b = blurGrid([0, 0, 0, 0, 9, 0, 0, 0, 0], 3, 1);
    // Edges average over the cells inside: the centre 9 / 9, a corner 9 / 4 (two of its 2x2 window).
    expect(b[4]).toBeCloseTo(1);
    expect(b[0]).toBeCloseTo(9 / 4);
    expect(blurGrid([3, 4], 1, 0)).toEqual([3, 4]);
    expect(stretch([0, 0.25, 0.5])).toEqual([0, 0.5, 1]);
  });

  it('weights mean images by their counts', () => {
    expect(weightedMeanImage([[0, 100], [100, 100]], [3, 1])).toEqual([25, 100]);
    expect(weightedMeanImage([[0, 100]], [0])).toEqual([0, 0]);
  });
});
