/** Colour and other-size IDX sets, class names from classes.txt, and rendering colour task images. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadIdxFolder, MNIST_FILES, type LabeledImages } from '../../src-main/data/dataset-files';
import { encodeIdx } from '../../src-main/data/idx';
import { customTaskSpec, renderBatch, renderTaskUint8, TaskGenerator, taskSpec } from '../../src-main/data/tasks';
import { tempDir } from '../helpers/mnist-subset';
import { loadSourceData } from '../../src-main/trainer/run-data';

let dir: string;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

function writeSet(folder: string, which: 'train' | 't10k', dims: number[], labels: number[]): Uint8Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const images = Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, MNIST_FILES[which].images), encodeIdx(dims, images));
  writeFileSync(path.join(folder, MNIST_FILES[which].labels), encodeIdx([labels.length], Uint8Array.from(labels)));
  return images;
}

describe('IDX folders of any size, grey or colour', () => {
  it('reads count x side x side x 3 colour images with their class names', async () => {
    dir = tempDir('colour-idx');
    const train = writeSet(dir, 'train', [4, 5, 5, 3], [0, 1, 2, 1]);
    writeSet(dir, 't10k', [2, 5, 5, 3], [2, 0]);
    writeFileSync(path.join(dir, 'classes.txt'), 'cat\ndog\nbird\n');
    const { train: set, test } = await loadIdxFolder(dir, 'both');
    expect(set).toMatchObject({ count: 4, height: 5, width: 5, channels: 3, classNames: ['cat', 'dog', 'bird'] });
    expect(Array.from(set!.images)).toEqual(Array.from(train));
    expect(test!.channels).toBe(3);
  });

  it('reads 40x40 grey images (not only 28x28) without a classes.txt', async () => {
    dir = tempDir('grey40');
    writeSet(dir, 'train', [3, 40, 40], [0, 1, 0]);
    writeSet(dir, 't10k', [1, 40, 40], [1]);
    const { train } = await loadIdxFolder(dir, 'both');
    expect(train).toMatchObject({ count: 3, height: 40, width: 40, channels: 1 });
    expect(train!.classNames).toBeUndefined();
  });

  it('refuses what the model cannot take, one line each', async () => {
    dir = tempDir('bad-idx');
    writeSet(dir, 'train', [2, 4, 4, 2], [0, 1]);
    writeSet(dir, 't10k', [1, 4, 4], [0]);
    await expect(loadIdxFolder(dir, 'train')).rejects.toThrow(
      'train-images-idx3-ubyte: expected count x height x width (grey) or count x height x width x 3 (colour), found 4 dimensions (2x4x4x2)',
    );
    writeSet(dir, 'train', [2, 4, 4], [0, 3]);
    writeFileSync(path.join(dir, 'classes.txt'), 'a\nb\n');
    await expect(loadIdxFolder(dir, 'train')).rejects.toThrow(/classes.txt: names 2 classes but the labels go up to 3/);
    writeFileSync(path.join(dir, 'classes.txt'), 'a\n\nb\nc\n');
    await expect(loadIdxFolder(dir, 'train')).rejects.toThrow(/classes.txt: line 2 is empty/);
    writeFileSync(path.join(dir, 'classes.txt'), 'a\nb\na\nc\n');
    await expect(loadIdxFolder(dir, 'train')).rejects.toThrow(/classes.txt: names a class twice/);
  });
});

describe('what a run takes', () => {
  it('refuses IDX images that are not square, and train and test images that differ', async () => {
    dir = tempDir('non-square');
    writeSet(dir, 'train', [2, 4, 6], [0, 1]);
    writeSet(dir, 't10k', [1, 4, 6], [0]);
    await expect(loadSourceData(dir)).rejects.toThrow(/train-images-idx3-ubyte: images are 4x6; the model takes square images/);
    writeSet(dir, 'train', [2, 6, 6, 3], [0, 1]);
    writeSet(dir, 't10k', [1, 6, 6], [0]);
    await expect(loadSourceData(dir)).rejects.toThrow(`${dir}: the train images are 6x6 colour but the t10k images 6x6 grey`);
  });
});

describe('colour task images', () => {
  /** Two 2x2 RGB images: pixel p of image i has R = 10i + p, G = 100 + p, B = 200 + p. */
  const src: LabeledImages = {
    images: Uint8Array.from({ length: 2 * 4 * 3 }, (_, k) => {
      const i = Math.floor(k / 12);
      const p = Math.floor((k % 12) / 3);
      return [10 * i + p, 100 + p, 200 + p][k % 3]!;
    }),
    labels: Uint8Array.of(0, 1),
    count: 2,
    height: 2,
    width: 2,
    channels: 3,
    source: 'synthetic',
  };

  it('renders centered images as three planes, and back to interleaved bytes for display', () => {
    const gen = new TaskGenerator({ ...taskSpec('centered'), imageSize: 2 }, src, 1);
    expect(gen.channels).toBe(3);
    const out = renderBatch(gen, [1]);
    expect(Array.from(out, (v) => Math.round(v * 255))).toEqual([10, 11, 12, 13, 100, 101, 102, 103, 200, 201, 202, 203]);
    expect(Array.from(renderTaskUint8(gen, 1))).toEqual(Array.from(src.images.subarray(12)));
  });

  it('places a colour digit in a larger canvas in every channel at the same spot', () => {
    const gen = new TaskGenerator(customTaskSpec({ imageSize: 4 }), src, 9);
    const { digitX, digitY } = gen.layout(0);
    const out = Array.from(renderBatch(gen, [0]), (v) => Math.round(v * 255));
    for (let c = 0; c < 3; c++) {
      const plane = out.slice(c * 16, (c + 1) * 16);
      const expected = new Array(16).fill(0);
      for (let p = 0; p < 4; p++) expected[(digitY + (p >> 1)) * 4 + digitX + (p & 1)] = [p, 100 + p, 200 + p][c];
      expect(plane, `channel ${c}`).toEqual(expected);
    }
  });
});
