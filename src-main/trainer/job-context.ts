/** What a job gets from the process that runs it: a way to report, and pause/stop requests. */
import type { JobEvent } from '../shared/jobs';

export interface JobContext {
  emit(event: JobEvent): void;
  /** True once a stop was asked for: the job ends cleanly at the next step. */
  readonly stopRequested: boolean;
  /** Calls `listener` with true when the job is paused (now, or later) and false when it goes on. */
  onPauseChange(listener: (paused: boolean) => void): void;
  /** Resolves at once unless paused; lets control messages in between steps. */
  checkpoint(): Promise<void>;
}

/** A context driven by messages (pause / resume / stop). */
export class MessageJobContext implements JobContext {
  private paused = false;
  private readonly pauseListeners: ((paused: boolean) => void)[] = [];
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
    for (const listener of this.pauseListeners) listener(true);
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.emit({ type: 'status', status: 'running' });
    for (const listener of this.pauseListeners) listener(false);
    this.wake?.();
  }

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.emit({ type: 'status', status: 'stopping' });
    this.wake?.();
  }

  onPauseChange(listener: (paused: boolean) => void): void {
    this.pauseListeners.push(listener);
    // A pause asked for before the job listened (while it loaded its data) still counts.
    if (this.paused) listener(true);
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
