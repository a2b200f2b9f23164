/**
 * A queue runner: takes entries from the home's run queue (RunQueue) in order and starts them,
 * at most `concurrency()` of its own at once. It polls about every second (and at once when
 * kicked), so entries added by other processes start too; several runners can share one queue.
 * How an entry starts is injected: the studio starts through RunService (live events, pause and
 * stop as for startRun), the command line through EngineService. Never runs in the UI.
 */
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import type { QueueEntry, QueueRunnerInfo } from '../shared/api';
import type { BackendRequest, TrainJob } from '../shared/jobs';
import { RunStore } from '../storage';
import { processStartTime } from '../storage/run-lock';
import { RunQueue, runnerIsDead, type WorkQueue } from '../storage/run-queue';
import { sweepMedianTable } from '../storage/sweep-history';

/** A run a start made: resolves `runId` once the trainer created the run. */
export interface StartedRun {
  runId: string;
  /** Settles when the run's training ends, whatever the outcome. */
  done: Promise<unknown>;
  /** Asks the trainer to stop cleanly at its next step. */
  stop(): void;
}

/** Starts one entry; rejects when it fails before its run exists (the entry is then marked failed). */
/** What the runner adds to an entry's job when it starts it: the median table, how many train side by side. */
export interface StartExtras {
  medianStop?: (number | null)[];
  sharing?: number;
}

export type StartEntry = (entry: QueueEntry, extras: StartExtras) => Promise<StartedRun>;

export interface QueueRunnerOptions {
  home: string;
  start: StartEntry;
  concurrency: () => number;
  /** Called on each start and end, for the command line's lines and the studio's refresh. */
  onChange?: (change: QueueChange) => void;
  pollMs?: number;
  /** Polling keeps the process alive (the headless `saccade queue run`); the studio's does not. */
  keepAlive?: boolean;
  /** The queue to take from (default: the home's file queue, RunQueue, without a warning listener). */
  queue?: WorkQueue;
}

export type QueueChange =
  | { type: 'started' | 'ended' | 'failed' | 'recovered' | 'put-back'; entry: QueueEntry; runId?: string; message?: string }
  /** The queue file could not be read or written this poll (tried again at the next). */
  | { type: 'error'; message: string };

const POLL_MS = 1000;
/** How often a runner's entries get its heartbeat (runners on other hosts call it dead after RUNNER_STALE_MS). */
const HEARTBEAT_MS = 15_000;
/** Run statuses that mean a run ended because this runner was stopped: put back to train on. */
const UNFINISHED = new Set(['stopped', 'interrupted', 'paused', 'running']);

export class QueueRunner {
  readonly queue: WorkQueue;
  readonly info: QueueRunnerInfo;
  private readonly store: RunStore;
  private readonly own = new Map<string, { entry: QueueEntry; run?: StartedRun; ended?: Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private ticking = false;
  private again = false;
  private idleWaiters: (() => void)[] = [];
  private readonly launching = new Set<Promise<StartedRun>>();

  constructor(private readonly options: QueueRunnerOptions) {
    this.queue = options.queue ?? new RunQueue(options.home);
    this.store = new RunStore(options.home);
    const now = new Date().toISOString();
    const processStart = processStartTime(process.pid);
    this.info = { id: randomBytes(6).toString('hex'), pid: process.pid, host: os.hostname(), ...(processStart ? { processStart } : {}), since: now, heartbeatAt: now };
  }

  /** Recovers entries of dead runners, then polls. */
  start(): void {
    this.recover();
    this.schedule(0);
  }

  /** Entries of runners that died (a killed process) go back to the queue, to train on. */
  private recover(): void {
    const done = (runId: string) => {
      try {
        return this.store.getRun(runId).status === 'completed';
      } catch {
        return false;
      }
    };
    for (const entry of this.queue.recoverStale((runId) => this.isRunLive(runId), done)) this.options.onChange?.({ type: 'recovered', entry });
  }

  /** Looks at the queue now (something was added or moved). */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Starts entry `id` now, beside what runs, whatever the concurrency. */
  async startNow(id: string): Promise<StartedRun> {
    const entry = this.queue.claim(id, this.heartbeat());
    return this.launch(entry);
  }

  /** Takes no more work; its entries running now are put back (as resumes) when their runs stop. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Stops taking work and asks each of its runs to stop; resolves when they ended and were put back. */
  async stopAndWait(): Promise<void> {
    this.stop();
    await this.launched();
    for (const r of this.own.values()) r.run?.stop();
    await this.drained();
  }

  /** Resolves once every start under way has its run (or failed), so that stopping runs stops them too. */
  async launched(timeoutMs = 60_000): Promise<void> {
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.allSettled([...this.launching]), timer]);
  }

  /** Resolves once every run of this runner ended and its entry was finished or put back. */
  async drained(timeoutMs = 60_000): Promise<void> {
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.allSettled([...this.own.values()].map((r) => r.ended)), timer]);
  }

  /** How many entries this runner trains now. */
  get running(): number {
    return this.own.size;
  }

  /** Resolves once nothing is queued and none of its own runs are training. */
  idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.kick();
    });
  }

  private isRunLive(runId: string): boolean {
    try {
      return this.store.liveOwner(runId) !== undefined;
    } catch {
      return false;
    }
  }

  private heartbeat(): QueueRunnerInfo {
    this.info.heartbeatAt = new Date().toISOString();
    return { ...this.info };
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    // The studio's runner must not keep its process alive; the headless one is what keeps it.
    if (this.options.keepAlive !== true) this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      if (this.own.size && Date.now() - Date.parse(this.info.heartbeatAt) >= HEARTBEAT_MS) this.queue.touch(this.heartbeat().id);
      this.recover();
      while (!this.stopped && this.own.size < Math.max(1, this.options.concurrency())) {
        const entry = this.queue.claimNext(this.heartbeat());
        if (!entry) break;
        void this.launch(entry).catch(() => undefined);
      }
      this.checkIdle();
    } catch (err) {
      // A queue file that cannot be read now (disk full, lock held long) is tried again next poll.
      this.options.onChange?.({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    } finally {
      this.ticking = false;
      this.schedule(this.again ? 0 : (this.options.pollMs ?? POLL_MS));
      this.again = false;
    }
  }

  private checkIdle(): void {
    if (!this.idleWaiters.length || this.own.size) return;
    // An entry of a dead runner whose orphaned trainer still stops comes back soon: wait for it.
    if (this.queue.list().some((e) => e.state === 'queued' || (e.state === 'running' && runnerIsDead(e.runner)))) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async launch(entry: QueueEntry): Promise<StartedRun> {
    const slot: { entry: QueueEntry; run?: StartedRun; ended?: Promise<void> } = { entry };
    this.own.set(entry.id, slot);
    let run: StartedRun;
    try {
      const job = entry.job;
      const medianStop = job.kind === 'train' && job.medianStop && job.sweep ? sweepMedianTable(this.store, job.sweep.name) : undefined;
      const sharing = Math.max(1, this.options.concurrency());
      const starting = this.options.start(entry, { ...(medianStop ? { medianStop } : {}), ...(sharing > 1 ? { sharing } : {}) });
      this.launching.add(starting);
      try {
        run = await starting;
      } finally {
        this.launching.delete(starting);
      }
    } catch (err) {
      this.own.delete(entry.id);
      const message = err instanceof Error ? err.message : String(err);
      this.queue.fail(entry.id, message);
      this.options.onChange?.({ type: 'failed', entry, message });
      this.kick();
      throw err;
    }
    slot.run = run;
    this.queue.setRunId(entry.id, run.runId);
    this.options.onChange?.({ type: 'started', entry, runId: run.runId });
    slot.ended = run.done
      .catch(() => undefined)
      .then(() => this.ended(entry, run.runId));
    return run;
  }

  private ended(entry: QueueEntry, runId: string): void {
    this.own.delete(entry.id);
    let status: string | undefined;
    try {
      status = this.store.getRun(runId).status;
    } catch {
      status = undefined;
    }
    try {
      // Stopped because this runner stops (Ctrl-C, the studio closing): the next runner trains it on.
      if (this.stopped && status && UNFINISHED.has(status)) {
        this.queue.putBack(entry.id);
        this.options.onChange?.({ type: 'put-back', entry, runId });
      } else {
        this.queue.finish(entry.id);
        this.options.onChange?.({ type: 'ended', entry, runId, message: status });
      }
    } catch (err) {
      this.options.onChange?.({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
    this.kick();
    if (this.stopped) this.checkIdleStopped();
  }

  /** A stopped runner is idle once its own runs ended. */
  private checkIdleStopped(): void {
    if (this.own.size) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/**
 * The train job of a queue entry: a resume of its run, or a new run from its checked config.
 * `dataDir` is where an imported dataset lives (the caller resolves 'import:<slug>').
 */
export function queuedTrainJob(entry: QueueEntry, dataDir: string | undefined, backend: BackendRequest | undefined, extras: StartExtras): Omit<TrainJob, 'kind' | 'home'> {
  const job = entry.job;
  const sharing = extras.sharing !== undefined ? { sharing: extras.sharing } : {};
  if (job.kind === 'resume') return { resume: job.runId, ...(job.maxSteps !== undefined ? { maxSteps: job.maxSteps } : {}), ...(backend ? { backend } : {}), ...sharing };
  return {
    ...sharing,
    config: { ...job.config },
    given: [...job.given],
    name: job.name,
    dataDir: job.dataDir ?? dataDir,
    backend,
    maxSteps: job.maxSteps,
    ...(job.patience !== undefined ? { patience: job.patience } : {}),
    ...(job.medianStop ? { medianStop: extras.medianStop ?? [] } : {}),
    ...(job.sweep ? { sweep: { name: job.sweep.name, trial: job.sweep.trial, settings: { ...job.sweep.settings } } } : {}),
  };
}
