/**
 * The one job launcher (startJobOverPort) over a stand-in ProcessPort: events, settling on the
 * result or error message, crash reports with exit code or signal and the last stderr error line,
 * the out-of-memory note for a SIGKILL nobody asked for, and the controls.
 */
import { describe, expect, it } from 'vitest';
import { crashMessage, lastErrorLine, outOfMemoryNote } from '../../src-main/services/crash-report';
import { JobError, startJobOverPort } from '../../src-main/services/job-launcher';
import type { ProcessPort } from '../../src-main/services/process-port';
import type { Job, JobEvent } from '../../src-main/shared/jobs';

/** A stand-in for a trainer process: records what is sent, lets the test say what it does. */
class StandInPort implements ProcessPort {
  readonly pid = 4242;
  sent: unknown[] = [];
  released = 0;
  killed = 0;
  private message: ((m: unknown) => void)[] = [];
  private error: ((e: Error) => void)[] = [];
  private exit: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];
  private stderr: ((chunk: string) => void)[] = [];
  send(message: unknown): void {
    this.sent.push(message);
  }
  onMessage(l: (m: unknown) => void): void {
    this.message.push(l);
  }
  onError(l: (e: Error) => void): void {
    this.error.push(l);
  }
  onExit(l: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.exit.push(l);
  }
  onStderr(l: (chunk: string) => void): void {
    this.stderr.push(l);
  }
  release(): void {
    this.released++;
  }
  kill(): void {
    this.killed++;
  }
  says(m: JobEvent): void {
    for (const l of this.message) l(m);
  }
  writesStderr(chunk: string): void {
    for (const l of this.stderr) l(chunk);
  }
  exits(code: number | null, signal: NodeJS.Signals | null = null): void {
    for (const l of this.exit) l(code, signal);
  }
  fails(err: Error): void {
    for (const l of this.error) l(err);
  }
}

const job = { kind: 'bench' } as unknown as Job;

function start() {
  const port = new StandInPort();
  const events: JobEvent[] = [];
  const handle = startJobOverPort(port, job, (e) => events.push(e));
  return { port, events, handle };
}

describe('startJobOverPort', () => {
  it('sends the job, forwards every event, settles on the result and releases the process', async () => {
    const { port, events, handle } = start();
    expect(port.sent).toEqual([{ type: 'start', job }]);
    expect(handle.pid).toBe(4242);
    port.says({ type: 'log', message: 'hello' } as unknown as JobEvent);
    port.says({ type: 'result', result: [] });
    await expect(handle.done).resolves.toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['log', 'result']);
    expect(port.released).toBe(1);
    // An exit after the result changes nothing.
    port.exits(0);
    await expect(handle.done).resolves.toEqual([]);
  });

  it('an error message rejects with its message and code', async () => {
    const { port, events, handle } = start();
    port.says({ type: 'error', message: 'no such run', code: 'NotFound' });
    const err = (await handle.done.catch((e: unknown) => e)) as JobError;
    expect(err).toBeInstanceOf(JobError);
    expect(err.message).toBe('no such run');
    expect(err.code).toBe('NotFound');
    expect(events).toHaveLength(1);
    expect(port.released).toBe(1);
  });

  it('a process that exits without a result is a crash, with its code and last stderr error line', async () => {
    const { port, handle } = start();
    port.writesStderr('loading\nTypeError: x is not');
    port.writesStderr(' a function\n    at foo (file.js:1)\n');
    port.exits(3);
    const err = (await handle.done.catch((e: unknown) => e)) as JobError;
    expect(err.code).toBe('crash');
    expect(err.message).toBe('the trainer process exited with code 3: TypeError: x is not a function');
  });

  it('a SIGKILL nobody asked for carries the out-of-memory note; a requested kill does not', async () => {
    const unasked = start();
    unasked.port.exits(null, 'SIGKILL');
    const a = (await unasked.handle.done.catch((e: unknown) => e)) as JobError;
    expect(a.message).toMatch(/^the trainer process was killed \(SIGKILL\): (out of memory|by another process or, most often, by the system when it ran out of memory)/);

    const asked = start();
    asked.handle.kill();
    expect(asked.port.killed).toBe(1);
    asked.port.exits(null, 'SIGKILL');
    const b = (await asked.handle.done.catch((e: unknown) => e)) as JobError;
    expect(b.message).toBe('the trainer process was killed (SIGKILL)');
  });

  it('a process that cannot start rejects as a crash', async () => {
    const { port, handle } = start();
    port.fails(new Error('spawn ENOENT'));
    port.exits(-2);
    await expect(handle.done).rejects.toThrow('could not start the trainer process: spawn ENOENT');
  });

  it('pause, resume and stop are messages to the process', () => {
    const { port, handle } = start();
    handle.pause();
    handle.resume();
    handle.stop();
    expect(port.sent.slice(1)).toEqual([{ type: 'pause' }, { type: 'resume' }, { type: 'stop' }]);
  });
});

describe('crash reports', () => {
  it('the last line that mentions an error, else the last line, at most 300 characters', () => {
    expect(lastErrorLine('a\nError: one\nb\nRangeError: two\nc\n')).toBe('RangeError: two');
    expect(lastErrorLine('first\nsecond\n')).toBe('second');
    expect(lastErrorLine('')).toBe('');
    expect(lastErrorLine(`Error ${'x'.repeat(400)}`)).toHaveLength(300);
  });

  it('says out of memory only when the OOM killer count went up', () => {
    expect(outOfMemoryNote(1, 2)).toMatch(/out of memory \(the system's out-of-memory killer ended it\)/);
    expect(outOfMemoryNote(1, 1)).toMatch(/by another process/);
    expect(outOfMemoryNote(undefined, undefined)).toMatch(/by another process/);
  });

  it('names another signal without the note', () => {
    expect(crashMessage({ code: null, signal: 'SIGTERM', killRequested: false, oomKillsBefore: undefined, stderr: '' })).toBe('the trainer process was killed (SIGTERM)');
  });
});
