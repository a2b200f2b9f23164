/** Which metrics the charts show, and how live events map onto the logged columns. */
import type { EpochEvent, ProgressEvent } from '../../../src-main/shared/jobs';

export interface ChartGroup {
  id: string;
  title: string;
  /** Metric columns drawn in this chart. */
  keys: string[];
  /** Axis as a percentage (values are fractions). */
  percent?: boolean;
  logScale?: boolean;
}

export const TRAINING_CHARTS: ChartGroup[] = [
  { id: 'losses', title: 'Loss terms', keys: ['crossEntropy', 'reinforce', 'baselineLoss'] },
  { id: 'accuracy', title: 'Accuracy', keys: ['trainAccuracy', 'validationAccuracy'], percent: true },
  { id: 'reward', title: 'Reward and baseline', keys: ['reward', 'baseline'] },
  { id: 'lr', title: 'Learning rate', keys: ['learningRate'] },
];

/** Metrics logged once per epoch: a handful of points, drawn with a marker on each. */
export const SPARSE_METRICS: readonly string[] = ['validationAccuracy', 'epochTrainAccuracy'];

export function isSparseMetric(key: string): boolean {
  return SPARSE_METRICS.includes(key);
}

/** Metrics offered in Compare, best first; other logged columns follow. */
export const COMPARE_DEFAULT_KEYS = ['validationAccuracy', 'trainAccuracy', 'loss', 'crossEntropy', 'reinforce', 'reward', 'learningRate'];

export const METRIC_LABELS: Record<string, string> = {
  loss: 'loss',
  crossEntropy: 'cross-entropy',
  reinforce: 'REINFORCE',
  baselineLoss: 'baseline loss',
  reward: 'reward',
  baseline: 'baseline',
  trainAccuracy: 'train accuracy',
  validationAccuracy: 'validation accuracy',
  epochTrainAccuracy: 'epoch train accuracy',
  learningRate: 'learning rate',
  gradNorm: 'gradient norm',
};

export function metricLabel(key: string): string {
  return METRIC_LABELS[key] ?? key;
}

/** The values a live progress event contributes: the same names and meanings as the logged columns. */
export function progressValues(e: ProgressEvent): Record<string, number> {
  return { ...e.metrics };
}

export function epochValues(e: EpochEvent): Record<string, number> {
  return e.validationAccuracy !== undefined ? { validationAccuracy: e.validationAccuracy } : {};
}

/** Distinct colours for series and runs (Tableau 10, readable on white). */
export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
}
