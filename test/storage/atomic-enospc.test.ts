import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// A full disk cannot be made on demand: make writeSync fail the way Node does.
const state = vi.hoisted(() => ({ failWith: '' }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((...args: Parameters<typeof real.writeSync>) => {
    if (state.failWith) throw Object.assign(new Error(`${state.failWith}: simulated`), { code: state.failWith });
    return (real.writeSync as (...a: unknown[]) => number)(...args);
  }) as typeof real.writeSync;
  return { ...real, writeSync, default: { ...real, writeSync } };
});

const fs = await import('node:fs');
const { writeFileAtomic } = await import('../../src-main/storage/atomic');
const { StorageError } = await import('../../src-main/storage/errors');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-enospc-'));
});
afterEach(() => {
  state.failWith = '';
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic on a full disk', () => {
  it('reports "disk full" with the path, keeps the old file and removes the temp file', () => {
    const file = path.join(dir, 'meta.json');
    fs.writeFileSync(file, 'old');
    state.failWith = 'ENOSPC';
    let caught: unknown;
    try {
      writeFileAtomic(file, 'new content');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StorageError);
    expect((caught as Error).message).toMatch(/disk full/);
    expect((caught as Error).message).toContain(file);
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['meta.json']);
  });

  it('reports "permission denied" for EACCES (root cannot be denied for real)', () => {
    const file = path.join(dir, 'meta.json');
    state.failWith = 'EACCES';
    expect(() => writeFileAtomic(file, 'x')).toThrow(new RegExp(`cannot write ${file}: permission denied`));
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
