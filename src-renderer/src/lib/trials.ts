/** Ranking runs as trials: their swept settings, the metric they are ranked by, and sorting. */
import type { RunRow } from '../../../src-main/shared/api';
import { differingHparams } from './hparams';

export type SettingValue = number | string | boolean;

/** The metrics a ranking can be by: all accuracies, higher is better. */
export type RankMetric = 'bestValidationAccuracy' | 'lastValidationAccuracy' | 'testAccuracy' | 'testAccuracyMC';

export const RANK_METRICS: { key: RankMetric; label: string }[] = [
  { key: 'bestValidationAccuracy', label: 'best validation' },
  { key: 'lastValidationAccuracy', label: 'last validation' },
  { key: 'testAccuracy', label: 'test (mean)' },
  { key: 'testAccuracyMC', label: 'test (MC)' },
];

export function rankMetricLabel(key: RankMetric): string {
  return RANK_METRICS.find((m) => m.key === key)?.label ?? key;
}

/** A run as a trial: the run, the project it is filed in, and its settings under comparison. */
export interface Trial {
  run: RunRow;
  projectId?: string;
  projectName?: string;
}

export type TrialColumnKind = 'setting' | 'percent' | 'integer' | 'duration' | 'text';

export interface TrialColumn {
  /** 'setting:<key>' for a setting, else the field's name. */
  id: string;
  label: string;
  kind: TrialColumnKind;
}

/** Config keys never worth a column: a run's name-like or bookkeeping settings. */
const NOT_SETTINGS = new Set(['task']);

/**
 * The settings to show for these runs: for trials of one sweep, the settings it swept (in the
 * sweep's order); otherwise the config keys whose values differ between the runs (sorted).
 */
export function comparedSettings(runs: readonly RunRow[]): string[] {
  if (runs.length > 0 && runs.every((r) => r.sweep)) {
    const names = new Set(runs.map((r) => r.sweep!.name));
    if (names.size === 1) {
      const keys: string[] = [];
      for (const r of runs) for (const k of Object.keys(r.sweep!.settings)) if (!keys.includes(k)) keys.push(k);
      return keys;
    }
  }
  return differingHparams(runs.map((r) => r.config as unknown as Record<string, unknown>))
    .map((d) => d.key)
    .filter((k) => !NOT_SETTINGS.has(k));
}

/** A trial's value of a setting: what its sweep recorded, else its config's. */
export function settingOf(run: RunRow, key: string): SettingValue | undefined {
  const swept = run.sweep?.settings[key];
  if (swept !== undefined) return swept;
  const v = (run.config as unknown as Record<string, unknown>)[key];
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : undefined;
}

/** The epochs a run trained: its progress, or its config's count once it completed. */
export function epochsOf(run: RunRow): number | undefined {
  if (run.progress) return run.progress.epoch;
  return run.status === 'completed' ? run.config.epochs : undefined;
}

/** The table's columns: name, project (when several), one per setting, the metrics, epochs, time, status. */
export function trialColumns(settings: readonly string[], withProject: boolean): TrialColumn[] {
  return [
    { id: 'name', label: 'Trial', kind: 'text' },
    ...(withProject ? [{ id: 'project', label: 'Project', kind: 'text' as const }] : []),
    ...settings.map((k) => ({ id: `setting:${k}`, label: k, kind: 'setting' as const })),
    { id: 'bestValidationAccuracy', label: 'Best val', kind: 'percent' },
    { id: 'lastValidationAccuracy', label: 'Last val', kind: 'percent' },
    { id: 'testAccuracy', label: 'Test (mean)', kind: 'percent' },
    { id: 'testAccuracyMC', label: 'Test (MC)', kind: 'percent' },
    { id: 'epochs', label: 'Epochs', kind: 'integer' },
    { id: 'durationSeconds', label: 'Time', kind: 'duration' },
    { id: 'status', label: 'Status', kind: 'text' },
  ];
}

/** The value of one cell, before formatting; undefined where the trial has none. */
export function cellValue(trial: Trial, columnId: string): SettingValue | undefined {
  const { run } = trial;
  if (columnId.startsWith('setting:')) return settingOf(run, columnId.slice('setting:'.length));
  switch (columnId) {
    case 'name':
      return run.name;
    case 'project':
      return trial.projectName;
    case 'epochs':
      return epochsOf(run);
    case 'status':
      return run.stopReason ? `${run.status} (${run.stopReason})` : run.status;
    case 'bestValidationAccuracy':
    case 'lastValidationAccuracy':
    case 'testAccuracy':
    case 'testAccuracyMC':
    case 'durationSeconds': {
      const v = run[columnId];
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    }
    default:
      return undefined;
  }
}

export type SortDirection = 'asc' | 'desc';
export interface TrialSort {
  column: string;
  direction: SortDirection;
}

function comparable(v: SettingValue | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  return v;
}

/**
 * A sorted copy: numbers (and booleans) numerically, text case-insensitively with digits in
 * numeric order, trials without a value last whichever the direction; ties keep their order.
 */
export function sortTrials<T extends Trial>(trials: readonly T[], sort: TrialSort): T[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return trials
    .map((t, i) => ({ t, i, v: comparable(cellValue(t, sort.column)) }))
    .sort((a, b) => {
      if (a.v === undefined || b.v === undefined) return a.v === b.v ? a.i - b.i : a.v === undefined ? 1 : -1;
      const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : collator.compare(String(a.v), String(b.v));
      return c !== 0 ? sign * c : a.i - b.i;
    })
    .map((x) => x.t);
}

/** Clicking a header: the same column flips; a new one starts descending for metrics, ascending otherwise. */
export function nextTrialSort(current: TrialSort, clicked: string): TrialSort {
  if (current.column === clicked) return { column: clicked, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  const metric = RANK_METRICS.some((m) => m.key === clicked);
  return { column: clicked, direction: metric ? 'desc' : 'asc' };
}

/** The trials ranked by a metric, best first (those without it last). */
export function rankTrials<T extends Trial>(trials: readonly T[], metric: RankMetric): T[] {
  return sortTrials(trials, { column: metric, direction: 'desc' });
}

/** The best trial by a metric (the first of a tie), or undefined when none has it. */
export function bestTrial<T extends Trial>(trials: readonly T[], metric: RankMetric): T | undefined {
  const first = rankTrials(trials, metric)[0];
  return first && cellValue(first, metric) !== undefined ? first : undefined;
}

/** The top `n` trials by a metric, leaving out those without it. */
export function topTrials<T extends Trial>(trials: readonly T[], metric: RankMetric, n: number): T[] {
  return rankTrials(trials, metric)
    .filter((t) => cellValue(t, metric) !== undefined)
    .slice(0, Math.max(0, n));
}

/** The sweep names among the runs, sorted, with how many trials each has. */
export function sweepNames(runs: readonly RunRow[]): { name: string; trials: number }[] {
  const counts = new Map<string, number>();
  for (const r of runs) if (r.sweep) counts.set(r.sweep.name, (counts.get(r.sweep.name) ?? 0) + 1);
  return [...counts].map(([name, trials]) => ({ name, trials })).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}
