/**
 * A view's list of the open project's runs. The project can change while a list is on its way (and
 * the view is shown before the new list comes), so a list is kept with the project it is of and
 * shown only while that project is open: never the runs of a project left behind.
 */
import type { RunRow } from '../../../src-main/shared/api';
import { api } from './client';
import { ui } from './state.svelte';

export class ProjectRuns {
  #listed = $state.raw<{ project: string; runs: RunRow[] } | undefined>();

  /** The open project's runs; empty until its list is in. */
  get runs(): RunRow[] {
    const listed = this.#listed;
    return listed && listed.project === ui.projectId ? listed.runs : [];
  }

  /** Whether the open project's list is in. */
  get loaded(): boolean {
    return this.#listed?.project === ui.projectId;
  }

  /** Reads the open project's runs; false when none is open or it changed while they came. */
  async load(): Promise<boolean> {
    const project = ui.projectId;
    if (!project) return false;
    const list = await api().listRuns(project);
    if (project !== ui.projectId) return false;
    this.#listed = { project, runs: list };
    return true;
  }
}
