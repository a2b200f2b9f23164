/**
 * Datasets: the bundled tasks, imports in the home's dataset cache (home/datasets/<slug>/, written
 * by an import job) and legacy imports (IDX folders the store names), their sample pages for the
 * Datasets view (rendered in a worker thread), and imports: a folder, or a finished upload (a
 * folder tree of files, or one .zip unpacked here first). Decoding always happens in a trainer
 * process, never on this side; its progress reaches the subscribers of training events.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG, validationSizeFor } from '../core/config';
import { findDatasetCache, folderSlug, listDatasetCaches, readDatasetIndex, DATASET_INDEX, type DatasetIndex } from '../data/dataset-cache';
import type { SampleSourceSpec } from '../data/sample-pages';
import { TASKS, taskSpec, type TaskName } from '../data/tasks';
import { extractZip, singleTopFolder } from '../data/zip-extract';
import type { DatasetInfo, ImportRequest, SamplePage, SamplePageRequest, UploadChunk, UploadLimits, UploadProgress } from '../shared/api';
import { isZipName } from '../shared/mnist-files';
import { ApiError } from './api-error';
import type { ImportRecord, ProjectStore } from './project-store';
import { SampleThread } from './sample-thread';
import type { TrainingEvents } from './training-events';
import type { EngineService } from './training-service';
import { freeBytes, Uploads } from './uploads';

export { folderSlug };
export { SAMPLE_SEED } from '../data/sample-pages';

export interface DatasetOptions {
  /** Electron's folder picker; the browser mode has none. */
  pickFolder?: () => Promise<string | undefined>;
  /** Tighter upload bounds than UPLOAD_LIMITS (tests). */
  uploadLimits?: Partial<UploadLimits>;
}

/** What a run trains on for an imported dataset: its IDX folder. */
export interface ImportLocation {
  id: string;
  name: string;
  folder: string;
}

/** The folder a .zip upload is unpacked into, inside the upload's own staging folder. */
const UNZIPPED = '.unzipped';

const DIGIT_NAMES = Array.from({ length: 10 }, (_, i) => String(i));

export class DatasetService {
  private readonly uploads: Uploads;
  private readonly samples = new SampleThread();

  constructor(
    private readonly home: string,
    private readonly projects: ProjectStore,
    private readonly engine: EngineService,
    private readonly events: TrainingEvents,
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
        channels: 1,
        classNames: [...DIGIT_NAMES],
        kind: 'task',
      }),
    );
    const cached = listDatasetCaches(this.home).map(({ folder, index }) => cacheInfo(folder, index));
    const ids = new Set(cached.map((d) => d.id));
    const legacy = this.projects
      .listImports()
      .filter((r) => !ids.has(r.id))
      .map(legacyInfo);
    return [...bundled, ...cached, ...legacy];
  }

  /** Decoded and rendered in the sample worker: up to 1,000 task images must not block this thread. */
  async getSamples(request: SamplePageRequest): Promise<SamplePage> {
    const { dataset } = request;
    let source: SampleSourceSpec;
    if (dataset.startsWith('import:')) source = { kind: 'import', folder: this.importRecord(dataset).folder };
    else source = { kind: 'task', task: taskSpec(dataset).name as TaskName };
    return this.samples.page(source, request);
  }

  /** Imports run one at a time: each decodes a whole set in a trainer process. */
  private importing: Promise<unknown> = Promise.resolve();

  importDataset(request: ImportRequest): Promise<DatasetInfo> {
    const next = this.importing.then(() => this.importOne(request));
    this.importing = next.catch(() => undefined);
    return next;
  }

  /** The cache import or legacy import with this name (or whose id its slug makes). */
  private existing(name: string): string | undefined {
    const slug = folderSlug(name);
    const cache = findDatasetCache(this.home, name) ?? findDatasetCache(this.home, slug);
    if (cache) return cache.index.name;
    const legacy = this.projects.listImports().find((r) => r.name === name || r.id === `import:${slug}`);
    return legacy?.name;
  }

  private async importOne(request: ImportRequest): Promise<DatasetInfo> {
    const name = request.name.trim();
    if (!name) throw new ApiError('an imported dataset needs a name');
    const slug = folderSlug(name);
    const id = `import:${slug}`;
    if (request.folder && request.upload) throw new ApiError('give a folder or an upload to import, not both');
    if (!request.folder && !request.upload) throw new ApiError('give a folder or a finished upload (uploadDatasetChunk) to import');
    // Checked before an upload is taken: it stays open, to be imported under another name.
    if (this.existing(name) !== undefined) throw new ApiError(`a dataset named '${name}' is already imported`);
    // The import's folder: a folder of that name that is not an import is never written into.
    const target = path.join(this.home, 'datasets', slug);
    if (fs.existsSync(target)) throw new ApiError(`${target} exists already and is not an imported dataset; choose another name`);
    let folder: string;
    /** An upload's staging folder, what messages call it, and what the index records it came from. */
    let staged: { dir: string; label: string; from: string } | undefined;
    if (request.folder) folder = path.resolve(request.folder);
    else {
      const { dir, files } = this.uploads.take(request.upload!);
      try {
        if (files.length === 1 && isZipName(files[0]!)) {
          staged = { dir, label: files[0]!, from: `${files[0]!} (uploaded)` };
          folder = await this.unzip(path.join(dir, files[0]!));
        } else {
          folder = singleTopFolder(dir);
          const count = `${files.length} file${files.length === 1 ? '' : 's'}`;
          const top = folder === dir ? undefined : path.basename(folder);
          staged = { dir, label: 'the upload', from: top ? `${top} (uploaded, ${count})` : `an upload of ${count}` };
        }
      } catch (err) {
        this.uploads.release(dir);
        throw err;
      }
    }
    try {
      let summary;
      try {
        const job = {
          home: this.home,
          folder,
          name,
          ...(request.imageSize !== undefined ? { imageSize: request.imageSize } : {}),
          ...(request.channels !== undefined ? { channels: request.channels } : {}),
          ...(request.skipBad ? { skipBad: true } : {}),
        };
        const running = this.engine.importDataset(job, (event) => {
          if (event.type === 'decoding') this.events.emit(id, event);
        });
        summary = await running.result;
      } catch (err) {
        throw new ApiError(oneLine(staged ? withoutStaging(messageOf(err), staged.dir, staged.label) : messageOf(err)));
      }
      if (staged) recordUploadSource(summary.folder, summary.index, staged.from);
      const written = readDatasetIndex(summary.folder) ?? summary.index;
      return cacheInfo(summary.folder, written);
    } finally {
      if (staged) this.uploads.release(staged.dir);
    }
  }

  /**
   * A .zip upload unpacked into a fresh folder beside it, within the upload bounds and the disk's
   * free space; the folder to import is its one top folder, if it has one.
   */
  private async unzip(zip: string): Promise<string> {
    const dest = path.join(path.dirname(zip), UNZIPPED);
    fs.mkdirSync(dest);
    const { limits } = this.uploads;
    const free = freeBytes(dest);
    const room = free === undefined ? limits.totalBytes : Math.max(0, free - limits.minFreeBytes);
    try {
      await extractZip(zip, dest, { maxBytes: Math.min(limits.totalBytes, room), maxEntries: limits.files });
    } catch (err) {
      const message = messageOf(err);
      if (room < limits.totalBytes && /over the limit/.test(message)) {
        throw new ApiError(`${path.basename(zip)}: unpacks to more than the disk can take while keeping ${Math.round(limits.minFreeBytes / 2 ** 20)} MiB free; nothing was imported`);
      }
      throw new ApiError(oneLine(message));
    }
    // The archive itself is no longer needed: its space goes back before the import decodes.
    fs.rmSync(zip, { force: true });
    return singleTopFolder(dest);
  }

  async uploadDatasetChunk(chunk: UploadChunk): Promise<UploadProgress> {
    return this.uploads.receive(chunk);
  }

  /** The import an id names: its IDX folder (the cache folder, or a legacy import's own folder). */
  importRecord(id: string): ImportLocation {
    const slug = id.startsWith('import:') ? id.slice('import:'.length) : '';
    // Only a slug as folderSlug makes them names a folder (no separators, no leading dot).
    if (slug && folderSlug(slug) === slug) {
      const folder = path.join(this.home, 'datasets', slug);
      const index = readDatasetIndex(folder);
      if (index && index.slug === slug) return { id, name: index.name, folder };
    }
    const record = this.projects.listImports().find((r) => r.id === id);
    if (!record) throw new ApiError(`no imported dataset '${id}'`);
    return { id: record.id, name: record.name, folder: record.folder };
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

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function oneLine(message: string): string {
  return message.split(/\r?\n/).find((line) => line.trim() !== '')?.trim() ?? 'the import failed';
}

/** A job's message about an upload, naming the upload rather than its staging folder. */
function withoutStaging(message: string, dir: string, label: string): string {
  const roots = [path.join(dir, UNZIPPED), dir].flatMap((root) => [root + path.sep, root]);
  let out = message;
  for (const root of roots) out = out.split(root).join(root.endsWith(path.sep) ? '' : label);
  return out;
}

/**
 * An upload's staging folder is gone once imported: the index names the upload instead (written
 * beside and renamed over, so the index is always whole).
 */
function recordUploadSource(folder: string, index: DatasetIndex, from: string): void {
  const file = path.join(folder, DATASET_INDEX);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify({ ...index, source: { ...index.source, path: from } }, null, 2) + '\n');
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

function validationFor(classes: number, train: number): number {
  // A run takes its classes from the data (fitConfigToData), so this is the split it holds out.
  return validationSizeFor({ ...DEFAULT_CONFIG, classes }, train);
}

function cacheInfo(folder: string, index: DatasetIndex): DatasetInfo {
  const classes = index.classNames.length;
  const validation = validationFor(classes, index.train.count);
  const { imageSize, channels } = index;
  const from = index.source.path;
  return {
    id: `import:${index.slug}`,
    name: index.name,
    description: `Imported from ${from}: ${imageSize}x${imageSize} ${channels === 3 ? 'colour' : 'grey'} images, ${classes} classes`,
    imageSize,
    train: index.train.count - validation,
    validation,
    test: index.test.count,
    classes,
    channels,
    classNames: [...index.classNames],
    perClass: { train: [...index.train.perClass], test: [...index.test.perClass] },
    split: index.splitGiven ? 'given' : 'held-out',
    skipped: index.skipped.length,
    ignored: index.ignored,
    ...(index.resized ? { resized: `${index.resized.sizes} resized to ${index.resized.to}x${index.resized.to}` } : {}),
    kind: 'import',
    folder,
    importedFrom: from,
  };
}

/** An import from before the dataset cache: an IDX folder of grey digits the store names. */
function legacyInfo(record: ImportRecord): DatasetInfo {
  const validation = validationFor(record.classes, record.train);
  return {
    id: record.id,
    name: record.name,
    description: `Imported from ${record.folder}: ${record.imageSize}x${record.imageSize} images, ${record.classes} classes`,
    imageSize: record.imageSize,
    train: record.train - validation,
    validation,
    test: record.test,
    classes: record.classes,
    channels: 1,
    classNames: Array.from({ length: record.classes }, (_, i) => String(i)),
    split: 'given',
    kind: 'import',
    folder: record.folder,
    importedFrom: record.folder,
  };
}
