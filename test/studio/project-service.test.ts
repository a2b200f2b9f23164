/** ProjectService, through the StudioService facade: projects, and deleting them with or without their runs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../src-main/services/studio-service';

let home: string;
let studio: StudioService;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-projects-'));
  studio = await StudioService.create({ home, transport: 'websocket', version: '9.9.9' });
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('ProjectService', () => {
  it('projects: default one, create, rename, delete', async () => {
    const [first] = await studio.listProjects();
    expect(first.name).toBe('My project');
    const p = await studio.createProject('Sweep');
    expect((await studio.renameProject(p.id, 'Sweep 2')).name).toBe('Sweep 2');
    await studio.deleteProject(p.id);
    expect((await studio.listProjects()).map((x) => x.id)).not.toContain(p.id);
  });

  it('deleting a project keeps its run folders unless asked', async () => {
    const runsDir = path.join(home, 'runs');
    const p = await studio.createProject('Keep');
    const meta = studio.runs.createRun({ task: 'centered', config: {}, dataset: { source: 'x', train: 0, validation: 0, test: 0 }, seed: 1 });
    studio.projects.addRun(p.id, meta.id);
    expect((await studio.listRuns(p.id)).map((r) => r.id)).toEqual([meta.id]);
    await studio.deleteProject(p.id);
    expect(fs.existsSync(path.join(runsDir, meta.id))).toBe(true);
    const q = await studio.createProject('Drop');
    studio.projects.addRun(q.id, meta.id);
    await studio.deleteProject(q.id, { deleteRuns: true });
    expect(fs.existsSync(path.join(runsDir, meta.id))).toBe(false);
  });

  it('deleting a project with its runs deletes only the runs it holds, by exact id', async () => {
    const meta = studio.runs.createRun({ task: 'centered', config: {}, dataset: { source: 'x', train: 0, validation: 0, test: 0 }, seed: 1 });
    const dir = path.join(home, 'runs', meta.id);
    const p = await studio.createProject('Stale');
    // The project lists a run id that is only a prefix of a run it does not hold (its own run's
    // folder was deleted outside the studio).
    studio.projects.addRun(p.id, meta.id.slice(0, -1));
    await studio.deleteProject(p.id, { deleteRuns: true });
    expect(fs.existsSync(dir)).toBe(true);
    expect((await studio.listProjects()).map((x) => x.id)).not.toContain(p.id);
  });
});
