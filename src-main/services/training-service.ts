/**
 * The engine's services behind one interface: train, resume, evaluate, trace, export, bench. Each job
 * runs in its own trainer process; a trainer that dies marks its run failed, keeping its data.
 */
import type { FixationsJob, FixationsSummary, ImportJob, ImportSummary, BenchResult, EvalJob, EvalSummary, ExportJob, ExportSummary, Job, JobEvent, TraceJob, TrainJob, TrainSummary, BenchJob } from '../shared/jobs';
import type { GlimpseTrace } from '../shared/trace';
import { RunStore } from '../storage';
import { ForkJobLauncher, JobError, type JobHandle, type JobLauncher } from './job-launcher';

export interface Running<T> {
  handle: JobHandle;
  result: Promise<T>;
}

export class EngineService {
  constructor(private readonly launcher: JobLauncher = new ForkJobLauncher()) {}

  train(job: Omit<TrainJob, 'kind'>, onEvent: (e: JobEvent) => void): Running<TrainSummary> {
    let runId = job.resume;
    const handle = this.launcher.start({ kind: 'train', ...job }, (event) => {
      if (event.type === 'run') runId = event.runId;
      onEvent(event);
    });
    const result = (handle.done as Promise<TrainSummary>).catch((err: unknown) => {
      if (err instanceof JobError && err.code === 'crash' && runId) markCrashed(job.home, runId, err.message);
      throw err;
    });
    return { handle, result };
  }

  evaluate(job: Omit<EvalJob, 'kind'>, onEvent: (e: JobEvent) => void): Running<EvalSummary> {
    return this.run<EvalSummary>({ kind: 'evaluate', ...job }, onEvent);
  }

  trace(job: Omit<TraceJob, 'kind'>, onEvent: (e: JobEvent) => void): Running<GlimpseTrace[]> {
    return this.run<GlimpseTrace[]>({ kind: 'trace', ...job }, onEvent);
  }

  /** A glimpse animation, bounded, drawn and encoded in the trainer process (see export-job.ts). */
  export(job: Omit<ExportJob, 'kind'>, onEvent: (e: JobEvent) => void): Running<ExportSummary> {
    return this.run<ExportSummary>({ kind: 'export', ...job }, onEvent);
  }

  /** Decodes a folder once into the home's dataset cache (see import-job.ts). */
  importDataset(job: Omit<ImportJob, 'kind'>, onEvent: (e: JobEvent) => void): Running<ImportSummary> {
    return this.run<ImportSummary>({ kind: 'import', ...job }, onEvent);
  }

  /** Fixation densities of a model over a test set (see fixations-job.ts). */
  fixations(job: Omit<FixationsJob, 'kind'>, onEvent: (e: JobEvent) => void): Running<FixationsSummary> {
    return this.run<FixationsSummary>({ kind: 'fixations', ...job }, onEvent);
  }

  bench(job: Omit<BenchJob, 'kind'>, onEvent: (e: JobEvent) => void): Running<BenchResult[]> {
    return this.run<BenchResult[]>({ kind: 'bench', ...job }, onEvent);
  }

  private run<T>(job: Job, onEvent: (e: JobEvent) => void): Running<T> {
    const handle = this.launcher.start(job, onEvent);
    return { handle, result: handle.done as Promise<T> };
  }
}

function markCrashed(home: string, runId: string, message: string): void {
  try {
    const store = new RunStore(home);
    const meta = store.getRun(runId);
    if (meta.status === 'running' || meta.status === 'paused' || meta.status === 'interrupted') {
      store.updateMeta(runId, { status: 'failed', error: `${message}; resume it from its last checkpoint` });
    }
  } catch {
    // The run's folder may be gone; the caller still gets the crash error.
  }
}
