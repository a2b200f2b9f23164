/**
 * The studio's one implementation of the SaccadeApi contract, whatever the transport: jobs run in
 * trainer processes through the EngineService, runs live in the RunStore, projects and settings in
 * the ProjectStore. tfjs is never loaded here; the backend is asked of a tiny probe job.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CONFIG_HELP,
  configProblems,
  DEFAULT_CONFIG,
  IMAGE_SIZE,
  NUMBER_BOUNDS,
  PRESETS,
  isPresetName,
  presetConfig,
  validateConfig,
  validationSizeFor,
  type RamConfig,
} from '../core/config';
import { countClasses, loadBundledMnist, loadIdxFolder, type LabeledImages } from '../data/dataset-files';
import { DataError } from '../data/idx';
import { renderTaskUint8, TaskGenerator, TASKS, taskSpec, type TaskName } from '../data/tasks';
import type {
  AppInfo,
  ConfigCheck,
  DatasetInfo,
  ExportRequest,
  ExportResult,
  MetricSeries,
  PresetInfo,
  Project,
  ResumeOptions,
  ResumeResult,
  RunRow,
  SaccadeApi,
  SamplePage,
  SamplePageRequest,
  SettingInfo,
  Settings,
  StartRunRequest,
  TraceRequest,
  TrainingEvent,
  Unsubscribe,
  UploadChunk,
  UploadLimits,
  UploadProgress,
} from '../shared/api';
import type { BackendInfo, BackendRequest, EvalSummary, ExportSummary, Job, JobEvent, Misclassified, ModelRef, TraceJob, TrainSummary } from '../shared/jobs';
import type { GlimpseTrace } from '../shared/trace';
import { RunStore, type RunMeta } from '../storage';
import { TEST_SEED } from '../trainer/run-data';
import { ForkJobLauncher, JobError, type JobLauncher } from './job-launcher';
import { LimitedJobLauncher, type JobLimits } from './job-limits';
import { ProjectStore, SETTING_KEYS, type ImportRecord, type KeyValueStore, type StudioState } from './project-store';
import { EngineService, type Running } from './training-service';
import { installExampleRuns } from './example-runs';
import { Uploads } from './uploads';

/** Training images shown in the dataset browser are rendered on this seed (any fixed one would do). */
export const SAMPLE_SEED = 1;
const BACKEND_NAMES: readonly BackendRequest[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
const MAX_PAGE = 1000;

export class ApiError extends Error {
  override name = 'ApiError';
}

export interface StudioOptions {
  home: string;
  transport: AppInfo['transport'];
  version?: string;
  launcher?: JobLauncher;
  /** An electron-store instance (Electron); conf is used otherwise. */
  store?: KeyValueStore<StudioState>;
  /** Electron's folder picker; the browser mode has none. */
  pickFolder?: () => Promise<string | undefined>;
  /** Shipped trained models (resources/models), offered as example runs. */
  modelsDir?: string;
  /** How many trainer processes may run at once (defaults: DEFAULT_JOB_LIMITS). */
  jobLimits?: JobLimits;
  /** Electron's save dialog for exports; returns where the file went. */
  saveExport?: (result: ExportResult) => Promise<string | undefined>;
  /** Tighter upload bounds than UPLOAD_LIMITS (tests). */
  uploadLimits?: Partial<UploadLimits>;
}

type SampleSource = { images: LabeledImages; render: (i: number) => Uint8Array; imageSize: number };

export class StudioService implements SaccadeApi {
  static async create(options: StudioOptions): Promise<StudioService> {
    const projects = await ProjectStore.open(options.home, options.store);
    const service = new StudioService(options, projects);
    // A full or read-only disk must not keep the studio from opening (the user may need it to
    // delete runs): what could not be installed is reported and tried again next time.
    if (projects.warning) service.warnings.push(projects.warning);
    for (const run of service.runs.listRuns()) service.runs.removeStaleTempFiles(run.id);
    if (options.modelsDir) {
      const { error } = installExampleRuns(service.home, options.modelsDir, service.runs, projects);
      if (error) service.warnings.push(error);
    }
    return service;
  }

  readonly home: string;
  readonly runs: RunStore;
  /** Problems met while opening (e.g. examples not installed on a full disk), shown to the user. */
  readonly warnings: string[] = [];
  private readonly launcher: JobLauncher;
  private readonly engine: EngineService;
  private readonly listeners = new Set<(event: TrainingEvent) => void>();
  private readonly live = new Map<string, Running<TrainSummary>>();
  /** Resumes between the request and the trainer's announcement, so a double click starts one trainer. */
  private readonly resuming = new Map<string, Promise<ResumeResult>>();
  private readonly importCache = new Map<string, Promise<{ train: LabeledImages; test: LabeledImages }>>();
  private readonly labelIndex = new Map<string, number[][]>();
  private readonly uploads: Uploads;
  private backendProbe: { key: string; info: Promise<BackendInfo> } | undefined;

  constructor(
    private readonly options: StudioOptions,
    readonly projects: ProjectStore,
  ) {
    this.home = path.resolve(options.home);
    this.runs = new RunStore(this.home);
    this.launcher = new LimitedJobLauncher(options.launcher ?? new ForkJobLauncher(), options.jobLimits);
    this.engine = new EngineService(this.launcher);
    this.uploads = new Uploads(path.join(this.home, 'datasets', '.uploads'), options.uploadLimits);
  }

  // ---- app ----

  async getAppInfo(): Promise<AppInfo> {
    const backend = await this.probeBackend();
    const info: AppInfo = { version: this.options.version ?? '0.0.0', transport: this.options.transport, home: this.home, backend };
    if (this.warnings.length) info.warnings = [...this.warnings];
    return info;
  }

  /** The backend a new run would use, asked once per requested backend of a probe job. */
  private probeBackend(): Promise<BackendInfo> {
    const forced = this.backendSetting();
    const key = forced ?? 'auto';
    if (!this.backendProbe || this.backendProbe.key !== key) {
      const info = this.runJob<BackendInfo>({ kind: 'probe', backend: forced }).catch((err: unknown) => ({
        name: 'none',
        reason: `no backend loads: ${(err as Error).message}`,
        skipped: [],
      }));
      this.backendProbe = { key, info };
    }
    return this.backendProbe.info;
  }

  // ---- datasets ----

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
    const { dataset, split } = request;
    if (split !== 'train' && split !== 'test') throw new ApiError(`split must be 'train' or 'test', not '${String(split)}'`);
    const offset = Math.max(0, Math.floor(Number(request.offset) || 0));
    const limit = Math.min(MAX_PAGE, Math.max(0, Math.floor(Number(request.limit) || 0)));
    const source = await this.sampleSource(dataset, split);
    let indices: ArrayLike<number>;
    let total: number;
    if (request.label === undefined || request.label === null) {
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
    const name = typeof request?.name === 'string' ? request.name.trim() : '';
    if (!name) throw new ApiError('an imported dataset needs a name');
    if (name.length > 200) throw new ApiError(`a dataset name has at most 200 characters, not ${name.length}`);
    const slug = folderSlug(name);
    const id = `import:${slug}`;
    const taken = () => this.projects.listImports().some((r) => r.id === id);
    if (taken()) throw new ApiError(`a dataset named '${name}' is already imported`);
    if (request.folder && request.upload) throw new ApiError('give a folder or an upload to import, not both');
    let folder: string;
    let created: string | undefined;
    if (request.folder) folder = path.resolve(String(request.folder));
    else if (request.upload) folder = created = this.moveUpload(String(request.upload), slug);
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

  private importRecord(id: string): ImportRecord {
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

  // ---- configs ----

  async listPresets(): Promise<PresetInfo[]> {
    return Object.entries(PRESETS).map(([name, p]) => ({ name, description: p.description, config: presetConfig(name) }));
  }

  async listSettings(): Promise<SettingInfo[]> {
    return (Object.keys(DEFAULT_CONFIG) as (keyof RamConfig)[]).map((key): SettingInfo => {
      const base = { key, help: CONFIG_HELP[key], default: DEFAULT_CONFIG[key] };
      if (key === 'task') return { ...base, kind: 'choice', choices: Object.keys(IMAGE_SIZE) };
      if (key === 'firstLocation') return { ...base, kind: 'choice', choices: ['center', 'random'] };
      if (key === 'reinforceIntoCore') return { ...base, kind: 'boolean' };
      if (key === 'validationSize') return { ...base, kind: 'integer', min: 0, auto: true };
      const [min, max, integer] = NUMBER_BOUNDS[key as keyof typeof NUMBER_BOUNDS];
      return { ...base, kind: integer ? 'integer' : 'number', min, max };
    });
  }

  async checkConfig(config: Record<string, unknown>): Promise<ConfigCheck> {
    return checkConfig(config);
  }

  // ---- projects ----

  async listProjects(): Promise<Project[]> {
    return this.projects.listProjects();
  }

  async createProject(name: string): Promise<Project> {
    return this.projects.createProject(name);
  }

  async renameProject(id: string, name: string): Promise<Project> {
    return this.projects.renameProject(id, name);
  }

  async deleteProject(id: string, options: { deleteRuns?: boolean } = {}): Promise<void> {
    const runIds = this.projects.getProject(id).runIds;
    if (options?.deleteRuns) {
      const running = runIds.filter((r) => this.live.has(r));
      if (running.length) throw new ApiError(`stop run ${running[0]} before deleting its project with its runs`);
    }
    this.projects.deleteProject(id);
    if (!options?.deleteRuns) return;
    // Only folders named exactly by the project's ids: a stale id never deletes a run it prefixes.
    for (const runId of runIds) {
      if (this.isExactRun(runId)) this.deleteRunFolder(runId);
      else this.projects.removeRun(runId);
    }
  }

  // ---- runs ----

  async listRuns(projectId: string): Promise<RunRow[]> {
    this.adoptUnfiledRuns();
    const project = this.projects.getProject(projectId);
    const rows: RunRow[] = [];
    for (const runId of project.runIds) {
      try {
        rows.push(runRow(this.runs.getRun(runId)));
      } catch {
        // A run folder deleted outside the studio is simply not listed.
      }
    }
    return rows;
  }

  /** Runs made outside the studio (the CLI) join the first project, so nothing is hidden. */
  private adoptUnfiledRuns(): void {
    const first = this.projects.listProjects()[0];
    if (!first) return;
    for (const run of this.runs.listRuns()) {
      if (!this.projects.projectOfRun(run.id)) this.projects.addRun(first.id, run.id);
    }
  }

  async getMetrics(runId: string): Promise<MetricSeries> {
    const points = this.runs.readMetricHistory(runId);
    const columns = ['step', 'epoch', 'time'];
    const seen = new Set(columns);
    for (const p of points) for (const key of Object.keys(p)) if (!seen.has(key)) (seen.add(key), columns.push(key));
    const rows = points.map((p) => columns.map((c) => (typeof p[c] === 'number' ? p[c] : Number.NaN)));
    return { runId: this.runs.resolveId(runId), columns, rows };
  }

  async renameRun(runId: string, name: string): Promise<RunRow> {
    if (typeof name !== 'string' || !name.trim()) throw new ApiError('a run needs a name');
    return runRow(this.runs.updateMeta(runId, { name: name.trim() }));
  }

  async setRunNotes(runId: string, notes: string): Promise<RunRow> {
    return runRow(this.runs.updateMeta(runId, { notes: String(notes ?? '') }));
  }

  /** Deleting needs the exact id: a prefix (enough elsewhere) could name another run. */
  async deleteRun(runId: string): Promise<void> {
    if (!this.isExactRun(runId)) throw new ApiError(`no run with the exact run id '${String(runId)}' (deleting takes the whole id, not a prefix)`);
    if (this.live.has(runId)) throw new ApiError(`run ${runId} is training: stop it before deleting it`);
    this.deleteRunFolder(runId);
  }

  private isExactRun(runId: unknown): runId is string {
    try {
      return typeof runId === 'string' && this.runs.resolveId(runId) === runId;
    } catch {
      return false;
    }
  }

  private deleteRunFolder(runId: string): void {
    try {
      this.runs.deleteRun(runId);
    } finally {
      this.projects.removeRun(runId);
    }
  }

  async listCheckpoints(runId: string): Promise<{ name: string; step: number; epoch: number }[]> {
    return this.runs.listCheckpoints(runId).map(({ name, step, epoch }) => ({ name, step, epoch }));
  }

  /** Starts training; resolves once the trainer has created the run (its id is known). */
  async startRun(request: StartRunRequest): Promise<{ runId: string }> {
    const project = this.projects.getProject(request.projectId);
    const task = request.config?.task;
    const config = presetConfig(isPresetName(String(task)) ? String(task) : 'centered', request.config);
    let dataDir: string | undefined;
    if (request.dataset?.startsWith('import:')) dataDir = this.importRecord(request.dataset).folder;
    else if (request.dataset && request.dataset !== config.task && !isPresetName(request.dataset)) throw new ApiError(`no dataset '${request.dataset}'`);
    const maxSteps = request.maxSteps === undefined || request.maxSteps === null ? undefined : Number(request.maxSteps);
    if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && maxSteps >= 1)) throw new ApiError(`maxSteps must be a whole number of at least 1, not ${request.maxSteps}`);
    const { runId } = await this.startTraining({
      home: this.home,
      config: { ...config },
      name: request.name?.trim() || config.task,
      dataDir,
      backend: this.backendOf(request.backend),
      maxSteps,
    });
    this.projects.addRun(project.id, runId);
    return { runId };
  }

  async pauseRun(runId: string): Promise<void> {
    this.liveRun(runId).handle.pause();
  }

  async resumeRun(runId: string, options: ResumeOptions = {}): Promise<ResumeResult> {
    const id = this.runs.resolveId(runId);
    const maxSteps = options?.maxSteps === undefined || options.maxSteps === null ? undefined : Number(options.maxSteps);
    if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && maxSteps >= 1)) throw new ApiError(`maxSteps must be a whole number of at least 1, not ${String(options.maxSteps)}`);
    const live = this.live.get(id);
    if (live) {
      if (maxSteps !== undefined) throw new ApiError(`run ${id} is training: stop it before giving it a new step limit`);
      live.handle.resume();
      return { runId: id, from: 'paused' };
    }
    const pending = this.resuming.get(id);
    if (pending) return pending;
    const owner = this.runs.liveOwner(id);
    if (owner) throw new ApiError(`run ${id} is being trained by process ${owner.pid} (since ${owner.since})`);
    // The trainer keeps the run's recorded step limit, backend and workers unless given anew.
    const started = this.startTraining({ home: this.home, resume: id, maxSteps }).then(
      ({ resumedFrom }): ResumeResult => (resumedFrom ? { runId: id, from: 'checkpoint', resumedFrom } : { runId: id, from: 'start' }),
    );
    this.resuming.set(id, started);
    try {
      return await started;
    } finally {
      this.resuming.delete(id);
    }
  }

  async stopRun(runId: string): Promise<void> {
    const id = this.runs.resolveId(runId);
    this.live.get(id)?.handle.stop();
  }

  async evaluateRun(runId: string, checkpoint?: string): Promise<EvalSummary> {
    const model = this.modelRef(runId, checkpoint);
    const running = this.engine.evaluate({ model, record: true, backend: this.backendOf(undefined) }, (e) => this.forwardProgress(model.run!, e));
    return running.result;
  }

  async traceRun(request: TraceRequest): Promise<GlimpseTrace[]> {
    const running = this.engine.trace(this.traceJob(request), () => {});
    return running.result;
  }

  /** A trace request, checked, as a job's fields (traces and exports share them). */
  private traceJob(request: TraceRequest): Omit<TraceJob, 'kind'> {
    const model = this.modelRef(request.runId, request.checkpoint);
    if (!Array.isArray(request.indices) || request.indices.length === 0) throw new ApiError('name at least one test image to trace');
    if (request.indices.length > 256) throw new ApiError(`at most 256 images per trace (got ${request.indices.length})`);
    if (request.mode !== 'mean' && request.mode !== 'sampled') throw new ApiError(`mode must be 'mean' or 'sampled', not '${String(request.mode)}'`);
    return { model, indices: request.indices, mode: request.mode, seed: request.seed, backend: this.backendOf(undefined) };
  }

  async listMisclassified(runId: string, limit: number, checkpoint?: string): Promise<Misclassified[]> {
    if (checkpoint !== undefined && checkpoint !== null && typeof checkpoint !== 'string') throw new ApiError(`checkpoint must be a name, not ${typeof checkpoint}`);
    const model = this.modelRef(runId, checkpoint ?? undefined);
    const n = Math.max(0, Math.floor(Number(limit) || 0));
    if (n === 0) return [];
    return this.runJob<Misclassified[]>({ kind: 'misclassified', model, limit: n, backend: this.backendOf(undefined) }, (e) => this.forwardProgress(model.run!, e));
  }

  async exportAnimation(request: ExportRequest): Promise<ExportResult> {
    if (request.format !== 'gif' && request.format !== 'apng') throw new ApiError(`format must be gif or apng, not '${String(request.format)}'`);
    const scale = clampInt(request.scale, 1, 32, 'scale');
    const delay = clampInt(request.delayMs, 10, 60000, 'delayMs');
    const columns = request.columns === undefined || request.columns === null ? undefined : clampInt(request.columns, 1, 64, 'columns');
    const trace = this.traceJob(request);
    const extension = request.format === 'gif' ? 'gif' : 'png';
    // Bounded, drawn and encoded by an export job in a trainer process (the CLI's pipeline too),
    // so a large animation never blocks this event loop; the finished file is read back.
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'saccade-export-'));
    let summary: ExportSummary;
    let bytes: Uint8Array;
    try {
      const job = { ...trace, format: request.format, scale, delayMs: delay, columns, outFile: path.join(dir, `glimpses.${extension}`), optionNames: 'fields' as const };
      summary = await this.engine.export(job, () => {}).result;
      bytes = new Uint8Array(await fs.promises.readFile(summary.file));
    } catch (err) {
      if (err instanceof JobError && err.code === 'AnimationLimitError') throw new ApiError(err.message);
      throw err;
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
    const result: ExportResult = {
      fileName: `${this.runs.resolveId(request.runId)}-glimpses.${extension}`,
      mimeType: request.format === 'gif' ? 'image/gif' : 'image/apng',
      bytes,
      frames: summary.frames,
      width: summary.width,
      height: summary.height,
    };
    if (this.options.saveExport) {
      const savedTo = await this.options.saveExport(result);
      if (savedTo) result.savedTo = savedTo;
    }
    return result;
  }

  // ---- settings ----

  async getSettings(): Promise<Settings> {
    return this.projects.getSettings();
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw new ApiError('settings must be an object of setting names and values');
    const unknown = Object.keys(patch).filter((k) => !SETTING_KEYS.includes(k as keyof Settings));
    if (unknown.length) {
      const shown = unknown.slice(0, 3).map((k) => `'${k.slice(0, 40)}'`).join(', ');
      throw new ApiError(`unknown setting${unknown.length > 1 ? 's' : ''} ${shown}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''} (known: ${SETTING_KEYS.join(', ')})`);
    }
    const p = { ...patch };
    for (const key of ['currentProjectId', 'backend'] as const) {
      if (p[key] !== undefined && typeof p[key] !== 'string') throw new ApiError(`${key} must be a string, not ${typeof p[key]}`);
    }
    if (p.smoothing !== undefined && !(typeof p.smoothing === 'number' && p.smoothing >= 0 && p.smoothing <= 0.999)) {
      throw new ApiError(`smoothing must be a number from 0 to 0.999, not ${String(p.smoothing)}`);
    }
    if (p.xAxis !== undefined && !['step', 'epoch', 'time'].includes(p.xAxis)) throw new ApiError(`xAxis must be step, epoch or time, not '${String(p.xAxis)}'`);
    if (p.backend && !BACKEND_NAMES.includes(p.backend as BackendRequest)) throw new ApiError(`unknown backend '${p.backend}' (choose ${BACKEND_NAMES.join(', ')}, or none for the best that loads)`);
    return this.projects.updateSettings(p);
  }

  // ---- events ----

  onTrainingEvent(listener: (event: TrainingEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Runs being trained by this service right now. */
  liveRunIds(): string[] {
    return [...this.live.keys()];
  }

  /** Asks every live run to stop at its next step and waits for them (or `timeoutMs`). */
  async shutdown(timeoutMs = 20_000): Promise<void> {
    this.uploads.dropAll();
    const pending = [...this.live.values()];
    for (const r of pending) r.handle.stop();
    const all = Promise.allSettled(pending.map((r) => r.result));
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([all, timer]);
    for (const r of this.live.values()) r.handle.kill();
  }

  // ---- internals ----

  private emit(runId: string, event: JobEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener({ runId, event });
      } catch {
        // One broken subscriber must not stop the others.
      }
    }
  }

  private forwardProgress(runId: string, event: JobEvent): void {
    if (event.type === 'evaluating') this.emit(runId, event);
  }

  /**
   * Starts a train job and resolves with its run id once the trainer announces it; every event is
   * forwarded as {runId, event} (those before the announcement once it is known). A job that fails
   * before creating its run rejects with the trainer's message.
   */
  private startTraining(job: Parameters<EngineService['train']>[0]): Promise<Extract<JobEvent, { type: 'run' }>> {
    return new Promise<Extract<JobEvent, { type: 'run' }>>((resolve, reject) => {
      let runId: string | undefined;
      const early: JobEvent[] = [];
      const running = this.engine.train(job, (event) => {
        if (event.type === 'run' && !runId) {
          runId = event.runId;
          this.live.set(runId, running);
          for (const e of early.splice(0)) this.emit(runId, e);
          this.emit(runId, event);
          resolve(event);
          return;
        }
        if (runId) this.emit(runId, event);
        else early.push(event);
      });
      running.result.then(
        () => {
          if (runId) this.live.delete(runId);
        },
        (err: unknown) => {
          if (!runId) {
            reject(err instanceof JobError ? new ApiError(err.message) : err);
            return;
          }
          this.live.delete(runId);
          // The trainer reports its own errors as events; a crash (process died) has none.
          if (err instanceof JobError && err.code === 'crash') this.emit(runId, { type: 'error', message: err.message, code: 'crash' });
        },
      );
    });
  }

  private runJob<T>(job: Job, onEvent: (e: JobEvent) => void = () => {}): Promise<T> {
    return this.launcher.start(job, onEvent).done as Promise<T>;
  }

  private liveRun(runId: string): Running<TrainSummary> {
    const id = this.runs.resolveId(runId);
    const live = this.live.get(id);
    if (!live) throw new ApiError(`run ${id} is not training (resume it instead)`);
    return live;
  }

  private modelRef(runId: string, checkpoint: string | undefined): ModelRef & { run: string } {
    const id = this.runs.resolveId(runId);
    if (checkpoint && !this.runs.listCheckpoints(id).some((c) => c.name === checkpoint)) throw new ApiError(`run ${id} has no checkpoint '${checkpoint}'`);
    if (!checkpoint && this.runs.listCheckpoints(id).length === 0) throw new ApiError(`run ${id} has no checkpoint yet`);
    return { home: this.home, run: id, checkpoint: checkpoint || undefined };
  }

  private backendSetting(): BackendRequest | undefined {
    return this.backendOf(undefined);
  }

  private backendOf(requested: string | undefined): BackendRequest | undefined {
    const name = requested || this.projects.getSettings().backend;
    if (!name) return undefined;
    if (!BACKEND_NAMES.includes(name as BackendRequest)) throw new ApiError(`unknown backend '${name}' (choose ${BACKEND_NAMES.join(', ')})`);
    return name as BackendRequest;
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

function clampInt(value: unknown, min: number, max: number, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ApiError(`${what} must be a whole number from ${min} to ${max}, not ${String(value)}`);
  return n;
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

export function runRow(meta: RunMeta): RunRow {
  const row: RunRow = {
    id: meta.id,
    name: meta.name,
    task: meta.task,
    status: meta.status,
    createdAt: meta.createdAt,
    config: meta.config as unknown as RamConfig,
  };
  if (meta.best) row.bestValidationAccuracy = meta.best.validationAccuracy;
  if (meta.last?.validationAccuracy !== undefined) row.lastValidationAccuracy = meta.last.validationAccuracy;
  if (meta.test) {
    row.testAccuracy = meta.test.accuracy;
    if (meta.test.accuracyMC !== undefined) row.testAccuracyMC = meta.test.accuracyMC;
  }
  if (meta.timings?.trainSeconds !== undefined) row.durationSeconds = meta.timings.trainSeconds;
  if (meta.backend) row.backend = meta.backend.name;
  if (meta.notes) row.notes = meta.notes;
  if (meta.progress) row.progress = meta.progress;
  if (meta.error) row.error = meta.error;
  if (meta.example) row.example = meta.example;
  return row;
}

/** Every field-level problem of a config, not just the first; missing settings come from the task's preset. */
export function checkConfig(input: Record<string, unknown>): ConfigCheck {
  const task = input['task'] ?? 'centered';
  const base = { ...DEFAULT_CONFIG, ...(typeof task === 'string' && isPresetName(task) ? PRESETS[task].config : {}) };
  const working: Record<string, unknown> = { ...base, ...input };
  const errors = configProblems(working);
  return errors.length ? { ok: false, errors } : { ok: true, errors, config: validateConfig(working) };
}
