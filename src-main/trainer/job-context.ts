/** What a job gets from the process that runs it: a way to report, and pause/stop requests. */
import type { JobEvent } from '../shared/jobs';

export interface JobContext {
  emit(event: JobEvent): void;
  /** True once a stop was asked for: the job ends cleanly at the next step. */
  readonly stopRequested: boolean;
  /** Resolves at once unless paused; lets control messages in between steps. */
  checkpoint(): Promise<void>;
}

/** A context driven by messages (pause / resume / stop). */
export class MessageJobContext implements JobContext {
  private paused = false;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(readonly emit: (event: JobEvent) => void) {}

  get stopRequested(): boolean {
    return this.stopping;
  }

  pause(): void {
    if (this.paused || this.stopping) return;
    this.paused = true;
    this.emit({ type: 'status', status: 'paused' });
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.emit({ type: 'status', status: 'running' });
    this.wake?.();
  }

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.emit({ type: 'status', status: 'stopping' });
    this.wake?.();
  }

  async checkpoint(): Promise<void> {
    // Yield to the event loop so that control messages are seen between steps.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.paused && !this.stopping) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
