/** What a sweep reads of its trials: whether its name is taken, and (median stopping) the others' per-epoch validation accuracies. */
import { medianTable } from '../core/sweep';
import type { RunQueue } from './run-queue';
import type { RunStore } from './run-store';

/** Whether runs or queued entries already carry sweep `name` (a second sweep of it would mix its trials into the first's ranking). */
export function sweepNameUsed(store: RunStore, queue: RunQueue, name: string): boolean {
  return store.listRuns().some((m) => m.sweep?.name === name) || queue.list().some((e) => e.job.kind === 'train' && e.job.sweep?.name === name);
}

/** Per-epoch validation accuracies of a run (entry e-1: epoch e), from its metrics.jsonl. */
export function epochAccuracies(store: RunStore, runId: string): number[] {
  const out: number[] = [];
  for (const p of store.readMetricHistory(runId)) {
    if (typeof p.validationAccuracy === 'number' && Number.isInteger(p.epoch) && p.epoch >= 1) out[p.epoch - 1] = p.validationAccuracy;
  }
  return out;
}

/**
 * The median table of sweep `sweepName` from its trials other than `runId` that no process
 * trains right now (the finished ones, whatever their outcome).
 */
export function sweepMedianTable(store: RunStore, sweepName: string, runId?: string): (number | null)[] {
  const others = store.listRuns().filter((m) => m.sweep?.name === sweepName && m.id !== runId && !store.liveOwner(m.id));
  return medianTable(others.map((m) => epochAccuracies(store, m.id)));
}
