import { describe, expect, it } from 'vitest';
import type { Project, RunRow } from '../../src-main/shared/api';
import { listAllRuns } from '../../src-renderer/src/app/all-runs';

const project = (id: string, name: string): Project => ({ id, name, createdAt: '2025-01-01T00:00:00Z', runIds: [], settings: {} });
const run = (id: string): RunRow => ({ id, name: id, task: 'centered', status: 'completed', createdAt: '2025-01-01T00:00:00Z', config: {} as RunRow['config'] });

describe('the runs of every project', () => {
  it('lists each project’s runs with the project they are filed in, projects in order', async () => {
    const lists: Record<string, RunRow[]> = { p1: [run('a'), run('b')], p2: [], p3: [run('c')] };
    const api = { listProjects: async () => [project('p1', 'One'), project('p2', 'Two'), project('p3', 'Three')], listRuns: async (id: string) => lists[id]! };
    const { projects, runs } = await listAllRuns(api);
    expect(projects.map((p) => p.name)).toEqual(['One', 'Two', 'Three']);
    expect(runs.map((r) => [r.run.id, r.projectId, r.projectName])).toEqual([
      ['a', 'p1', 'One'],
      ['b', 'p1', 'One'],
      ['c', 'p3', 'Three'],
    ]);
  });
});
