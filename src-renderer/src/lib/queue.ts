/** The run queue as the Runs table shows it: labels, settings and moves of queue entries. */
import type { QueueEntry } from '../../../src-main/shared/api';
import type { Filterable } from './runs-filter';

/** How many queued runs may train at once (Settings.queueConcurrency). */
export const CONCURRENCY_MIN = 1;
export const CONCURRENCY_MAX = 8;

export function clampConcurrency(n: number): number {
  if (!Number.isFinite(n)) return CONCURRENCY_MIN;
  return Math.min(CONCURRENCY_MAX, Math.max(CONCURRENCY_MIN, Math.round(n)));
}

/** "queued #2", "running", "failed". */
export function queueLabel(entry: Pick<QueueEntry, 'state' | 'position'>): string {
  if (entry.state === 'queued') return entry.position === undefined ? 'queued' : `queued #${entry.position}`;
  return entry.state;
}

/** The task of an entry's config, as a run's row shows it (RunRow.task); '' for a resume. */
export function entryTask(entry: QueueEntry): string {
  return entry.job.kind === 'train' ? entry.job.config.task : '';
}

/** "sweep lr, trial 3" for a sweep trial; '' for other entries. */
export function entrySweep(entry: QueueEntry): string {
  const sweep = entry.job.kind === 'train' ? entry.job.sweep : undefined;
  return sweep ? `sweep ${sweep.name}, trial ${sweep.trial}` : '';
}

/** A sweep trial's settings as "learningRate=0.001 locationStd=0.1"; '' for other entries. */
export function entrySettings(entry: QueueEntry): string {
  const sweep = entry.job.kind === 'train' ? entry.job.sweep : undefined;
  if (!sweep) return '';
  return Object.entries(sweep.settings)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** An entry as the filters see it: its state is its status. */
export function entryFilterable(entry: QueueEntry): Filterable {
  const sweep = entry.job.kind === 'train' ? entry.job.sweep : undefined;
  return { id: entry.id, name: entry.job.name, task: entryTask(entry), status: entry.state, sweep: sweep && { name: sweep.name } };
}

/**
 * The entries the Runs table lists for a project: those of the project (or of none, queued from
 * the command line), less running ones whose run the table already shows as a run.
 */
export function entriesToShow(entries: readonly QueueEntry[], projectId: string | undefined, runIds: ReadonlySet<string>): QueueEntry[] {
  return entries.filter((e) => (e.projectId === undefined || e.projectId === projectId) && !(e.state === 'running' && e.runId && runIds.has(e.runId)));
}

/** How many entries are waiting (the highest position a move can reach). */
export function queuedCount(entries: readonly Pick<QueueEntry, 'state'>[]): number {
  return entries.filter((e) => e.state === 'queued').length;
}

/** The position a move up (-1) or down (+1) asks for, or undefined where the entry cannot go that way. */
export function moveTarget(entry: Pick<QueueEntry, 'state' | 'position'>, direction: -1 | 1, waiting: number): number | undefined {
  if (entry.state !== 'queued' || entry.position === undefined) return undefined;
  const target = entry.position + direction;
  return target < 1 || target > waiting ? undefined : target;
}

/** The runs the queue holds already (a resume waiting, or a run it started): "Queue again" would be refused for them. */
export function runsInQueue(entries: readonly QueueEntry[]): Set<string> {
  const ids = new Set<string>();
  for (const e of entries) {
    if (e.job.kind === 'resume') ids.add(e.job.runId);
    if (e.runId) ids.add(e.runId);
  }
  return ids;
}
