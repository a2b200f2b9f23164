import { describe, expect, it } from 'vitest';
import { differingHparams } from '../../src-renderer/src/lib/hparams';

describe('hyperparameter diff', () => {
  it('lists only keys whose values differ, sorted', () => {
    const rows = differingHparams([
      { task: 'centered', glimpses: 6, batchSize: 32, seed: 1 },
      { task: 'centered', glimpses: 8, batchSize: 32, seed: 2 },
    ]);
    expect(rows).toEqual([
      { key: 'glimpses', values: [6, 8] },
      { key: 'seed', values: [1, 2] },
    ]);
  });

  it('treats a key missing in one run as different', () => {
    expect(differingHparams([{ a: 1 }, { a: 1, b: true }])).toEqual([{ key: 'b', values: [undefined, true] }]);
  });

  it('has nothing to compare for one run', () => {
    expect(differingHparams([{ a: 1 }])).toEqual([]);
  });
});
