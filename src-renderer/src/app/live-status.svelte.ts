/**
 * The status each live run last reported, which lists show while the run is live (it is fresher
 * than the run store's). Watched for the whole page, so a run that ends while its view is closed
 * also ends what the Training view said about its resume.
 */
import type { RunRow, SaccadeApi } from '../../../src-main/shared/api';
import { ui } from './state.svelte';

const reported = $state<Record<string, string>>({});
let watching = false;

/** Listens to every run's events, once per page. */
export function watchLiveStatus(api: SaccadeApi): void {
  if (watching) return;
  watching = true;
  api.onTrainingEvent(({ runId, event }) => {
    if (event.type === 'status') reported[runId] = event.status;
    else if (event.type === 'run') {
      reported[runId] = 'running';
      // A run the queue started (or any the studio did not start from a button): lists reload.
      ui.runsRevision++;
    }
    else if (event.type === 'result' || event.type === 'error') {
      delete reported[runId];
      if (ui.lastResume?.runId === runId) ui.lastResume = undefined;
    }
  });
}

/** The status to show for a run: what its trainer reported while the store calls it live. */
export function statusOf(row: Pick<RunRow, 'id' | 'status'>): string {
  const live = reported[row.id];
  return live && (row.status === 'running' || row.status === 'paused') ? live : row.status;
}
