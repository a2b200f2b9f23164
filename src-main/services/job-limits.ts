/**
 * Bounds on the trainer processes one studio starts: every job is a process of its own, so
 * without a bound a burst of requests forks until the machine runs out of memory. Training jobs
 * beyond a few are refused; other jobs (evaluation, traces, exports) wait in a short queue.
 */
import type { Job, JobEvent } from '../shared/jobs';
import { JobError, type JobHandle, type JobLauncher, type JobResult } from './job-launcher';

export interface JobLimits {
  /** Training runs at once. */
  trainings: number;
  /** Other jobs at once. */
  jobs: number;
  /** Other jobs waiting for a slot; more are refused. */
  waiting: number;
}

export const DEFAULT_JOB_LIMITS: JobLimits = { trainings: 4, jobs: 2, waiting: 16 };

interface Waiting {
  start: () => void;
  cancel: () => void;
}

export class LimitedJobLauncher implements JobLauncher {
  private trainings = 0;
  private jobs = 0;
  private readonly queue: Waiting[] = [];
  /** Non-training jobs whose process runs now. */
  private readonly running = new Set<JobHandle>();
  private closed = false;

  constructor(
    private readonly inner: JobLauncher,
    readonly limits: JobLimits = DEFAULT_JOB_LIMITS,
  ) {}

  /**
   * Ends the launcher's work for good (the studio is closing): new starts are refused, waiting jobs
   * cancelled and running non-training jobs killed (their writes are atomic); trainings are the
   * caller's to stop cleanly.
   */
  close(): void {
    this.closed = true;
    for (const waiting of this.queue.splice(0)) waiting.cancel();
    for (const handle of this.running) handle.kill();
  }

  start(job: Job, onEvent: (event: JobEvent) => void): JobHandle {
    if (this.closed) throw new JobError('the studio is closing: no new jobs start', 'closing');
    if (job.kind === 'train') {
      if (this.trainings >= this.limits.trainings) {
        throw new JobError(`${this.trainings} runs are training already (at most ${this.limits.trainings} at once): stop one or wait for one to end`, 'busy');
      }
      const handle = this.inner.start(job, onEvent);
      // Counted once started: a start that throws takes no slot.
      this.trainings += 1;
      void handle.done.then(
        () => (this.trainings -= 1),
        () => (this.trainings -= 1),
      );
      return handle;
    }
    if (this.jobs < this.limits.jobs) return this.startJob(job, onEvent);
    if (this.queue.length >= this.limits.waiting) {
      return refused(new JobError(`too many jobs at once (${this.jobs} running, ${this.queue.length} waiting): try again when one has ended`, 'busy'));
    }
    return this.enqueue(job, onEvent);
  }

  private startJob(job: Job, onEvent: (event: JobEvent) => void): JobHandle {
    const handle = this.inner.start(job, onEvent);
    this.jobs += 1;
    this.running.add(handle);
    const release = () => {
      this.jobs -= 1;
      this.running.delete(handle);
      if (!this.closed) this.queue.shift()?.start();
    };
    void handle.done.then(release, release);
    return handle;
  }

  /** A handle whose process starts when a slot frees; killing it first just takes it off the queue. */
  private enqueue(job: Job, onEvent: (event: JobEvent) => void): JobHandle {
    let inner: JobHandle | undefined;
    let resolve!: (r: JobResult) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<JobResult>((res, rej) => ((resolve = res), (reject = rej)));
    const entry: Waiting = {
      start: () => {
        try {
          inner = this.startJob(job, onEvent);
          inner.done.then(resolve, reject);
        } catch (err) {
          // Its process could not start: this job fails, the next one in line gets its turn.
          reject(err);
          this.queue.shift()?.start();
        }
      },
      cancel: () => reject(new JobError('the job was cancelled before it started', 'cancelled')),
    };
    this.queue.push(entry);
    return {
      pause: () => inner?.pause(),
      resume: () => inner?.resume(),
      stop: () => inner?.stop(),
      kill: () => {
        if (inner) return inner.kill();
        const at = this.queue.indexOf(entry);
        if (at >= 0) this.queue.splice(at, 1);
        entry.cancel();
      },
      get pid() {
        return inner?.pid;
      },
      done,
    };
  }
}

function refused(error: JobError): JobHandle {
  const done = Promise.reject(error);
  return { pause() {}, resume() {}, stop() {}, kill() {}, pid: undefined, done };
}
