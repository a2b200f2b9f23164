/**
 * The one contract between the studio's UI and the engine, whatever the transport (Electron IPC
 * or the browser mode's WebSocket). Requests are plain data and return promises; events arrive
 * through subscriptions that return an unsubscribe function. Typed arrays cross as they are.
 */
import type { RamConfig } from '../core/config';
import type { EvalSummary, FixationsSummary, JobEvent } from './jobs';
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
  /** 1 (grey) or 3 (colour). */
  channels: number;
  /** Class names by label ('0'..'9' for the bundled digits). */
  classNames: string[];
  /** Images per class: the training split (validation not yet held out) and the test split. */
  perClass?: { train: number[]; test: number[] };
  /** 'given': the source had its own test split; 'held-out': a fixed, seeded 10% of each class. */
  split?: 'given' | 'held-out';
  /** Imports: bad images skipped (--skip-bad), files that were not images, and a resize if any. */
  skipped?: number;
  ignored?: number;
  resized?: string;
  /** The task rendered from an imported folder's digits, or one of the bundled tasks. */
  kind: 'task' | 'import';
  /** For imports: the folder the IDX files live in (the import's cache). */
  folder?: string;
  /** For imports: where the images were imported from. */
  importedFrom?: string;
}

export interface ImportRequest {
  name: string;
  /** A folder on the engine's machine (class folders or IDX files)... */
  folder?: string;
  /** ...or a finished upload (its id from uploadDatasetChunk): a folder tree of files or one .zip. */
  upload?: string;
  /** Resize every image to N x N (class folders). */
  imageSize?: number;
  channels?: 1 | 3;
  /** Import the good images and report the bad ones instead of stopping at the first. */
  skipBad?: boolean;
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
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  /** Total items matching (after the label filter). */
  total: number;
  offset: number;
  items: { index: number; label: number }[];
  /** items.length images, imageSize^2 pixels of `channels` bytes each (RGB interleaved), back to back. */
  pixels: Uint8Array;
}

/** One piece of one file of a dataset upload: the browser mode sends files in bounded pieces. */
export interface UploadChunk {
  /** The upload's id; absent on the first chunk, which starts a new upload. */
  upload?: string;
  /**
   * The file's path in the upload: one of the four MNIST file names (optionally .gz), a relative
   * path in a folder tree ('cat/001.png', as a browser's folder picker gives it), or one .zip.
   */
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
  /** Files an upload holds (a class-folder tree: one per image; a .zip unpacks to at most as many entries). */
  files: 200_000,
  fileBytes: 1024 * 1024 * 1024,
  /** Bytes of the whole upload (and what its .zip may unpack to). */
  totalBytes: 2 * 1024 * 1024 * 1024,
  /** Unfinished uploads at once. */
  uploads: 4,
  idleMs: 10 * 60 * 1000,
  /** A chunk (or a .zip's unpacking) that would leave less free space on the home's disk is refused. */
  minFreeBytes: 1024 * 1024 * 1024,
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
  /** Why the run ended before its last epoch: early stopping's line ("stopped early: ..."). */
  stopReason?: string;
  /** The shipped model this run was installed from (resources/models/<name>): weights only, no optimizer state. */
  example?: string;
  /** Class names by label of the data it trained on, when its record has them. */
  classNames?: string[];
  /** 1 (grey) or 3 (colour) channels of the data it trained on, when its record says. */
  channels?: number;
  /** Free-text labels the user gave it (setRunTags), in the order given. */
  tags?: string[];
  /** For a trial of a sweep: the sweep's name, the trial's number and the settings it swept. */
  sweep?: SweepTrialInfo;
}

/** A sweep trial as its run records it (meta.sweep). */
export interface SweepTrialInfo {
  name: string;
  trial: number;
  settings: Record<string, number | string | boolean>;
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
  /** Early stopping: end the run once validation accuracy has not improved for this many epochs. */
  patience?: number;
}

/** What a queue entry trains when its turn comes: a new run (as startRun would make it)... */
export interface QueuedTraining {
  kind: 'train';
  name: string;
  /** The full config, validated when it was queued. */
  config: RamConfig;
  /** The settings the user chose (the rest follow the data), as TrainJob.given. */
  given: string[];
  /** The task, or the imported dataset's id ('import:<slug>'). */
  dataset: string;
  /** A data folder given on the command line (saccade train --data DIR --queue), read as it is. */
  dataDir?: string;
  backend?: string;
  maxSteps?: number;
  patience?: number;
  /** Median stopping against the sweep's finished trials (the table is taken when the trial starts). */
  medianStop?: boolean;
  sweep?: SweepTrialInfo;
}

/** ...or an existing run trained on from its last checkpoint (a re-queued interrupted run). */
export interface QueuedResume {
  kind: 'resume';
  runId: string;
  name: string;
  maxSteps?: number;
}

/** Entries the run queue holds at most (queueRun, queueSweep and --queue refuse more). */
export const MAX_QUEUE = 1000;

/**
 * One entry of the run queue (home/queue.json, shared by every process on that home). Entries
 * start in order, as many at once as a runner's concurrency allows; an entry leaves the queue when
 * its run ends (the run keeps the outcome).
 */
export interface QueueEntry {
  id: string;
  /** The studio project its run joins (entries queued from the command line may have none: the first project adopts their runs). */
  projectId?: string;
  addedAt: string;
  /**
   * 'queued': waiting its turn; 'running': a runner started it (runId set once its trainer made
   * the run); 'failed': it could not start (error says why; cancelQueued removes it).
   */
  state: 'queued' | 'running' | 'failed';
  /** 1, 2, ...: its place among the queued entries, the order they will start in. */
  position?: number;
  job: QueuedTraining | QueuedResume;
  runId?: string;
  /** The runner that took it: a process on a host, alive while its heartbeat (each poll) is recent. */
  runner?: QueueRunnerInfo;
  error?: string;
}

/** A queue runner: one process on one host (heartbeatAt: its last poll, for runners on other hosts). */
export interface QueueRunnerInfo {
  id: string;
  pid: number;
  host: string;
  /** The process's start time as the OS reports it (Linux), so a reused pid is not taken for the runner. */
  processStart?: string;
  since: string;
  heartbeatAt: string;
}

/**
 * A sweep: trials from one base config and a search space, queued as runs named
 * "<name> #k <settings>". Specs are written as on the command line: a grid maps a setting to its
 * values ('0.1,0.17'), a random search maps it to a range ('log:1e-4..3e-3', 'uniform:a..b',
 * 'int:a..b') drawn `trials` times, seeded.
 */
export interface SweepRequest {
  projectId: string;
  name: string;
  config: Partial<RamConfig> & { task: RamConfig['task'] };
  dataset?: string;
  backend?: string;
  maxSteps?: number;
  grid?: Record<string, string>;
  random?: Record<string, string>;
  trials?: number;
  seed?: number;
  patience?: number;
  medianStop?: boolean;
}

/** The trials a sweep request makes, before anything is queued. */
export interface SweepPreview {
  name: string;
  trials: { trial: number; name: string; settings: Record<string, number | string | boolean> }[];
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

/** A trace of the user's own picture: a drawing pad's PNG or a dropped file (at most 8 MiB). */
export interface ImageTraceRequest {
  runId: string;
  checkpoint?: string;
  /** PNG, JPEG or WebP bytes. */
  image: Uint8Array;
  invert: 'auto' | 'on' | 'off';
  mode: 'mean' | 'sampled';
  seed?: number;
}

export interface FixationsRequest {
  runId: string;
  checkpoint?: string;
  mode: 'mean' | 'sampled';
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
  /** How many queued runs this studio's queue runner trains at once (default 1). */
  queueConcurrency: number;
}

export interface TrainingEvent {
  /** The run's id; for an import's progress, the import's id ('import:<slug>'). */
  runId: string;
  event: JobEvent;
}

export interface SaccadeApi {
  getAppInfo(): Promise<AppInfo>;

  listDatasets(): Promise<DatasetInfo[]>;
  getSamples(request: SamplePageRequest): Promise<SamplePage>;
  /**
   * Imports a class-folder tree or IDX files (decoded once into the home's dataset cache, in a
   * trainer process; nothing is kept unless all is well): a folder on the engine's machine, or a
   * finished upload (its id from uploadDatasetChunk). Decoding progress arrives through
   * onTrainingEvent as 'decoding' events whose runId is the import's id ('import:<slug>').
   */
  importDataset(request: ImportRequest): Promise<DatasetInfo>;
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
  /** Replaces the run's tags (free text, trimmed, duplicates dropped). */
  setRunTags(runId: string, tags: string[]): Promise<RunRow>;

  /** Every queue entry, in queue order (running first, then queued by position, then failed). */
  listQueue(): Promise<QueueEntry[]>;
  /** Adds a new run to the end of the queue (validated now, started when its turn comes). */
  queueRun(request: StartRunRequest): Promise<QueueEntry>;
  /** Puts a stopped, failed or interrupted run back in the queue, to train on from its last checkpoint. */
  requeueRun(runId: string, options?: ResumeOptions): Promise<QueueEntry>;
  /** Moves a queued entry to `position` (1: next to start). Returns the queue. */
  moveQueued(entryId: string, position: number): Promise<QueueEntry[]>;
  /** Takes a queued or failed entry out of the queue (a running one is stopped with stopRun). */
  cancelQueued(entryId: string): Promise<void>;
  /** Starts a queued entry now, beside what is running, whatever its position. */
  startQueuedNow(entryId: string): Promise<void>;
  /** The trials a sweep would queue (validated), without queueing them. */
  previewSweep(request: SweepRequest): Promise<SweepPreview>;
  /** Queues every trial of a sweep. */
  queueSweep(request: SweepRequest): Promise<QueueEntry[]>;

  evaluateRun(runId: string, checkpoint?: string): Promise<EvalSummary>;

  traceRun(request: TraceRequest): Promise<GlimpseTrace[]>;
  /**
   * Test images a checkpoint (default: the run's best, as traceRun's) gets wrong with mean
   * locations (the first `limit`, in test-set order); a mean-mode trace of each ends on the same
   * prediction.
   */
  listMisclassified(runId: string, limit: number, checkpoint?: string): Promise<{ index: number; label: number; prediction: number }[]>;
  exportAnimation(request: ExportRequest): Promise<ExportResult>;
  /** The model's glimpses on the user's own picture (index -1, label -1 in the trace). */
  traceImage(request: ImageTraceRequest): Promise<GlimpseTrace>;
  /** Fixation maps over the run's test set; progress arrives as 'evaluating' training events of the run. */
  getFixations(request: FixationsRequest): Promise<FixationsSummary>;
  /** Stops the run's evaluation or fixation job in progress (its promise rejects with 'cancelled'). */
  cancelEvaluation(runId: string): Promise<void>;

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
  'setRunTags',
  'listQueue',
  'queueRun',
  'requeueRun',
  'moveQueued',
  'cancelQueued',
  'startQueuedNow',
  'previewSweep',
  'queueSweep',
  'evaluateRun',
  'traceRun',
  'listMisclassified',
  'exportAnimation',
  'traceImage',
  'getFixations',
  'cancelEvaluation',
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
