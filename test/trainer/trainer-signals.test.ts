/**
 * SIGTERM to a trainer process whose job has finished ends it at once: Electron ends a done
 * utility process with SIGTERM (utilityProcess.kill), and a trainer that only took it as "stop
 * training" would linger until its 10 s fallback, holding a job slot's memory. A training
 * trainer instead stops cleanly on SIGTERM (test/cli/signals.test.ts).
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trainerEntry } from '../../src-main/services/trainer-entry';

describe('SIGTERM to a trainer whose job is done', () => {
  it('ends it at once, well before its 10 s fallback exit', async () => {
    const entry = trainerEntry();
    const execArgv = entry.endsWith('.ts') ? ['--import', pathToFileURL(createRequire(__filename).resolve('tsx')).href] : [];
    const child = fork(entry, [], { execArgv, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: Date.now() })));
    // A probe job: it answers and then waits, as a utility process does, for its parent.
    const result = new Promise<void>((resolve) => child.on('message', (m: { type: string }) => m.type === 'result' && resolve()));
    child.send({ type: 'start', job: { kind: 'probe', backend: 'cpu' } });
    await result;
    const sentAt = Date.now();
    child.kill('SIGTERM');
    const { code, at } = await exited;
    expect(code).toBe(0);
    expect(at - sentAt).toBeLessThan(5000);
  });
});
