/**
 * An import: a class-folder tree (decoded with sharp) or an IDX folder, written once into the
 * home's dataset cache, in the trainer process (decoding a large set must not block a UI or
 * the studio's main side).
 */
import fs from 'node:fs';
import path from 'node:path';
import { countClasses, hasIdxFiles, loadIdxFolder, type LabeledImages } from '../data/dataset-files';
import { findDatasetCache, folderSlug, removeUnfinishedImports, writeDatasetCache, type DatasetIndex } from '../data/dataset-cache';
import { DataError } from '../data/idx';
import { loadImageFolder, looksLikeImageFolder } from '../data/image-folder';
import type { ImportJob, ImportSummary } from '../shared/jobs';
import type { JobContext } from './job-context';
import { checkSquare } from './run-data';

export async function runImportJob(job: ImportJob, ctx: JobContext): Promise<ImportSummary> {
  const name = job.name.trim();
  if (!name) throw new DataError('an imported dataset needs a name (--name)');
  const slug = folderSlug(name);
  removeUnfinishedImports(job.home);
  const taken = () => {
    const found = findDatasetCache(job.home, name) ?? findDatasetCache(job.home, slug);
    if (found) throw new DataError(`a dataset named '${found.index.name}' is already imported (${found.folder})`);
  };
  taken();
  const folder = path.resolve(job.folder);
  if (!fs.existsSync(folder)) throw new DataError(`${folder}: no such folder`);
  const onProgress = (done: number, total: number) => ctx.emit({ type: 'decoding', what: 'images', done, total });
  let train: LabeledImages;
  let test: LabeledImages;
  let classNames: string[];
  let index: Omit<DatasetIndex, 'version' | 'slug' | 'imageSize' | 'channels' | 'classNames' | 'train' | 'test'>;
  const importedAt = new Date().toISOString();
  if (!hasIdxFiles(folder) && looksLikeImageFolder(folder)) {
    if (job.classNames) throw new DataError(`${folder}: class folders are named by their folders; class names can be given for IDX folders only`);
    const data = await loadImageFolder(folder, {
      ...(job.imageSize !== undefined ? { imageSize: job.imageSize } : {}),
      ...(job.channels !== undefined ? { channels: job.channels } : {}),
      ...(job.skipBad ? { skipBad: true } : {}),
      onProgress,
    });
    ({ train, test, classNames } = data);
    index = {
      name,
      source: { path: folder, format: 'image-folder' },
      splitGiven: data.splitGiven,
      ...(data.splitGiven ? {} : { testFraction: 0.1, testFiles: data.testFiles }),
      skipped: data.skipped,
      ignored: data.ignored.count,
      ...(data.resized ? { resized: data.resized } : {}),
      importedAt,
    };
  } else {
    const loaded = await loadIdxFolder(folder, 'both');
    if (!loaded.train || !loaded.test) throw new DataError(`${folder}: needs both the train and t10k files`);
    if (job.imageSize !== undefined && job.imageSize !== loaded.train.width) {
      throw new DataError(`${folder}: its IDX images are ${loaded.train.width}x${loaded.train.width}; --image-size resizes image folders only`);
    }
    checkSquare(loaded.train);
    checkSquare(loaded.test);
    train = withChannels(loaded.train, job.channels);
    test = withChannels(loaded.test, job.channels);
    if (train.width !== test.width) throw new DataError(`${folder}: train images are ${train.width}x${train.width} but t10k images ${test.width}x${test.width}`);
    if (train.channels !== test.channels) throw new DataError(`${folder}: train images have ${train.channels} channels but t10k images ${test.channels}`);
    const classes = Math.max(countClasses(train.labels), countClasses(test.labels));
    if (classes < 2) throw new DataError(`${folder}: needs at least 2 classes; every label is ${classes - 1}`);
    if (job.classNames && job.classNames.length < classes) {
      throw new DataError(`${folder}: ${job.classNames.length} class names given, but the labels go up to ${classes - 1}`);
    }
    if (job.classNames && new Set(job.classNames).size !== job.classNames.length) throw new DataError('the class names given name a class twice');
    classNames = job.classNames ?? loaded.test.classNames ?? loaded.train.classNames ?? Array.from({ length: classes }, (_, i) => String(i));
    index = { name, source: { path: folder, format: 'idx' }, splitGiven: true, skipped: [], ignored: 0, importedAt };
  }
  // Another import of the same name may have finished while this one decoded.
  taken();
  const written = writeDatasetCache(job.home, slug, { train, test, classNames }, index);
  return { folder: written, index: findDatasetCache(job.home, slug)!.index };
}

/** IDX data in the channels asked for: grey from colour by luma (Rec. 601), colour from grey by copying. */
function withChannels(set: LabeledImages, channels: 1 | 3 | undefined): LabeledImages {
  if (channels === undefined || channels === set.channels) return set;
  const pixels = set.count * set.height * set.width;
  const out = new Uint8Array(pixels * channels);
  const src = set.images;
  if (channels === 1) {
    for (let i = 0; i < pixels; i++) out[i] = Math.round(0.299 * src[3 * i]! + 0.587 * src[3 * i + 1]! + 0.114 * src[3 * i + 2]!);
  } else {
    for (let i = 0; i < pixels; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = src[i]!;
  }
  return { ...set, images: out, channels };
}
