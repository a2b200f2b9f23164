/** Runs one job after loading the backend; every failure becomes an error event, never a crash. */
import type { Job, JobEvent } from '../shared/jobs';
import { describeBackend, selectBackend } from './backend';
import { describeAdapter } from './webgpu';
import { runBenchJob } from './bench-job';
import { runEvalJob, runMisclassifiedJob, runTraceJob } from './eval-job';
import { runExportJob } from './export-job';
import type { JobContext } from './job-context';
import { runTrainJob, withRecordedLimits } from './train-job';
import { runImportJob } from './import-job';
import { runFixationsJob } from './fixations-job';

export async function runJob(job: Job, ctx: JobContext): Promise<void> {
  // A resume continues the run as it was started: its backend choice too, unless given anew.
  if (job.kind === 'train' && job.resume) job = { ...job, ...withRecordedLimits(job) };
  // Decoding images needs no tensors: no backend to load.
  if (job.kind === 'import') {
    ctx.emit({ type: 'result', result: await runImportJob(job, ctx) });
    return;
  }
  const backend = await selectBackend(job.backend);
  const adapter = backend.adapter ? { adapter: describeAdapter(backend.adapter) } : {};
  ctx.emit({ type: 'backend', name: backend.name, reason: backend.reason, skipped: backend.skipped, ...adapter });
  ctx.emit({ type: 'log', message: describeBackend(backend) });
  let result: Extract<JobEvent, { type: 'result' }>['result'];
  switch (job.kind) {
    case 'train':
      result = await runTrainJob(job, backend, ctx);
      break;
    case 'evaluate':
      result = await runEvalJob(job, ctx);
      break;
    case 'trace':
      result = await runTraceJob(job, ctx);
      break;
    case 'export':
      result = await runExportJob(job, ctx);
      break;
    case 'bench':
      result = await runBenchJob(job, backend, ctx);
      break;
    case 'misclassified':
      result = await runMisclassifiedJob(job, ctx);
      break;
    case 'fixations':
      result = await runFixationsJob(job, ctx);
      break;
    case 'probe':
      result = { name: backend.name, reason: backend.reason, skipped: backend.skipped, ...adapter };
      break;
  }
  ctx.emit({ type: 'result', result });
}

/** A one-line message for an error, without a stack trace: what went wrong and where. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
