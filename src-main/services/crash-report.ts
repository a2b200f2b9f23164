/** How a trainer process that died is described: one source for both launch ports. */
import fs from 'node:fs';

/** Only the end of stderr is kept: the error that ended the process is at the end. */
const STDERR_TAIL_CHARS = 4000;

export function appendStderrTail(tail: string, chunk: string): string {
  return (tail + chunk).slice(-STDERR_TAIL_CHARS);
}

/** The last stderr line that mentions an error, else the last line; at most 300 characters. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean).reverse();
  return (lines.find((l) => /error/i.test(l)) ?? lines[0] ?? '').slice(0, 300);
}

/** The OOM killer's count for this cgroup (Linux cgroup v2), to tell an out-of-memory kill apart. */
export function oomKillCount(): number | undefined {
  try {
    const m = /^oom_kill (\d+)$/m.exec(fs.readFileSync('/sys/fs/cgroup/memory.events', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Why a SIGKILL nobody here asked for most likely came: the OOM killer, counted where it can be. */
export function outOfMemoryNote(before: number | undefined, after: number | undefined = oomKillCount()): string {
  if (before !== undefined && after !== undefined && after > before) return ': out of memory (the system\'s out-of-memory killer ended it); use a smaller batchSize or network';
  return ': by another process or, most often, by the system when it ran out of memory';
}

export interface ExitFacts {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether this side asked for the kill (JobHandle.kill). */
  killRequested: boolean;
  /** oomKillCount() when the process started. */
  oomKillsBefore: number | undefined;
  stderr: string;
}

/** "the trainer process was killed (SIGKILL): out of memory ...: <last error line>". */
export function crashMessage(facts: ExitFacts): string {
  const { code, signal } = facts;
  const unrequestedKill = signal === 'SIGKILL' && !facts.killRequested;
  const how = signal ? `was killed (${signal})${unrequestedKill ? outOfMemoryNote(facts.oomKillsBefore) : ''}` : `exited with code ${code}`;
  const detail = lastErrorLine(facts.stderr);
  return `the trainer process ${how}${detail ? `: ${detail}` : ''}`;
}
