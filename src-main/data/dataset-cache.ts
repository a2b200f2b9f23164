/**
 * Imported datasets: decoded once into home/datasets/<slug>/ as uncompressed IDX files (raw uint8
 * tensors: count x side x side, x3 for colour), their class names in classes.txt, and a small
 * dataset.json index. The folder is written under a hidden temporary name and renamed into place
 * when complete, so an interrupted import leaves nothing that looks like a dataset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { datasetIndexSchema, type DatasetIndex } from '../shared/dataset-index';
import { CLASS_NAMES_FILE, MNIST_FILES, type LabeledImages } from './dataset-files';
import { DataError } from './idx';

export const DATASET_INDEX = 'dataset.json';
export type { DatasetIndex };



/**
 * A folder name made from user text: lowercase letters, digits, '.', '_' and '-', never starting
 * with a dot (so never '.' or '..') and with no separators, at most 64 characters.
 */
export function folderSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 64);
  return slug || 'dataset';
}

export function datasetsDir(home: string): string {
  return path.join(home, 'datasets');
}

/** Per-label counts of a split. */
export function perClassCounts(labels: Uint8Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
  return counts;
}

/** Writes an IDX file header, then the data as it is (no second copy of a large array). */
function writeIdx(file: string, dims: readonly number[], data: Uint8Array): void {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const fd = fs.openSync(file, 'wx', 0o644);
  try {
    fs.writeSync(fd, header);
    // Large arrays go in pieces: one write call is limited to 2 GiB.
    const piece = 64 * 2 ** 20;
    for (let at = 0; at < data.byteLength; ) at += fs.writeSync(fd, data, at, Math.min(piece, data.byteLength - at));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function imageDims(set: LabeledImages): number[] {
  return set.channels === 1 ? [set.count, set.height, set.width] : [set.count, set.height, set.width, set.channels];
}

/**
 * Writes an import into home/datasets/<slug> (which must not exist yet) and returns its folder.
 * The index's counts come from the images themselves.
 */
export function writeDatasetCache(
  home: string,
  slug: string,
  data: { train: LabeledImages; test: LabeledImages; classNames: string[] },
  index: Omit<DatasetIndex, 'version' | 'slug' | 'imageSize' | 'channels' | 'classNames' | 'train' | 'test'>,
): string {
  const parent = datasetsDir(home);
  fs.mkdirSync(parent, { recursive: true });
  const target = path.join(parent, slug);
  if (path.dirname(target) !== parent || slug.startsWith('.')) throw new DataError(`'${slug}' cannot name a folder in ${parent}`);
  if (fs.existsSync(target)) throw new DataError(`${target}: a dataset folder of that name exists already`);
  const tmp = path.join(parent, `.importing-${slug}-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(tmp);
  try {
    const { train, test, classNames } = data;
    writeIdx(path.join(tmp, MNIST_FILES.train.images), imageDims(train), train.images);
    writeIdx(path.join(tmp, MNIST_FILES.train.labels), [train.count], train.labels);
    writeIdx(path.join(tmp, MNIST_FILES.t10k.images), imageDims(test), test.images);
    writeIdx(path.join(tmp, MNIST_FILES.t10k.labels), [test.count], test.labels);
    fs.writeFileSync(path.join(tmp, CLASS_NAMES_FILE), classNames.join('\n') + '\n');
    const full: DatasetIndex = {
      version: 1,
      slug,
      ...index,
      imageSize: train.width,
      channels: train.channels === 3 ? 3 : 1,
      classNames,
      train: { count: train.count, perClass: perClassCounts(train.labels, classNames.length) },
      test: { count: test.count, perClass: perClassCounts(test.labels, classNames.length) },
    };
    fs.writeFileSync(path.join(tmp, DATASET_INDEX), JSON.stringify(full, null, 2) + '\n');
    fs.renameSync(tmp, target);
    return target;
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** The index of an import folder, or undefined when the folder is not one (or not complete). */
export function readDatasetIndex(folder: string): DatasetIndex | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(folder, DATASET_INDEX), 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = datasetIndexSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** Every complete import under home/datasets, by name. */
export function listDatasetCaches(home: string): { folder: string; index: DatasetIndex }[] {
  let names: string[];
  try {
    names = fs.readdirSync(datasetsDir(home));
  } catch {
    return [];
  }
  const out: { folder: string; index: DatasetIndex }[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    const folder = path.join(datasetsDir(home), name);
    const index = readDatasetIndex(folder);
    if (index) out.push({ folder, index });
  }
  return out.sort((a, b) => a.index.name.localeCompare(b.index.name));
}

/** The import called `name` (its name or its folder's slug), or undefined. */
export function findDatasetCache(home: string, name: string): { folder: string; index: DatasetIndex } | undefined {
  const all = listDatasetCaches(home);
  return all.find((d) => d.index.name === name) ?? all.find((d) => d.index.slug === name);
}

/** Removes leftovers of imports whose process is gone (killed mid-import); never a complete import. */
export function removeUnfinishedImports(home: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(datasetsDir(home));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith('.importing-')) continue;
    const pid = Number(/^\.importing-.*-(\d+)-[0-9a-f]{8}$/.exec(name)?.[1]);
    if (pid && processAlive(pid)) continue;
    fs.rmSync(path.join(datasetsDir(home), name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
