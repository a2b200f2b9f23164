/**
 * Importing class-folder trees through the studio (StudioService -> DatasetService -> an import
 * job in a real trainer process -> the home's dataset cache): folders, uploads of folder trees and
 * of .zip archives, their sample pages, their progress events, refusals that leave nothing behind,
 * and imports from before the cache that the store still names.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildZip } from '../helpers/zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundledMnist, loadIdxFolder } from '../../src-main/data/dataset-files';
import { encodeIdx } from '../../src-main/data/idx';
import type { TrainingEvent } from '../../src-main/shared/api';
import { StudioService } from '../../src-main/services/studio-service';
import { uploadFiles } from '../../src-renderer/src/lib/upload';
import { COLOUR_NAMES, DIGIT_NAMES, writeColourTree, writeDigitTree } from '../helpers/image-trees';

let home: string;
let src: string;
let studio: StudioService;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-imports-'));
  src = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-imports-src-'));
  studio = await StudioService.create({ home, transport: 'websocket', version: '9.9.9' });
});
afterAll(async () => {
  await studio.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(src, { recursive: true, force: true });
});

/** Every file under dir, by its path relative to dir with '/' separators. */
function treeFiles(dir: string, prefix = ''): { name: string; bytes: Uint8Array }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return treeFiles(path.join(dir, e.name), rel);
    return [{ name: rel, bytes: new Uint8Array(fs.readFileSync(path.join(dir, e.name))) }];
  });
}

/** Sends files in 4 KiB chunks, as the browser mode's upload does; resolves with the upload id. */
function upload(s: StudioService, files: { name: string; bytes: Uint8Array }[]): Promise<string> {
  const sources = files.map((f) => ({ name: f.name, size: f.bytes.length, read: async (a: number, b: number) => f.bytes.slice(a, b) }));
  return uploadFiles(s, sources, undefined, 4096);
}

/** What home/datasets holds besides the staging folder of uploads (which must be empty). */
function datasetFolders(h = home): string[] {
  const dir = path.join(h, 'datasets');
  if (!fs.existsSync(dir)) return [];
  const uploads = path.join(dir, '.uploads');
  if (fs.existsSync(uploads)) expect(fs.readdirSync(uploads), 'staging folders left').toEqual([]);
  return fs.readdirSync(dir).filter((n) => n !== '.uploads');
}

// ---- a minimal zip writer (STORE or DEFLATE, no zip64), enough to build test archives ----

describe('importing class-folder trees', () => {
  it('a tree of grey PNGs with train/ and test/: class names, per-class counts, the given split; progress arrives as import:<slug> events', async () => {
    const dir = await writeDigitTree(path.join(src, 'digits'), { train: 12, test: 4 });
    const events: TrainingEvent[] = [];
    const off = studio.onTrainingEvent((e) => events.push(e));
    let info;
    try {
      info = await studio.importDataset({ name: 'Three Digits', folder: dir });
    } finally {
      off();
    }
    expect(info).toMatchObject({
      id: 'import:three-digits',
      name: 'Three Digits',
      kind: 'import',
      imageSize: 28,
      channels: 1,
      classes: 3,
      classNames: DIGIT_NAMES,
      perClass: { train: [12, 12, 12], test: [4, 4, 4] },
      split: 'given',
      test: 12,
      skipped: 0,
      ignored: 0,
      folder: path.join(home, 'datasets', 'three-digits'),
      importedFrom: dir,
    });
    expect(info.train + info.validation).toBe(36);
    const decoding = events.filter((e) => e.runId === 'import:three-digits');
    expect(decoding.length).toBeGreaterThan(0);
    expect(decoding.every((e) => e.event.type === 'decoding')).toBe(true);
    expect(decoding.at(-1)!.event).toMatchObject({ type: 'decoding', done: 48, total: 48 });
    expect((await studio.listDatasets()).find((d) => d.id === info.id)).toEqual(info);
    // A run trains on the cache folder.
    expect(fs.existsSync(path.join(info.folder!, 'train-images-idx3-ubyte'))).toBe(true);
    // Its name is taken now, by the name and by the slug.
    await expect(studio.importDataset({ name: 'Three Digits', folder: dir })).rejects.toThrow("a dataset named 'Three Digits' is already imported");
    await expect(studio.importDataset({ name: 'three digits', folder: dir })).rejects.toThrow(/is already imported/);
  });

  it('a tree of colour JPEGs without a split: channels 3, a held-out split, and sample pages of RGB bytes with the label filter', async () => {
    const dir = await writeColourTree(path.join(src, 'colours'), 16, 20);
    const info = await studio.importDataset({ name: 'colours', folder: dir });
    expect(info).toMatchObject({ channels: 3, imageSize: 16, classNames: COLOUR_NAMES, split: 'held-out', classes: 3 });
    expect(info.perClass!.train.map((n, i) => n + info.perClass!.test[i]!)).toEqual([20, 20, 20]);
    const page = await studio.getSamples({ dataset: info.id, split: 'train', offset: 0, limit: 5 });
    expect(page).toMatchObject({ channels: 3, imageSize: 16, total: info.train + info.validation });
    expect(page.pixels.length).toBe(5 * 16 * 16 * 3);
    const { train } = await loadIdxFolder(info.folder!, 'train');
    expect(page.pixels).toEqual(train!.images.slice(0, 5 * 16 * 16 * 3));
    const greens = await studio.getSamples({ dataset: info.id, split: 'test', offset: 0, limit: 50, label: 1 });
    expect(greens.total).toBe(info.perClass!.test[1]);
    expect(greens.items.every((i) => i.label === 1)).toBe(true);
    expect(greens.pixels.length).toBe(greens.items.length * 16 * 16 * 3);
    // The green channel dominates a green image's bright square.
    const first = greens.pixels.subarray(0, 16 * 16 * 3);
    const sum = (c: number) => first.reduce((n, v, i) => n + (i % 3 === c ? v : 0), 0);
    expect(COLOUR_NAMES[1]).toBe('green');
    expect(sum(1)).toBeGreaterThan(1.5 * sum(0));
    expect(sum(1)).toBeGreaterThan(1.5 * sum(2));
  });

  it('channels and imageSize pass through to the import', async () => {
    const dir = path.join(src, 'colours');
    const info = await studio.importDataset({ name: 'colours grey', folder: dir, channels: 1, imageSize: 8 });
    expect(info).toMatchObject({ channels: 1, imageSize: 8 });
    expect(info.resized).toMatch(/8x8/);
    const page = await studio.getSamples({ dataset: info.id, split: 'test', offset: 0, limit: 2 });
    expect(page.channels).toBe(1);
    expect(page.pixels.length).toBe(2 * 8 * 8);
  });

  it('a bad image: the message names the file, and no dataset is left; skipBad imports the rest', async () => {
    const dir = path.join(src, 'with-bad');
    fs.cpSync(path.join(src, 'digits'), dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'train', 'one', 'broken.png'), 'not a png at all');
    const before = datasetFolders();
    const err = await studio.importDataset({ name: 'with bad', folder: dir }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'ApiError' });
    expect((err as Error).message).toContain('train/one/broken.png');
    expect((err as Error).message).not.toContain('\n');
    expect(datasetFolders()).toEqual(before);
    expect((await studio.listDatasets()).some((d) => d.id === 'import:with-bad')).toBe(false);
    const info = await studio.importDataset({ name: 'with bad', folder: dir, skipBad: true });
    expect(info).toMatchObject({ skipped: 1, perClass: { train: [12, 12, 12] } });
  });
});

describe('importing uploads of folder trees and .zip archives', () => {
  it('an upload of a folder tree (each chunk named by its relative path) imports', async () => {
    const files = treeFiles(path.join(src, 'digits'), 'my digits');
    expect(files[0]!.name).toMatch(new RegExp(`^my digits/(train|test)/(${DIGIT_NAMES.join('|')})/\\d+\\.png$`));
    const info = await studio.importDataset({ name: 'uploaded tree', upload: await upload(studio, files) });
    expect(info).toMatchObject({ classNames: DIGIT_NAMES, split: 'given', perClass: { train: [12, 12, 12], test: [4, 4, 4] } });
    expect(info.folder).toBe(path.join(home, 'datasets', 'uploaded-tree'));
    expect(info.importedFrom).toBe('my digits (uploaded, 48 files)');
    expect(info.description).toMatch(/^Imported from my digits \(uploaded, 48 files\): 28x28 grey images, 3 classes$/);
    datasetFolders();
  });

  it('an upload of one .zip imports its one top folder', async () => {
    const entries = treeFiles(path.join(src, 'colours'), 'colours').map((f) => ({ name: f.name, data: f.bytes }));
    const zip = buildZip(entries);
    const info = await studio.importDataset({ name: 'zipped', upload: await upload(studio, [{ name: 'colours.zip', bytes: zip }]) });
    expect(info).toMatchObject({ channels: 3, classNames: COLOUR_NAMES, split: 'held-out', importedFrom: 'colours.zip (uploaded)' });
    const page = await studio.getSamples({ dataset: info.id, split: 'test', offset: 0, limit: 3 });
    expect(page.pixels.length).toBe(3 * 16 * 16 * 3);
    datasetFolders();
  });

  it("a .zip with a '../' entry is refused, with nothing left in home/datasets", async () => {
    const png = fs.readFileSync(path.join(src, 'digits', 'train', DIGIT_NAMES[0]!, '0000.png'));
    const zip = buildZip([
      { name: 'a/0.png', data: png },
      { name: 'b/0.png', data: png },
      { name: '../../escaped.png', data: png },
    ]);
    const before = datasetFolders();
    const id = await upload(studio, [{ name: 'evil.zip', bytes: zip }]);
    await expect(studio.importDataset({ name: 'evil', upload: id })).rejects.toThrow("evil.zip: entry '../../escaped.png' would be written outside the folder; nothing was imported");
    expect(datasetFolders()).toEqual(before);
    expect(fs.existsSync(path.join(home, 'datasets', 'escaped.png'))).toBe(false);
    expect(fs.existsSync(path.join(home, 'escaped.png'))).toBe(false);
    // The upload was used up.
    await expect(studio.importDataset({ name: 'evil', upload: id })).rejects.toThrow(/no upload/);
  });

  it('a bad image in an uploaded tree: the message names the file in the upload, not the staging folder', async () => {
    const files = [...treeFiles(path.join(src, 'digits'), 'd'), { name: 'd/test/two/bad.png', bytes: new Uint8Array([1, 2, 3]) }];
    const before = datasetFolders();
    const err = (await studio.importDataset({ name: 'bad upload', upload: await upload(studio, files) }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^d: 1 bad image: test\/two\/bad\.png/);
    expect(err.message).not.toContain('.uploads');
    expect(datasetFolders()).toEqual(before);
  });

  it('chunks whose names are not safe relative paths are refused, and end their upload', async () => {
    const bad = ['../x.png', 'a/../../x.png', '/etc/passwd', 'a//b.png', './a.png', 'a/./b.png', 'a\\b.png', 'C:/x.png', 'c:x.png', 'a/b\u0000.png', 'a/\nb.png', 'x'.repeat(513), `${'y'.repeat(256)}/a.png`, Array(17).fill('a').join('/'), '', 'sub/data.zip'];
    for (const name of bad) {
      await expect(studio.uploadDatasetChunk({ file: name, offset: 0, bytes: new Uint8Array(3) }), JSON.stringify(name)).rejects.toMatchObject({ name: 'UploadError' });
      const { upload: id } = await studio.uploadDatasetChunk({ file: 'ok/a.png', offset: 0, bytes: new Uint8Array(3) });
      await expect(studio.uploadDatasetChunk({ upload: id, file: name, offset: 0, bytes: new Uint8Array(3) }), JSON.stringify(name)).rejects.toMatchObject({ name: 'UploadError' });
      await expect(studio.uploadDatasetChunk({ upload: id, file: 'ok/b.png', offset: 0, bytes: new Uint8Array(3) })).rejects.toThrow(/no upload/);
    }
    // Bounds are fine: 512 characters, 16 segments.
    const long = `${'a'.repeat(250)}/${'b'.repeat(250)}/${'c'.repeat(6)}.png`;
    expect(long).toHaveLength(512);
    const deep = `${Array(15).fill('d').join('/')}/x.png`;
    const { upload: id } = await studio.uploadDatasetChunk({ file: long, offset: 0, bytes: new Uint8Array(1) });
    await studio.uploadDatasetChunk({ upload: id, file: deep, offset: 0, bytes: new Uint8Array(1) });
    expect(fs.existsSync(path.join(home, 'datasets', '.uploads', id, ...deep.split('/')))).toBe(true);
    // A .zip goes on its own.
    await expect(studio.uploadDatasetChunk({ upload: id, file: 'more.zip', offset: 0, bytes: new Uint8Array(1) })).rejects.toThrow(/a \.zip is uploaded on its own/);
    const zip = await studio.uploadDatasetChunk({ file: 'one.zip', offset: 0, bytes: new Uint8Array(1) });
    await expect(studio.uploadDatasetChunk({ upload: zip.upload, file: 'a/b.png', offset: 0, bytes: new Uint8Array(1) })).rejects.toThrow(/one\.zip; a \.zip is uploaded on its own/);
    expect(fs.readdirSync(path.join(home, 'datasets', '.uploads'))).toEqual([]);
  });

  it('an upload that would leave less free disk space than the bound is refused, naming the space', async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-full-'));
    try {
      const s = await StudioService.create({ home: own, transport: 'websocket', uploadLimits: { minFreeBytes: Number.MAX_SAFE_INTEGER } });
      await expect(s.uploadDatasetChunk({ file: 'a/b.png', offset: 0, bytes: new Uint8Array(10) })).rejects.toThrow(/^not enough free disk space for the upload: .* free on the disk of .*, and at least .* must stay free$/);
      expect(fs.readdirSync(path.join(own, 'datasets', '.uploads'))).toEqual([]);
      s.shutdown();
    } finally {
      fs.rmSync(own, { recursive: true, force: true });
    }
  });
});

describe('runs train on an import', () => {
  it("startRun on a cache import trains on its cache folder (importRecord names it)", async () => {
    const project = (await studio.listProjects())[0]!;
    const { runId } = await studio.startRun({ projectId: project.id, dataset: 'import:three-digits', config: { task: 'centered', batchSize: 8 }, maxSteps: 2 });
    const end = Date.now() + 120_000;
    let run = studio.runs.getRun(runId);
    while (!['completed', 'failed', 'stopped'].includes(run.status) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      run = studio.runs.getRun(runId);
    }
    expect(run.status, run.error).toBe('completed');
    expect(run.dataset).toMatchObject({ test: 12 });
    expect(run.dataset.train + run.dataset.validation).toBe(36);
  }, 150_000);
});

describe('imports from before the dataset cache', () => {
  it('a legacy record in the store still lists, pages and names its folder for runs; its name is taken', async () => {
    const { train, test } = await loadBundledMnist();
    const dir = path.join(src, 'legacy-idx');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), encodeIdx([30, 28, 28], train.images.slice(0, 30 * 784)));
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx([30], train.labels.slice(0, 30)));
    fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), encodeIdx([10, 28, 28], test.images.slice(0, 10 * 784)));
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([10], test.labels.slice(0, 10)));
    studio.projects.addImport({ id: 'import:old-digits', name: 'Old digits', folder: dir, imageSize: 28, train: 30, test: 10, classes: 10, importedAt: '2025-01-01T00:00:00.000Z' });
    const info = (await studio.listDatasets()).find((d) => d.id === 'import:old-digits');
    expect(info).toMatchObject({ name: 'Old digits', kind: 'import', channels: 1, classes: 10, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], test: 10, folder: dir, importedFrom: dir });
    const page = await studio.getSamples({ dataset: 'import:old-digits', split: 'test', offset: 8, limit: 5 });
    expect(page).toMatchObject({ channels: 1, total: 10 });
    expect(page.pixels).toEqual(test.images.slice(8 * 784, 10 * 784));
    await expect(studio.importDataset({ name: 'Old digits', folder: path.join(src, 'digits') })).rejects.toThrow("a dataset named 'Old digits' is already imported");
    // An id names an import folder only as its slug: nothing outside home/datasets.
    for (const dataset of ['import:../datasets/three-digits', 'import:.uploads', 'import:three-digits/..', 'import:'])
      await expect(studio.getSamples({ dataset, split: 'test', offset: 0, limit: 1 }), dataset).rejects.toThrow(`no imported dataset '${dataset}'`);
    // Kept in the store: a new service on the same home still knows it, and the cache imports.
    const again = await StudioService.create({ home, transport: 'websocket' });
    const ids = (await again.listDatasets()).map((d) => d.id);
    expect(ids).toContain('import:old-digits');
    expect(ids).toContain('import:three-digits');
    await again.shutdown();
  });
});
