import { describe, expect, it } from 'vitest';
import { DataError } from '../../src-main/data/idx';
import { splitValidation } from '../../src-main/data/split';

describe('splitValidation', () => {
  it('has the right sizes, is disjoint and covers everything', () => {
    const { trainIndices, validationIndices } = splitValidation(1000, 100, 7);
    expect(trainIndices.length).toBe(900);
    expect(validationIndices.length).toBe(100);
    const seen = new Uint8Array(1000);
    for (const i of trainIndices) seen[i]++;
    for (const i of validationIndices) seen[i]++;
    expect(Array.from(seen).every((v) => v === 1)).toBe(true);
    // Sorted ascending.
    for (let i = 1; i < validationIndices.length; i++) expect(validationIndices[i]).toBeGreaterThan(validationIndices[i - 1]);
  });

  it('repeats for a seed and changes with the seed', () => {
    const a = splitValidation(1000, 100, 7);
    const b = splitValidation(1000, 100, 7);
    const c = splitValidation(1000, 100, 8);
    expect(Array.from(a.validationIndices)).toEqual(Array.from(b.validationIndices));
    expect(Array.from(a.trainIndices)).toEqual(Array.from(b.trainIndices));
    expect(Array.from(a.validationIndices)).not.toEqual(Array.from(c.validationIndices));
  });

  it('allows an empty validation set', () => {
    const { trainIndices, validationIndices } = splitValidation(5, 0, 1);
    expect(validationIndices.length).toBe(0);
    expect(Array.from(trainIndices)).toEqual([0, 1, 2, 3, 4]);
  });

  it('rejects a validation set that leaves nothing to train on', () => {
    expect(() => splitValidation(10, 10, 1)).toThrow(DataError);
    expect(() => splitValidation(10, 11, 1)).toThrow(/leaves no training examples/);
    expect(() => splitValidation(10, -1, 1)).toThrow(DataError);
    expect(() => splitValidation(10, 1.5, 1)).toThrow(DataError);
  });
});

describe('splitValidation with labels', () => {
  it('holds out at least one example of every class on a small, unbalanced set', () => {
    // 3 classes: 40 of class 0, 3 of class 1, 2 of class 2; a validation set of 4.
    const labels = Uint8Array.from([...new Array(40).fill(0), 1, 1, 1, 2, 2]);
    for (let seed = 0; seed < 50; seed++) {
      const { validationIndices, trainIndices } = splitValidation(labels.length, 4, seed, labels);
      expect(validationIndices.length).toBe(4);
      expect(new Set(Array.from(validationIndices, (i) => labels[i])), `seed ${seed}`).toEqual(new Set([0, 1, 2]));
      // Every class keeps an example to train on.
      expect(new Set(Array.from(trainIndices, (i) => labels[i]))).toEqual(new Set([0, 1, 2]));
    }
  });

  it('splits a large set exactly as without labels (every class is picked anyway)', () => {
    const labels = Uint8Array.from({ length: 6000 }, (_, i) => i % 10);
    expect(splitValidation(6000, 600, 3, labels)).toEqual(splitValidation(6000, 600, 3));
  });
});
