/** The child_process port and ForkJobLauncher with real Node processes (a small stand-in trainer script). */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childProcessPort } from '../../src-main/services/child-process-port';
import { ForkJobLauncher, JobError } from '../../src-main/services/job-launcher';
import type { Job, JobEvent } from '../../src-main/shared/jobs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-port-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A stand-in trainer: answers 'start' as its job's kind says, echoes controls as log events. */
const standInTrainer = path.join(dir, 'stand-in-trainer.mjs');
fs.writeFileSync(
  standInTrainer,
  `process.on('message', (m) => {
  if (m.type !== 'start') return process.send({ type: 'log', message: m.type });
  const kind = m.job.kind;
  if (kind === 'ok') process.send({ type: 'result', result: [1, 2] });
  else if (kind === 'fail') process.send({ type: 'error', message: 'bad job', code: 'ConfigError' });
  else if (kind === 'crash') { process.stderr.write('warming up\\nError: the trainer broke\\n  at x\\n'); setTimeout(() => process.exit(7), 20); }
  else if (kind === 'hang') process.send({ type: 'log', message: 'waiting' });
});
`,
);

const jobOf = (kind: string) => ({ kind }) as unknown as Job;

describe('childProcessPort (real processes)', () => {
  it('carries messages both ways, stderr, and the exit; release closes the channel so the child ends', async () => {
    const child = fork(standInTrainer, [], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    const port = childProcessPort(child);
    expect(port.pid).toBe(child.pid);
    const messages: unknown[] = [];
    const exited = new Promise<[number | null, string | null]>((resolve) => port.onExit((code, signal) => resolve([code, signal])));
    port.onMessage((m) => {
      messages.push(m);
      port.release();
    });
    port.send({ type: 'start', job: jobOf('ok') });
    expect(await exited).toEqual([0, null]);
    expect(messages).toEqual([{ type: 'result', result: [1, 2] }]);
    // The process has gone: sending is a no-op, not a throw.
    expect(() => port.send({ type: 'stop' })).not.toThrow();
  });

  it('kill ends the process with SIGKILL', async () => {
    const child = fork(standInTrainer, [], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    const port = childProcessPort(child);
    const exited = new Promise<[number | null, string | null]>((resolve) => port.onExit((code, signal) => resolve([code, signal])));
    port.kill();
    expect(await exited).toEqual([null, 'SIGKILL']);
  });
});

describe('ForkJobLauncher over the port (real processes)', () => {
  const launcher = new ForkJobLauncher(standInTrainer);

  it('settles on the result', async () => {
    await expect(launcher.start(jobOf('ok'), () => {}).done).resolves.toEqual([1, 2]);
  });

  it('rejects with the trainer error and its code', async () => {
    const err = (await launcher.start(jobOf('fail'), () => {}).done.catch((e: unknown) => e)) as JobError;
    expect(err).toBeInstanceOf(JobError);
    expect([err.message, err.code]).toEqual(['bad job', 'ConfigError']);
  });

  it('reports a crash with the exit code and the last stderr error line', async () => {
    const err = (await launcher.start(jobOf('crash'), () => {}).done.catch((e: unknown) => e)) as JobError;
    expect(err.code).toBe('crash');
    expect(err.message).toBe('the trainer process exited with code 7: Error: the trainer broke');
  });

  it('passes controls on and a requested kill is reported without the out-of-memory note', async () => {
    const events: JobEvent[] = [];
    const handle = launcher.start(jobOf('hang'), (e) => {
      events.push(e);
      if (events.length === 2) handle.kill();
    });
    handle.pause();
    await expect(handle.done).rejects.toThrow(/^the trainer process was killed \(SIGKILL\)$/);
    expect(events).toEqual([
      { type: 'log', message: 'waiting' },
      { type: 'log', message: 'pause' },
    ]);
  });
});
