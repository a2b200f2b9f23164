/** Append-only JSON lines: one object per line, robust to a crash in the middle of a write. */
import * as fs from 'node:fs';
import { toStorageError } from './errors';

export function appendJsonLine(file: string, obj: unknown): void {
  const line = JSON.stringify(obj);
  if (line === undefined || line.includes('\n')) throw new TypeError('appendJsonLine: value does not serialise to one line');
  try {
    fs.appendFileSync(file, line + '\n', 'utf8');
  } catch (err) {
    throw toStorageError(err, 'append to', file);
  }
}

/** Every parsable line; a torn last line or any garbled line is skipped, a missing file is empty. */
export function readJsonLines<T>(file: string): T[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw toStorageError(err, 'read', file);
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A torn or garbled line: keep the rest of the log readable.
    }
  }
  return out;
}

/**
 * Cuts a torn final line (no newline at the end of the file) so later appends start on a
 * clean line. Returns the number of bytes removed.
 */
export function repairJsonl(file: string): number {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw toStorageError(err, 'read', file);
  }
  if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return 0;
  const keep = buf.lastIndexOf(0x0a) + 1;
  try {
    if (parses(buf.subarray(keep).toString('utf8'))) {
      // Whole record, only the newline was lost: keep the record.
      fs.appendFileSync(file, '\n');
      return 0;
    }
    fs.truncateSync(file, keep);
  } catch (err) {
    throw toStorageError(err, 'repair', file);
  }
  return buf.length - keep;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
