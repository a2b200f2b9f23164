/**
 * The application menu's actions, performed in the renderer with the same API calls and UI state
 * as the buttons they stand for. Plain functions over a context, so tests pass stand-ins.
 */
import type { Project, SaccadeApi, Settings } from '../../../src-main/shared/api';
import type { MenuAction } from '../../../src-main/shared/menu-actions';
import type { View } from './state.svelte';

/** The parts of the UI state (state.svelte.ts's `ui`) the actions change. */
export interface ShellUi {
  view: View;
  settings: Settings;
  /** A folder the menu asked to import; the Datasets view imports it as its Import button does. */
  importRequest: string | undefined;
}

export interface ProjectContext {
  api: Pick<SaccadeApi, 'updateSettings'>;
  ui: Pick<ShellUi, 'settings'>;
  /** state.svelte.ts's openProject. */
  openProject(id: string): void;
}

export interface MenuActionContext extends ProjectContext {
  api: Pick<SaccadeApi, 'listProjects' | 'createProject' | 'updateSettings' | 'pickFolder'>;
  ui: ShellUi;
}

/** Opens a project and remembers it as the current one: the project switcher does the same. */
export async function selectProject(ctx: ProjectContext, id: string): Promise<void> {
  ctx.openProject(id);
  ctx.ui.settings = await ctx.api.updateSettings({ currentProjectId: id });
}

/** "Project N", the first N past the number of projects that no project is called yet. */
export function nextProjectName(projects: Pick<Project, 'name'>[]): string {
  const taken = new Set(projects.map((p) => p.name));
  let n = projects.length + 1;
  while (taken.has(`Project ${n}`)) n++;
  return `Project ${n}`;
}

export async function performMenuAction(action: MenuAction, ctx: MenuActionContext): Promise<void> {
  switch (action) {
    case 'new-project': {
      const project = await ctx.api.createProject(nextProjectName(await ctx.api.listProjects()));
      await selectProject(ctx, project.id);
      return;
    }
    case 'import-folder': {
      const folder = await ctx.api.pickFolder();
      if (!folder) return;
      ctx.ui.importRequest = folder;
      ctx.ui.view = 'datasets';
      return;
    }
  }
}
