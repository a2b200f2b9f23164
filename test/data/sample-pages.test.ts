/** SamplePages, in this thread: the page logic the datasets service's worker runs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundledMnist } from '../../src-main/data/dataset-files';
import { encodeIdx } from '../../src-main/data/idx';
import { SAMPLE_SEED, SamplePages } from '../../src-main/data/sample-pages';
import { renderTaskUint8, TaskGenerator, taskSpec } from '../../src-main/data/tasks';

describe('SamplePages', () => {
  const pages = new SamplePages();

  it('renders training pages on SAMPLE_SEED, the same images however they are paged', async () => {
    const { train } = await loadBundledMnist();
    const a = await pages.page({ kind: 'task', task: 'translated' }, { dataset: 'translated', split: 'train', offset: 0, limit: 4 });
    const b = await pages.page({ kind: 'task', task: 'translated' }, { dataset: 'translated', split: 'train', offset: 2, limit: 2 });
    expect(a).toMatchObject({ dataset: 'translated', split: 'train', imageSize: 60, channels: 1, total: 60000, offset: 0 });
    expect(b.pixels).toEqual(a.pixels.slice(2 * 3600));
    expect(a.pixels.slice(3600, 7200)).toEqual(renderTaskUint8(new TaskGenerator(taskSpec('translated'), train, SAMPLE_SEED), 1));
  });

  it('a page past the end is empty; a label filter pages through that label only', async () => {
    const end = await pages.page({ kind: 'task', task: 'centered' }, { dataset: 'centered', split: 'test', offset: 9999, limit: 5 });
    expect(end.items).toHaveLength(1);
    const threes = await pages.page({ kind: 'task', task: 'centered' }, { dataset: 'centered', split: 'test', offset: 0, limit: 7, label: 3 });
    expect(threes.items.every((i) => i.label === 3)).toBe(true);
    expect(threes.pixels.length).toBe(7 * 784);
  });

  it('an imported colour IDX folder: RGB interleaved bytes as stored, channels 3, and the label filter', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-pages-'));
    try {
      const side = 5;
      const px = side * side * 3;
      const images = (n: number, seed: number) => Uint8Array.from({ length: n * px }, (_, i) => (i * 7 + seed) % 256);
      const train = images(12, 1);
      const test = images(6, 2);
      const trainLabels = Uint8Array.from({ length: 12 }, (_, i) => i % 3);
      const testLabels = Uint8Array.from({ length: 6 }, (_, i) => (i * 2) % 3);
      fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), encodeIdx([12, side, side, 3], train));
      fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx([12], trainLabels));
      fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), encodeIdx([6, side, side, 3], test));
      fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([6], testLabels));
      fs.writeFileSync(path.join(dir, 'classes.txt'), 'cat\ndog\nfox\n');
      const page = await pages.page({ kind: 'import', folder: dir }, { dataset: 'import:x', split: 'train', offset: 2, limit: 3 });
      expect(page).toMatchObject({ imageSize: side, channels: 3, total: 12, offset: 2 });
      expect(page.items).toEqual([2, 3, 4].map((index) => ({ index, label: index % 3 })));
      expect(page.pixels).toEqual(train.slice(2 * px, 5 * px));
      const dogs = await pages.page({ kind: 'import', folder: dir }, { dataset: 'import:x', split: 'test', offset: 0, limit: 10, label: 1 });
      expect(dogs.items.map((i) => i.index)).toEqual([2, 5]);
      expect(dogs.total).toBe(2);
      expect(dogs.pixels).toEqual(new Uint8Array([...test.slice(2 * px, 3 * px), ...test.slice(5 * px, 6 * px)]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
