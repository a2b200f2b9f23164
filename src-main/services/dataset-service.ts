/**
 * Datasets: the bundled tasks and imported IDX folders, their sample pages for the Datasets view,
 * and imports (a folder, or a finished upload), checked before anything is kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG, IMAGE_SIZE, validationSizeFor } from '../core/config';
import { countClasses, loadBundledMnist, loadIdxFolder, type LabeledImages } from '../data/dataset-files';
import { DataError } from '../data/idx';
import { renderTaskUint8, TaskGenerator, TASKS, taskSpec, type TaskName } from '../data/tasks';
import type { DatasetInfo, SamplePage, SamplePageRequest, UploadChunk, UploadLimits, UploadProgress } from '../shared/api';
import { TEST_SEED } from '../trainer/run-data';
import { ApiError } from './api-error';
import type { ImportRecord, ProjectStore } from './project-store';
import { Uploads } from './uploads';

/** Training images shown in the dataset browser are rendered on this seed (any fixed one would do). */
export const SAMPLE_SEED = 1;

type SampleSource = { images: LabeledImages; render: (i: number) => Uint8Array; imageSize: number };

export interface DatasetOptions {
  /** Electron's folder picker; the browser mode has none. */
  pickFolder?: () => Promise<string | undefined>;
  /** Tighter upload bounds than UPLOAD_LIMITS (tests). */
  uploadLimits?: Partial<UploadLimits>;
}

export class DatasetService {
  private readonly importCache = new Map<string, Promise<{ train: LabeledImages; test: LabeledImages }>>();
  private readonly labelIndex = new Map<string, number[][]>();
  private readonly uploads: Uploads;

  constructor(
    private readonly home: string,
    private readonly projects: ProjectStore,
    private readonly options: DatasetOptions = {},
  ) {
    this.uploads = new Uploads(path.join(home, 'datasets', '.uploads'), options.uploadLimits);
  }

  async listDatasets(): Promise<DatasetInfo[]> {
    // What a run with the default validationSize ('auto') holds out: what the run will use.
    const validation = validationSizeFor(DEFAULT_CONFIG, 60000);
    const bundled = (Object.keys(TASKS) as TaskName[]).map(
      (name): DatasetInfo => ({
        id: name,
        name,
        description: TASKS[name].description,
        imageSize: TASKS[name].imageSize,
        train: 60000 - validation,
        validation,
        test: 10000,
        classes: 10,
        kind: 'task',
      }),
    );
    return [...bundled, ...this.projects.listImports().map(importInfo)];
  }

  async getSamples(request: SamplePageRequest): Promise<SamplePage> {
    const { dataset, split, offset, limit } = request;
    const source = await this.sampleSource(dataset, split);
    let indices: ArrayLike<number>;
    let total: number;
    if (request.label === undefined) {
      total = source.images.count;
      indices = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => offset + i);
    } else {
      const byLabel = this.indicesByLabel(`${dataset}/${split}`, source.images);
      const matching = byLabel[request.label] ?? [];
      total = matching.length;
      indices = matching.slice(offset, offset + limit);
    }
    const px = source.imageSize * source.imageSize;
    const pixels = new Uint8Array(indices.length * px);
    const items: SamplePage['items'] = [];
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i];
      pixels.set(source.render(index), i * px);
      items.push({ index, label: source.images.labels[index] });
    }
    return { dataset, split, imageSize: source.imageSize, total, offset, items, pixels };
  }

  /** Bundled tasks render as the models see them (the test split on TEST_SEED); imports show as stored. */
  private async sampleSource(dataset: string, split: 'train' | 'test'): Promise<SampleSource> {
    if (dataset.startsWith('import:')) {
      const record = this.importRecord(dataset);
      const data = await this.loadImport(record);
      const images = split === 'train' ? data.train : data.test;
      const px = images.width * images.height;
      return { images, imageSize: images.width, render: (i) => images.images.slice(i * px, (i + 1) * px) };
    }
    const spec = taskSpec(dataset);
    const mnist = await loadBundledMnist();
    const images = split === 'train' ? mnist.train : mnist.test;
    const gen = new TaskGenerator(spec, images, split === 'test' ? TEST_SEED : SAMPLE_SEED);
    return { images, imageSize: spec.imageSize, render: (i) => renderTaskUint8(gen, i) };
  }

  private indicesByLabel(key: string, images: LabeledImages): number[][] {
    let cached = this.labelIndex.get(key);
    if (!cached) {
      cached = [];
      for (let i = 0; i < images.count; i++) (cached[images.labels[i]] ??= []).push(i);
      this.labelIndex.set(key, cached);
    }
    return cached;
  }

  async importDataset(request: { name: string; folder?: string; upload?: string }): Promise<DatasetInfo> {
    const name = request.name.trim();
    if (!name) throw new ApiError('an imported dataset needs a name');
    const slug = folderSlug(name);
    const id = `import:${slug}`;
    const taken = () => this.projects.listImports().some((r) => r.id === id);
    if (taken()) throw new ApiError(`a dataset named '${name}' is already imported`);
    if (request.folder && request.upload) throw new ApiError('give a folder or an upload to import, not both');
    let folder: string;
    let created: string | undefined;
    if (request.folder) folder = path.resolve(request.folder);
    else if (request.upload) folder = created = this.moveUpload(request.upload, slug);
    else throw new ApiError('give a folder or a finished upload (uploadDatasetChunk) to import');
    try {
      const { train, test } = await loadIdxFolder(folder, 'both');
      if (!train || !test) throw new DataError(`${folder}: needs both the train and t10k files`);
      for (const set of [train, test]) {
        const file = path.basename(set.source);
        if (set.width !== set.height) throw new DataError(`${file}: images are ${set.height}x${set.width}; only square images can be used`);
        if (set.width > IMAGE_SIZE.centered) {
          throw new DataError(`${file}: images are ${set.width}x${set.width}; the tasks take digits of at most ${IMAGE_SIZE.centered}x${IMAGE_SIZE.centered}`);
        }
        if (set.count === 0) throw new DataError(`${file}: holds no images`);
      }
      if (train.width !== test.width) throw new DataError(`${path.basename(train.source)} has ${train.width}x${train.width} images but ${path.basename(test.source)} has ${test.width}x${test.width}`);
      // Another import of the same name may have finished while this one read its files.
      if (taken()) throw new ApiError(`a dataset named '${name}' is already imported`);
      const record: ImportRecord = {
        id,
        name,
        folder,
        imageSize: train.width,
        train: train.count,
        test: test.count,
        classes: Math.max(countClasses(train.labels), countClasses(test.labels)),
        importedAt: new Date().toISOString(),
      };
      this.projects.addImport(record);
      this.importCache.set(folder, Promise.resolve({ train, test }));
      return importInfo(record);
    } catch (err) {
      // Only the folder this import made is removed; a folder given by path is never touched.
      if (created) fs.rmSync(created, { recursive: true, force: true });
      throw err;
    }
  }

  async uploadDatasetChunk(chunk: UploadChunk): Promise<UploadProgress> {
    return this.uploads.receive(chunk);
  }

  /** A finished upload's files, moved into a new folder of their own under home/datasets. */
  private moveUpload(uploadId: string, slug: string): string {
    const { dir, files } = this.uploads.take(uploadId);
    try {
      const folder = this.newDatasetFolder(slug);
      try {
        for (const file of files) fs.renameSync(path.join(dir, file), path.join(folder, file));
      } catch (err) {
        fs.rmSync(folder, { recursive: true, force: true });
        throw err;
      }
      return folder;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Makes home/datasets/<slug> (or <slug>-2, -3, ...): mkdir without `recursive` fails on a folder
   * that exists, so an import never writes into, or later removes, a folder it did not create.
   */
  private newDatasetFolder(slug: string): string {
    const parent = path.join(this.home, 'datasets');
    fs.mkdirSync(parent, { recursive: true });
    for (let n = 1; n <= 1000; n++) {
      const folder = path.resolve(parent, n === 1 ? slug : `${slug}-${n}`);
      if (path.dirname(folder) !== parent) throw new ApiError(`'${slug}' cannot name a folder in ${parent}`);
      try {
        fs.mkdirSync(folder);
        return folder;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    throw new ApiError(`${parent} already holds 1000 folders named like '${slug}'`);
  }

  /** The import an id names (runs train on its folder). */
  importRecord(id: string): ImportRecord {
    const record = this.projects.listImports().find((r) => r.id === id);
    if (!record) throw new ApiError(`no imported dataset '${id}'`);
    return record;
  }

  private loadImport(record: ImportRecord): Promise<{ train: LabeledImages; test: LabeledImages }> {
    let cached = this.importCache.get(record.folder);
    if (!cached) {
      cached = loadIdxFolder(record.folder, 'both').then(({ train, test }) => {
        if (!train || !test) throw new DataError(`${record.folder}: needs both the train and t10k files`);
        return { train, test };
      });
      cached.catch(() => this.importCache.delete(record.folder));
      this.importCache.set(record.folder, cached);
    }
    return cached;
  }

  async pickFolder(): Promise<string | undefined> {
    return this.options.pickFolder ? this.options.pickFolder() : undefined;
  }

  /** Drops unfinished uploads with their files. */
  shutdown(): void {
    this.uploads.dropAll();
  }
}

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

function importInfo(record: ImportRecord): DatasetInfo {
  const validation = validationSizeFor({ ...DEFAULT_CONFIG, classes: Math.max(DEFAULT_CONFIG.classes, record.classes) }, record.train);
  return {
    id: record.id,
    name: record.name,
    description: `Imported from ${record.folder}: ${record.imageSize}x${record.imageSize} images, ${record.classes} classes`,
    imageSize: record.imageSize,
    train: record.train - validation,
    validation,
    test: record.test,
    classes: record.classes,
    kind: 'import',
    folder: record.folder,
  };
}
