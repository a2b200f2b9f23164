/**
 * What ends a `saccade train` from outside, on a real CLI and trainer process: a service manager's
 * SIGTERM and a closed terminal's SIGHUP to the process group, the CLI killed alone, and both
 * killed at once. The first three checkpoint and mark the run stopped; the last shows as
 * interrupted, never as running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/storage';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';
import { ROOT, saccade } from '../helpers/saccade-cli';

let home: string;
let dataDir: string;

beforeAll(async () => {
  home = tempDir('signals');
  dataDir = await writeMnistSubset(path.join(home, 'data'), 600, 100);
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const TINY = ['--batch-size', '50', '--validation-size', '100', '--epochs', '500', '--glimpse-hidden', '8', '--location-hidden', '8', '--glimpse-features', '16', '--core-hidden', '16', '--workers', '1'];

interface Started {
  cli: ChildProcess;
  runId: string;
  trainerPid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `saccade train` in a process group of its own and waits until it has trained a few steps. */
async function startTraining(): Promise<Started> {
  const cli = spawn(process.execPath, [path.join(ROOT, 'bin/saccade.mjs'), 'train', '--data', dataDir, ...TINY, '--json'], {
    cwd: ROOT,
    env: { ...process.env, SACCADE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => cli.on('exit', (code, signal) => resolve({ code, signal })));
  const runId = await new Promise<string>((resolve, reject) => {
    let out = '';
    let id = '';
    let progress = 0;
    cli.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const e = JSON.parse(line) as { type: string; runId?: string };
        if (e.type === 'run') id = e.runId!;
        if (e.type === 'progress' && id && ++progress === 2) resolve(id);
      }
    });
    void exited.then(() => reject(new Error('saccade train ended before training')));
  });
  const lock = JSON.parse(fs.readFileSync(path.join(home, 'runs', runId, 'lock.json'), 'utf8')) as { pid: number };
  return { cli, runId, trainerPid: lock.pid, exited };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function expectStoppedWithCheckpoint(runId: string): void {
  const store = new RunStore(home);
  expect(store.getRun(runId).status).toBe('stopped');
  expect(store.listCheckpoints(runId).map((c) => c.name)).toContain('stopped');
  expect(fs.existsSync(path.join(home, 'runs', runId, 'lock.json'))).toBe(false);
}

describe('signals from outside end a training run cleanly', () => {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} to the process group: checkpoint, run stopped, both processes gone`, async () => {
      const run = await startTraining();
      process.kill(-run.cli.pid!, signal);
      const { code } = await run.exited;
      expect(code).toBe(0);
      await until('the trainer to exit', () => !alive(run.trainerPid));
      expectStoppedWithCheckpoint(run.runId);
    });
  }

  it('the CLI killed alone (SIGKILL): the trainer checkpoints, marks the run stopped and exits', async () => {
    const run = await startTraining();
    run.cli.kill('SIGKILL');
    await run.exited;
    await until('the trainer to exit', () => !alive(run.trainerPid));
    expectStoppedWithCheckpoint(run.runId);
  });

  it('both killed (SIGKILL to the group): `saccade runs` shows the run as interrupted, and it resumes', async () => {
    const run = await startTraining();
    process.kill(-run.cli.pid!, 'SIGKILL');
    await run.exited;
    await until('the trainer to die', () => !alive(run.trainerPid));
    const listed = await saccade(['runs'], home);
    const line = listed.stdout.split('\n').find((l) => l.startsWith(run.runId))!;
    expect(line).toMatch(/\binterrupted\b/);
    const json = await saccade(['runs', '--json'], home);
    const meta = (JSON.parse(json.stdout) as { runs: { id: string; status: string }[] }).runs.find((r) => r.id === run.runId);
    expect(meta?.status).toBe('interrupted');
    const from = new RunStore(home).latestCheckpoint(run.runId)?.step ?? 0;
    const resumed = await saccade(['resume', run.runId, '--max-steps', String(from + 5), '--json'], home);
    expect(resumed.code).toBe(0);
    expect(new RunStore(home).getRun(run.runId).progress?.step).toBe(from + 5);
  });
});
