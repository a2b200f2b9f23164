/** The one stream of training events the studio's subscribers see, as {runId, event}. */
import type { TrainingEvent, Unsubscribe } from '../shared/api';
import type { JobEvent } from '../shared/jobs';

export class TrainingEvents {
  private readonly listeners = new Set<(event: TrainingEvent) => void>();

  on(listener: (event: TrainingEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(runId: string, event: JobEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener({ runId, event });
      } catch {
        // One broken subscriber must not stop the others.
      }
    }
  }

  /** A job's progress worth showing on its run (evaluation); other events stay with the job. */
  forwardProgress(runId: string, event: JobEvent): void {
    if (event.type === 'evaluating' || event.type === 'glimpses') this.emit(runId, event);
  }
}
