/** The confusion matrix's pure parts: row-normalised shares, cell colours, and a cell's test images. */

/** Each row divided by its sum (a row with no images stays all 0). */
export function rowNormalise(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((n) => (sum > 0 ? n / sum : 0));
  });
}

/**
 * A cell's background for its row share in [0, 1]: the diagonal in green, the rest in red, the
 * stronger the larger the share (0 is white).
 */
export function cellColour(share: number, diagonal: boolean): string {
  const s = Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0));
  const [r, g, b] = diagonal ? [46, 160, 90] : [214, 60, 50];
  const mix = (c: number) => Math.round(255 + (c - 255) * s);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

/** A cell's text colour: white on a strong background, dark otherwise. */
export function cellTextColour(share: number): string {
  return share > 0.55 ? '#fff' : '#1d2330';
}

/** Test-set indices of true class `row` predicted as `column`, in test-set order. */
export function cellIndices(predictions: readonly number[], labels: readonly number[], row: number, column: number): number[] {
  const out: number[] = [];
  const n = Math.min(predictions.length, labels.length);
  for (let i = 0; i < n; i++) if (labels[i] === row && predictions[i] === column) out.push(i);
  return out;
}
