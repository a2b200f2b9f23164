import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../src-main/core/config';
import { checkMemory, MemoryError } from '../../src-main/trainer/memory-estimate';

describe('the memory check counts a dataset held in memory', () => {
  const config = presetConfig('centered');
  const limit = 2 * 2 ** 30;

  it('a centered run fits 2 GiB on its own, not with 1.5 GiB of decoded images beside it', () => {
    expect(() => checkMemory(config, 2, 'wasm', limit)).not.toThrow();
    expect(() => checkMemory(config, 2, 'wasm', limit, 1.5 * 2 ** 30)).toThrow(MemoryError);
    expect(() => checkMemory(config, 2, 'wasm', limit, 1.5 * 2 ** 30)).toThrow(/, 1\.5 GiB of images\) but this machine has 2\.0 GiB/);
  });
});
