/** UI state shared between views: the current view, project, and the runs in focus. */
import type { AppInfo, ResumeResult, Settings } from '../../../src-main/shared/api';
import { NO_FILTER, type RunFilter } from '../lib/runs-filter';

export type View = 'datasets' | 'new' | 'training' | 'runs' | 'compare' | 'sweeps' | 'playback' | 'fixations';

export const VIEWS: { id: View; label: string; icon: string }[] = [
  { id: 'datasets', label: 'Datasets', icon: '▦' },
  { id: 'new', label: 'New run', icon: '+' },
  { id: 'training', label: 'Training', icon: '◔' },
  { id: 'runs', label: 'Runs', icon: '≡' },
  { id: 'compare', label: 'Compare', icon: '≈' },
  { id: 'sweeps', label: 'Sweeps', icon: '⋔' },
  { id: 'playback', label: 'Playback', icon: '▶' },
  { id: 'fixations', label: 'Fixation maps', icon: '◉' },
];

export const ui = $state({
  view: 'datasets' as View,
  projectId: undefined as string | undefined,
  /** The run the Training view follows. */
  trainingRunId: undefined as string | undefined,
  /** Runs ticked in the Runs table, for Compare. */
  selectedRunIds: [] as string[],
  playbackRunId: undefined as string | undefined,
  /** A test image another view asked Playback to open (a confusion cell's image). */
  playbackIndex: undefined as number | undefined,
  /** The run the Fixation maps view shows. */
  fixationsRunId: undefined as string | undefined,
  /** The sweep the Sweeps view ranks (a name from the runs' sweep.name, any project). */
  sweepName: undefined as string | undefined,
  appInfo: undefined as AppInfo | undefined,
  settings: { smoothing: 0.6, xAxis: 'step', queueConcurrency: 1 } as Settings,
  /** Bumped when runs change (started, renamed, deleted) so lists reload. */
  runsRevision: 0,
  /** What the last resume or extension did, for the Training view to say (with the limit asked for). */
  lastResume: undefined as (ResumeResult & { maxSteps?: number }) | undefined,
  /** A folder the File menu asked to import (app/menu-actions.ts); the Datasets view takes it. */
  importRequest: undefined as string | undefined,
  /** The Runs table's search box and filters: kept while the user visits other views. */
  runsFilter: { ...NO_FILTER } as RunFilter,
});

/** Opens a project: the runs followed, played back or ticked belonged to the one left behind. */
export function openProject(id: string | undefined): void {
  ui.projectId = id;
  ui.trainingRunId = undefined;
  ui.playbackRunId = undefined;
  ui.selectedRunIds = [];
  ui.lastResume = undefined;
  ui.runsRevision++;
}

export function go(view: View): void {
  ui.view = view;
}
