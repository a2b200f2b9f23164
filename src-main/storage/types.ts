/** Shapes of what a run keeps on disk: metadata, metric points and checkpoints. */

export type RunStatus = 'created' | 'running' | 'paused' | 'stopped' | 'completed' | 'failed' | 'interrupted';

export interface RunMeta {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  task: string;
  /** The full hyperparameter object; opaque to storage. */
  config: Record<string, unknown>;
  dataset: {
    source: string;
    train: number;
    validation: number;
    test: number;
    /** The import's name when the run trained on an imported dataset. */
    name?: string;
    imageSize?: number;
    channels?: number;
    classNames?: string[];
  };
  backend?: { name: string; reason?: string; workers?: number };
  versions?: Record<string, string>;
  seed: number;
  timings?: { startedAt?: string; endedAt?: string; trainSeconds?: number };
  progress?: { step: number; epoch: number; totalSteps: number };
  /** What the run was started with besides its config, kept by a resume unless it changes them. */
  limits?: { maxSteps?: number; backend?: string; workers?: number; patience?: number; medianStop?: boolean };
  best?: { validationAccuracy: number; epoch: number; step: number };
  last?: { validationAccuracy?: number; trainAccuracy?: number; epoch: number; step: number };
  test?: { accuracy: number; accuracyMC?: number; mcSamples?: number; checkpoint: string };
  error?: string;
  /** Why the run ended early (early stopping), with a line to show; absent for a run that trained its epochs or steps. */
  stopReason?: { reason: 'patience' | 'median'; message: string };
  /** For a trial of a sweep (saccade sweep): the sweep's name, the trial's number (1, 2, ...) and its settings. */
  sweep?: { name: string; trial: number; settings: Record<string, unknown> };
  notes?: string;
  /** Free-text labels (the studio's tags), trimmed, without duplicates. */
  tags?: string[];
  /** For runs made from a model shipped in resources/models: its folder name. */
  example?: string;
}

/** What createRun needs: everything but the fields the store fills in. */
export type NewRunMeta = Omit<RunMeta, 'id' | 'createdAt' | 'updatedAt' | 'name' | 'status'> &
  Partial<Pick<RunMeta, 'name' | 'status' | 'updatedAt'>>;

/** One logged point; every other key is a numeric series (loss, accuracy, ...). */
export interface MetricPoint {
  step: number;
  epoch: number;
  /** Wall time, unix ms. */
  time: number;
  [key: string]: number;
}

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export interface CheckpointData {
  step: number;
  epoch: number;
  config: Record<string, unknown>;
  weights: Record<string, Tensor>;
  optimizer?: Record<string, Tensor>;
  /** E.g. rng state, learning rate, best score. */
  extra?: Record<string, unknown>;
}

export interface CheckpointInfo {
  name: string;
  step: number;
  epoch: number;
  savedAt: string;
  bytes: number;
}
