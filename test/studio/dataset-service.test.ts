/** DatasetService, through the StudioService facade: bundled and imported datasets, sample pages, imports and uploads. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundledMnist, type LabeledImages } from '../../src-main/data/dataset-files';
import { encodeIdx } from '../../src-main/data/idx';
import { renderTaskUint8, TaskGenerator, taskSpec } from '../../src-main/data/tasks';
import { StudioService } from '../../src-main/services/studio-service';
import { TEST_SEED } from '../../src-main/trainer/run-data';
import { uploadFiles } from '../../src-renderer/src/lib/upload';

let home: string;
let studio: StudioService;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-datasets-'));
  studio = await StudioService.create({ home, transport: 'websocket', version: '9.9.9' });
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function writeIdxFolder(dir: string, train: LabeledImages, test: LabeledImages, nTrain: number, nTest: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const px = 28 * 28;
  fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), encodeIdx([nTrain, 28, 28], train.images.slice(0, nTrain * px)));
  fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx([nTrain], train.labels.slice(0, nTrain)));
  fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), encodeIdx([nTest, 28, 28], test.images.slice(0, nTest * px)));
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([nTest], test.labels.slice(0, nTest)));
}

/** Sends files to `s` in 4 KiB chunks, as the browser mode's upload does; resolves with the upload id. */
function upload(s: StudioService, files: { name: string; bytes: Uint8Array }[]): Promise<string> {
  const sources = files.map((f) => ({ name: f.name, size: f.bytes.length, read: async (a: number, b: number) => f.bytes.slice(a, b) }));
  return uploadFiles(s, sources, undefined, 4096);
}

describe('DatasetService datasets', () => {
  it('lists the four bundled tasks with their image sizes', async () => {
    const datasets = await studio.listDatasets();
    expect(datasets.map((d) => [d.id, d.imageSize, d.kind])).toEqual([
      ['centered', 28, 'task'],
      ['translated', 60, 'task'],
      ['cluttered60', 60, 'task'],
      ['cluttered100', 100, 'task'],
    ]);
    expect(datasets[0]).toMatchObject({ train: 55000, validation: 5000, test: 10000, classes: 10, channels: 1, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
  });

  it('pages through the test split: consecutive pages, imageSize^2 bytes per item', async () => {
    const a = await studio.getSamples({ dataset: 'translated', split: 'test', offset: 0, limit: 6 });
    const b = await studio.getSamples({ dataset: 'translated', split: 'test', offset: 3, limit: 3 });
    expect(a.total).toBe(10000);
    expect(a.channels).toBe(1);
    expect(a.items.map((i) => i.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(a.pixels).toBeInstanceOf(Uint8Array);
    expect(a.pixels.length).toBe(6 * 60 * 60);
    expect(b.pixels).toEqual(a.pixels.slice(3 * 3600, 6 * 3600));
  });

  it('the test split shows exactly the images models are evaluated on (TEST_SEED)', async () => {
    const { test } = await loadBundledMnist();
    const page = await studio.getSamples({ dataset: 'cluttered60', split: 'test', offset: 41, limit: 1 });
    const expected = renderTaskUint8(new TaskGenerator(taskSpec('cluttered60'), test, TEST_SEED), 41);
    expect(page.pixels).toEqual(expected);
    expect(page.items[0]).toEqual({ index: 41, label: test.labels[41] });
  });

  it('the label filter returns only that label, with its own total and paging', async () => {
    const { train } = await loadBundledMnist();
    const sevens = train.labels.reduce((n, l) => n + (l === 7 ? 1 : 0), 0);
    const page = await studio.getSamples({ dataset: 'centered', split: 'train', offset: 10, limit: 25, label: 7 });
    expect(page.total).toBe(sevens);
    expect(page.items).toHaveLength(25);
    expect(page.items.every((i) => i.label === 7 && train.labels[i.index] === 7)).toBe(true);
    expect(page.pixels.length).toBe(25 * 28 * 28);
    const last = await studio.getSamples({ dataset: 'centered', split: 'train', offset: sevens - 2, limit: 25, label: 7 });
    expect(last.items).toHaveLength(2);
  });

  it('imports a folder of real IDX files into the dataset cache and shows its samples', async () => {
    const { train, test } = await loadBundledMnist();
    const dir = path.join(home, 'good-idx');
    writeIdxFolder(dir, train, test, 200, 50);
    const info = await studio.importDataset({ name: 'Small MNIST', folder: dir });
    const cache = path.join(home, 'datasets', 'small-mnist');
    expect(info).toMatchObject({ id: 'import:small-mnist', kind: 'import', imageSize: 28, channels: 1, test: 50, classes: 10, split: 'given', folder: cache, importedFrom: dir });
    expect(info.perClass!.train.reduce((a, b) => a + b)).toBe(200);
    // A copy: the cache holds the images, the source folder is not needed again.
    expect(fs.existsSync(path.join(cache, 'dataset.json'))).toBe(true);
    expect(info.train + info.validation).toBe(200);
    expect((await studio.listDatasets()).map((d) => d.id)).toContain('import:small-mnist');
    const page = await studio.getSamples({ dataset: 'import:small-mnist', split: 'test', offset: 48, limit: 10 });
    expect(page.total).toBe(50);
    expect(page.items.map((i) => i.index)).toEqual([48, 49]);
    expect(page.pixels).toEqual(test.images.slice(48 * 784, 50 * 784));
    // Kept in the store: a new service on the same home still knows it.
    const again = await StudioService.create({ home, transport: 'websocket' });
    expect((await again.listDatasets()).some((d) => d.id === 'import:small-mnist')).toBe(true);
  });

  it('two imports of one name at once: one is kept, the other is told the name is taken (imports run one at a time)', async () => {
    const { train, test } = await loadBundledMnist();
    const dir = path.join(home, 'twice-idx');
    writeIdxFolder(dir, train, test, 100, 20);
    const results = await Promise.allSettled([studio.importDataset({ name: 'Twice', folder: dir }), studio.importDataset({ name: 'Twice', folder: dir })]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.message).toBe("a dataset named 'Twice' is already imported");
    expect((await studio.listDatasets()).filter((d) => d.id === 'import:twice')).toHaveLength(1);
  });

  it('imports uploaded files (the browser mode) into home/datasets', async () => {
    const { train, test } = await loadBundledMnist();
    const src = path.join(home, 'upload-src');
    writeIdxFolder(src, train, test, 30, 10);
    const files = fs.readdirSync(src).map((name) => ({ name, bytes: new Uint8Array(fs.readFileSync(path.join(src, name))) }));
    const info = await studio.importDataset({ name: 'uploaded', upload: await upload(studio, files) });
    expect(info.folder).toBe(path.join(home, 'datasets', 'uploaded'));
    expect(info.test).toBe(10);
    expect(info.importedFrom).toBe('an upload of 4 files');
    expect(fs.readdirSync(path.join(home, 'datasets', '.uploads'))).toEqual([]);
  });

  it('refuses a truncated file with a message naming the file, and keeps nothing', async () => {
    const { train, test } = await loadBundledMnist();
    const dir = path.join(home, 'bad-idx');
    writeIdxFolder(dir, train, test, 200, 50);
    const file = path.join(dir, 't10k-images-idx3-ubyte');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 5000));
    await expect(studio.importDataset({ name: 'Broken', folder: dir })).rejects.toThrow(/t10k-images-idx3-ubyte/);
    expect((await studio.listDatasets()).some((d) => d.id === 'import:broken')).toBe(false);
    expect(fs.readdirSync(path.join(home, 'datasets')).filter((n) => n.includes('broken'))).toEqual([]);
  });

  it('refuses a folder with a missing file, naming it', async () => {
    const dir = path.join(home, 'empty-idx');
    fs.mkdirSync(dir);
    await expect(studio.importDataset({ name: 'Empty', folder: dir })).rejects.toThrow(/missing train-images-idx3-ubyte/);
  });
});

/** The four files of a small IDX folder, as the browser uploads them. */
function idxFiles(train: LabeledImages, test: LabeledImages, dir: string): { name: string; bytes: Uint8Array }[] {
  writeIdxFolder(dir, train, test, 30, 10);
  return fs.readdirSync(dir).map((name) => ({ name, bytes: new Uint8Array(fs.readFileSync(path.join(dir, name))) }));
}

describe('DatasetService renders sample pages off the main thread', () => {
  it('a page of 1,000 cluttered images leaves this thread free, and the next first page is quick', async () => {
    await studio.getSamples({ dataset: 'centered', split: 'train', offset: 0, limit: 1 });
    let last = performance.now();
    let longest = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 5);
    try {
      const big = await studio.getSamples({ dataset: 'cluttered100', split: 'test', offset: 0, limit: 1000 });
      expect(big.pixels).toBeInstanceOf(Uint8Array);
      expect(big.pixels.length).toBe(1000 * 100 * 100);
    } finally {
      clearInterval(ticker);
    }
    expect(longest).toBeLessThan(250);
    const started = performance.now();
    const first = await studio.getSamples({ dataset: 'translated', split: 'train', offset: 0, limit: 60 });
    expect(first.items).toHaveLength(60);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("errors keep their names: an unknown dataset, and a legacy import whose folder went away", async () => {
    await expect(studio.getSamples({ dataset: 'import:nothing', split: 'test', offset: 0, limit: 1 })).rejects.toThrow("no imported dataset 'import:nothing'");
    await expect(studio.getSamples({ dataset: 'squares', split: 'test', offset: 0, limit: 1 })).rejects.toMatchObject({ name: 'DataError' });
    const { train, test } = await loadBundledMnist();
    const dir = path.join(home, 'gone-idx');
    writeIdxFolder(dir, train, test, 20, 10);
    // An import from before the dataset cache: the store names its IDX folder.
    studio.projects.addImport({ id: 'import:gone', name: 'Gone', folder: dir, imageSize: 28, train: 20, test: 10, classes: 10, importedAt: new Date().toISOString() });
    expect((await studio.listDatasets()).find((d) => d.id === 'import:gone')).toMatchObject({ folder: dir, channels: 1 });
    fs.rmSync(dir, { recursive: true, force: true });
    await expect(studio.getSamples({ dataset: 'import:gone', split: 'test', offset: 0, limit: 1 })).rejects.toMatchObject({ name: 'DataError' });
    // A cache import whose folder was removed is no longer there at all.
    const cached = await studio.importDataset({ name: 'Removed', folder: path.join(home, 'good-idx') });
    fs.rmSync(cached.folder!, { recursive: true, force: true });
    await expect(studio.getSamples({ dataset: cached.id, split: 'test', offset: 0, limit: 1 })).rejects.toThrow("no imported dataset 'import:removed'");
  });
});

describe('DatasetService imports remove only what they created', () => {
  it("a dataset named '..' or '.' keeps the home, the runs, the store and earlier uploads, whatever the outcome", async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-dots-'));
    try {
      const s = await StudioService.create({ home: own, transport: 'websocket' });
      const { train, test } = await loadBundledMnist();
      const good = idxFiles(train, test, path.join(os.tmpdir(), `saccade-dots-src-${process.pid}`));
      const bad = good.map((f) => (f.name.startsWith('t10k-images') ? { ...f, bytes: f.bytes.subarray(0, 100) } : f));
      const run = s.runs.createRun({ task: 'centered', config: {}, dataset: { source: 'x', train: 0, validation: 0, test: 0 }, seed: 1 });
      const earlier = await s.importDataset({ name: 'earlier', upload: await upload(s, good) });
      const kept = [path.join(own, 'runs', run.id, 'meta.json'), path.join(own, 'studio.json'), path.join(earlier.folder!, 'train-images-idx3-ubyte')];
      for (const name of ['..', '.', '../..', '...', ' .. ']) {
        await expect(s.importDataset({ name, upload: await upload(s, bad) })).rejects.toThrow(/t10k-images/);
        for (const file of kept) expect(fs.existsSync(file), `${file} after importing '${name}'`).toBe(true);
      }
      // A good import of that name lands in a new folder of its own inside home/datasets.
      const dots = await s.importDataset({ name: '..', upload: await upload(s, good) });
      expect(path.dirname(dots.folder!)).toBe(path.join(own, 'datasets'));
      expect(['.', '..']).not.toContain(path.basename(dots.folder!));
      expect(dots.name).toBe('..');
      for (const file of kept) expect(fs.existsSync(file), file).toBe(true);
      // Nothing else was written: the two imports, and an empty staging folder.
      expect(fs.readdirSync(path.join(own, 'datasets')).sort()).toEqual(['.uploads', path.basename(dots.folder!), 'earlier'].sort());
      expect(fs.readdirSync(path.join(own, 'datasets', '.uploads'))).toEqual([]);
      await s.shutdown();
      expect((await s.getSamples({ dataset: earlier.id, split: 'test', offset: 0, limit: 1 })).total).toBe(10);
    } finally {
      fs.rmSync(own, { recursive: true, force: true });
      fs.rmSync(path.join(os.tmpdir(), `saccade-dots-src-${process.pid}`), { recursive: true, force: true });
    }
  });

  it('an import named like a folder already in home/datasets is refused and never touches that folder', async () => {
    const { train, test } = await loadBundledMnist();
    const good = idxFiles(train, test, path.join(home, 'clash-src'));
    const mine = path.join(home, 'datasets', 'clash');
    fs.mkdirSync(mine, { recursive: true });
    fs.writeFileSync(path.join(mine, 'notes.txt'), 'mine');
    const id = await upload(studio, good);
    await expect(studio.importDataset({ name: 'clash', upload: id })).rejects.toThrow(`${mine} exists already and is not an imported dataset; choose another name`);
    await expect(studio.importDataset({ name: 'Clash', folder: path.join(home, 'clash-src') })).rejects.toThrow(/exists already/);
    expect(fs.readdirSync(mine)).toEqual(['notes.txt']);
    // The upload is still there, to be imported under another name.
    const info = await studio.importDataset({ name: 'clash 2', upload: id });
    expect(info.folder).toBe(path.join(home, 'datasets', 'clash-2'));
    expect(fs.readdirSync(mine)).toEqual(['notes.txt']);
  });
});

describe('DatasetService uploads are bounded', () => {
  const limits = { chunkBytes: 100, files: 2, fileBytes: 250, totalBytes: 400, uploads: 2, idleMs: 300 };
  let own: string;
  let s: StudioService;
  const staging = () => path.join(own, 'datasets', '.uploads');
  const chunk = (upload: string | undefined, file: string, offset: number, n: number) => s.uploadDatasetChunk({ upload, file, offset, bytes: new Uint8Array(n) });

  beforeAll(async () => {
    own = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-uploads-'));
    s = await StudioService.create({ home: own, transport: 'websocket', uploadLimits: limits });
  });
  afterAll(() => fs.rmSync(own, { recursive: true, force: true }));

  it('takes chunks in order into a staging folder of its own', async () => {
    const first = await chunk(undefined, 'train-images-idx3-ubyte', 0, 100);
    expect(first).toMatchObject({ file: 'train-images-idx3-ubyte', received: 100, total: 100 });
    const second = await chunk(first.upload, 'train-images-idx3-ubyte', 100, 50);
    expect(second).toMatchObject({ upload: first.upload, received: 150, total: 150 });
    expect(fs.statSync(path.join(staging(), first.upload, 'train-images-idx3-ubyte')).size).toBe(150);
  });

  it('a refused chunk ends its upload and removes its files', async () => {
    const refusals: [string, (upload: string) => Promise<unknown>][] = [
      ['a chunk holds at most 100 bytes', (u) => chunk(u, 'train-labels-idx1-ubyte', 0, 101)],
      ['at most 2 files', async (u) => (await chunk(u, 'train-labels-idx1-ubyte', 0, 1), chunk(u, 't10k-labels-idx1-ubyte', 0, 1))],
      ['larger than 250 bytes', async (u) => (await chunk(u, 'train-images-idx3-ubyte', 10, 100), chunk(u, 'train-images-idx3-ubyte', 110, 100), chunk(u, 'train-images-idx3-ubyte', 210, 100))],
      ['larger than 400 bytes', async (u) => {
        for (let o = 10; o < 250; o += 100) await chunk(u, 'train-images-idx3-ubyte', o, Math.min(100, 250 - o));
        for (let o = 0; o < 200; o += 100) await chunk(u, 'train-labels-idx1-ubyte', o, 100);
      }],
      ['chunk at byte 50, but 10 bytes were received', (u) => chunk(u, 'train-images-idx3-ubyte', 50, 10)],
      ["may not have empty, '.' or '..' segments", (u) => chunk(u, '../../studio.json', 0, 1)],
      ["is relative (no leading '/')", (u) => chunk(u, '/etc/passwd', 0, 1)],
    ];
    for (const [message, refuse] of refusals) {
      const { upload } = await chunk(undefined, 'train-images-idx3-ubyte', 0, 10);
      await expect(refuse(upload), message).rejects.toThrow(message);
      expect(fs.existsSync(path.join(staging(), upload)), message).toBe(false);
      await expect(chunk(upload, 'train-images-idx3-ubyte', 10, 1)).rejects.toThrow(/no upload/);
      await expect(s.importDataset({ name: 'x', upload })).rejects.toThrow(/no upload/);
    }
    expect(fs.existsSync(path.join(own, 'studio.json'))).toBe(true);
  });

  it('at most `uploads` unfinished uploads at once; an idle one is dropped with its files', async () => {
    const a = await chunk(undefined, 'train-images-idx3-ubyte', 0, 1);
    // The first test's upload is still open: this is the second, and a third is refused.
    await expect(chunk(undefined, 'train-images-idx3-ubyte', 0, 1)).rejects.toThrow(/at most 2 uploads at once/);
    await new Promise((r) => setTimeout(r, limits.idleMs + 200));
    expect(fs.existsSync(path.join(staging(), a.upload))).toBe(false);
    expect(fs.readdirSync(staging())).toEqual([]);
    await expect(s.importDataset({ name: 'late', upload: a.upload })).rejects.toThrow(/no upload/);
    // Room again.
    const b = await chunk(undefined, 'train-images-idx3-ubyte', 0, 1);
    expect(fs.existsSync(path.join(staging(), b.upload))).toBe(true);
  });
});
