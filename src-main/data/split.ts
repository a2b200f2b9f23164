/** Fixed train/validation split of a training set, repeatable from a seed. */
import { Rng } from '../core/rng';
import { DataError } from './idx';

export interface ValidationSplit {
  /** Sorted ascending. */
  trainIndices: Uint32Array;
  /** Sorted ascending. */
  validationIndices: Uint32Array;
}

/** Holds out `validationSize` of `count` examples at random (by `seed`); 0 means no validation set. */
export function splitValidation(count: number, validationSize: number, seed: number): ValidationSplit {
  if (!Number.isInteger(count) || count <= 0) throw new DataError(`validation split: example count must be a positive integer, got ${count}`);
  if (!Number.isInteger(validationSize) || validationSize < 0) {
    throw new DataError(`validation split: validation size must be a non-negative integer, got ${validationSize}`);
  }
  if (validationSize >= count) {
    throw new DataError(`validation split: validation size ${validationSize} leaves no training examples out of ${count}`);
  }
  const perm = new Rng(seed).permutation(count);
  const validationIndices = perm.slice(0, validationSize).sort();
  const trainIndices = perm.slice(validationSize).sort();
  return { trainIndices, validationIndices };
}
