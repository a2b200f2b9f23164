/**
 * One writer per run: the process that trains a run holds runs/<id>/lock.json (its pid, host,
 * process start time and a heartbeat). A second trainer is refused; a lock whose owner died (a
 * SIGKILL, a power cut) is stale and is taken over.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { removeQuietly, writeJsonAtomic } from './atomic';
import { StorageError, toStorageError } from './errors';
import { withFileMutex } from './file-mutex';

export const LOCK_FILE = 'lock.json';
/** link() errors of file systems that have no hard links (FAT, some network shares). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);
/** Held while a stale lock is checked and removed. */
const TAKEOVER_MUTEX = '.lock-takeover';
/** How often a holder refreshes its heartbeat. */
export const HEARTBEAT_MS = 15_000;
/** A lock from another host whose heartbeat is older than this is taken over. */
export const STALE_HEARTBEAT_MS = 10 * 60_000;

export interface LockInfo {
  pid: number;
  host: string;
  /** The owner's start time as the OS reports it (Linux: /proc/<pid>/stat), against pid reuse. */
  processStart?: string;
  owner: string;
  since: string;
  heartbeatAt: string;
}

export class RunBusyError extends StorageError {
  constructor(
    readonly runId: string,
    readonly holder: LockInfo,
    file: string,
  ) {
    super(`run ${runId} is being trained by process ${holder.pid}${holder.host !== os.hostname() ? ` on ${holder.host}` : ''} (since ${holder.since})`, file, { code: 'EBUSY' });
  }
}

/** The start time of a process (Linux), so a reused pid is not mistaken for the owner. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) comes after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A zombie (dead, not yet reaped: an orphan in a container whose init does not reap) holds nothing.
  return processState(pid) !== 'Z';
}

/** The state letter of a process (Linux: R, S, D, Z, ...), undefined where /proc cannot tell. */
function processState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v?.pid === 'number' && typeof v.host === 'string' && typeof v.since === 'string') {
      return { owner: '', heartbeatAt: v.since, ...v } as LockInfo;
    }
  } catch {
    // A torn or empty lock file: its writer died while writing it.
  }
  return undefined;
}

/** Whether the process that wrote `lock` still holds it. */
export function lockIsLive(lock: LockInfo, now = Date.now()): boolean {
  if (lock.host === os.hostname()) {
    if (!pidAlive(lock.pid)) return false;
    const start = processStartTime(lock.pid);
    return !(lock.processStart && start && start !== lock.processStart);
  }
  const beat = Date.parse(lock.heartbeatAt);
  return Number.isFinite(beat) && now - beat < STALE_HEARTBEAT_MS;
}

/** The live holder of a run's lock, if any. */
export function readLiveLock(runDir: string): LockInfo | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(runDir, LOCK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const lock = parseLock(text);
  return lock && lockIsLive(lock) ? lock : undefined;
}

export class RunLock {
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  private constructor(
    readonly file: string,
    private info: LockInfo,
  ) {
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /**
   * Takes the run's lock or throws RunBusyError naming the live holder. Creation is exclusive
   * (O_EXCL), so of two processes racing for a free or stale lock exactly one wins.
   */
  static acquire(runDir: string, runId: string, owner: string): RunLock {
    const file = path.join(runDir, LOCK_FILE);
    const now = new Date().toISOString();
    const info: LockInfo = { pid: process.pid, host: os.hostname(), processStart: processStartTime(process.pid), owner, since: now, heartbeatAt: now };
    for (let attempt = 0; attempt < 5; attempt++) {
      // Written whole first, then linked into place: link() fails if the lock exists, and no
      // reader ever sees an empty lock (which it would rightly take for a dead writer's).
      const tmp = path.join(runDir, `.${LOCK_FILE}.new-${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        const text = JSON.stringify(info, null, 2) + '\n';
        fs.writeFileSync(tmp, text, { mode: 0o644, flag: 'wx' });
        try {
          fs.linkSync(tmp, file);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EEXIST' || !NO_HARD_LINKS.has(code ?? '')) throw err;
          // A file system without hard links: an exclusive create (a brief empty-file window).
          fs.writeFileSync(file, text, { mode: 0o644, flag: 'wx' });
        }
        return new RunLock(file, info);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toStorageError(err, 'lock run', file);
      } finally {
        removeQuietly(tmp);
      }
      // Looking and removing happen under one mutex: two takers of a stale lock must not both
      // remove "it" (the second would remove the first taker's fresh lock).
      const holder = withFileMutex(path.join(runDir, TAKEOVER_MUTEX), () => {
        let text: string;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch {
          return undefined; // Released meanwhile: try again.
        }
        const current = parseLock(text);
        if (current && lockIsLive(current)) return current;
        const aside = path.join(runDir, `.${LOCK_FILE}.stale-${randomBytes(4).toString('hex')}`);
        fs.renameSync(file, aside);
        removeQuietly(aside);
        return undefined;
      });
      if (holder) throw new RunBusyError(runId, holder, file);
    }
    throw new StorageError(`cannot lock run ${runId}: ${file} keeps changing`, file, { code: 'EBUSY' });
  }

  /** Refreshes the heartbeat; a lock taken over meanwhile (we were thought dead) is left alone. */
  beat(): void {
    if (this.released || !this.stillOurs()) return;
    this.info = { ...this.info, heartbeatAt: new Date().toISOString() };
    try {
      writeJsonAtomic(this.file, this.info);
    } catch {
      // A full disk must not stop training; the pid still identifies the holder.
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    if (this.stillOurs()) removeQuietly(this.file);
  }

  private stillOurs(): boolean {
    try {
      const current = parseLock(fs.readFileSync(this.file, 'utf8'));
      return current?.pid === this.info.pid && current.since === this.info.since && current.host === this.info.host;
    } catch {
      return false;
    }
  }
}
