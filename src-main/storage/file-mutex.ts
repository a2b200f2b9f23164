/**
 * A short cross-process mutex for read-modify-write of one small file (a run's meta.json, which
 * the trainer and the studio both update). mkdir is atomic everywhere, so the folder is the lock.
 */
import * as fs from 'node:fs';
import { StorageError, toStorageError } from './errors';

/** A holder that has not finished within this long is taken to have died mid-update. */
const STALE_MS = 10_000;
const GIVE_UP_MS = 15_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Runs `fn` while holding `lockDir`; updates are short, so waiting is a synchronous spin. */
export function withFileMutex<T>(lockDir: string, fn: () => T): T {
  const start = Date.now();
  for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toStorageError(err, 'lock', lockDir);
    }
    try {
      if (Date.now() - fs.statSync(lockDir).mtimeMs > STALE_MS) fs.rmSync(lockDir, { recursive: true, force: true });
    } catch {
      // Released meanwhile.
    }
    if (Date.now() - start > GIVE_UP_MS) throw new StorageError(`cannot update: ${lockDir} stays locked`, lockDir, { code: 'EBUSY' });
    sleepSync(wait);
  }
  try {
    return fn();
  } finally {
    try {
      fs.rmdirSync(lockDir);
    } catch {
      // Taken as stale by another process: nothing of ours is left to remove.
    }
  }
}
