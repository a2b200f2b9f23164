/**
 * Class-folder trees of images (DIR/<class>/*.png, or DIR/train/<class>/... and
 * DIR/test/<class>/...), decoded with sharp into LabeledImages.
 *
 * sharp (libvips) decodes PNG, JPEG and WebP and does the resizing and colour conversion.
 * Memory stays bounded whatever the tree's size: a first pass reads only each image's header
 * (size, colour), then ONE array per split is allocated and every image is decoded straight into
 * its slot, a few at a time. No list of decoded buffers is ever kept.
 */
import { promises as fs, opendirSync, readdirSync, statSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { Rng } from '../core/rng';
import type { LabeledImages } from './dataset-files';
import { DataError } from './idx';

export interface ImageFolderOptions {
  /** Resize every image to N x N (default: kept when all images share one square size, else the most common side). */
  imageSize?: number;
  /** 1: grey, 3: colour; default 3 when any image has colour, else 1. */
  channels?: 1 | 3;
  /** Import the good images and report the bad ones instead of stopping. */
  skipBad?: boolean;
  /** Held-out test fraction when the tree has no train/ and test/ (default 0.1, at least one per class). */
  testFraction?: number;
  /** Bound on one image's decoded pixels (sharp's limitInputPixels); default 50_000_000. */
  maxPixels?: number;
  /** Called as images are decoded (done of total), at most every ~100 ms and once at the end. */
  onProgress?: (done: number, total: number) => void;
}

/** One class folder as a scan found it. */
export interface ImageFolderScanClass {
  name: string;
  /** The class folder (absolute or as given). */
  folder: string;
  /** Image files in name order (paths under the class folder as given). */
  files: string[];
}

/** What a scan found, before decoding. */
export interface ImageFolderScan {
  dir: string;
  /** True when the tree has train/ and test/ class folders. */
  splitGiven: boolean;
  /** Class names, sorted (numeric-aware): label = index. */
  classNames: string[];
  /** Per class (label order): the train/ classes when the split is given, else all classes. */
  train: ImageFolderScanClass[];
  /** Per class (label order), only when the split is given. */
  test?: ImageFolderScanClass[];
  /** Image files per class (train, and test when given). */
  counts: { train: number[]; test?: number[] };
  /** Total image files found. */
  total: number;
  /** Files that are not images (count and up to 5 example relative paths). */
  ignored: { count: number; examples: string[] };
}

export interface ImageFolderData {
  train: LabeledImages;
  test: LabeledImages;
  classNames: string[];
  imageSize: number;
  channels: 1 | 3;
  splitGiven: boolean;
  /** Files that are not images (count and up to 5 example relative paths). */
  ignored: { count: number; examples: string[] };
  /** Bad images left out with skipBad: relative path and why. */
  skipped: { file: string; reason: string }[];
  /** Set when images had more than one size (or were not square, or imageSize changed them): the sizes seen with counts, and the size used. */
  resized?: { sizes: string; to: number };
  /** Test file list (relative paths) in label order, so the split is recorded. */
  testFiles: string[];
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);
const EXPECTED = 'expected DIR/<class>/*.png|jpg|jpeg|webp or DIR/train/<class>/... and DIR/test/<class>/...';
const DEFAULT_MAX_PIXELS = 50_000_000;
const DEFAULT_TEST_FRACTION = 0.1;
/** The most files (images and others) one scan looks at. */
export const MAX_FOLDER_FILES = 2_000_000;
const MIN_SIZE = 4;
const MAX_SIZE = 1024;
const HEADER_CONCURRENCY = 8;
const DECODE_CONCURRENCY = 4;
const PROGRESS_MS = 100;
const SPLIT_SEED = 0x5eed;
/** The most bytes one split's array may take (typed arrays and tensors beyond this are trouble). */
const MAX_SPLIT_BYTES = 2 ** 32 - 1;

const collator = new Intl.Collator('en', { numeric: true });
/** Numeric-aware name order ("2" < "10"), with code-unit order breaking ties ("1" vs "01"). */
function byName(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase());
}

function withCommas(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function plural(n: number, one: string, many = one + 's'): string {
  return `${withCommas(n)} ${n === 1 ? one : many}`;
}

/** The path of p relative to root, with '/' separators. */
function relPath(root: string, p: string): string {
  return path.relative(root, p).split(path.sep).join('/');
}

function isDirFollowing(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** True when dir directly holds an image file (follows links), reading entries until one is found. */
function dirHasImage(dir: string): boolean {
  let handle;
  try {
    handle = opendirSync(dir);
  } catch {
    return false;
  }
  try {
    let entry: Dirent | null;
    while ((entry = handle.readSync()) !== null) {
      if (entry.name.startsWith('.') || !isImageName(entry.name)) continue;
      if (entry.isFile()) return true;
      if (entry.isSymbolicLink()) {
        try {
          if (statSync(path.join(dir, entry.name)).isFile()) return true;
        } catch {
          // a broken link is not an image
        }
      }
    }
    return false;
  } finally {
    handle.closeSync();
  }
}

/** The visible subfolders of dir (following links), unsorted. */
function subfolders(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (e.isSymbolicLink() && isDirFollowing(path.join(dir, e.name)))))
    .map((e) => e.name);
}

/**
 * True when dir has at least one subfolder holding an image file, or train/ and test/ class
 * folders; false for an IDX folder (its files sit directly in it) and for a missing folder.
 */
export function looksLikeImageFolder(dir: string): boolean {
  if (!isDirFollowing(dir)) return false;
  const subs = subfolders(dir);
  for (const s of subs) {
    if (dirHasImage(path.join(dir, s))) return true;
  }
  if (subs.includes('train') && subs.includes('test')) {
    for (const split of ['train', 'test']) {
      const root = path.join(dir, split);
      if (subfolders(root).some((c) => dirHasImage(path.join(root, c)))) return true;
    }
  }
  return false;
}

interface ScanState {
  dir: string;
  ignored: { count: number; examples: string[] };
  seen: number;
  visited: Set<string>;
}

function ignore(state: ScanState, p: string): void {
  state.ignored.count++;
  if (state.ignored.examples.length < 5) state.ignored.examples.push(relPath(state.dir, p) || path.basename(p));
}

function countSeen(state: ScanState): void {
  state.seen++;
  if (state.seen > MAX_FOLDER_FILES) {
    throw new DataError(`${state.dir}: more than ${withCommas(MAX_FOLDER_FILES)} files; an image folder may hold at most that many`);
  }
}

async function listDir(p: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(p, { withFileTypes: true });
  } catch (e) {
    throw new DataError(`${p}: cannot read the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** What an entry is once links are followed: 'file', 'dir', or 'other' (broken link, loop, device...). */
async function kindOf(p: string, entry: Dirent): Promise<'file' | 'dir' | 'other'> {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'dir';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const st = await fs.stat(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'other';
  }
}

/** The class folders directly inside root (files there are ignored), each with its image files. */
async function scanClasses(state: ScanState, root: string): Promise<ImageFolderScanClass[]> {
  const classes: ImageFolderScanClass[] = [];
  for (const entry of await listDir(root)) {
    countSeen(state);
    const p = path.join(root, entry.name);
    if (entry.name.startsWith('.')) {
      ignore(state, p);
      continue;
    }
    const kind = await kindOf(p, entry);
    if (kind !== 'dir') {
      ignore(state, p);
      continue;
    }
    let real: string;
    try {
      real = await fs.realpath(p);
    } catch {
      ignore(state, p);
      continue;
    }
    // A link back to a folder already seen (a loop, or a second name for a class) is left out.
    if (state.visited.has(real)) {
      ignore(state, p);
      continue;
    }
    state.visited.add(real);
    const files: string[] = [];
    for (const f of await listDir(p)) {
      countSeen(state);
      const fp = path.join(p, f.name);
      if (f.name.startsWith('.') || !isImageName(f.name) || (await kindOf(fp, f)) !== 'file') {
        ignore(state, fp);
        continue;
      }
      files.push(f.name);
    }
    files.sort(byName);
    classes.push({ name: entry.name, folder: p, files: files.map((f) => path.join(p, f)) });
  }
  classes.sort((a, b) => byName(a.name, b.name));
  return classes;
}

function checkClasses(dir: string, classes: ImageFolderScanClass[]): void {
  const empty = classes.find((c) => c.files.length === 0);
  if (empty) throw new DataError(`${empty.folder}: no images (png, jpg, jpeg, webp)`);
  if (classes.length < 2) throw new DataError(`${dir}: needs at least 2 classes; found only '${classes[0].name}'`);
}

/** Scans a class-folder tree (names and files only; nothing is decoded). */
export async function scanImageFolder(dir: string): Promise<ImageFolderScan> {
  let st;
  try {
    st = await fs.stat(dir);
  } catch {
    throw new DataError(`${dir}: folder not found; ${EXPECTED}`);
  }
  if (!st.isDirectory()) throw new DataError(`${dir}: not a folder; ${EXPECTED}`);

  const state: ScanState = { dir, ignored: { count: 0, examples: [] }, seen: 0, visited: new Set([await fs.realpath(dir)]) };
  const trainDir = path.join(dir, 'train');
  const testDir = path.join(dir, 'test');
  const splitGiven = isDirFollowing(trainDir) && isDirFollowing(testDir) && subfolders(trainDir).length > 0 && subfolders(testDir).length > 0;

  if (!splitGiven) {
    const classes = await scanClasses(state, dir);
    if (classes.every((c) => c.files.length === 0)) throw new DataError(`${dir}: no images found: ${EXPECTED}`);
    checkClasses(dir, classes);
    const counts = classes.map((c) => c.files.length);
    return {
      dir,
      splitGiven,
      classNames: classes.map((c) => c.name),
      train: classes,
      counts: { train: counts },
      total: counts.reduce((a, b) => a + b, 0),
      ignored: state.ignored,
    };
  }

  // Everything in DIR other than train/ and test/ is ignored.
  for (const entry of await listDir(dir)) {
    if (entry.name === 'train' || entry.name === 'test') continue;
    countSeen(state);
    ignore(state, path.join(dir, entry.name));
  }
  state.visited.add(await fs.realpath(trainDir));
  state.visited.add(await fs.realpath(testDir));
  const train = await scanClasses(state, trainDir);
  const test = await scanClasses(state, testDir);
  if ([...train, ...test].every((c) => c.files.length === 0)) throw new DataError(`${dir}: no images found: ${EXPECTED}`);
  const trainNames = train.map((c) => c.name);
  const testNames = test.map((c) => c.name);
  const onlyTest = testNames.filter((n) => !trainNames.includes(n));
  const onlyTrain = trainNames.filter((n) => !testNames.includes(n));
  if (onlyTest.length > 0 || onlyTrain.length > 0) {
    const quote = (names: string[]): string => names.slice(0, 5).map((n) => `'${n}'`).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
    const parts: string[] = [];
    if (onlyTest.length > 0) parts.push(`test/ has ${quote(onlyTest)} missing from train/`);
    if (onlyTrain.length > 0) parts.push(`train/ has ${quote(onlyTrain)} missing from test/`);
    throw new DataError(`${dir}: train/ and test/ have different classes: ${parts.join('; ')}`);
  }
  checkClasses(trainDir, train);
  checkClasses(testDir, test);
  const trainCounts = train.map((c) => c.files.length);
  const testCounts = test.map((c) => c.files.length);
  return {
    dir,
    splitGiven,
    classNames: trainNames,
    train,
    test,
    counts: { train: trainCounts, test: testCounts },
    total: [...trainCounts, ...testCounts].reduce((a, b) => a + b, 0),
    ignored: state.ignored,
  };
}

/** Runs fn over 0..n-1 with at most `limit` calls in flight; stops starting new ones after a throw. */
async function forEachLimited(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < n) {
      const i = next++;
      try {
        await fn(i);
      } catch (e) {
        if (!failed) {
          failed = true;
          failure = e;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  if (failed) throw failure;
}

interface Header {
  width: number;
  height: number;
  colour: boolean;
}

/** One image's header, or why it is bad. */
async function readHeader(file: string, maxPixels: number): Promise<Header | string> {
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch (e) {
    return `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  if (size === 0) return 'empty file';
  let meta: Metadata;
  try {
    // The pixel bound is checked below, with its own message; the header read itself is small.
    meta = await sharp(file, { limitInputPixels: false }).metadata();
  } catch {
    return 'not a decodable image';
  }
  const oriented = meta.autoOrient ?? { width: meta.width, height: meta.height };
  const width = oriented.width ?? meta.width;
  const height = oriented.height ?? meta.height;
  if (!width || !height) return 'not a decodable image';
  if (width * height > maxPixels) return `${width}x${height} is over the ${withCommas(maxPixels)}-pixel limit`;
  const colour = !(meta.space === 'b-w' || meta.space === 'grey16');
  return { width, height, colour };
}

function badImagesError(dir: string, bad: { file: string; reason: string }[]): DataError {
  const shown = bad.slice(0, 3).map((b) => `${b.file} (${b.reason})`).join('; ');
  const more = bad.length > 3 ? `; and ${withCommas(bad.length - 3)} more (${withCommas(bad.length)} in all)` : '';
  return new DataError(`${dir}: ${plural(bad.length, 'bad image')}: ${shown}${more}; --skip-bad imports the rest`);
}

/** FNV-1a of a string: a class's split depends on its name alone, not on the other classes. */
function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface Item {
  file: string;
  label: number;
  header: Header;
}

function describeSizes(items: Item[]): string {
  const counts = new Map<string, number>();
  for (const it of items) {
    const k = `${it.header.width}x${it.header.height}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || byName(a[0], b[0]));
  const shown = sorted.slice(0, 8).map(([k, n]) => `${k} (${withCommas(n)})`);
  if (sorted.length > 8) shown.push(`and ${sorted.length - 8} more sizes`);
  return shown.join(', ');
}

/** The most common max(width, height); ties go to the larger side. */
function commonSide(items: Item[]): number {
  const counts = new Map<number, number>();
  for (const it of items) {
    const s = Math.max(it.header.width, it.header.height);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = -1;
  for (const [s, n] of counts) {
    if (n > bestCount || (n === bestCount && s > best)) {
      best = s;
      bestCount = n;
    }
  }
  return best;
}

/**
 * Decodes a class-folder tree into train and test LabeledImages (see the module comment).
 * Throws a one-line DataError naming the folder or file for anything wrong with the tree.
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderData> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const testFraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
  if (!(testFraction > 0 && testFraction < 1)) throw new DataError(`${dir}: test fraction ${testFraction} must be between 0 and 1`);
  if (options.imageSize !== undefined && !(Number.isInteger(options.imageSize) && options.imageSize >= MIN_SIZE && options.imageSize <= MAX_SIZE)) {
    throw new DataError(`${dir}: image size ${options.imageSize} must be a whole number from ${MIN_SIZE} to ${MAX_SIZE}`);
  }
  sharp.cache(false);

  const scan = await scanImageFolder(dir);
  const classNames = scan.classNames;
  if (classNames.length > 256) throw new DataError(`${dir}: ${withCommas(classNames.length)} classes; labels are bytes, so at most 256 classes`);
  const trainRoot = scan.splitGiven ? path.join(dir, 'train') : dir;
  const testRoot = scan.splitGiven ? path.join(dir, 'test') : dir;

  // Pass 1: headers only.
  const all: { file: string; label: number; test: boolean }[] = [];
  scan.train.forEach((c, label) => c.files.forEach((file) => all.push({ file, label, test: false })));
  scan.test?.forEach((c, label) => c.files.forEach((file) => all.push({ file, label, test: true })));
  const headers: Array<Header | string> = new Array(all.length);
  await forEachLimited(all.length, HEADER_CONCURRENCY, async (i) => {
    headers[i] = await readHeader(all[i].file, maxPixels);
  });
  const bad: { file: string; reason: string }[] = [];
  all.forEach((a, i) => {
    const h = headers[i];
    if (typeof h === 'string') bad.push({ file: relPath(dir, a.file), reason: h });
  });
  if (bad.length > 0 && !options.skipBad) throw badImagesError(dir, bad);
  const skipped = [...bad];

  const goodOf = (test: boolean): Item[] =>
    all.flatMap((a, i) => {
      const h = headers[i];
      return a.test === test && typeof h !== 'string' ? [{ file: a.file, label: a.label, header: h }] : [];
    });

  // The split: given, or per class a seeded permutation of the (good, name-sorted) files.
  let trainItems: Item[];
  let testItems: Item[];
  if (scan.splitGiven) {
    trainItems = goodOf(false);
    testItems = goodOf(true);
    requireEveryClass(trainRoot, classNames, trainItems);
    requireEveryClass(testRoot, classNames, testItems);
  } else {
    const good = goodOf(false);
    trainItems = [];
    testItems = [];
    for (let label = 0; label < classNames.length; label++) {
      const files = good.filter((g) => g.label === label);
      const folder = path.join(dir, classNames[label]);
      if (files.length === 0) throw new DataError(`${folder}: no good images left (${plural(scan.counts.train[label], 'bad image')})`);
      if (files.length < 2) {
        throw new DataError(`${folder}: 1 image; a class needs at least 2 so one can be held out for testing`);
      }
      const held = Math.min(files.length - 1, Math.max(1, Math.round(files.length * testFraction)));
      const perm = new Rng((SPLIT_SEED ^ hashName(classNames[label])) >>> 0).permutation(files.length);
      const isTest = new Uint8Array(files.length);
      for (let k = 0; k < held; k++) isTest[perm[k]] = 1;
      files.forEach((f, k) => (isTest[k] ? testItems : trainItems).push(f));
    }
  }

  // Size and colour.
  const everything = [...trainItems, ...testItems];
  const first = everything[0].header;
  const uniformSquare = first.width === first.height && everything.every((it) => it.header.width === first.width && it.header.height === first.height);
  let size: number;
  if (options.imageSize !== undefined) size = options.imageSize;
  else if (uniformSquare) size = first.width;
  else size = commonSide(everything);
  if (size < MIN_SIZE || size > MAX_SIZE) {
    throw new DataError(
      `${dir}: images are ${size}x${size} (the most common size); the model takes ${MIN_SIZE} to ${MAX_SIZE} pixels a side, so choose an image size to resize them to`,
    );
  }
  const needsResize = everything.some((it) => it.header.width !== size || it.header.height !== size);
  const resized = needsResize ? { sizes: describeSizes(everything), to: size } : undefined;
  const channels: 1 | 3 = options.channels ?? (everything.some((it) => it.header.colour) ? 3 : 1);

  // Pass 2: decode each image straight into its slot.
  const slot = size * size * channels;
  for (const [items, root] of [
    [trainItems, trainRoot],
    [testItems, testRoot],
  ] as const) {
    if (items.length * slot > MAX_SPLIT_BYTES) {
      throw new DataError(`${root}: ${plural(items.length, 'image')} of ${size}x${size}x${channels} take over 4 GiB; choose a smaller image size`);
    }
  }
  const total = everything.length;
  let done = 0;
  let lastReport = 0;
  const progress = (): void => {
    if (!options.onProgress) return;
    const now = Date.now();
    if (done === total || now - lastReport >= PROGRESS_MS) {
      lastReport = now;
      options.onProgress(done, total);
    }
  };

  const decodeFailures: { file: string; reason: string }[] = [];
  const decodeSplit = async (items: Item[], source: string): Promise<{ set: LabeledImages; kept: Item[] }> => {
    const images = new Uint8Array(items.length * slot);
    const ok = new Uint8Array(items.length);
    const failures: { file: string; reason: string }[] = [];
    await forEachLimited(items.length, DECODE_CONCURRENCY, async (i) => {
      const it = items[i];
      try {
        const pixels = await decodeOne(it, size, channels, maxPixels);
        images.set(pixels, i * slot);
        ok[i] = 1;
      } catch (e) {
        failures.push({ file: relPath(dir, it.file), reason: decodeReason(e) });
      }
      done++;
      progress();
    });
    decodeFailures.push(...failures);
    // Compact in place past any image that failed to decode.
    let n = 0;
    const kept: Item[] = [];
    for (let i = 0; i < items.length; i++) {
      if (!ok[i]) continue;
      if (n !== i) images.copyWithin(n * slot, i * slot, (i + 1) * slot);
      kept.push(items[i]);
      n++;
    }
    const labels = Uint8Array.from(kept, (k) => k.label);
    // Only when something was dropped is the array cut to size (one copy, in that rare case).
    const exact = n === items.length ? images : images.slice(0, n * slot);
    return { set: { images: exact, labels, count: n, height: size, width: size, channels, classNames, source }, kept };
  };

  const trainOut = await decodeSplit(trainItems, trainRoot);
  const testOut = await decodeSplit(testItems, scan.splitGiven ? testRoot : dir);
  if (decodeFailures.length > 0) {
    // Workers finish in any order: name order keeps the message the same from run to run.
    decodeFailures.sort((a, b) => byName(a.file, b.file));
    if (!options.skipBad) throw badImagesError(dir, decodeFailures);
    skipped.push(...decodeFailures);
  }
  requireEveryClass(trainRoot, classNames, trainOut.kept);
  requireEveryClass(testRoot, classNames, testOut.kept, !scan.splitGiven);
  // Scans and photos of grey things are often saved as RGB: such a set is grey unless asked for colour.
  let outChannels = channels;
  if (options.channels === undefined && channels === 3 && isGreyRgb(trainOut.set.images) && isGreyRgb(testOut.set.images)) {
    trainOut.set = toGrey(trainOut.set);
    testOut.set = toGrey(testOut.set);
    outChannels = 1;
  }

  return {
    train: trainOut.set,
    test: testOut.set,
    classNames,
    imageSize: size,
    channels: outChannels,
    splitGiven: scan.splitGiven,
    ignored: scan.ignored,
    skipped: skipped.sort((a, b) => byName(a.file, b.file)),
    ...(resized ? { resized } : {}),
    testFiles: testOut.kept.map((k) => relPath(dir, k.file)),
  };
}

/** R, G and B within 2 levels of each other at every pixel (JPEG rounding leaves grey a little off). */
function isGreyRgb(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i += 3) {
    const r = rgb[i]!;
    const g = rgb[i + 1]!;
    const b = rgb[i + 2]!;
    if (Math.abs(r - g) > 2 || Math.abs(g - b) > 2 || Math.abs(r - b) > 2) return false;
  }
  return true;
}

/** The mean of R, G and B, written in place from the front, then cut to a third (one copy of that third). */
function toGrey(set: LabeledImages): LabeledImages {
  const rgb = set.images;
  const pixels = rgb.length / 3;
  for (let i = 0; i < pixels; i++) rgb[i] = Math.round((rgb[3 * i]! + rgb[3 * i + 1]! + rgb[3 * i + 2]!) / 3);
  return { ...set, images: rgb.slice(0, pixels), channels: 1 };
}

function requireEveryClass(root: string, classNames: string[], items: Item[], heldOut = false): void {
  const seen = new Uint8Array(classNames.length);
  for (const it of items) seen[it.label] = 1;
  const missing = classNames.findIndex((_, i) => !seen[i]);
  if (missing < 0) return;
  const what = heldOut ? 'no held-out test images left' : 'no good images left';
  throw new DataError(`${path.join(root, classNames[missing])}: ${what} after leaving out the bad ones`);
}

function decodeReason(e: unknown): string {
  const msg = String((e as Error)?.message ?? e);
  if (/pixel limit/i.test(msg)) return 'over the pixel limit';
  if (/unsupported image format/i.test(msg)) return 'not a decodable image';
  return `truncated or corrupt image data (${msg.split('\n')[0].trim()})`;
}

async function decodeOne(it: Item, size: number, channels: 1 | 3, maxPixels: number): Promise<Uint8Array> {
  let img = sharp(it.file, { limitInputPixels: maxPixels, failOn: 'truncated' }).autoOrient();
  if (it.header.width !== size || it.header.height !== size) {
    img = img.resize(size, size, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 1 } });
  }
  img = img.flatten({ background: { r: 0, g: 0, b: 0 } });
  img = channels === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb');
  const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const want = size * size * channels;
  if (info.width !== size || info.height !== size || info.channels !== channels || data.length !== want) {
    throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}, expected ${size}x${size}x${channels}`);
  }
  return data;
}
