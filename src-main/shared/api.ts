/**
 * The one contract between the studio's UI and the engine, whatever the transport (Electron IPC
 * or the browser mode's WebSocket). Requests are plain data and return promises; events arrive
 * through subscriptions that return an unsubscribe function. Typed arrays cross as they are.
 */
import type { RamConfig } from '../core/config';
import type { EvalSummary, JobEvent } from './jobs';
import type { GlimpseTrace } from './trace';

export type Unsubscribe = () => void;

export interface AppInfo {
  version: string;
  transport: 'electron' | 'websocket';
  home: string;
  /** The backend a new run would use, and why the better ones were skipped. */
  backend: { name: string; reason: string; skipped: { name: string; error: string }[] };
  /** Problems met while opening the studio (e.g. a full disk), to be shown to the user. */
  warnings?: string[];
}

export interface DatasetInfo {
  /** 'centered' | 'translated' | 'cluttered60' | 'cluttered100' or 'import:<name>'. */
  id: string;
  name: string;
  description: string;
  imageSize: number;
  /** The source digits' splits: train (minus validation) / validation / test. */
  train: number;
  validation: number;
  test: number;
  classes: number;
  /** The task rendered from an imported folder's digits, or one of the bundled tasks. */
  kind: 'task' | 'import';
  /** For imports: the folder the IDX files live in. */
  folder?: string;
}

export interface SamplePageRequest {
  dataset: string;
  split: 'train' | 'test';
  offset: number;
  limit: number;
  /** Only items of this label. */
  label?: number;
}

export interface SamplePage {
  dataset: string;
  split: 'train' | 'test';
  imageSize: number;
  /** Total items matching (after the label filter). */
  total: number;
  offset: number;
  items: { index: number; label: number }[];
  /** items.length images, imageSize^2 grey bytes each, back to back. */
  pixels: Uint8Array;
}

/** One piece of one file of a dataset upload: the browser mode sends files in bounded pieces. */
export interface UploadChunk {
  /** The upload's id; absent on the first chunk, which starts a new upload. */
  upload?: string;
  /** One of the four MNIST file names (optionally .gz). */
  file: string;
  /** Where the chunk starts in its file: exactly the bytes of that file received so far. */
  offset: number;
  /** At most UPLOAD_LIMITS.chunkBytes. */
  bytes: Uint8Array;
}

export interface UploadProgress {
  upload: string;
  file: string;
  /** Bytes of this file received so far. */
  received: number;
  /** Bytes of the whole upload received so far. */
  total: number;
}

/**
 * Bounds of one upload, enforced by the server. A refused chunk ends its upload, and an upload
 * without a chunk for idleMs is dropped; either way its files are removed.
 */
export const UPLOAD_LIMITS = {
  chunkBytes: 1024 * 1024,
  files: 4,
  fileBytes: 128 * 1024 * 1024,
  totalBytes: 256 * 1024 * 1024,
  /** Unfinished uploads at once. */
  uploads: 4,
  idleMs: 10 * 60 * 1000,
} as const;

export type UploadLimits = { [K in keyof typeof UPLOAD_LIMITS]: number };

export interface PresetInfo {
  name: string;
  description: string;
  config: RamConfig;
}

export interface SettingInfo {
  key: keyof RamConfig;
  help: string;
  default: RamConfig[keyof RamConfig];
  kind: 'number' | 'integer' | 'boolean' | 'choice';
  min?: number;
  max?: number;
  choices?: string[];
  /** The word 'auto' is accepted too (the value then follows the data, e.g. validationSize). */
  auto?: boolean;
}

export interface ConfigCheck {
  ok: boolean;
  /** Field-level problems: the form marks them before anything starts. */
  errors: { field: string; message: string }[];
  config?: RamConfig;
}

export interface Project {
  id: string;
  name: string;
  createdAt: string;
  runIds: string[];
  settings: { defaultPreset?: string; backend?: string };
}

export interface RunRow {
  id: string;
  name: string;
  task: string;
  status: string;
  bestValidationAccuracy?: number;
  lastValidationAccuracy?: number;
  testAccuracy?: number;
  testAccuracyMC?: number;
  durationSeconds?: number;
  backend?: string;
  createdAt: string;
  notes?: string;
  progress?: { step: number; epoch: number; totalSteps: number };
  config: RamConfig;
  error?: string;
  /** The shipped model this run was installed from (resources/models/<name>): weights only, no optimizer state. */
  example?: string;
}

export interface MetricSeries {
  runId: string;
  /** Column names, then one row per point (step, epoch, time first). */
  columns: string[];
  rows: number[][];
}

export interface StartRunRequest {
  projectId: string;
  name?: string;
  config: Partial<RamConfig> & { task: RamConfig['task'] };
  /** An imported dataset id, or absent for the bundled MNIST. */
  dataset?: string;
  backend?: string;
  maxSteps?: number;
}

export interface ResumeOptions {
  /** A new step limit (total optimizer steps), above the run's current step. */
  maxSteps?: number;
}

export interface ResumeResult {
  runId: string;
  /**
   * 'paused': a live run was unpaused; 'checkpoint': a trainer continues from `resumedFrom`;
   * 'start': the run had no checkpoint yet, so training starts again from step 0.
   */
  from: 'paused' | 'checkpoint' | 'start';
  resumedFrom?: { step: number; epoch: number };
}

export interface TraceRequest {
  runId: string;
  checkpoint?: string;
  indices: number[];
  mode: 'mean' | 'sampled';
  seed?: number;
}

export interface ExportRequest extends TraceRequest {
  format: 'gif' | 'apng';
  scale: number;
  delayMs: number;
  columns?: number;
}

export interface ExportResult {
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
  frames: number;
  width: number;
  height: number;
  /** Where Electron saved it after the save dialog (absent in the browser mode: it downloads). */
  savedTo?: string;
}

export interface Settings {
  currentProjectId?: string;
  backend?: string;
  smoothing: number;
  xAxis: 'step' | 'epoch' | 'time';
}

export interface TrainingEvent {
  runId: string;
  event: JobEvent;
}

export interface SaccadeApi {
  getAppInfo(): Promise<AppInfo>;

  listDatasets(): Promise<DatasetInfo[]>;
  getSamples(request: SamplePageRequest): Promise<SamplePage>;
  /**
   * Imports the four MNIST-layout IDX files (checked before anything is kept): a folder on the
   * engine's machine, or a finished upload (its id from uploadDatasetChunk).
   */
  importDataset(request: { name: string; folder?: string; upload?: string }): Promise<DatasetInfo>;
  /** Receives one chunk of one file of an upload (the first chunk starts it). */
  uploadDatasetChunk(chunk: UploadChunk): Promise<UploadProgress>;
  /** Electron only: a native folder picker; the browser mode resolves undefined. */
  pickFolder(): Promise<string | undefined>;

  listPresets(): Promise<PresetInfo[]>;
  listSettings(): Promise<SettingInfo[]>;
  checkConfig(config: Record<string, unknown>): Promise<ConfigCheck>;

  listProjects(): Promise<Project[]>;
  createProject(name: string): Promise<Project>;
  renameProject(id: string, name: string): Promise<Project>;
  /** Forgets the project; its runs' folders are deleted only with deleteRuns. */
  deleteProject(id: string, options?: { deleteRuns?: boolean }): Promise<void>;

  listRuns(projectId: string): Promise<RunRow[]>;
  getMetrics(runId: string): Promise<MetricSeries>;
  renameRun(runId: string, name: string): Promise<RunRow>;
  setRunNotes(runId: string, notes: string): Promise<RunRow>;
  deleteRun(runId: string): Promise<void>;
  listCheckpoints(runId: string): Promise<{ name: string; step: number; epoch: number }[]>;

  startRun(request: StartRunRequest): Promise<{ runId: string }>;
  pauseRun(runId: string): Promise<void>;
  /**
   * Continues a paused run, or resumes a stopped/failed/interrupted one from its last checkpoint
   * with the limits it was started with; `maxSteps` extends (or sets) its step limit, which is how
   * a run that ended at its limit is trained further.
   */
  resumeRun(runId: string, options?: ResumeOptions): Promise<ResumeResult>;
  stopRun(runId: string): Promise<void>;
  evaluateRun(runId: string, checkpoint?: string): Promise<EvalSummary>;

  traceRun(request: TraceRequest): Promise<GlimpseTrace[]>;
  /**
   * Test images a checkpoint (default: the run's best, as traceRun's) gets wrong with mean
   * locations (the first `limit`, in test-set order); a mean-mode trace of each ends on the same
   * prediction.
   */
  listMisclassified(runId: string, limit: number, checkpoint?: string): Promise<{ index: number; label: number; prediction: number }[]>;
  exportAnimation(request: ExportRequest): Promise<ExportResult>;

  getSettings(): Promise<Settings>;
  updateSettings(patch: Partial<Settings>): Promise<Settings>;

  onTrainingEvent(listener: (event: TrainingEvent) => void): Unsubscribe;
}

/** Request/response method names (everything but the subscriptions). */
export type ApiMethod = Exclude<keyof SaccadeApi, 'onTrainingEvent'>;

/** The method names, for transports that must list them (preload, WebSocket server). */
export const API_METHODS = [
  'getAppInfo',
  'listDatasets',
  'getSamples',
  'importDataset',
  'uploadDatasetChunk',
  'pickFolder',
  'listPresets',
  'listSettings',
  'checkConfig',
  'listProjects',
  'createProject',
  'renameProject',
  'deleteProject',
  'listRuns',
  'getMetrics',
  'renameRun',
  'setRunNotes',
  'deleteRun',
  'listCheckpoints',
  'startRun',
  'pauseRun',
  'resumeRun',
  'stopRun',
  'evaluateRun',
  'traceRun',
  'listMisclassified',
  'exportAnimation',
  'getSettings',
  'updateSettings',
] as const satisfies readonly ApiMethod[];

/** A method of SaccadeApi missing from API_METHODS makes this a type error naming it. */
type UnlistedMethods = Exclude<ApiMethod, (typeof API_METHODS)[number]>;
const everyMethodListed: [UnlistedMethods] extends [never] ? true : UnlistedMethods = true;
void everyMethodListed;

/** Errors cross transports as plain {name, message}. */
export interface ApiErrorPayload {
  name: string;
  message: string;
}
