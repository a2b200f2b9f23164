/** Fixed train/validation split of a training set, repeatable from a seed. */
import { Rng } from '../core/rng';
import { DataError } from './idx';

export interface ValidationSplit {
  /** Sorted ascending. */
  trainIndices: Uint32Array;
  /** Sorted ascending. */
  validationIndices: Uint32Array;
}

/**
 * Holds out `validationSize` of `count` examples at random (by `seed`); 0 means no validation set.
 * With `labels`, a class the random pick missed (small sets) gets one of its examples swapped in
 * for one of the largest class's, when the size allows one per class and the class has an example to
 * spare; large sets, where every class is picked anyway, split exactly as without labels.
 */
export function splitValidation(count: number, validationSize: number, seed: number, labels?: ArrayLike<number>): ValidationSplit {
  if (!Number.isInteger(count) || count <= 0) throw new DataError(`validation split: example count must be a positive integer, got ${count}`);
  if (!Number.isInteger(validationSize) || validationSize < 0) {
    throw new DataError(`validation split: validation size must be a non-negative integer, got ${validationSize}`);
  }
  if (validationSize >= count) {
    throw new DataError(`validation split: validation size ${validationSize} leaves no training examples out of ${count}`);
  }
  const perm = new Rng(seed).permutation(count);
  if (labels && validationSize > 0) coverEveryClass(perm, validationSize, labels);
  const validationIndices = perm.slice(0, validationSize).sort();
  const trainIndices = perm.slice(validationSize).sort();
  return { trainIndices, validationIndices };
}

/** Swaps, within `perm`, one example of each class missing from its first `size` into that part. */
function coverEveryClass(perm: Uint32Array, size: number, labels: ArrayLike<number>): void {
  const picked = new Map<number, number[]>();
  for (let i = 0; i < size; i++) {
    const l = labels[perm[i]!]!;
    const at = picked.get(l);
    if (at) at.push(i);
    else picked.set(l, [i]);
  }
  const total = new Map<number, number>();
  for (let i = 0; i < perm.length; i++) total.set(labels[perm[i]!]!, (total.get(labels[perm[i]!]!) ?? 0) + 1);
  if (total.size > size) return;
  for (let j = size; j < perm.length; j++) {
    const l = labels[perm[j]!]!;
    // Only a class with another example left for training, and only while a donor class has two.
    if (picked.has(l) || (total.get(l) ?? 0) < 2) continue;
    let donor: number[] | undefined;
    for (const at of picked.values()) if (at.length > 1 && (!donor || at.length > donor.length)) donor = at;
    if (!donor) return;
    const i = donor.pop()!;
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    picked.set(l, [i]);
  }
}
