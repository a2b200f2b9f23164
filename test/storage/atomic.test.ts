import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeJsonAtomic } from '../../src-main/storage/atomic';
import { StorageError } from '../../src-main/storage/errors';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-atomic-'));
});
afterEach(() => {
  fs.chmodSync(dir, 0o755);
  fs.rmSync(dir, { recursive: true, force: true });
});

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('writeFileAtomic', () => {
  it('writes strings and bytes and leaves no temp files', () => {
    const file = path.join(dir, 'a.txt');
    writeFileAtomic(file, 'hello');
    expect(fs.readFileSync(file, 'utf8')).toBe('hello');
    writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3]);
    expect(fs.readdirSync(dir)).toEqual(['a.txt']);
  });

  it('writeJsonAtomic round-trips a value', () => {
    const file = path.join(dir, 'a.json');
    writeJsonAtomic(file, { a: 1, b: [2, 3] });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ a: 1, b: [2, 3] });
  });

  it('fails with a StorageError naming the path when the parent is a file', () => {
    const parent = path.join(dir, 'file');
    fs.writeFileSync(parent, 'x');
    const target = path.join(parent, 'child.json');
    let caught: unknown;
    try {
      writeFileAtomic(target, 'data');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StorageError);
    expect((caught as Error).message).toContain(target);
    expect(fs.readdirSync(dir)).toEqual(['file']);
  });

  it.skipIf(isRoot)('keeps the old content and leaves no temp file when the folder is read-only', () => {
    const file = path.join(dir, 'keep.txt');
    fs.writeFileSync(file, 'old');
    fs.chmodSync(dir, 0o555);
    expect(() => writeFileAtomic(file, 'new')).toThrow(/permission denied/);
    fs.chmodSync(dir, 0o755);
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('keeps the old content when the rename fails (target is a folder)', () => {
    const target = path.join(dir, 'occupied');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'inner'), 'old');
    expect(() => writeFileAtomic(target, 'new')).toThrow(StorageError);
    expect(fs.readFileSync(path.join(target, 'inner'), 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['occupied']);
  });
});
