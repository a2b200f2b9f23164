import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT_NAME, ProjectStore } from '../../src-main/services/project-store';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-store-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

describe('ProjectStore (conf on disk)', () => {
  it('creates the default project on first use and keeps the file in home', async () => {
    const store = await ProjectStore.open(home);
    expect(store.path).toBe(path.join(home, 'studio.json'));
    const projects = store.listProjects();
    expect(projects.map((p) => p.name)).toEqual([DEFAULT_PROJECT_NAME]);
    expect(store.getSettings().currentProjectId).toBe(projects[0].id);
    expect(store.getSettings().smoothing).toBe(0.6);
    expect(fs.existsSync(path.join(home, 'studio.json'))).toBe(true);
  });

  it('create, rename, add runs and delete persist across instances', async () => {
    const a = await ProjectStore.open(home);
    const p = a.createProject('  Cluttered sweeps ');
    expect(p.name).toBe('Cluttered sweeps');
    a.renameProject(p.id, 'Clutter');
    a.addRun(p.id, 'run-1');
    a.addRun(p.id, 'run-2');
    a.updateSettings({ xAxis: 'time', smoothing: 0.9 });

    const b = await ProjectStore.open(home);
    expect(b.listProjects().map((x) => x.name)).toEqual([DEFAULT_PROJECT_NAME, 'Clutter']);
    expect(b.getProject(p.id).runIds).toEqual(['run-1', 'run-2']);
    expect(b.projectOfRun('run-2')).toBe(p.id);
    expect(b.getSettings()).toMatchObject({ xAxis: 'time', smoothing: 0.9 });

    b.removeRun('run-1');
    expect(b.deleteProject(p.id)).toEqual(['run-2']);
    const c = await ProjectStore.open(home);
    expect(c.listProjects().map((x) => x.name)).toEqual([DEFAULT_PROJECT_NAME]);
    expect(c.projectOfRun('run-2')).toBeUndefined();
  });

  it('a run belongs to one project only', async () => {
    const s = await ProjectStore.open(home);
    const [first] = s.listProjects();
    const other = s.createProject('Other');
    s.addRun(first.id, 'r');
    s.addRun(other.id, 'r');
    expect(s.getProject(first.id).runIds).toEqual([]);
    expect(s.getProject(other.id).runIds).toEqual(['r']);
  });

  it('deleting the last project leaves a fresh default one as the current project', async () => {
    const s = await ProjectStore.open(home);
    const [only] = s.listProjects();
    s.deleteProject(only.id);
    const projects = s.listProjects();
    expect(projects).toHaveLength(1);
    expect(projects[0].id).not.toBe(only.id);
    expect(s.getSettings().currentProjectId).toBe(projects[0].id);
  });

  it('rejects empty names and unknown projects with clear errors', async () => {
    const s = await ProjectStore.open(home);
    expect(() => s.createProject('  ')).toThrow(/needs a name/);
    expect(() => s.renameProject('nope', 'x')).toThrow(/no project with id 'nope'/);
  });

  it('the schema refuses a wrong settings value on write', async () => {
    const s = await ProjectStore.open(home);
    expect(() => s.updateSettings({ xAxis: 'sideways' as never })).toThrow();
  });

  it('keeps only the known settings: keys a store file already holds are dropped at the next write', async () => {
    const first = await ProjectStore.open(home);
    const file = path.join(home, 'studio.json');
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as { settings: Record<string, unknown> };
    for (let i = 0; i < 5000; i++) state.settings[`junk${i}`] = 'x'.repeat(20);
    fs.writeFileSync(file, JSON.stringify(state));
    const bloated = fs.statSync(file).size;
    const s = await ProjectStore.open(home);
    expect(Object.keys(s.getSettings()).sort()).toEqual(['currentProjectId', 'queueConcurrency', 'smoothing', 'xAxis']);
    s.updateSettings({ xAxis: 'time', bogus: 1 } as never);
    expect(fs.readFileSync(file, 'utf8')).not.toMatch(/junk|bogus/);
    expect(fs.statSync(file).size).toBeLessThan(bloated / 50);
    expect(s.getSettings()).toEqual({ currentProjectId: first.listProjects()[0].id, smoothing: 0.6, xAxis: 'time', queueConcurrency: 1 });
  });

  it('works on any injected store with the conf API (as electron-store is)', () => {
    const data = new Map<string, unknown>();
    const fake = {
      path: '/memory/studio.json',
      get: (k: string) => data.get(k),
      set: (k: string, v: unknown) => void data.set(k, structuredClone(v)),
    };
    const s = new ProjectStore(fake as never);
    expect(s.listProjects()[0].name).toBe(DEFAULT_PROJECT_NAME);
    s.createProject('In memory');
    expect((data.get('projects') as unknown[]).length).toBe(2);
  });
});
