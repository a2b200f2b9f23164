/** The runs of every project, each with the project it is filed in (Sweeps and Compare rank across projects). */
import type { Project, RunRow, SaccadeApi } from '../../../src-main/shared/api';

export interface FiledRun {
  run: RunRow;
  projectId: string;
  projectName: string;
}

export async function listAllRuns(api: Pick<SaccadeApi, 'listProjects' | 'listRuns'>): Promise<{ projects: Project[]; runs: FiledRun[] }> {
  const projects = await api.listProjects();
  const lists = await Promise.all(projects.map((p) => api.listRuns(p.id)));
  const runs = lists.flatMap((list, i) => list.map((run) => ({ run, projectId: projects[i]!.id, projectName: projects[i]!.name })));
  return { projects, runs };
}
