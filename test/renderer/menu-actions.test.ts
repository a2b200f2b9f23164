/**
 * The File menu's actions as the renderer performs them, with a stand-in API and a plain UI state
 * object: the same calls and state changes as the project switcher's and Datasets view's buttons.
 */
import { describe, expect, it } from 'vitest';
import type { Project, Settings } from '../../src-main/shared/api';
import { nextProjectName, performMenuAction, selectProject, type MenuActionContext, type ShellUi } from '../../src-renderer/src/app/menu-actions';

/** A stand-in API over a project list, recording each call. */
function standInContext(names: string[], picked: string | undefined) {
  const calls: string[] = [];
  const projects: Project[] = names.map((name, i) => ({ id: `p${i}`, name }) as Project);
  const opened: string[] = [];
  const ui: ShellUi = { view: 'runs', settings: { smoothing: 0.6, xAxis: 'step' } as Settings, importRequest: undefined };
  const ctx: MenuActionContext = {
    ui,
    openProject: (id) => void opened.push(id),
    api: {
      listProjects: async () => (calls.push('listProjects'), projects),
      createProject: async (name) => {
        calls.push(`createProject ${name}`);
        const p = { id: `p${projects.length}`, name } as Project;
        projects.push(p);
        return p;
      },
      updateSettings: async (patch) => (calls.push(`updateSettings ${patch.currentProjectId}`), { ...ui.settings, ...patch }),
      pickFolder: async () => (calls.push('pickFolder'), picked),
    },
  };
  return { ctx, ui, calls, opened };
}

describe('menu actions in the renderer', () => {
  it('New project creates the next "Project N", opens it and makes it current', async () => {
    const { ctx, ui, calls, opened } = standInContext(['Default', 'Examples'], undefined);
    await performMenuAction('new-project', ctx);
    expect(calls).toEqual(['listProjects', 'createProject Project 3', 'updateSettings p2']);
    expect(opened).toEqual(['p2']);
    expect(ui.settings.currentProjectId).toBe('p2');
  });

  it('Import dataset folder asks for a folder and hands it to the Datasets view', async () => {
    const { ctx, ui, calls } = standInContext(['Default'], '/data/my-digits');
    await performMenuAction('import-folder', ctx);
    expect(calls).toEqual(['pickFolder']);
    expect(ui).toMatchObject({ view: 'datasets', importRequest: '/data/my-digits' });
  });

  it('a cancelled folder dialog changes nothing', async () => {
    const { ctx, ui } = standInContext(['Default'], undefined);
    await performMenuAction('import-folder', ctx);
    expect(ui).toMatchObject({ view: 'runs', importRequest: undefined });
  });

  it('a failing call rejects, for the shell to show', async () => {
    const { ctx } = standInContext([], undefined);
    ctx.api.createProject = async () => {
      throw new Error('disk full');
    };
    await expect(performMenuAction('new-project', ctx)).rejects.toThrow('disk full');
  });

  it('selectProject opens the project before the settings are saved', async () => {
    const { ctx, calls, opened } = standInContext(['Default'], undefined);
    const pending = selectProject(ctx, 'p0');
    expect(opened).toEqual(['p0']);
    await pending;
    expect(calls).toEqual(['updateSettings p0']);
  });

  it('names a new project past the ones taken', () => {
    expect(nextProjectName([])).toBe('Project 1');
    expect(nextProjectName([{ name: 'Default' }])).toBe('Project 2');
    expect(nextProjectName([{ name: 'Default' }, { name: 'Project 3' }])).toBe('Project 4');
  });
});
