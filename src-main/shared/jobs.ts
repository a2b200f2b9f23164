/**
 * Messages between a caller (CLI, Electron main, browser-mode server) and a trainer process.
 * Plain data only: they cross process boundaries as structured clones or JSON.
 */
import type { GlimpseTrace } from './trace';
import type { DatasetIndex } from './dataset-index';

export type { BackendRequest } from './backends';
import type { BackendRequest } from './backends';

export interface TrainJob {
  kind: 'train';
  home: string;
  /** New run: its config (already validated) and name; or resume an existing run. */
  config?: Record<string, unknown>;
  name?: string;
  resume?: string;
  dataDir?: string;
  /**
   * The settings the user chose (flags given, form fields edited); the others follow the data:
   * image size, channels, classes and pixels-per-unit (see fitConfigToData). Default: none.
   */
  given?: string[];
  backend?: BackendRequest;
  /** Stop after this many optimizer steps in total (for quick checks and tests). */
  maxSteps?: number;
  /** Threads sharing each batch (default: 2 on wasm/cpu with 2+ cores, 1 on native TensorFlow). */
  workers?: number;
  /**
   * How many trainings run side by side on this machine (a queue runner's concurrency): the
   * default workers count only this run's share of the cores. Not recorded: a later resume alone
   * gets the usual default.
   */
  sharing?: number;
  /**
   * Early stopping: end the run (completed, tested on its best checkpoint) once its validation
   * accuracy has not improved for this many epochs. Needs a validation set. Default: off.
   */
  patience?: number;
  /**
   * Median stopping (saccade sweep --median-stop): entry e-1 is the median validation accuracy at
   * epoch e of the sweep's finished trials (null: none reached it); a run below it at epoch e stops.
   */
  medianStop?: (number | null)[];
  /** The sweep a new run is a trial of, recorded in its meta.json. */
  sweep?: { name: string; trial: number; settings: Record<string, unknown> };
}

/**
 * Why a run ended before its epochs and step limit: 'patience' is early stopping (TrainJob.patience),
 * 'median' is a sweep's median stopping (TrainJob.medianStop).
 */
export type StopReasonCode = 'patience' | 'median';

/** A run's early end as meta.json records it: the reason and a line to show for it. */
export interface StopReason {
  reason: StopReasonCode;
  /** E.g. "stopped early: validation accuracy did not improve for 3 epochs (best 97.10% at epoch 4)". */
  message: string;
}

/** Where the model comes from: a run (its best checkpoint unless named), or a model folder. */
export interface ModelRef {
  home: string;
  run?: string;
  checkpoint?: string;
  modelDir?: string;
}

export interface EvalJob {
  kind: 'evaluate';
  model: ModelRef;
  dataDir?: string;
  backend?: BackendRequest;
  mcSamples?: number;
  /** Evaluate only the first N test images. */
  limit?: number;
  /** Record the result in the run's meta.json (when the model is a run). */
  record?: boolean;
  /**
   * Seed of the random draws (first glimpses with firstLocation 'random', sampled locations):
   * image i's copy r draws from drawRng(seed, i, r). Default: the model's config seed, as traces.
   */
  seed?: number;
}

/** How a user's picture is brought to the model's input (see input-image.ts). */
export type InvertMode = 'auto' | 'on' | 'off';

export interface TraceJob {
  kind: 'trace';
  model: ModelRef;
  indices: number[];
  /**
   * A user's own picture (PNG, JPEG, WebP) instead of test images: resized to the model's size,
   * grey or colour as it was trained, inverted to white-on-black per `invert` (default 'auto':
   * when its background is light). The trace's index is -1 and its label -1 (unknown).
   */
  imageFile?: string;
  invert?: InvertMode;
  mode: 'mean' | 'sampled';
  dataDir?: string;
  backend?: BackendRequest;
  /** As EvalJob's: a mean-mode trace is the image's evaluation, a sampled one its Monte-Carlo copy 0. */
  seed?: number;
  /** Save the traces into the run's traces/ folder under this name. */
  saveAs?: string;
}

/**
 * A glimpse animation of test images (the one export pipeline of the CLI and the studio): traced,
 * checked against ANIMATION_LIMITS, drawn and encoded in the trainer process, written to outFile.
 */
export interface ExportJob extends Omit<TraceJob, 'kind'> {
  kind: 'export';
  format: 'gif' | 'apng';
  scale: number;
  /** Per frame; the last frame is held three times as long so the answer can be read. */
  delayMs: number;
  /** Cells per row (default: min(images, 8)). */
  columns?: number;
  /**
   * Where the file goes: the CLI's --out, or a temporary file the studio reads back (a fork's
   * IPC channel is JSON, which would carry bytes as an object of numbered keys).
   */
  outFile: string;
  /** Whether a refusal's advice names CLI flags (--scale) or the studio's fields (scale). */
  optionNames?: 'flags' | 'fields';
}

export interface ExportSummary {
  file: string;
  format: 'gif' | 'apng';
  frames: number;
  width: number;
  height: number;
  /** Size of the file in bytes. */
  bytes: number;
}

export interface BenchJob {
  kind: 'bench';
  presets: string[];
  backend?: BackendRequest;
  steps: number;
  workers?: number;
  /** Training batch sizes to measure (default: the preset's; on a GPU 128, 256, 512 and 1024). */
  batchSizes?: number[];
}

/** Test images a model gets wrong (mean locations), in test-set order. */
export interface MisclassifiedJob {
  kind: 'misclassified';
  model: ModelRef;
  dataDir?: string;
  backend?: BackendRequest;
  /** Stop after this many wrong ones. */
  limit: number;
  /** As EvalJob's (default: the model's config seed). */
  seed?: number;
}

/**
 * Where a model looks over a whole test set: fixation densities per step and in all, per class and
 * per outcome, mean images per class, the mean patch per step, and how far it moves per step.
 */
export interface FixationsJob {
  kind: 'fixations';
  model: ModelRef;
  dataDir?: string;
  backend?: BackendRequest;
  mode: 'mean' | 'sampled';
  /** Side of the density grids (default: the image size, one cell a pixel). */
  grid?: number;
  /** Only the first N test images. */
  limit?: number;
  seed?: number;
}

export interface DensityGrids {
  /** Per step t: grid*grid counts of glimpse centres, row-major. */
  perStep: number[][];
  /** All steps together. */
  all: number[];
  /** Images counted. */
  count: number;
}

export interface FixationsSummary {
  imageSize: number;
  channels: number;
  grid: number;
  steps: number;
  count: number;
  classes: number;
  classNames?: string[];
  mode: 'mean' | 'sampled';
  accuracy: number;
  all: DensityGrids;
  perClass: DensityGrids[];
  right: DensityGrids;
  wrong: DensityGrids;
  /** Per class: the mean test image, imageSize^2 * channels values 0..255 interleaved. */
  meanImages: number[][];
  /** Per step: per scale, the mean patch the model saw (glimpseSize^2 * channels in [0,1], interleaved). */
  meanPatches: number[][][];
  /** Per step t >= 1: mean distance in pixels from the glimpse centre at t - 1 (entry 0 is 0). */
  movement: number[];
  seconds: number;
}

/** Decodes a class-folder tree or an IDX folder once into the home's dataset cache. */
export interface ImportJob {
  kind: 'import';
  home: string;
  folder: string;
  name: string;
  /** Resize every image to N x N (class folders; default: their own size, or the most common). */
  imageSize?: number;
  channels?: 1 | 3;
  /** Import the good images and report the bad ones instead of stopping. */
  skipBad?: boolean;
  /** IDX folders: the class names by label (instead of classes.txt or 0..N-1). */
  classNames?: string[];
}

export interface ImportSummary {
  /** The import's folder under home/datasets. */
  folder: string;
  index: DatasetIndex;
}

/** Only picks the backend and reports it (what a new run would use). */
export interface ProbeJob {
  kind: 'probe';
  backend?: BackendRequest;
}

export interface Misclassified {
  index: number;
  label: number;
  prediction: number;
}

export interface BackendInfo {
  name: string;
  reason: string;
  skipped: { name: string; error: string }[];
  /** webgpu: the adapter in words ("nvidia ampere (NVIDIA GeForce RTX 3080)"). */
  adapter?: string;
}

export type Job = TrainJob | EvalJob | TraceJob | ExportJob | BenchJob | MisclassifiedJob | ProbeJob | ImportJob | FixationsJob;

/** The loss terms of a batch (or a share of it): what a training step reports. */
export interface LossTerms {
  loss: number;
  crossEntropy: number;
  reinforce: number;
  baselineLoss: number;
  /** Mean reward: the fraction of the batch classified right with sampled locations. */
  reward: number;
  /** Mean baseline estimate. */
  baseline: number;
}

/**
 * A step's numbers, named as in metrics.jsonl: a progress event carries the latest step's, a
 * metrics line their mean over its steps. trainAccuracy is the share of images classified right
 * with sampled locations (the mean reward).
 */
export interface StepMetrics extends LossTerms {
  trainAccuracy: number;
  gradNorm: number;
  learningRate: number;
}

export interface ProgressEvent {
  type: 'progress';
  runId: string;
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  metrics: StepMetrics;
  /** The running mean of trainAccuracy over the epoch so far (metrics.jsonl's epochTrainAccuracy at its end). */
  epochTrainAccuracy: number;
  imagesPerSecond: number;
  etaSeconds: number;
  elapsedSeconds: number;
}

export interface EpochEvent {
  type: 'epoch';
  runId: string;
  epoch: number;
  step: number;
  /** Absent when the run has no validation set. */
  validationAccuracy?: number;
  bestValidationAccuracy?: number;
  /** The epoch's mean trainAccuracy, as its metrics line's epochTrainAccuracy. */
  epochTrainAccuracy: number;
  seconds: number;
}

export interface EvalSummary {
  /** Class names by label, when the data has them (class folders, classes.txt). */
  classNames?: string[];
  accuracy: number;
  error: number;
  accuracyMC: number;
  errorMC: number;
  mcSamples: number;
  count: number;
  /** Accuracy per class (mean locations); null for a class the test set has no image of. */
  perClass: (number | null)[];
  confusion: number[][];
  seconds: number;
  checkpoint: string;
  dataset: string;
  /** The first test images it gets wrong with mean locations (at most 20), in test-set order. */
  misclassified: Misclassified[];
  /** The prediction (mean locations) of every test image, in test-set order: a confusion cell's images. */
  predictions?: number[];
  /** The label of every test image, in test-set order. */
  labels?: number[];
  /** Set when the result was computed but could not be saved in the run (e.g. a full disk). */
  recordError?: string;
}

export interface TrainSummary {
  runId: string;
  status: 'completed' | 'stopped';
  steps: number;
  epochs: number;
  /** Absent until an epoch has been validated (a run stopped in its first epoch, or no validation set). */
  bestValidationAccuracy?: number;
  test?: EvalSummary;
  trainSeconds: number;
  /** Set when the run ended early (StopReasonCode: 'patience'); stopMessage says why in words. */
  stopReason?: StopReasonCode;
  stopMessage?: string;
}

export interface BenchResult {
  preset: string;
  backend: string;
  workers: number;
  batchSize: number;
  trainImagesPerSecond: number;
  stepMs: number;
  glimpseMsPerStep: number;
  dataMsPerBatch: number;
  evalSeconds10k: number;
  evalImagesPerSecond: number;
  /** With several batch sizes: the one that trained fastest. */
  fastest?: boolean;
}

export type JobEvent =
  | { type: 'backend'; name: string; reason: string; skipped: { name: string; error: string }[]; adapter?: string }
  | { type: 'run'; runId: string; runDir: string; resumedFrom?: { step: number; epoch: number } }
  | { type: 'status'; status: 'running' | 'paused' | 'stopping' }
  | { type: 'log'; message: string }
  | ProgressEvent
  | EpochEvent
  | { type: 'evaluating'; what: string; done: number; total: number }
  | { type: 'decoding'; what: string; done: number; total: number }
  /** The current model's glimpses on a few fixed validation images, at each epoch's end (and every few minutes in long epochs). */
  | { type: 'glimpses'; runId: string; step: number; epoch: number; traces: GlimpseTrace[] }
  | { type: 'result'; result: TrainSummary | EvalSummary | GlimpseTrace[] | ExportSummary | BenchResult[] | Misclassified[] | BackendInfo | ImportSummary | FixationsSummary }
  | { type: 'error'; message: string; code?: string };

/** Sent to a running job. */
export type JobControl = { type: 'pause' } | { type: 'resume' } | { type: 'stop' };

/** Sent by the caller to start a trainer process's one job. */
export interface StartMessage {
  type: 'start';
  job: Job;
}
