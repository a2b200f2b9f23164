/**
 * Evaluation and traces of a run's checkpoints: test accuracy (recorded on the run), glimpse
 * traces, and the test images a checkpoint gets wrong. Each is a job in a trainer process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FixationsRequest, ImageTraceRequest, TraceRequest } from '../shared/api';
import type { EvalSummary, FixationsSummary, JobEvent, Misclassified, ModelRef, TraceJob } from '../shared/jobs';
import type { GlimpseTrace } from '../shared/trace';
import type { RunStore } from '../storage';
import { ApiError } from './api-error';
import { backendOf } from './backend-setting';
import type { JobHandle, JobLauncher } from './job-launcher';
import type { ProjectStore } from './project-store';
import type { TrainingEvents } from './training-events';
import type { EngineService } from './training-service';

/** The largest picture traceImage takes (PNG, JPEG or WebP bytes). */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

export class EvaluationService {
  /** Evaluation and fixation jobs in flight, by run: what cancelEvaluation stops. */
  private readonly inFlight = new Map<string, Set<{ handle: JobHandle; cancelled: boolean }>>();

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
    const running = this.engine.evaluate(job, (e) => this.events.forwardProgress(model.run, e));
    return this.track(model.run, running.handle, running.result);
  }

  /** Where the run's model looks over its test set; progress as the run's 'evaluating' events. */
  async getFixations(request: FixationsRequest): Promise<FixationsSummary> {
    const model = this.modelRef(request.runId, request.checkpoint);
    const job = { model, mode: request.mode, backend: backendOf(this.projects, undefined) };
    const running = this.engine.fixations(job, (e: JobEvent) => this.events.forwardProgress(model.run, e));
    return this.track(model.run, running.handle, running.result);
  }

  /** Stops the run's evaluation and fixation jobs in flight; their promises reject with 'cancelled'. */
  async cancelEvaluation(runId: string): Promise<void> {
    const id = this.runs.resolveId(runId);
    for (const entry of this.inFlight.get(id) ?? []) {
      entry.cancelled = true;
      entry.handle.kill();
    }
  }

  /** A user's own picture traced: its bytes go to a temporary file the trace job reads, removed after. */
  async traceImage(request: ImageTraceRequest): Promise<GlimpseTrace> {
    if (request.image.byteLength === 0) throw new ApiError('the image is empty');
    if (request.image.byteLength > MAX_IMAGE_BYTES) throw new ApiError(`the image is ${request.image.byteLength} bytes; at most ${MAX_IMAGE_BYTES} are taken`);
    const model = this.modelRef(request.runId, request.checkpoint);
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'saccade-image-'));
    try {
      const imageFile = path.join(dir, `picture${imageExtension(request.image)}`);
      await fs.promises.writeFile(imageFile, request.image);
      const job = { model, indices: [], imageFile, invert: request.invert, mode: request.mode, seed: request.seed, backend: backendOf(this.projects, undefined) };
      const [trace] = await this.engine.trace(job, () => {}).result;
      if (!trace) throw new ApiError('the trace job returned no trace');
      return trace;
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }

  private async track<T>(runId: string, handle: JobHandle, result: Promise<T>): Promise<T> {
    const entry = { handle, cancelled: false };
    let set = this.inFlight.get(runId);
    if (!set) this.inFlight.set(runId, (set = new Set()));
    set.add(entry);
    try {
      return await result;
    } catch (err) {
      if (entry.cancelled) throw new ApiError('cancelled');
      throw err;
    } finally {
      set.delete(entry);
      if (set.size === 0 && this.inFlight.get(runId) === set) this.inFlight.delete(runId);
    }
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

/** The file name's extension by the bytes' signature (decoders that look at the name see the right one). */
function imageExtension(bytes: Uint8Array): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return '.png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return '.jpg';
  if (bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x46 && bytes[8] === 0x57 && bytes[9] === 0x45) return '.webp';
  return '.png';
}
