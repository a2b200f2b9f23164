/** What median stopping reads of a sweep's other trials: their per-epoch validation accuracies. */
import { medianTable } from '../core/sweep';
import type { RunStore } from './run-store';

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
