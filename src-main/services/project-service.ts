/** Projects: named lists of runs; deleting one deletes its runs' folders only when asked, by exact id. */
import type { Project } from '../shared/api';
import { ApiError } from './api-error';
import type { ProjectStore } from './project-store';
import type { RunService } from './run-service';

export class ProjectService {
  constructor(
    private readonly projects: ProjectStore,
    private readonly runService: RunService,
  ) {}

  async listProjects(): Promise<Project[]> {
    return this.projects.listProjects();
  }

  async createProject(name: string): Promise<Project> {
    return this.projects.createProject(name);
  }

  async renameProject(id: string, name: string): Promise<Project> {
    return this.projects.renameProject(id, name);
  }

  async deleteProject(id: string, options: { deleteRuns?: boolean } = {}): Promise<void> {
    const runIds = this.projects.getProject(id).runIds;
    if (options.deleteRuns) {
      const running = runIds.filter((r) => this.runService.isLive(r));
      if (running.length) throw new ApiError(`stop run ${running[0]} before deleting its project with its runs`);
    }
    this.projects.deleteProject(id);
    if (!options.deleteRuns) return;
    // Only folders named exactly by the project's ids: a stale id never deletes a run it prefixes.
    for (const runId of runIds) {
      if (this.runService.isExactRun(runId)) this.runService.deleteRunFolder(runId);
      else this.projects.removeRun(runId);
    }
  }
}
