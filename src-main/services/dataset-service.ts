/**
 * Datasets: the bundled tasks and imported IDX folders, their sample pages for the Datasets view
 * (rendered in a worker thread), and imports (a folder, or a finished upload), checked before
 * anything is kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG, IMAGE_SIZE, validationSizeFor } from '../core/config';
import { countClasses, loadIdxFolder } from '../data/dataset-files';
import { DataError } from '../data/idx';
import type { SampleSourceSpec } from '../data/sample-pages';
import { TASKS, taskSpec, type TaskName } from '../data/tasks';
import type { DatasetInfo, SamplePage, SamplePageRequest, UploadChunk, UploadLimits, UploadProgress } from '../shared/api';
import { ApiError } from './api-error';
import type { ImportRecord, ProjectStore } from './project-store';
import { SampleThread } from './sample-thread';
import { Uploads } from './uploads';

export { SAMPLE_SEED } from '../data/sample-pages';

export interface DatasetOptions {
  /** Electron's folder picker; the browser mode has none. */
  pickFolder?: () => Promise<string | undefined>;
  /** Tighter upload bounds than UPLOAD_LIMITS (tests). */
  uploadLimits?: Partial<UploadLimits>;
}

export class DatasetService {
  private readonly uploads: Uploads;
  private readonly samples = new SampleThread();

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

  /** Decoded and rendered in the sample worker: up to 1,000 task images must not block this thread. */
  async getSamples(request: SamplePageRequest): Promise<SamplePage> {
    const { dataset } = request;
    let source: SampleSourceSpec;
    if (dataset.startsWith('import:')) source = { kind: 'import', folder: this.importRecord(dataset).folder };
    else source = { kind: 'task', task: taskSpec(dataset).name as TaskName };
    return this.samples.page(source, request);
  }

  /** Imports run one at a time: each may hold up to MAX_IDX_DATA_BYTES a file while it is checked. */
  private importing: Promise<unknown> = Promise.resolve();

  importDataset(request: { name: string; folder?: string; upload?: string }): Promise<DatasetInfo> {
    const next = this.importing.then(() => this.importOne(request));
    this.importing = next.catch(() => undefined);
    return next;
  }

  private async importOne(request: { name: string; folder?: string; upload?: string }): Promise<DatasetInfo> {
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

  async pickFolder(): Promise<string | undefined> {
    return this.options.pickFolder ? this.options.pickFolder() : undefined;
  }

  /** Drops unfinished uploads with their files, and stops the sample worker. */
  shutdown(): void {
    this.uploads.dropAll();
    this.samples.close();
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
