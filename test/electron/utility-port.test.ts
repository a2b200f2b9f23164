/** The utilityProcess port, with a stand-in for Electron's UtilityProcess (Electron cannot run here). */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RELEASE_GRACE_MS, utilityProcessPort, type UtilityProcessLike } from '../../src-main/electron/utility-port';
import { JobError, startJobOverPort } from '../../src-main/services/job-launcher';
import type { Job } from '../../src-main/shared/jobs';

/** A stand-in UtilityProcess: records postMessage and kill; the test emits its events. */
class StandInUtilityProcess extends EventEmitter implements UtilityProcessLike {
  readonly pid = 77;
  readonly stderr = new EventEmitter();
  posted: unknown[] = [];
  kills = 0;
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  kill(): boolean {
    this.kills++;
    return true;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

const job = { kind: 'bench' } as unknown as Job;

describe('utilityProcessPort', () => {
  it('drops messages once the process has exited, and reports the exit code without a signal', () => {
    const child = new StandInUtilityProcess();
    const port = utilityProcessPort(child);
    const exits: unknown[] = [];
    port.onExit((code, signal) => exits.push([code, signal]));
    port.send({ type: 'pause' });
    child.emit('exit', 9);
    port.send({ type: 'resume' });
    expect(child.posted).toEqual([{ type: 'pause' }]);
    expect(exits).toEqual([[9, null]]);
  });

  it('release ends a process still alive after the grace period, and not one that exited', () => {
    vi.useFakeTimers();
    const lingering = new StandInUtilityProcess();
    utilityProcessPort(lingering).release();
    vi.advanceTimersByTime(RELEASE_GRACE_MS - 1);
    expect(lingering.kills).toBe(0);
    vi.advanceTimersByTime(1);
    expect(lingering.kills).toBe(1);

    const gone = new StandInUtilityProcess();
    utilityProcessPort(gone).release();
    gone.emit('exit', 0);
    vi.advanceTimersByTime(RELEASE_GRACE_MS);
    expect(gone.kills).toBe(0);
  });

  it('kill ends the process with SIGKILL (its pid), never the SIGTERM a training trainer stops cleanly on', () => {
    const killed: number[] = [];
    const child = new StandInUtilityProcess();
    const port = utilityProcessPort(child, (pid) => killed.push(pid));
    port.kill();
    expect([killed, child.kills]).toEqual([[77], 0]);
    child.emit('exit', 0);
    port.kill();
    expect(killed).toEqual([77]);
  });

  it('under the one launcher: the result settles the job, a crash carries its code and stderr line', async () => {
    vi.useFakeTimers();
    const ok = new StandInUtilityProcess();
    const okJob = startJobOverPort(utilityProcessPort(ok), job, () => {});
    expect(ok.posted).toEqual([{ type: 'start', job }]);
    ok.emit('message', { type: 'result', result: [] });
    await expect(okJob.done).resolves.toEqual([]);
    vi.advanceTimersByTime(RELEASE_GRACE_MS);
    expect(ok.kills).toBe(1);

    const crashing = new StandInUtilityProcess();
    const crashJob = startJobOverPort(utilityProcessPort(crashing), job, () => {});
    crashing.stderr.emit('data', Buffer.from('Error: wasm out of bounds\n'));
    crashing.emit('exit', 1);
    const err = (await crashJob.done.catch((e: unknown) => e)) as JobError;
    expect([err.code, err.message]).toEqual(['crash', 'the trainer process exited with code 1: Error: wasm out of bounds']);
    expect(crashJob.pid).toBe(77);
  });
});
