/**
 * Evaluation and traces of a run's checkpoints: test accuracy (recorded on the run), glimpse
 * traces, and the test images a checkpoint gets wrong. Each is a job in a trainer process.
 */
import type { TraceRequest } from '../shared/api';
import type { EvalSummary, Misclassified, ModelRef, TraceJob } from '../shared/jobs';
import type { GlimpseTrace } from '../shared/trace';
import type { RunStore } from '../storage';
import { ApiError } from './api-error';
import { backendOf } from './backend-setting';
import type { JobLauncher } from './job-launcher';
import type { ProjectStore } from './project-store';
import type { TrainingEvents } from './training-events';
import type { EngineService } from './training-service';

export class EvaluationService {
  constructor(
    private readonly home: string,
    private readonly runs: RunStore,
    private readonly projects: ProjectStore,
    private readonly launcher: JobLauncher,
    private readonly engine: EngineService,
    private readonly events: TrainingEvents,
  ) {}

  async evaluateRun(runId: string, checkpoint?: string): Promise<EvalSummary> {
    const model = this.modelRef(runId, checkpoint);
    const job = { model, record: true, backend: backendOf(this.projects, undefined) };
    return this.engine.evaluate(job, (e) => this.events.forwardProgress(model.run, e)).result;
  }

  async traceRun(request: TraceRequest): Promise<GlimpseTrace[]> {
    return this.engine.trace(this.traceJob(request), () => {}).result;
  }

  /** A trace request as a job's fields, its run and checkpoint checked (traces and exports share them). */
  traceJob(request: TraceRequest): Omit<TraceJob, 'kind'> {
    const model = this.modelRef(request.runId, request.checkpoint);
    return { model, indices: request.indices, mode: request.mode, seed: request.seed, backend: backendOf(this.projects, undefined) };
  }

  async listMisclassified(runId: string, limit: number, checkpoint?: string): Promise<Misclassified[]> {
    const model = this.modelRef(runId, checkpoint);
    if (limit === 0) return [];
    const job = { kind: 'misclassified' as const, model, limit, backend: backendOf(this.projects, undefined) };
    return this.launcher.start(job, (e) => this.events.forwardProgress(model.run, e)).done as Promise<Misclassified[]>;
  }

  /** The run and checkpoint a job loads (default: the run's best), checked to exist. */
  modelRef(runId: string, checkpoint: string | undefined): ModelRef & { run: string } {
    const id = this.runs.resolveId(runId);
    if (checkpoint && !this.runs.listCheckpoints(id).some((c) => c.name === checkpoint)) throw new ApiError(`run ${id} has no checkpoint '${checkpoint}'`);
    if (!checkpoint && this.runs.listCheckpoints(id).length === 0) throw new ApiError(`run ${id} has no checkpoint yet`);
    return { home: this.home, run: id, checkpoint: checkpoint || undefined };
  }
}
