import { beforeAll, describe, expect, it } from 'vitest';
import { type LabeledImages, loadBundledMnist } from '../../src-main/data/dataset-files';
import { DataError, parseIdx } from '../../src-main/data/idx';
import {
  TASKS,
  TaskGenerator,
  customTaskSpec,
  encodeTaskSet,
  labelsFor,
  renderBatch,
  renderTaskUint8,
  taskSpec,
} from '../../src-main/data/tasks';

let train: LabeledImages;
beforeAll(async () => {
  train = (await loadBundledMnist()).train;
});

function digit(src: LabeledImages, index: number): Uint8Array {
  const px = src.height * src.width;
  return src.images.subarray(index * px, (index + 1) * px);
}

/** Synthetic set: image i is h x w filled with value fill(i). */
function flatSet(count: number, h: number, w: number, fill: (i: number) => number): LabeledImages {
  const images = new Uint8Array(count * h * w);
  for (let i = 0; i < count; i++) images.fill(fill(i), i * h * w, (i + 1) * h * w);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count, height: h, width: w, channels: 1, source: 'synthetic' };
}

/** All offsets where the 28x28 original appears exactly (as v/255) in the S x S image. */
function findDigit(img: Float32Array, S: number, d: Uint8Array, h: number, w: number): Array<[number, number]> {
  const hits: Array<[number, number]> = [];
  for (let oy = 0; oy <= S - h; oy++) {
    for (let ox = 0; ox <= S - w; ox++) {
      let ok = true;
      for (let y = 0; y < h && ok; y++) {
        for (let x = 0; x < w; x++) {
          if (img[(oy + y) * S + ox + x] !== Math.fround(d[y * w + x] / 255)) {
            ok = false;
            break;
          }
        }
      }
      if (ok) hits.push([ox, oy]);
    }
  }
  return hits;
}

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

describe('task specs', () => {
  it('has the paper tasks', () => {
    expect(TASKS.centered).toMatchObject({ imageSize: 28, clutterPieces: 0 });
    expect(TASKS.translated).toMatchObject({ imageSize: 60, clutterPieces: 0 });
    expect(TASKS.cluttered60).toMatchObject({ imageSize: 60, clutterPieces: 4, clutterSize: 8 });
    expect(TASKS.cluttered100).toMatchObject({ imageSize: 100, clutterPieces: 8, clutterSize: 8 });
    expect(taskSpec('cluttered60')).toBe(TASKS.cluttered60);
  });

  it('rejects unknown task names, listing the valid ones', () => {
    expect(() => taskSpec('cluttered')).toThrow(DataError);
    expect(() => taskSpec('cluttered')).toThrow(/centered, translated, cluttered60, cluttered100/);
  });

  it('validates custom specs and generator fit', () => {
    expect(customTaskSpec({ imageSize: 80, clutterPieces: 6, clutterSize: 10 })).toMatchObject({ name: 'custom80x6', imageSize: 80 });
    expect(() => customTaskSpec({ imageSize: 10, clutterPieces: 1, clutterSize: 12 })).toThrow(DataError);
    expect(() => new TaskGenerator(customTaskSpec({ imageSize: 20 }), flatSet(2, 28, 28, () => 1), 1)).toThrow(/too small/);
    expect(() => new TaskGenerator(TASKS.cluttered60, flatSet(1, 28, 28, () => 1), 1)).toThrow(/only 1/);
  });
});

describe('rendering', () => {
  it('centered is exactly pixel/255', () => {
    const gen = new TaskGenerator(TASKS.centered, train, 1);
    expect(gen.imageSize).toBe(28);
    const out = new Float32Array(784 + 3).fill(-1);
    gen.render(0, out, 3);
    const d = digit(train, 0);
    for (let i = 0; i < 784; i++) expect(out[3 + i]).toBe(Math.fround(d[i] / 255));
    expect(out[0]).toBe(-1);
    expect(Array.from(renderTaskUint8(gen, 0))).toEqual(Array.from(d));
  });

  it('hand-checkable translated case: a 2x2 digit in a 4x4 canvas', () => {
    const src: LabeledImages = { images: Uint8Array.of(255, 51, 102, 0), labels: Uint8Array.of(3), count: 1, height: 2, width: 2, channels: 1, source: 't' };
    const gen = new TaskGenerator(customTaskSpec({ imageSize: 4 }), src, 42);
    const { digitX, digitY } = gen.layout(0);
    const expected = new Array(16).fill(0);
    expected[digitY * 4 + digitX] = 255;
    expected[digitY * 4 + digitX + 1] = 51;
    expected[(digitY + 1) * 4 + digitX] = 102;
    expect(Array.from(renderTaskUint8(gen, 0))).toEqual(expected);
  });

  it('translated contains the original digit exactly once, and nothing else', () => {
    const gen = new TaskGenerator(TASKS.translated, train, 3);
    expect(gen.imageSize).toBe(60);
    for (const index of [0, 1, 5, 1234]) {
      const img = new Float32Array(3600);
      gen.render(index, img, 0);
      const d = digit(train, index);
      const hits = findDigit(img, 60, d, 28, 28);
      expect(hits.length).toBe(1);
      const { digitX, digitY } = gen.layout(index);
      expect(hits[0]).toEqual([digitX, digitY]);
      expect(sum(img)).toBeCloseTo(sum(d) / 255, 3);
    }
  });

  it('is deterministic per image regardless of order or instance; the seed matters', () => {
    for (const spec of [TASKS.translated, TASKS.cluttered60, TASKS.cluttered100]) {
      const S = spec.imageSize;
      const a = new TaskGenerator(spec, train, 11);
      const b = new TaskGenerator(spec, train, 11);
      const first = new Float32Array(S * S);
      a.render(5, first, 0);
      const scratch = new Float32Array(S * S);
      b.render(3, scratch, 0);
      b.render(9, scratch, 0);
      const second = new Float32Array(S * S);
      b.render(5, second, 0);
      a.render(5, scratch, 0);
      expect(Array.from(second)).toEqual(Array.from(first));
      expect(Array.from(scratch)).toEqual(Array.from(first));
      // Batches agree with single renders.
      const batch = renderBatch(b, [9, 5, 3]);
      expect(Array.from(batch.subarray(S * S, 2 * S * S))).toEqual(Array.from(first));

      const other = new TaskGenerator(spec, train, 12);
      const moved = [5, 6, 7, 8].filter((i) => {
        const la = a.layout(i);
        const lo = other.layout(i);
        return la.digitX !== lo.digitX || la.digitY !== lo.digitY;
      });
      expect(moved.length).toBeGreaterThanOrEqual(3);
      const diff = new Float32Array(S * S);
      other.render(5, diff, 0);
      expect(Array.from(diff)).not.toEqual(Array.from(first));
    }
  });

  it('cluttered: pieces are 8x8 squares at the layout positions', () => {
    // Blank digits and all-white clutter, so the image is exactly the union of the pieces.
    const blank = flatSet(5, 28, 28, () => 0);
    const white = flatSet(3, 28, 28, () => 255);
    for (const spec of [TASKS.cluttered60, TASKS.cluttered100]) {
      const S = spec.imageSize;
      const gen = new TaskGenerator(spec, blank, 2, white);
      for (let index = 0; index < 5; index++) {
        const img = new Float32Array(S * S);
        gen.render(index, img, 0);
        const mask = new Uint8Array(S * S);
        const { pieces } = gen.layout(index);
        expect(pieces.length).toBe(spec.clutterPieces);
        for (const p of pieces) {
          expect(p.x + 8).toBeLessThanOrEqual(S);
          expect(p.y + 8).toBeLessThanOrEqual(S);
          for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) mask[(p.y + y) * S + p.x + x] = 1;
        }
        expect(Array.from(img)).toEqual(Array.from(mask));
      }
    }
  });

  it('cluttered: clutter comes from other images only', () => {
    // Image i is filled with value 10*(i+1); crops are 8x8 of 8x8 images, so whole images.
    const src = flatSet(3, 8, 8, (i) => 10 * (i + 1));
    const spec = customTaskSpec({ imageSize: 30, clutterPieces: 6, clutterSize: 8 });
    const used = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      const gen = new TaskGenerator(spec, src, seed);
      for (let index = 0; index < 3; index++) {
        const { pieces, digitX, digitY } = gen.layout(index);
        const img = renderTaskUint8(gen, index);
        for (const p of pieces) {
          expect(p.sourceIndex).not.toBe(index);
          used.add(p.sourceIndex);
        }
        for (let y = 0; y < 30; y++) {
          for (let x = 0; x < 30; x++) {
            const inDigit = x >= digitX && x < digitX + 8 && y >= digitY && y < digitY + 8;
            const v = img[y * 30 + x];
            if (inDigit) expect(v).toBeGreaterThanOrEqual(10 * (index + 1));
            else expect(v === 0 || (v !== 10 * (index + 1) && [10, 20, 30].includes(v))).toBe(true);
          }
        }
      }
    }
    expect(used).toEqual(new Set([0, 1, 2]));
  });

  it('cluttered MNIST: in range, more ink than the digit, digit still present', () => {
    for (const spec of [TASKS.cluttered60, TASKS.cluttered100]) {
      const S = spec.imageSize;
      const gen = new TaskGenerator(spec, train, 4);
      expect(gen.imageSize).toBe(S);
      const indices = Array.from({ length: 20 }, (_, i) => i * 37);
      const batch = renderBatch(gen, indices);
      expect(batch.length).toBe(20 * S * S);
      let min = Infinity;
      let max = -Infinity;
      for (const v of batch) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      expect(min).toBeGreaterThanOrEqual(0);
      expect(max).toBeLessThanOrEqual(1);
      let ink = 0;
      let digitInk = 0;
      indices.forEach((index, b) => {
        const img = batch.subarray(b * S * S, (b + 1) * S * S);
        const d = digit(train, index);
        ink += sum(img);
        digitInk += sum(d) / 255;
        // The digit is pasted intact under max(): every digit pixel is <= the image there.
        const { digitX, digitY } = gen.layout(index);
        for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) expect(img[(digitY + y) * S + digitX + x]).toBeGreaterThanOrEqual(Math.fround(d[y * 28 + x] / 255));
      });
      expect(ink).toBeGreaterThan(digitInk * 1.05);
    }
  });

  it('renderBatch reuses out, labelsFor returns labels, bounds are checked', () => {
    const gen = new TaskGenerator(TASKS.translated, train, 1);
    const out = new Float32Array(3 * 3600);
    expect(renderBatch(gen, [0, 1], out)).toBe(out);
    expect(() => renderBatch(gen, [0, 1, 2, 3], out)).toThrow(DataError);
    expect(Array.from(labelsFor(train, [0, 1, 2]))).toEqual(Array.from(train.labels.subarray(0, 3)));
    expect(labelsFor(train, [0])).toBeInstanceOf(Int32Array);
    expect(() => gen.render(60000, out, 0)).toThrow(/out of range/);
    expect(() => gen.render(0, out, 3 * 3600 - 10)).toThrow(DataError);
    expect(() => labelsFor(train, [-1])).toThrow(DataError);
  });

  it('exports a task set as IDX', () => {
    const gen = new TaskGenerator(TASKS.cluttered60, train, 9);
    const { images, labels } = encodeTaskSet(gen, [4, 2]);
    const pi = parseIdx(images, 'images');
    const pl = parseIdx(labels, 'labels');
    expect(pi.dims).toEqual([2, 60, 60]);
    expect(Array.from(pl.data)).toEqual([train.labels[4], train.labels[2]]);
    expect(Array.from(pi.data.subarray(0, 3600))).toEqual(Array.from(renderTaskUint8(gen, 4)));
  });

  it('renders a batch of 128 cluttered100 images quickly', () => {
    const gen = new TaskGenerator(TASKS.cluttered100, train, 5);
    const out = new Float32Array(128 * 10000);
    const indices = Array.from({ length: 128 }, (_, i) => i * 400);
    for (let r = 0; r < 5; r++) renderBatch(gen, indices, out);
    const runs = 20;
    const t0 = performance.now();
    for (let r = 0; r < runs; r++) renderBatch(gen, indices, out);
    const ms = (performance.now() - t0) / runs;
    console.log(`cluttered100 batch of 128: ${ms.toFixed(3)} ms`);
    expect(ms).toBeLessThan(20);
  });
});
