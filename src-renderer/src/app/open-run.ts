/**
 * Opening a run from a view that lists runs of any project (Sweeps, Compare): its Training view,
 * in its own project. The project switch keeps the runs ticked for Compare, which may come from
 * several projects.
 */
import { api } from './client';
import { selectProject } from './menu-actions';
import { go, openProject, ui } from './state.svelte';

export async function openRunInTraining(runId: string, projectId: string | undefined): Promise<void> {
  if (projectId && projectId !== ui.projectId) {
    const ticked = [...ui.selectedRunIds];
    await selectProject({ api: api(), ui, openProject }, projectId);
    ui.selectedRunIds = ticked;
  }
  ui.trainingRunId = runId;
  go('training');
}
