/**
 * Runs and their training: the project's run rows, metrics, names and notes, deletion by exact
 * id, and the lifecycle (start, pause, resume, stop) with the map of runs training right now.
 */
import { isPresetName, presetConfig, type RamConfig } from '../core/config';
import type { MetricSeries, ResumeOptions, ResumeResult, RunRow, StartRunRequest, SweepTrialInfo } from '../shared/api';
import type { JobEvent, TrainJob, TrainSummary } from '../shared/jobs';
import type { RunMeta, RunStore } from '../storage';
import { ApiError } from './api-error';
import { backendOf } from './backend-setting';
import type { DatasetService } from './dataset-service';
import { JobError } from './job-launcher';
import type { ProjectStore } from './project-store';
import type { TrainingEvents } from './training-events';
import type { EngineService, Running } from './training-service';

export class RunService {
  private readonly live = new Map<string, Running<TrainSummary>>();
  /** Resumes between the request and the trainer's announcement, so a double click starts one trainer. */
  private readonly resuming = new Map<string, Promise<ResumeResult>>();

  constructor(
    private readonly home: string,
    private readonly runs: RunStore,
    private readonly projects: ProjectStore,
    private readonly engine: EngineService,
    private readonly events: TrainingEvents,
    private readonly datasets: DatasetService,
  ) {}

  async listRuns(projectId: string): Promise<RunRow[]> {
    this.adoptUnfiledRuns();
    const project = this.projects.getProject(projectId);
    const rows: RunRow[] = [];
    for (const runId of project.runIds) {
      try {
        rows.push(runRow(this.runs.getRun(runId)));
      } catch {
        // A run folder deleted outside the studio is simply not listed.
      }
    }
    return rows;
  }

  /** Runs made outside the studio (the CLI) join the first project, so nothing is hidden. */
  private adoptUnfiledRuns(): void {
    const first = this.projects.listProjects()[0];
    if (!first) return;
    for (const run of this.runs.listRuns()) {
      if (!this.projects.projectOfRun(run.id)) this.projects.addRun(first.id, run.id);
    }
  }

  async getMetrics(runId: string): Promise<MetricSeries> {
    const points = this.runs.readMetricHistory(runId);
    const columns = ['step', 'epoch', 'time'];
    const seen = new Set(columns);
    for (const p of points) for (const key of Object.keys(p)) if (!seen.has(key)) (seen.add(key), columns.push(key));
    const rows = points.map((p) => columns.map((c) => (typeof p[c] === 'number' ? p[c] : Number.NaN)));
    return { runId: this.runs.resolveId(runId), columns, rows };
  }

  async renameRun(runId: string, name: string): Promise<RunRow> {
    if (!name.trim()) throw new ApiError('a run needs a name');
    return runRow(this.runs.updateMeta(runId, { name: name.trim() }));
  }

  async setRunNotes(runId: string, notes: string): Promise<RunRow> {
    return runRow(this.runs.updateMeta(runId, { notes }));
  }

  async setRunTags(runId: string, tags: string[]): Promise<RunRow> {
    return runRow(this.runs.updateMeta(runId, { tags: cleanTags(tags) }));
  }

  /** Deleting needs the exact id: a prefix (enough elsewhere) could name another run. */
  async deleteRun(runId: string): Promise<void> {
    if (!this.isExactRun(runId)) throw new ApiError(`no run with the exact run id '${runId}' (deleting takes the whole id, not a prefix)`);
    if (this.live.has(runId)) throw new ApiError(`run ${runId} is training: stop it before deleting it`);
    this.deleteRunFolder(runId);
  }

  /** Whether `runId` names a run exactly (not by a prefix). */
  isExactRun(runId: string): boolean {
    try {
      return this.runs.resolveId(runId) === runId;
    } catch {
      return false;
    }
  }

  /** Deletes the run's folder and forgets it in its project. */
  deleteRunFolder(runId: string): void {
    try {
      this.runs.deleteRun(runId);
    } finally {
      this.projects.removeRun(runId);
    }
  }

  async listCheckpoints(runId: string): Promise<{ name: string; step: number; epoch: number }[]> {
    return this.runs.listCheckpoints(runId).map(({ name, step, epoch }) => ({ name, step, epoch }));
  }

  /**
   * A start request checked as startRun and queueRun both need it: the full config, the settings
   * the user chose (`given`), the data folder of an imported dataset. Refused before anything starts.
   */
  prepareTraining(request: StartRunRequest): { config: RamConfig; given: string[]; dataset: string; dataDir?: string; name: string } {
    this.projects.getProject(request.projectId);
    const config = presetConfig(request.config.task, request.config);
    let dataDir: string | undefined;
    if (request.dataset?.startsWith('import:')) dataDir = this.datasets.importRecord(request.dataset).folder;
    else if (request.dataset && request.dataset !== config.task && !isPresetName(request.dataset)) throw new ApiError(`no dataset '${request.dataset}'`);
    if (request.patience !== undefined && config.validationSize === 0) {
      throw new ApiError(`patience ${request.patience} needs a validation set to watch: give validationSize above 0, or leave patience out`);
    }
    backendOf(this.projects, request.backend);
    // The form sends every setting; those it changed from the task's preset are the user's, the
    // rest (image size, channels, classes, pixels-per-unit) follow the data.
    const preset = presetConfig(request.config.task);
    const given = (Object.keys(request.config) as (keyof RamConfig)[]).filter((key) => request.config[key] !== preset[key]);
    return { config, given, dataset: request.dataset ?? config.task, ...(dataDir ? { dataDir } : {}), name: request.name?.trim() || config.task };
  }

  /** Starts training; resolves once the trainer has created the run (its id is known). */
  async startRun(request: StartRunRequest): Promise<{ runId: string }> {
    const { config, given, dataDir, name } = this.prepareTraining(request);
    const { runId } = await this.startTraining({
      home: this.home,
      config: { ...config },
      given,
      name,
      dataDir,
      backend: backendOf(this.projects, request.backend),
      maxSteps: request.maxSteps,
      ...(request.patience !== undefined ? { patience: request.patience } : {}),
    });
    this.projects.addRun(request.projectId, runId);
    return { runId };
  }

  /**
   * Starts a train job for the queue (a new run or a resume) as startRun does (live events, pause
   * and stop); resolves once its run exists, with a way to wait for its end and to stop it.
   */
  async startQueued(job: Omit<TrainJob, 'kind' | 'home'>): Promise<{ runId: string; done: Promise<unknown>; stop: () => void }> {
    const { event, running } = await this.launchTraining({ home: this.home, ...job });
    return { runId: event.runId, done: running.result, stop: () => running.handle.stop() };
  }

  async pauseRun(runId: string): Promise<void> {
    this.liveRun(runId).handle.pause();
  }

  async resumeRun(runId: string, options: ResumeOptions = {}): Promise<ResumeResult> {
    const id = this.runs.resolveId(runId);
    const { maxSteps } = options;
    const live = this.live.get(id);
    if (live) {
      if (maxSteps !== undefined) throw new ApiError(`run ${id} is training: stop it before giving it a new step limit`);
      live.handle.resume();
      return { runId: id, from: 'paused' };
    }
    const pending = this.resuming.get(id);
    if (pending) return pending;
    const owner = this.runs.liveOwner(id);
    if (owner) throw new ApiError(`run ${id} is being trained by process ${owner.pid} (since ${owner.since})`);
    // The trainer keeps the run's recorded step limit, backend and workers unless given anew.
    const started = this.startTraining({ home: this.home, resume: id, maxSteps }).then(
      ({ resumedFrom }): ResumeResult => (resumedFrom ? { runId: id, from: 'checkpoint', resumedFrom } : { runId: id, from: 'start' }),
    );
    this.resuming.set(id, started);
    try {
      return await started;
    } finally {
      this.resuming.delete(id);
    }
  }

  async stopRun(runId: string): Promise<void> {
    const id = this.runs.resolveId(runId);
    const live = this.live.get(id);
    if (live) return live.handle.stop();
    // Another process (the CLI) trains it: saying nothing would leave the user waiting.
    const owner = this.runs.liveOwner(id);
    if (owner) throw new ApiError(`run ${id} is trained by process ${owner.pid}, not by this studio: stop it there (Ctrl-C, or SIGTERM to process ${owner.pid})`);
  }

  /** Runs being trained by this service right now. */
  liveRunIds(): string[] {
    return [...this.live.keys()];
  }

  /** Trained right now, by this studio or by another process (the CLI) holding its lock. */
  isLive(runId: string): boolean {
    if (this.live.has(runId)) return true;
    try {
      return this.runs.liveOwner(runId) !== undefined;
    } catch {
      return false; // No such run.
    }
  }

  /** Asks every live run to stop at its next step and waits for them (or `timeoutMs`). */
  async shutdown(timeoutMs: number): Promise<void> {
    // A resume under way announces its run first, so that it is stopped with the others.
    await Promise.race([Promise.allSettled([...this.resuming.values()]), new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    const pending = [...this.live.values()];
    for (const r of pending) r.handle.stop();
    const all = Promise.allSettled(pending.map((r) => r.result));
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([all, timer]);
    for (const r of this.live.values()) r.handle.kill();
  }

  /**
   * Starts a train job and resolves with its run id once the trainer announces it; every event is
   * forwarded as {runId, event} (those before the announcement once it is known). A job that fails
   * before creating its run rejects with the trainer's message.
   */
  private startTraining(job: Parameters<EngineService['train']>[0]): Promise<Extract<JobEvent, { type: 'run' }>> {
    return this.launchTraining(job).then(({ event }) => event);
  }

  private launchTraining(job: Parameters<EngineService['train']>[0]): Promise<{ event: Extract<JobEvent, { type: 'run' }>; running: Running<TrainSummary> }> {
    return new Promise((resolve, reject) => {
      let runId: string | undefined;
      const early: JobEvent[] = [];
      const running = this.engine.train(job, (event) => {
        if (event.type === 'run' && !runId) {
          runId = event.runId;
          this.live.set(runId, running);
          for (const e of early.splice(0)) this.events.emit(runId, e);
          this.events.emit(runId, event);
          resolve({ event, running });
          return;
        }
        if (runId) this.events.emit(runId, event);
        else early.push(event);
      });
      running.result.then(
        () => {
          if (runId) this.live.delete(runId);
        },
        (err: unknown) => {
          if (!runId) {
            reject(err instanceof JobError ? new ApiError(err.message) : err);
            return;
          }
          this.live.delete(runId);
          // The trainer reports its own errors as events; a crash (process died) has none.
          if (err instanceof JobError && err.code === 'crash') this.events.emit(runId, { type: 'error', message: err.message, code: 'crash' });
        },
      );
    });
  }

  private liveRun(runId: string): Running<TrainSummary> {
    const id = this.runs.resolveId(runId);
    const live = this.live.get(id);
    if (!live) throw new ApiError(`run ${id} is not training (resume it instead)`);
    return live;
  }
}

/** Tags as stored: trimmed, inner whitespace kept, empty ones and repeats (ignoring case) dropped. */
export function cleanTags(tags: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim();
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    out.push(tag);
  }
  return out;
}

export function runRow(meta: RunMeta): RunRow {
  const row: RunRow = {
    id: meta.id,
    name: meta.name,
    task: meta.task,
    status: meta.status,
    createdAt: meta.createdAt,
    config: meta.config as unknown as RamConfig,
  };
  if (meta.best) row.bestValidationAccuracy = meta.best.validationAccuracy;
  if (meta.last?.validationAccuracy !== undefined) row.lastValidationAccuracy = meta.last.validationAccuracy;
  if (meta.test) {
    row.testAccuracy = meta.test.accuracy;
    if (meta.test.accuracyMC !== undefined) row.testAccuracyMC = meta.test.accuracyMC;
  }
  if (meta.timings?.trainSeconds !== undefined) row.durationSeconds = meta.timings.trainSeconds;
  if (meta.backend) row.backend = meta.backend.name;
  if (meta.notes) row.notes = meta.notes;
  if (meta.tags?.length) row.tags = [...meta.tags];
  if (meta.sweep) row.sweep = { name: meta.sweep.name, trial: meta.sweep.trial, settings: { ...meta.sweep.settings } as SweepTrialInfo['settings'] };
  if (meta.progress) row.progress = meta.progress;
  if (meta.error) row.error = meta.error;
  if (meta.stopReason) row.stopReason = meta.stopReason.message;
  if (meta.example) row.example = meta.example;
  if (meta.dataset?.classNames?.length) row.classNames = [...meta.dataset.classNames];
  if (meta.dataset?.channels !== undefined) row.channels = meta.dataset.channels;
  return row;
}
