/**
 * The run queue: home/queue.json ({version: 1, entries}, array order = queue order), shared by
 * every process on that home (the studio, `saccade train --queue`, `saccade queue run`). Every
 * read-modify-write holds home/.queue-lock (withFileMutex) and writes atomically, so two runners
 * never claim one entry; reads take no lock (every write is an atomic rename). It deliberately does not live in electron-store/conf: conf caches the
 * file in memory and has no cross-process lock, so a second process's changes would be lost.
 * A file that does not parse is never overwritten: it is moved aside (queue.json.bad-<time>) and
 * a warning says where.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { MAX_QUEUE, type QueueEntry, type QueueRunnerInfo, type QueuedResume, type QueuedTraining } from '../shared/api';
import { writeJsonAtomic } from './atomic';
import { QueueError, toStorageError } from './errors';
import { withFileMutex } from './file-mutex';
import { pidAlive, processStartTime } from './run-lock';

export const QUEUE_FILE = 'queue.json';
const QUEUE_LOCK = '.queue-lock';
/** A runner on another host whose heartbeat is older than this is taken to be gone. */
export const RUNNER_STALE_MS = 2 * 60_000;

const runnerSchema = z.looseObject({ id: z.string(), pid: z.number(), host: z.string(), processStart: z.string().optional(), since: z.string(), heartbeatAt: z.string() });
const sweepSchema = z.looseObject({ name: z.string(), trial: z.number(), settings: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])) });
const jobSchema = z.discriminatedUnion('kind', [
  z.looseObject({
    kind: z.literal('train'),
    name: z.string(),
    config: z.looseObject({ task: z.string() }),
    given: z.array(z.string()),
    dataset: z.string(),
    dataDir: z.string().optional(),
    backend: z.string().optional(),
    maxSteps: z.number().optional(),
    patience: z.number().optional(),
    medianStop: z.boolean().optional(),
    sweep: sweepSchema.optional(),
  }),
  z.looseObject({ kind: z.literal('resume'), runId: z.string(), name: z.string(), maxSteps: z.number().optional() }),
]);
const entrySchema = z.looseObject({
  id: z.string().min(1),
  projectId: z.string().optional(),
  addedAt: z.string(),
  state: z.enum(['queued', 'running', 'failed']),
  position: z.number().optional(),
  job: jobSchema,
  runId: z.string().optional(),
  runner: runnerSchema.optional(),
  error: z.string().optional(),
});
const fileSchema = z.looseObject({ version: z.literal(1), entries: z.array(entrySchema) });

interface QueueFile {
  version: 1;
  entries: QueueEntry[];
}

let counter = 0;
function newEntryId(): string {
  counter = (counter + 1) % 1296;
  return `q${Date.now().toString(36)}${counter.toString(36).padStart(2, '0')}${Math.random().toString(36).slice(2, 6)}`;
}

/** Whether the runner that took an entry is gone: its process (same host) or its heartbeat (other hosts). */
export function runnerIsDead(runner: QueueRunnerInfo | undefined, now = Date.now()): boolean {
  if (!runner) return true;
  if (runner.host === os.hostname()) {
    if (!pidAlive(runner.pid)) return true;
    // Alive, but perhaps another process that got the pid after a reboot.
    const started = runner.processStart === undefined ? undefined : processStartTime(runner.pid);
    return started !== undefined && started !== runner.processStart;
  }
  const beat = Date.parse(runner.heartbeatAt);
  return !Number.isFinite(beat) || now - beat > RUNNER_STALE_MS;
}

/**
 * What a runner needs of a queue. RunQueue (one file, shared by the processes on one home) is
 * one implementation; a job system's (BullMQ on Redis, for runners on several boxes sharing the
 * run folders) would be another, with the runner unchanged (README: "Where one machine is not enough").
 */
export interface WorkQueue {
  list(): QueueEntry[];
  /** The next queued entry, now marked running by `runner`; undefined when none is queued. */
  claimNext(runner: QueueRunnerInfo): QueueEntry | undefined;
  /** Entry `id` (queued or failed), marked running by `runner` whatever its position. */
  claim(id: string, runner: QueueRunnerInfo): QueueEntry;
  setRunId(id: string, runId: string): void;
  /** Its run ended: the entry leaves the queue. */
  finish(id: string): void;
  fail(id: string, message: string): void;
  /** Back to queued at its place, as a resume of its run (its runner stops). */
  putBack(id: string): QueueEntry | undefined;
  /** Refreshes the heartbeat of the entries `runnerId` holds. */
  touch(runnerId: string): void;
  /** Entries of dead runners go back to queued (as resumes of their runs); returns them. */
  recoverStale(isRunLive: (runId: string) => boolean, isRunDone?: (runId: string) => boolean): QueueEntry[];
}

export class RunQueue implements WorkQueue {
  readonly file: string;
  private readonly lockDir: string;
  /** The last problem met reading the file (it was moved aside); the studio shows it. */
  warning?: string;

  constructor(
    readonly home: string,
    private readonly onWarning?: (message: string) => void,
  ) {
    this.file = path.join(home, QUEUE_FILE);
    this.lockDir = path.join(home, QUEUE_LOCK);
  }

  /** Every entry: running, then queued by position (filled 1..n), then failed. */
  list(): QueueEntry[] {
    return ordered(this.locked((q) => q.entries, false));
  }

  /** Adds jobs at the end of the queue; refused beyond MAX_QUEUE entries. */
  add(jobs: (QueuedTraining | QueuedResume)[], options: { projectId?: string } = {}): QueueEntry[] {
    return this.locked((q) => {
      if (q.entries.length + jobs.length > MAX_QUEUE) {
        throw new QueueError(`the queue holds at most ${MAX_QUEUE} entries (it has ${q.entries.length}; ${jobs.length} more would not fit)`);
      }
      const addedAt = new Date().toISOString();
      const added = jobs.map((job): QueueEntry => ({ id: newEntryId(), ...(options.projectId ? { projectId: options.projectId } : {}), addedAt, state: 'queued', job }));
      q.entries.push(...added);
      const positions = new Map(ordered(q.entries).map((e) => [e.id, e.position]));
      return added.map((e) => ({ ...e, position: positions.get(e.id) }));
    });
  }

  /** Moves a queued entry to `position` among the queued ones (1: next to start). */
  move(id: string, position: number): QueueEntry[] {
    this.locked((q) => {
      const entry = find(q, id);
      if (entry.state !== 'queued') throw new QueueError(`queue entry ${id} is ${entry.state}: only a queued entry can be moved`);
      const queued = q.entries.filter((e) => e.state === 'queued');
      if (!Number.isInteger(position) || position < 1 || position > queued.length) {
        throw new QueueError(`position ${position} is not in the queue: give 1 to ${queued.length}`);
      }
      q.entries.splice(q.entries.indexOf(entry), 1);
      const others = queued.filter((e) => e !== entry);
      const before = others[position - 1];
      if (before) q.entries.splice(q.entries.indexOf(before), 0, entry);
      else q.entries.splice(q.entries.indexOf(others[others.length - 1]!) + 1, 0, entry);
    });
    return this.list();
  }

  /** Takes a queued or failed entry out; a running one is stopped through its run instead. */
  cancel(id: string): void {
    this.locked((q) => {
      const entry = find(q, id);
      if (entry.state === 'running') {
        throw new QueueError(`queue entry ${id} is running${entry.runId ? ` (run ${entry.runId})` : ''}: stop its run instead`);
      }
      q.entries.splice(q.entries.indexOf(entry), 1);
    });
  }

  /** The first queued entry, now running under `runner`; undefined when nothing is queued. */
  claimNext(runner: QueueRunnerInfo): QueueEntry | undefined {
    // Runners poll every second: with nothing queued the file is only read, never rewritten.
    if (!this.locked((q) => q.entries.some((e) => e.state === 'queued'), false)) return undefined;
    return this.locked((q) => {
      const entry = q.entries.find((e) => e.state === 'queued');
      if (!entry) return undefined;
      return take(entry, runner);
    });
  }

  /** Entry `id`, whatever its position, now running under `runner` (start now). */
  claim(id: string, runner: QueueRunnerInfo): QueueEntry {
    return this.locked((q) => {
      const entry = find(q, id);
      if (entry.state === 'running') throw new QueueError(`queue entry ${id} is already running${entry.runId ? ` (run ${entry.runId})` : ''}`);
      return take(entry, runner);
    });
  }

  setRunId(id: string, runId: string): void {
    this.locked((q) => {
      find(q, id).runId = runId;
    });
  }

  /** The entry's run ended (the run keeps its outcome): it leaves the queue. */
  finish(id: string): void {
    this.locked((q) => {
      const i = q.entries.findIndex((e) => e.id === id);
      if (i >= 0) q.entries.splice(i, 1);
    });
  }

  /** The entry could not start: it stays, failed, with the reason, until cancelled. */
  fail(id: string, message: string): void {
    this.locked((q) => {
      const entry = q.entries.find((e) => e.id === id);
      if (!entry) return;
      entry.state = 'failed';
      entry.error = message;
      delete entry.runner;
    });
  }

  /** A running entry goes back to its place, queued; with a run, as a resume of it (trains on from its checkpoint). */
  putBack(id: string): QueueEntry | undefined {
    return this.locked((q) => {
      const entry = q.entries.find((e) => e.id === id);
      if (!entry) return undefined;
      requeue(entry);
      return { ...entry };
    });
  }

  /** The runner's heartbeat on its entries, so runners on other hosts can tell it is alive. */
  touch(runnerId: string): void {
    this.locked((q) => {
      const now = new Date().toISOString();
      for (const e of q.entries) if (e.runner?.id === runnerId) e.runner.heartbeatAt = now;
    });
  }

  /**
   * Running entries whose runner is gone and whose run (if any) no process trains go back to
   * their place, queued (as a resume when they had a run); one whose run completed meanwhile
   * (`isRunDone`) leaves the queue. Returns what went back.
   */
  recoverStale(isRunLive: (runId: string) => boolean, isRunDone: (runId: string) => boolean = () => false): QueueEntry[] {
    const stale = (e: QueueEntry) => e.state === 'running' && runnerIsDead(e.runner) && !(e.runId && isRunLive(e.runId));
    // Read first without writing: a poll that finds nothing stale leaves the file alone.
    if (!this.locked((q) => q.entries.some(stale), false)) return [];
    return this.locked((q) => {
      const recovered: QueueEntry[] = [];
      for (const entry of [...q.entries]) {
        if (!stale(entry)) continue;
        if (entry.runId && isRunDone(entry.runId)) {
          q.entries.splice(q.entries.indexOf(entry), 1);
          continue;
        }
        requeue(entry);
        recovered.push({ ...entry });
      }
      return recovered;
    });
  }

  /** Reads the file, lets `fn` change it, and writes it back when `write` (all under the lock). */
  private locked<T>(fn: (q: QueueFile) => T, write = true): T {
    // A read needs no lock (writes are atomic renames) unless the file is bad and must be moved aside.
    if (!write) {
      const q = this.readValid();
      if (q) return fn(q);
    }
    fs.mkdirSync(this.home, { recursive: true });
    return withFileMutex(this.lockDir, () => {
      const q = this.read();
      const result = fn(q);
      if (write) writeJsonAtomic(this.file, q);
      return result;
    });
  }

  /** The file if it is missing or valid; undefined when it is not (read() then moves it aside, under the lock). */
  private readValid(): QueueFile | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' ? { version: 1, entries: [] } : undefined;
    }
    try {
      const parsed = fileSchema.safeParse(JSON.parse(text));
      return parsed.success ? { version: 1, entries: parsed.data.entries as unknown as QueueEntry[] } : undefined;
    } catch {
      return undefined;
    }
  }

  private read(): QueueFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, entries: [] };
      throw toStorageError(err, 'read', this.file);
    }
    let problem: string;
    try {
      const parsed = fileSchema.safeParse(JSON.parse(text));
      if (parsed.success) return { version: 1, entries: parsed.data.entries as unknown as QueueEntry[] };
      const issue = parsed.error.issues[0]!;
      problem = `${issue.path.join('.') || 'the file'}: ${issue.message}`;
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
    // Never overwritten: the unreadable file is kept beside, for the user to look at.
    const aside = `${this.file}.bad-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      fs.renameSync(this.file, aside);
    } catch (err) {
      throw toStorageError(err, 'move aside the unreadable queue', this.file);
    }
    this.warning = `the run queue ${this.file} could not be read (${problem}): it was moved to ${aside} and the queue starts empty`;
    this.onWarning?.(this.warning);
    return { version: 1, entries: [] };
  }
}

function find(q: QueueFile, id: string): QueueEntry {
  const entry = q.entries.find((e) => e.id === id);
  if (!entry) throw new QueueError(`no queue entry '${id}' (it may have started and ended already)`);
  return entry;
}

function take(entry: QueueEntry, runner: QueueRunnerInfo): QueueEntry {
  entry.state = 'running';
  entry.runner = { ...runner };
  delete entry.error;
  delete entry.position;
  return { ...entry };
}

function requeue(entry: QueueEntry): void {
  if (entry.runId) {
    const maxSteps = entry.job.maxSteps;
    entry.job = { kind: 'resume', runId: entry.runId, name: entry.job.name, ...(maxSteps !== undefined ? { maxSteps } : {}) };
  }
  entry.state = 'queued';
  delete entry.runner;
  delete entry.runId;
  delete entry.error;
}

/** Running first, then queued in array order with positions 1..n, then failed. */
function ordered(entries: QueueEntry[]): QueueEntry[] {
  const running = entries.filter((e) => e.state === 'running').map((e) => withoutPosition(e));
  const queued = entries.filter((e) => e.state === 'queued').map((e, i) => ({ ...e, position: i + 1 }));
  const failed = entries.filter((e) => e.state === 'failed').map((e) => withoutPosition(e));
  return [...running, ...queued, ...failed];
}

function withoutPosition(e: QueueEntry): QueueEntry {
  const { position: _position, ...rest } = e;
  return rest;
}
