/** The StudioService facade: every API method is there, and goes to the service that owns it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS } from '../../src-main/shared/api';
import { StudioService } from '../../src-main/services/studio-service';

let home: string;
let studio: StudioService;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-studio-'));
  studio = await StudioService.create({ home, transport: 'websocket', version: '9.9.9' });
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('StudioService facade', () => {
  it('has every method of the contract', () => {
    for (const method of API_METHODS) expect(typeof studio[method], method).toBe('function');
  });

  it('hands calls to the owning services, which share one project store and run store', async () => {
    const project = await studio.createProject('Facade');
    const meta = studio.runs.createRun({ task: 'centered', config: {}, dataset: { source: 'x', train: 0, validation: 0, test: 0 }, seed: 1 });
    studio.projects.addRun(project.id, meta.id);
    expect((await studio.listRuns(project.id)).map((r) => r.id)).toEqual([meta.id]);
    expect((await studio.renameRun(meta.id, ' renamed ')).name).toBe('renamed');
    await studio.deleteProject(project.id, { deleteRuns: true });
    expect(fs.existsSync(path.join(home, 'runs', meta.id))).toBe(false);
    expect((await studio.checkConfig({ task: 'centered' })).ok).toBe(true);
    expect((await studio.listDatasets()).length).toBeGreaterThanOrEqual(4);
    expect((await studio.getSettings()).xAxis).toBeDefined();
  });
});
