/**
 * The status each live run last reported. The run store records a paused run as 'running' (only
 * the trainer knows it is paused), so lists show this instead while the run is live.
 */
import type { RunRow, SaccadeApi } from '../../../src-main/shared/api';

const reported = $state<Record<string, string>>({});
let watching = false;

/** Listens to every run's events, once per page. */
export function watchLiveStatus(api: SaccadeApi): void {
  if (watching) return;
  watching = true;
  api.onTrainingEvent(({ runId, event }) => {
    if (event.type === 'status') reported[runId] = event.status;
    else if (event.type === 'run') reported[runId] = 'running';
    else if (event.type === 'result' || event.type === 'error') delete reported[runId];
  });
}

/** The status to show for a run: what its trainer reported while the store calls it live. */
export function statusOf(row: Pick<RunRow, 'id' | 'status'>): string {
  const live = reported[row.id];
  return live && (row.status === 'running' || row.status === 'paused') ? live : row.status;
}
