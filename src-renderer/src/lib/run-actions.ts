/** Which runs can be resumed or extended, the step limit an extension asks for, and what to say after. */
import type { ResumeResult, RunRow } from '../../../src-main/shared/api';

/** Statuses a plain Resume continues (from the trainer's pause, or the run's last checkpoint). */
const RESUMABLE = ['stopped', 'failed', 'interrupted', 'paused'];

export function canResume(status: string): boolean {
  return RESUMABLE.includes(status);
}

/**
 * A completed run that ended at its step limit, before its last epoch: a higher limit trains it
 * further. (A run that trained all its epochs has progress.epoch === config.epochs.) Not a shipped
 * model: it comes without the optimizer state a resume needs.
 */
export function canExtend(row: Pick<RunRow, 'status' | 'progress' | 'config' | 'example'> | undefined): boolean {
  return !!row && !row.example && row.status === 'completed' && !!row.progress && row.progress.epoch < row.config.epochs;
}

export type StepLimitCheck = { ok: true; value: number } | { ok: false; error: string };

/** A new step limit as typed: a whole number above the step the run is at. */
export function parseStepLimit(raw: string, currentStep: number): StepLimitCheck {
  const s = raw.trim();
  if (s === '') return { ok: false, error: 'enter the new step limit' };
  const v = Number(s);
  if (!Number.isSafeInteger(v)) return { ok: false, error: 'must be a whole number of steps' };
  if (v <= currentStep) return { ok: false, error: `must be above the current step, ${currentStep}` };
  return { ok: true, value: v };
}

/** What a resume did, as the Training view says it; nothing for a paused run that simply goes on. */
export function resumeNotice(result: (ResumeResult & { maxSteps?: number }) | undefined): string | undefined {
  if (!result || result.from === 'paused') return undefined;
  const limit = result.maxSteps !== undefined ? `Extended to ${result.maxSteps} steps: ` : 'Resumed: ';
  if (result.from === 'start') return `${limit}no checkpoint yet: starting again from step 0.`;
  if (!result.resumedFrom) return `${limit}continuing from its last checkpoint.`;
  return `${limit}continuing from step ${result.resumedFrom.step} (epoch ${result.resumedFrom.epoch}).`;
}

/** The failure banner's advice, from the run's checkpoints: where a resume would continue, if anywhere. */
export function failureAdvice(checkpoints: readonly { step: number; epoch: number }[]): string {
  if (checkpoints.length === 0) return 'Its metrics are kept, but it has no checkpoint yet: resuming starts again from step 0.';
  const last = checkpoints.reduce((a, b) => (b.step > a.step ? b : a));
  return `Its metrics and checkpoints are kept; resume it to continue from step ${last.step} (epoch ${last.epoch}).`;
}

/** The run a view shows: the one chosen if it is still listed, else the first that has a trained model, else the first. */
export function runToShow(runs: readonly Pick<RunRow, 'id' | 'status'>[], chosen: string | undefined): string | undefined {
  if (chosen && runs.some((r) => r.id === chosen)) return chosen;
  return runs.find((r) => r.status === 'completed' || r.status === 'stopped')?.id ?? runs[0]?.id;
}

/** Statuses "Queue again" puts back in the queue, to train on from the last checkpoint (requeueRun). */
const REQUEUEABLE = ['stopped', 'failed', 'interrupted'];

export function canRequeue(status: string): boolean {
  return REQUEUEABLE.includes(status);
}
