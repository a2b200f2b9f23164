import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src-main/data/idx';
import { loadImageFolder, looksLikeImageFolder, scanImageFolder, type ImageFolderOptions } from '../../src-main/data/image-folder';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'saccade-imgfolder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let seq = 0;
function freshDir(): string {
  const d = path.join(tmp, `t${++seq}`);
  mkdirSync(d, { recursive: true });
  return d;
}

function ensureParent(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
}

/** A w x h grey image whose pixel i is values[i] (default: a ramp seeded by `seed`). */
function greyPixels(w: number, h: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: w * h }, (_, i) => (i * 7 + seed * 31) % 256);
}

async function writeGreyPng(file: string, w: number, h: number, pixels: Uint8Array): Promise<void> {
  ensureParent(file);
  await sharp(Buffer.from(pixels), { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png().toFile(file);
}

async function writeSolidGrey(file: string, w: number, h: number, v: number): Promise<void> {
  await writeGreyPng(file, w, h, new Uint8Array(w * h).fill(v));
}

async function writeColourJpeg(file: string, w: number, h: number, rgb: [number, number, number]): Promise<void> {
  ensureParent(file);
  await sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .jpeg({ quality: 95 })
    .toFile(file);
}

/** A noisy colour PNG, so that its compressed data is long enough to cut. */
async function noisyPng(w: number, h: number): Promise<Buffer> {
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 7919 + 13) % 251;
  return sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

async function expectDataError(p: Promise<unknown>, ...parts: Array<string | RegExp>): Promise<string> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DataError);
  const msg = (err as Error).message;
  expect(msg).not.toContain('\n');
  for (const part of parts) {
    if (typeof part === 'string') expect(msg).toContain(part);
    else expect(msg).toMatch(part);
  }
  return msg;
}

/** A simple two-class grey tree without a split: DIR/cat, DIR/dog, n 8x8 images each. */
async function greyTree(n = 3): Promise<string> {
  const dir = freshDir();
  for (const c of ['cat', 'dog']) {
    for (let i = 0; i < n; i++) await writeSolidGrey(path.join(dir, c, `${i}.png`), 8, 8, 40 * i + (c === 'dog' ? 5 : 0));
  }
  return dir;
}

describe('loadImageFolder: layouts', () => {
  it('decodes a grey PNG tree with train/ and test/ exactly, classes in numeric order', async () => {
    const dir = freshDir();
    const px = {
      'train/2/a.png': greyPixels(8, 8, 1),
      'train/2/b.png': greyPixels(8, 8, 2),
      'train/10/a.png': greyPixels(8, 8, 3),
      'test/2/c.png': greyPixels(8, 8, 4),
      'test/10/d.png': greyPixels(8, 8, 5),
    };
    for (const [rel, p] of Object.entries(px)) await writeGreyPng(path.join(dir, rel), 8, 8, p);

    const data = await loadImageFolder(dir);
    expect(data.splitGiven).toBe(true);
    expect(data.classNames).toEqual(['2', '10']);
    expect(data.channels).toBe(1);
    expect(data.imageSize).toBe(8);
    expect(data.resized).toBeUndefined();
    expect(data.skipped).toEqual([]);
    expect(data.train.count).toBe(3);
    expect(data.train.width).toBe(8);
    expect(data.train.height).toBe(8);
    expect(data.train.channels).toBe(1);
    expect(data.train.classNames).toEqual(['2', '10']);
    expect(data.train.source).toBe(path.join(dir, 'train'));
    expect(Array.from(data.train.labels)).toEqual([0, 0, 1]);
    expect(data.train.images.length).toBe(3 * 64);
    expect(Array.from(data.train.images.subarray(0, 64))).toEqual(Array.from(px['train/2/a.png']));
    expect(Array.from(data.train.images.subarray(64, 128))).toEqual(Array.from(px['train/2/b.png']));
    expect(Array.from(data.train.images.subarray(128, 192))).toEqual(Array.from(px['train/10/a.png']));
    expect(data.test.count).toBe(2);
    expect(Array.from(data.test.labels)).toEqual([0, 1]);
    expect(Array.from(data.test.images.subarray(0, 64))).toEqual(Array.from(px['test/2/c.png']));
    expect(Array.from(data.test.images.subarray(64, 128))).toEqual(Array.from(px['test/10/d.png']));
    expect(data.testFiles).toEqual(['test/2/c.png', 'test/10/d.png']);
  });

  it('decodes a colour JPEG tree without a split into a seeded, repeatable split with a test image per class', async () => {
    const dir = freshDir();
    const colours: Record<string, [number, number, number]> = { red: [230, 20, 20], green: [20, 200, 30], blue: [20, 30, 220] };
    for (const [c, rgb] of Object.entries(colours)) {
      for (let i = 0; i < 6; i++) await writeColourJpeg(path.join(dir, c, `img${i}.JPG`), 20, 20, rgb);
    }
    const a = await loadImageFolder(dir);
    const b = await loadImageFolder(dir);
    expect(a.splitGiven).toBe(false);
    expect(a.classNames).toEqual(['blue', 'green', 'red']);
    expect(a.channels).toBe(3);
    expect(a.imageSize).toBe(20);
    expect(a.train.count + a.test.count).toBe(18);
    expect(a.train.images.length).toBe(a.train.count * 20 * 20 * 3);
    expect(a.test.images.length).toBe(a.test.count * 20 * 20 * 3);
    // round(6 * 0.1) = 1, at least one per class.
    expect(Array.from(a.test.labels)).toEqual([0, 1, 2]);
    expect(a.test.source).toBe(dir);
    expect(a.testFiles).toEqual(b.testFiles);
    expect(a.testFiles).toHaveLength(3);
    expect(a.testFiles.map((f) => f.split('/')[0])).toEqual(['blue', 'green', 'red']);
    expect(Buffer.from(a.train.images).equals(Buffer.from(b.train.images))).toBe(true);
    expect(Array.from(a.train.labels)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    // Train holds the other files of each class, in name order.
    // The first pixel of a red image is red (JPEG is lossy: within a margin).
    const redStart = 10 * 20 * 20 * 3;
    const [r, g, bl] = a.train.images.subarray(redStart, redStart + 3);
    expect(Math.abs(r - 230)).toBeLessThan(12);
    expect(Math.abs(g - 20)).toBeLessThan(12);
    expect(Math.abs(bl - 20)).toBeLessThan(12);

    // A different fraction holds out more.
    const c = await loadImageFolder(dir, { testFraction: 0.5 });
    expect(c.test.count).toBe(9);
    expect(c.train.count).toBe(9);
  });

  it('resizes mixed sizes to the most common side, fitting non-square images without distortion', async () => {
    const dir = freshDir();
    for (let i = 0; i < 3; i++) await writeSolidGrey(path.join(dir, 'a', `${i}.png`), 16, 16, 100);
    await writeSolidGrey(path.join(dir, 'b', '0.png'), 16, 16, 100);
    await writeSolidGrey(path.join(dir, 'b', '1.png'), 8, 16, 255); // 8 wide, 16 high
    await writeSolidGrey(path.join(dir, 'b', '2.png'), 8, 8, 50);
    const data = await loadImageFolder(dir, { testFraction: 0.01 });
    expect(data.imageSize).toBe(16);
    expect(data.resized).toEqual({ sizes: '16x16 (4), 8x8 (1), 8x16 (1)', to: 16 });
    // b/1.png (tall) is in train or test; find it and check it is centred with black sides.
    const inTest = data.testFiles.includes('b/1.png');
    const set = inTest ? data.test : data.train;
    const files = inTest ? data.testFiles : ['a/0.png', 'a/1.png', 'a/2.png', 'b/0.png', 'b/1.png', 'b/2.png'].filter((f) => !data.testFiles.includes(f));
    const k = files.indexOf('b/1.png');
    const img = set.images.subarray(k * 256, (k + 1) * 256);
    const row = Array.from(img.subarray(8 * 16, 9 * 16));
    expect(row.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(row.slice(12)).toEqual([0, 0, 0, 0]);
    expect(row.slice(5, 11).every((v) => v > 240)).toBe(true);
  });

  it('resizes one non-square size to its longer side, and asks for a size when images are over 1024 pixels', async () => {
    const dir = freshDir();
    for (const c of ['a', 'b']) for (let i = 0; i < 2; i++) await writeSolidGrey(path.join(dir, c, `${i}.png`), 10, 6, 200);
    const data = await loadImageFolder(dir);
    expect(data.imageSize).toBe(10);
    expect(data.resized).toEqual({ sizes: '10x6 (4)', to: 10 });
    // Letterboxed: the top and bottom rows are black, the middle row is the image.
    expect(data.train.images[0]).toBe(0);
    expect(data.train.images[5 * 10 + 5]).toBe(200);

    const big = freshDir();
    for (const c of ['a', 'b']) for (let i = 0; i < 2; i++) await writeSolidGrey(path.join(big, c, `${i}.png`), 1100, 1100, 7);
    await expectDataError(loadImageFolder(big), `${big}: images are 1100x1100 (the most common size); the model takes 4 to 1024 pixels a side`);
    const small = await loadImageFolder(big, { imageSize: 16 });
    expect(small.imageSize).toBe(16);
    expect(small.train.images.every((v) => v === 7)).toBe(true);
  });

  it('imageSize forces a size, and channels converts colour to grey', async () => {
    const dir = await greyTree();
    const data = await loadImageFolder(dir, { imageSize: 12 });
    expect(data.imageSize).toBe(12);
    expect(data.train.width).toBe(12);
    expect(data.train.images.length).toBe(data.train.count * 144);
    expect(data.resized).toEqual({ sizes: '8x8 (6)', to: 12 });

    const colour = freshDir();
    for (const c of ['x', 'y']) for (let i = 0; i < 2; i++) await writeColourJpeg(path.join(colour, c, `${i}.jpeg`), 10, 10, [200, 100, 50]);
    const grey = await loadImageFolder(colour, { channels: 1 });
    expect(grey.channels).toBe(1);
    expect(grey.train.channels).toBe(1);
    expect(grey.train.images.length).toBe(grey.train.count * 100);
    const v = grey.train.images[0];
    expect(v).toBeGreaterThan(90);
    expect(v).toBeLessThan(150);

    const rgb = await loadImageFolder(dir, { channels: 3 });
    expect(rgb.channels).toBe(3);
    expect(rgb.train.images.length).toBe(rgb.train.count * 64 * 3);

    await expectDataError(loadImageFolder(dir, { imageSize: 2000 }), 'image size 2000 must be a whole number from 4 to 1024');
  });

  it('takes grey images saved as RGB (PNG and JPEG) as grey, unless asked for colour', async () => {
    const dir = freshDir();
    const pixels = greyPixels(10, 10, 5);
    const rgb = Buffer.alloc(300);
    for (let i = 0; i < 100; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = pixels[i]!;
    for (const c of ['p', 'q']) {
      for (let i = 0; i < 2; i++) {
        ensureParent(path.join(dir, c, `${i}.png`));
        await sharp(rgb, { raw: { width: 10, height: 10, channels: 3 } }).png().toFile(path.join(dir, c, `${i}.png`));
        await sharp(rgb, { raw: { width: 10, height: 10, channels: 3 } }).jpeg({ quality: 100 }).toFile(path.join(dir, c, `${i}.jpg`));
      }
    }
    expect((await sharp(path.join(dir, 'p', '0.png')).metadata()).channels).toBe(3);
    const data = await loadImageFolder(dir);
    expect(data.channels).toBe(1);
    expect(data.train.channels).toBe(1);
    expect(data.train.images.length).toBe(data.train.count * 100);
    // The PNGs are lossless: exactly the grey levels written.
    const all = [...Array.from({ length: data.train.count }, (_, k) => data.train.images.subarray(k * 100, (k + 1) * 100))];
    expect(all.some((img) => img.every((v, i) => v === pixels[i]))).toBe(true);
    expect((await loadImageFolder(dir, { channels: 3 })).channels).toBe(3);
  });

  it('ignores and counts files that are not images, hidden entries and nested folders', async () => {
    const dir = await greyTree(2);
    writeFileSync(path.join(dir, 'README.txt'), 'hello');
    writeFileSync(path.join(dir, 'cat', 'notes.txt'), 'x');
    writeFileSync(path.join(dir, 'cat', '.DS_Store'), 'x');
    writeFileSync(path.join(dir, 'dog', '.hidden.png'), 'x');
    writeFileSync(path.join(dir, 'dog', 'anim.gif'), 'x');
    mkdirSync(path.join(dir, '.git'));
    writeFileSync(path.join(dir, '.git', 'a.png'), 'x');
    await writeSolidGrey(path.join(dir, 'dog', 'nested', 'deep.png'), 8, 8, 1);
    // Extensions are case-insensitive, and WebP counts.
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).greyscale().webp({ lossless: true }).toFile(path.join(dir, 'dog', 'w.WEBP'));
    const data = await loadImageFolder(dir);
    expect(data.classNames).toEqual(['cat', 'dog']);
    expect(data.train.count + data.test.count).toBe(5);
    expect(data.ignored.count).toBe(7);
    expect(data.ignored.examples).toHaveLength(5);
    const scan = await scanImageFolder(dir);
    expect(scan.ignored.count).toBe(7);
    expect(scan.counts.train).toEqual([2, 3]);
    expect(scan.total).toBe(5);
    expect(scan.splitGiven).toBe(false);
  });

  it('reports progress, ending with done = total', async () => {
    const dir = await greyTree(3);
    const calls: Array<[number, number]> = [];
    await loadImageFolder(dir, { onProgress: (d, t) => calls.push([d, t]) });
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls[calls.length - 1]).toEqual([6, 6]);
  });

  it('follows links to files and ignores a symlink loop instead of hanging', async () => {
    const dir = await greyTree(2);
    symlinkSync(dir, path.join(dir, 'loop'));
    symlinkSync(path.join(dir, 'self'), path.join(dir, 'self')); // ELOOP
    symlinkSync(path.join(dir, 'cat', '0.png'), path.join(dir, 'dog', 'linked.png'));
    const data = await loadImageFolder(dir);
    expect(data.classNames).toEqual(['cat', 'dog']);
    expect(data.train.count + data.test.count).toBe(5);
    expect(data.ignored.count).toBe(2);
    expect(data.ignored.examples).toEqual(expect.arrayContaining(['loop', 'self']));
  });
});

describe('loadImageFolder: bad input', () => {
  it('names a missing folder, and a file given as the folder', async () => {
    await expectDataError(loadImageFolder(path.join(tmp, 'nope')), 'nope: folder not found');
    const f = path.join(freshDir(), 'file.png');
    writeFileSync(f, 'x');
    await expectDataError(loadImageFolder(f), 'file.png: not a folder');
  });

  it('says no images found for a folder without class folders of images', async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, 'a.png'), 'x');
    mkdirSync(path.join(dir, 'empty'));
    await expectDataError(
      loadImageFolder(dir),
      `${dir}: no images found: expected DIR/<class>/*.png|jpg|jpeg|webp or DIR/train/<class>/... and DIR/test/<class>/...`,
    );
  });

  it('names a class folder with no images', async () => {
    const dir = await greyTree(2);
    mkdirSync(path.join(dir, 'emu'));
    writeFileSync(path.join(dir, 'emu', 'x.txt'), 'x');
    await expectDataError(loadImageFolder(dir), `${path.join(dir, 'emu')}: no images (png, jpg, jpeg, webp)`);
  });

  it('needs at least 2 classes', async () => {
    const dir = freshDir();
    for (let i = 0; i < 3; i++) await writeSolidGrey(path.join(dir, 'cat', `${i}.png`), 8, 8, i);
    await expectDataError(loadImageFolder(dir), `${dir}: needs at least 2 classes; found only 'cat'`);
  });

  it('needs 2 images in a class when the test split is held out', async () => {
    const dir = await greyTree(2);
    await writeSolidGrey(path.join(dir, 'emu', '0.png'), 8, 8, 1);
    await expectDataError(loadImageFolder(dir), `${path.join(dir, 'emu')}: 1 image; a class needs at least 2 so one can be held out for testing`);
  });

  it('refuses train/ and test/ with different classes', async () => {
    const dir = freshDir();
    for (const rel of ['train/cat/0.png', 'train/dog/0.png', 'test/cat/0.png', 'test/bird/0.png']) await writeSolidGrey(path.join(dir, rel), 8, 8, 9);
    await expectDataError(loadImageFolder(dir), 'train/ and test/ have different classes', "test/ has 'bird' missing from train/", "train/ has 'dog' missing from test/");
  });

  it('lists zero-byte, corrupt and over-the-limit images, and skipBad imports the rest', async () => {
    const dir = await greyTree(3);
    writeFileSync(path.join(dir, 'cat', 'empty.png'), '');
    writeFileSync(path.join(dir, 'cat', 'junk.jpg'), 'this is not a jpeg');
    await writeSolidGrey(path.join(dir, 'dog', 'huge.png'), 16, 16, 3);
    const opts: ImageFolderOptions = { maxPixels: 100 };
    await expectDataError(
      loadImageFolder(dir, opts),
      `${dir}: 3 bad images: `,
      'cat/empty.png (empty file)',
      'cat/junk.jpg (not a decodable image)',
      'dog/huge.png (16x16 is over the 100-pixel limit)',
      /; --skip-bad imports the rest$/,
    );
    const data = await loadImageFolder(dir, { ...opts, skipBad: true });
    expect(data.train.count + data.test.count).toBe(6);
    expect(data.imageSize).toBe(8);
    expect(data.skipped).toEqual([
      { file: 'cat/empty.png', reason: 'empty file' },
      { file: 'cat/junk.jpg', reason: 'not a decodable image' },
      { file: 'dog/huge.png', reason: '16x16 is over the 100-pixel limit' },
    ]);
  });

  it('shows the first 3 bad images and how many in all', async () => {
    const dir = await greyTree(2);
    for (let i = 0; i < 5; i++) writeFileSync(path.join(dir, 'cat', `bad${i}.png`), '');
    await expectDataError(loadImageFolder(dir), '5 bad images: cat/bad0.png (empty file); cat/bad1.png (empty file); cat/bad2.png (empty file); and 2 more (5 in all); --skip-bad imports the rest');
  });

  it('catches a truncated PNG whose header reads fine, and skipBad leaves it out', async () => {
    const dir = await greyTree(3);
    const png = await noisyPng(8, 8);
    writeFileSync(path.join(dir, 'dog', 'cut.png'), png.subarray(0, Math.floor(png.length / 2)));
    await expectDataError(loadImageFolder(dir), 'dog/cut.png (truncated or corrupt image data', '--skip-bad imports the rest');
    const data = await loadImageFolder(dir, { skipBad: true });
    expect(data.skipped).toHaveLength(1);
    expect(data.skipped[0].file).toBe('dog/cut.png');
    expect(data.train.count + data.test.count).toBe(6);
    // The headers said colour (the cut image's), but every image kept is grey: the set is grey.
    expect(data.channels).toBe(1);
    expect(data.train.images.length).toBe(data.train.count * 64);
    expect(data.test.images.length).toBe(data.test.count * 64);
    // Every kept image decodes to its solid value: cat 0,40,80 / dog 5,45,85.
    const values = new Set<number>();
    for (const set of [data.train, data.test]) for (let i = 0; i < set.count; i++) values.add(set.images[i * 64]);
    expect([...values].sort((a, b) => a - b)).toEqual([0, 5, 40, 45, 80, 85]);
  });

  it('lists truncated images from both train/ and test/ together, in name order', async () => {
    const dir = freshDir();
    for (const rel of ['train/cat/0.png', 'train/cat/1.png', 'train/dog/0.png', 'train/dog/1.png', 'test/cat/0.png', 'test/cat/1.png', 'test/dog/0.png']) {
      await writeSolidGrey(path.join(dir, rel), 8, 8, 20);
    }
    const png = await noisyPng(8, 8);
    const cut = png.subarray(0, Math.floor(png.length / 2));
    writeFileSync(path.join(dir, 'train', 'dog', 'z-cut.png'), cut);
    writeFileSync(path.join(dir, 'test', 'cat', 'a-cut.png'), cut);
    await expectDataError(loadImageFolder(dir), `${dir}: 2 bad images: test/cat/a-cut.png (truncated or corrupt image data`, '; train/dog/z-cut.png (truncated');
    const data = await loadImageFolder(dir, { skipBad: true, channels: 1 });
    expect(data.skipped.map((k) => k.file)).toEqual(['test/cat/a-cut.png', 'train/dog/z-cut.png']);
    expect(data.train.count).toBe(4);
    expect(data.test.count).toBe(3);
    expect(Array.from(data.test.labels)).toEqual([0, 0, 1]);
    expect(data.testFiles).toEqual(['test/cat/0.png', 'test/cat/1.png', 'test/dog/0.png']);
    expect(data.test.images.every((v) => v === 20)).toBe(true);
  });

  it('still fails with skipBad when a class has no good images left', async () => {
    const dir = await greyTree(2);
    mkdirSync(path.join(dir, 'emu'));
    writeFileSync(path.join(dir, 'emu', 'a.png'), '');
    writeFileSync(path.join(dir, 'emu', 'b.png'), 'junk');
    await expectDataError(loadImageFolder(dir, { skipBad: true }), `${path.join(dir, 'emu')}: no good images left`);
  });
});

describe('looksLikeImageFolder', () => {
  it('is true for class folders and train/test trees, false for IDX folders and missing folders', async () => {
    expect(looksLikeImageFolder(await greyTree(1))).toBe(true);

    const split = freshDir();
    await writeSolidGrey(path.join(split, 'train', 'cat', '0.png'), 8, 8, 1);
    mkdirSync(path.join(split, 'test', 'cat'), { recursive: true });
    expect(looksLikeImageFolder(split)).toBe(true);

    const idx = freshDir();
    for (const n of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      writeFileSync(path.join(idx, n), 'x');
    }
    expect(looksLikeImageFolder(idx)).toBe(false);
    mkdirSync(path.join(idx, 'notes'));
    writeFileSync(path.join(idx, 'notes', 'a.txt'), 'x');
    expect(looksLikeImageFolder(idx)).toBe(false);
    expect(looksLikeImageFolder(path.join(tmp, 'missing'))).toBe(false);
    expect(readFileSync(path.join(idx, 'notes', 'a.txt'), 'utf8')).toBe('x');
  });
});
