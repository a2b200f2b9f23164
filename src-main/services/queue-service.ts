/**
 * The run queue and sweeps behind the API: entries checked as startRun checks a start, then kept
 * in the home's queue (RunQueue) for the studio's queue runner, or any other runner on that home
 * (`saccade queue run`), to start in order.
 */
import type { RamConfig } from '../core/config';
import { gridTrials, parseGridSpec, parseRandomSpec, randomTrials, SweepError, type Trial } from '../core/sweep';
import type { QueueEntry, QueuedTraining, ResumeOptions, StartRunRequest, SweepPreview, SweepRequest } from '../shared/api';
import type { RunStore } from '../storage';
import type { RunQueue } from '../storage/run-queue';
import { sweepNameUsed } from '../storage/sweep-history';
import { ApiError } from './api-error';
import type { ProjectStore } from './project-store';
import type { QueueRunner } from './queue-runner';
import type { RunService } from './run-service';

/** Run statuses a run can be re-queued from (it trains on from its last checkpoint). */
const REQUEUEABLE = new Set(['stopped', 'failed', 'interrupted']);

export class QueueService {
  constructor(
    private readonly queue: RunQueue,
    private readonly runner: () => QueueRunner | undefined,
    private readonly runs: RunStore,
    private readonly projects: ProjectStore,
    private readonly runService: RunService,
  ) {}

  async listQueue(): Promise<QueueEntry[]> {
    return this.queue.list();
  }

  async queueRun(request: StartRunRequest): Promise<QueueEntry> {
    const { config, given, dataset, name } = this.runService.prepareTraining(request);
    const job: QueuedTraining = {
      kind: 'train',
      name,
      config,
      given,
      dataset,
      ...(request.backend ? { backend: request.backend } : {}),
      ...(request.maxSteps !== undefined ? { maxSteps: request.maxSteps } : {}),
      ...(request.patience !== undefined ? { patience: request.patience } : {}),
    };
    const [entry] = this.queue.add([job], { projectId: request.projectId });
    this.runner()?.kick();
    return entry!;
  }

  async requeueRun(runId: string, options: ResumeOptions = {}): Promise<QueueEntry> {
    const entry = queueResume(this.queue, this.runs, runId, options, (id) => this.runService.isLive(id), (id) => this.projects.projectOfRun(id));
    this.runner()?.kick();
    return entry;
  }

  async moveQueued(entryId: string, position: number): Promise<QueueEntry[]> {
    const list = this.queue.move(entryId, position);
    this.runner()?.kick();
    return list;
  }

  async cancelQueued(entryId: string): Promise<void> {
    this.queue.cancel(entryId);
  }

  async startQueuedNow(entryId: string): Promise<void> {
    const runner = this.runner();
    if (!runner) throw new ApiError('this studio runs no queue runner (it is shutting down)');
    await runner.startNow(entryId);
  }

  async previewSweep(request: SweepRequest): Promise<SweepPreview> {
    const { trials } = this.sweepTrials(request);
    return { name: request.name, trials: trials.map((t, k) => ({ trial: k + 1, name: trialRunName(request.name, k + 1, t), settings: settingsOf(t) })) };
  }

  async queueSweep(request: SweepRequest): Promise<QueueEntry[]> {
    const { trials, given, dataset } = this.sweepTrials(request);
    const jobs = trials.map(
      (t, k): QueuedTraining => ({
        kind: 'train',
        name: trialRunName(request.name, k + 1, t),
        config: t.config,
        given: [...new Set([...given, ...Object.keys(t.values)])],
        dataset,
        ...(request.backend ? { backend: request.backend } : {}),
        ...(request.maxSteps !== undefined ? { maxSteps: request.maxSteps } : {}),
        ...(request.patience !== undefined ? { patience: request.patience } : {}),
        ...(request.medianStop ? { medianStop: true } : {}),
        sweep: { name: request.name, trial: k + 1, settings: settingsOf(t) },
      }),
    );
    const entries = this.queue.add(jobs, { projectId: request.projectId });
    this.runner()?.kick();
    return entries;
  }

  /** The trials of a sweep request, checked as a start is (its base config, data and stopping rules). */
  private sweepTrials(request: SweepRequest): { trials: Trial[]; given: string[]; dataset: string } {
    const name = request.name.trim();
    if (!name) throw new ApiError('a sweep needs a name');
    const grid = Object.entries(request.grid ?? {});
    const random = Object.entries(request.random ?? {});
    if (!grid.length && !random.length) throw new ApiError('a sweep needs a grid (SETTING: V1,V2) or random ranges (SETTING: log:A..B) with a number of trials');
    if (grid.length && random.length) throw new ApiError('give either grid or random specs, not both');
    if (random.length && request.trials === undefined) throw new ApiError('random specs need a number of trials (how many draws)');
    if (grid.length && request.trials !== undefined) throw new ApiError('trials applies to random specs (a grid has one trial per combination)');
    const base = this.runService.prepareTraining({
      projectId: request.projectId,
      name,
      config: request.config,
      dataset: request.dataset,
      backend: request.backend,
      maxSteps: request.maxSteps,
      patience: request.patience,
    });
    if (request.medianStop && base.config.validationSize === 0) throw new ApiError('median stopping needs a validation set to watch: give validationSize above 0');
    if (sweepNameUsed(this.runs, this.queue, name)) throw new ApiError(`a sweep named '${name}' exists already: give this one another name`);
    let trials: Trial[];
    try {
      trials = grid.length
        ? gridTrials(base.config, grid.map(([key, spec]) => parseGridSpec(`${key}=${spec}`)))
        : randomTrials(base.config, random.map(([key, spec]) => parseRandomSpec(`${key}=${spec}`)), request.trials!, request.seed ?? base.config.seed);
    } catch (err) {
      if (err instanceof SweepError || (err instanceof Error && err.name === 'ConfigError')) throw new ApiError(err.message);
      throw err;
    }
    return { trials, given: base.given, dataset: base.dataset };
  }
}

/**
 * Puts a stopped, failed or interrupted run back in the queue, to train on from its last
 * checkpoint (studio and command line alike): not a live run, not one queued already.
 */
export function queueResume(
  queue: RunQueue,
  runs: RunStore,
  runId: string,
  options: ResumeOptions,
  isLive: (runId: string) => boolean,
  projectOf: (runId: string) => string | undefined = () => undefined,
): QueueEntry {
  const id = runs.resolveId(runId);
  const meta = runs.getRun(id);
  if (isLive(id)) throw new ApiError(`run ${id} is training: it cannot be queued too`);
  if (!REQUEUEABLE.has(meta.status)) throw new ApiError(`run ${id} is ${meta.status}: only a stopped, failed or interrupted run can be queued to train on`);
  if (meta.example) throw new ApiError(`run ${id} is the shipped example model '${meta.example}': it has no optimizer state to continue from`);
  const queued = queue.list().find((e) => e.runId === id || (e.job.kind === 'resume' && e.job.runId === id));
  if (queued) throw new ApiError(`run ${id} is already in the queue (entry ${queued.id}, ${queued.state})`);
  const projectId = projectOf(id);
  const [entry] = queue.add([{ kind: 'resume', runId: id, name: meta.name, ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}) }], projectId ? { projectId } : {});
  return entry!;
}

/** "<sweep> #k <trial name>", as `saccade sweep` names its runs. */
function trialRunName(sweep: string, k: number, trial: Trial): string {
  return `${sweep.trim()} #${k} ${trial.name}`;
}

function settingsOf(trial: Trial): Record<string, number | string | boolean> {
  return { ...trial.values } as Record<keyof RamConfig, number | string | boolean>;
}
