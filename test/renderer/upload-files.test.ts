/** Choosing and sending a browser-mode upload: paths from a folder input or a drop, chunk plans, the sending. */
import { describe, expect, it } from 'vitest';
import type { UploadChunk, UploadProgress } from '../../src-main/shared/api';
import { folderSlug } from '../../src-main/data/dataset-cache';
import {
  importIdFor,
  importOptions,
  isHiddenPath,
  pickedFromEntries,
  pickedFromInput,
  planChunks,
  relativePathOf,
  uploadFiles,
  type EntryLike,
  type UploadSource,
} from '../../src-renderer/src/lib/upload';

interface FakeFile {
  name: string;
  size: number;
  webkitRelativePath?: string;
}

describe('paths of a chosen folder', () => {
  it('drops the folder’s own name from webkitRelativePath; loose files keep their names', () => {
    expect(relativePathOf({ name: '001.png', webkitRelativePath: 'pets/cat/001.png' })).toBe('cat/001.png');
    expect(relativePathOf({ name: 'train-images-idx3-ubyte', webkitRelativePath: 'mnist/train-images-idx3-ubyte' })).toBe('train-images-idx3-ubyte');
    expect(relativePathOf({ name: 'a.png', webkitRelativePath: '' })).toBe('a.png');
    expect(relativePathOf({ name: 'a.png' })).toBe('a.png');
    expect(relativePathOf({ name: 'x.png', webkitRelativePath: 'top\\train\\cat\\x.png' })).toBe('train/cat/x.png');
  });

  it('knows hidden files and OS leftovers', () => {
    for (const p of ['.DS_Store', 'cat/.DS_Store', '.git/config', '__MACOSX/cat/._1.png', 'cat/Thumbs.db', 'desktop.ini']) expect(isHiddenPath(p)).toBe(true);
    for (const p of ['cat/001.png', 'train/dog/a.b.jpg', 'classes.txt']) expect(isHiddenPath(p)).toBe(false);
  });

  it('collects a folder input: hidden files left out, sorted by path, the folder named', () => {
    const list: FakeFile[] = [
      { name: 'b.png', size: 3, webkitRelativePath: 'pets/dog/b.png' },
      { name: '.DS_Store', size: 9, webkitRelativePath: 'pets/.DS_Store' },
      { name: 'a.png', size: 2, webkitRelativePath: 'pets/cat/a.png' },
      { name: '.DS_Store', size: 9, webkitRelativePath: 'pets/cat/.DS_Store' },
    ];
    const picked = pickedFromInput(list);
    expect(picked.files.map((f) => f.path)).toEqual(['cat/a.png', 'dog/b.png']);
    expect(picked.hidden).toBe(2);
    expect(picked.folderName).toBe('pets');
    expect(pickedFromInput([{ name: 'pets.zip', size: 10 }]).folderName).toBe('pets');
    expect(pickedFromInput([{ name: 'train-images-idx3-ubyte', size: 10 }]).folderName).toBeUndefined();
  });
});

/** A fake entry tree; directories answer readEntries in batches of `batch` like Chromium's. */
function tree(name: string, children: Record<string, unknown>, batch = 2): EntryLike<FakeFile> {
  const kids = Object.entries(children).map(([n, v]) => (typeof v === 'number' ? fileEntry(n, v) : tree(n, v as Record<string, unknown>, batch)));
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader() {
      let at = 0;
      return {
        readEntries(ok) {
          const out = kids.slice(at, at + batch);
          at += batch;
          setTimeout(() => ok(out), 0);
        },
      };
    },
  };
}
function fileEntry(name: string, size: number): EntryLike<FakeFile> {
  return { isFile: true, isDirectory: false, name, file: (ok) => setTimeout(() => ok({ name, size }), 0) };
}

describe('pickedFromEntries (a drop)', () => {
  it('walks one dropped folder to paths inside it, through batched reads, hidden ones left out', async () => {
    const root = tree('pets', { cat: { '1.png': 1, '2.png': 2, '3.png': 3, '.DS_Store': 4 }, dog: { '1.png': 5 }, '.hidden': { 'x.png': 1, 'y.png': 1 } });
    const picked = await pickedFromEntries([root]);
    expect(picked.files.map((f) => [f.path, f.file.size])).toEqual([
      ['cat/1.png', 1],
      ['cat/2.png', 2],
      ['cat/3.png', 3],
      ['dog/1.png', 5],
    ]);
    expect(picked.hidden).toBe(3);
    expect(picked.folderName).toBe('pets');
  });

  it('keeps the top names when several things are dropped; a .zip alone names the dataset', async () => {
    const picked = await pickedFromEntries([tree('cat', { 'a.png': 1 }), tree('dog', { 'b.png': 1 })]);
    expect(picked.files.map((f) => f.path)).toEqual(['cat/a.png', 'dog/b.png']);
    expect(picked.folderName).toBeUndefined();
    expect((await pickedFromEntries([fileEntry('flowers.zip', 100)])).folderName).toBe('flowers');
  });
});

describe('planChunks', () => {
  it('splits every file in chunks of at most chunkBytes, in order; an empty file gets one empty chunk', () => {
    expect(planChunks([10, 0, 4], 4)).toEqual([
      { file: 0, start: 0, end: 4 },
      { file: 0, start: 4, end: 8 },
      { file: 0, start: 8, end: 10 },
      { file: 1, start: 0, end: 0 },
      { file: 2, start: 0, end: 4 },
    ]);
    expect(planChunks([], 4)).toEqual([]);
  });
});

/** A fake server: checks each chunk comes at the bytes received so far, and keeps the files. */
function fakeServer(refuseAt?: string) {
  const files = new Map<string, number[]>();
  let calls = 0;
  let open = 0;
  let maxOpen = 0;
  const api = {
    async uploadDatasetChunk(chunk: UploadChunk): Promise<UploadProgress> {
      calls++;
      if (calls > 1 && chunk.upload !== 'u1') throw new Error('chunk without the upload id');
      open++;
      maxOpen = Math.max(maxOpen, open);
      await new Promise((r) => setTimeout(r, 1));
      open--;
      if (chunk.file === refuseAt) throw new Error(`${chunk.file}: refused`);
      const have = files.get(chunk.file) ?? [];
      if (chunk.offset !== have.length) throw new Error(`${chunk.file}: chunk at ${chunk.offset}, have ${have.length}`);
      have.push(...chunk.bytes);
      files.set(chunk.file, have);
      return { upload: 'u1', file: chunk.file, received: have.length, total: 0 };
    },
  };
  return { api, files, calls: () => calls, maxOpen: () => maxOpen };
}

const source = (name: string, size: number): UploadSource => ({
  name,
  size,
  read: async (start, end) => Uint8Array.from({ length: end - start }, (_, i) => (start + i) % 251),
});

describe('uploadFiles', () => {
  it('sends every byte of every file under its path, chunk by chunk, a few files at a time, with progress', async () => {
    const server = fakeServer();
    const files = [source('cat/1.png', 10), source('cat/2.png', 0), source('dog/1.png', 7), source('dog/2.png', 3), source('dog/3.png', 5)];
    const progress: [number, number][] = [];
    const id = await uploadFiles(server.api, files, (s, t) => progress.push([s, t]), 4, 3);
    expect(id).toBe('u1');
    for (const f of files) expect(server.files.get(f.name)).toEqual([...(await f.read(0, f.size))]);
    expect(server.calls()).toBe(planChunks(files.map((f) => f.size), 4).length);
    expect(progress.at(-1)).toEqual([25, 25]);
    expect(progress.every(([s], i) => i === 0 || s >= progress[i - 1]![0])).toBe(true);
    expect(server.maxOpen()).toBeGreaterThan(1);
    expect(server.maxOpen()).toBeLessThanOrEqual(3);
  });

  it('stops at the first refusal and says it', async () => {
    const server = fakeServer('dog/1.png');
    await expect(uploadFiles(server.api, [source('cat/1.png', 3), source('dog/1.png', 3), source('dog/2.png', 3)], undefined, 2, 1)).rejects.toThrow('dog/1.png: refused');
    expect(server.files.has('dog/2.png')).toBe(false);
  });

  it('refuses to start with nothing to send', async () => {
    await expect(uploadFiles(fakeServer().api, [])).rejects.toThrow(/choose the files/);
  });
});

describe('importIdFor', () => {
  it('is the server’s id for an import of that name', () => {
    for (const name of ['Pets', '  My Images 2 ', 'déjà vu', '...x', '---', 'a/b\\c', 'x'.repeat(80)]) expect(importIdFor(name)).toBe(`import:${folderSlug(name.trim())}`);
  });
});

describe('importOptions', () => {
  it('turns the form into ImportRequest fields, or says what is wrong', () => {
    expect(importOptions({ imageSize: '', channels: 'auto', skipBad: false })).toEqual({});
    expect(importOptions({ imageSize: ' 32 ', channels: '3', skipBad: true })).toEqual({ imageSize: 32, channels: 3, skipBad: true });
    expect(importOptions({ imageSize: '', channels: '1', skipBad: false })).toEqual({ channels: 1 });
    for (const bad of ['0', '3', '1025', '2.5', '-8', 'abc', '1e2']) expect(importOptions({ imageSize: bad, channels: 'auto', skipBad: false })).toMatch(/^image size: a whole number of pixels from 4 to 1024/);
  });
});
