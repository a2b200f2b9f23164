/**
 * The run queue from the command line (real CLI and trainers): `train --queue` adds runs that
 * `queue run` trains in order; a runner killed mid-training is picked up where it left off by
 * the next one (the run resumes from its checkpoint, then the next entry runs); SIGTERM puts the
 * runner's entries back as resumes; `sweep --queue` queues trials, median stopping included.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueEntry } from '../../src-main/shared/api';
import { RunStore } from '../../src-main/storage';
import { RunQueue } from '../../src-main/storage/run-queue';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';
import { lastJson, ROOT, saccade } from '../helpers/saccade-cli';

let root: string;
let dataDir: string;
let n = 0;
/** Each test its own home: the queue is per home. */
const newHome = () => {
  const home = path.join(root, `home-${++n}`);
  fs.mkdirSync(home);
  return home;
};

beforeAll(async () => {
  root = tempDir('queue-cli');
  dataDir = await writeMnistSubset(path.join(root, 'data'), 600, 100);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

// 500 training images in batches of 50: 10 steps an epoch.
const tiny = () => [
  '--data', dataDir, '--batch-size', '50', '--validation-size', '100',
  '--glimpses', '2', '--glimpse-hidden', '8', '--location-hidden', '8', '--glimpse-features', '16', '--core-hidden', '16',
  '--mc-samples', '1', '--backend', 'cpu',
];

interface Line {
  type: string;
  entry?: string;
  runId?: string;
  name?: string;
  status?: string;
  epoch?: number;
  message?: string;
}
const lines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);

/** `saccade queue run --json` as a child of its own process group, resolving when `until` matches a line. */
function startRunner(home: string, until: (line: Line) => boolean) {
  const cli = spawn(process.execPath, [path.join(ROOT, 'bin/saccade.mjs'), 'queue', 'run', '--json'], {
    cwd: ROOT,
    env: { ...process.env, SACCADE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  cli.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
  const reached = new Promise<void>((resolve, reject) => {
    cli.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.split('\n').slice(0, -1).some((l) => until(JSON.parse(l) as Line))) resolve();
    });
    void exited.then(() => reject(new Error(`the runner ended first: ${out}${err}`)));
  });
  return { cli, exited, reached, output: () => out, errors: () => err };
}

describe('saccade queue', () => {
  it('train --queue twice, then queue run trains both, one after the other, in order', async () => {
    const home = newHome();
    const a = await saccade(['train', ...tiny(), '--epochs', '2', '--name', 'first', '--queue'], home);
    expect(a.stderr).toBe('');
    expect(a.stdout).toMatch(/^queued q\w+ at position 1: first\n$/);
    const b = await saccade(['train', ...tiny(), '--epochs', '2', '--name', 'second', '--queue', '--json'], home);
    const entry = lastJson<{ type: string; entry: QueueEntry }>(b.stdout).entry;
    expect(entry).toMatchObject({ state: 'queued', position: 2, job: { kind: 'train', name: 'second', dataDir } });
    const listed = await saccade(['queue'], home);
    expect(listed.stdout.split('\n')[0]).toMatch(/^pos\s+entry\s+state\s+name\s+run\s+settings$/);
    expect(listed.stdout).toMatch(/\n1\s+q\w+\s+queued\s+first\s+-\s+/);
    expect(listed.stdout).toMatch(/\n2\s+q\w+\s+queued\s+second\s+-\s+/);

    const r = await saccade(['queue', 'run', '--json'], home, 200_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = lines(r.stdout).filter((l) => l.type === 'started' || l.type === 'ended').map((l) => `${l.type} ${l.name}`);
    expect(events).toEqual(['started first', 'ended first', 'started second', 'ended second']);
    expect(lastJson<{ type: string; queued: number }>(r.stdout)).toMatchObject({ type: 'summary', queued: 0 });
    expect(new RunQueue(home).list()).toEqual([]);
    const store = new RunStore(home);
    const [first, second] = ['first', 'second'].map((name) => store.listRuns().find((m) => m.name === name)!);
    expect(first!.status).toBe('completed');
    expect(second!.status).toBe('completed');
    // The second run was made after the first one ended (its last metric line).
    const firstEnd = Math.max(...store.readMetricHistory(first!.id).map((p) => p.time));
    expect(Date.parse(second!.createdAt)).toBeGreaterThanOrEqual(firstEnd - 1000);
    expect(Date.parse(second!.createdAt)).toBeGreaterThan(Date.parse(first!.createdAt));
  }, 90_000);

  it('a queue runner killed mid-training picks up where it left off on restart: the run resumes from its checkpoint, then the next entry runs', async () => {
    const home = newHome();
    await saccade(['train', ...tiny(), '--epochs', '25', '--name', 'long', '--queue'], home);
    await saccade(['train', ...tiny(), '--epochs', '1', '--name', 'next', '--queue'], home);
    const first = startRunner(home, (l) => l.type === 'epoch' && (l.epoch ?? 0) >= 2);
    await first.reached;
    // The whole process group (runner and trainer) dies, as on a power cut.
    process.kill(-first.cli.pid!, 'SIGKILL');
    await first.exited;
    const store = new RunStore(home);
    const long = store.listRuns().find((m) => m.name === 'long')!;
    const before = store.readMetricHistory(long.id);
    const stepAtKill = Math.max(...before.map((p) => p.step));
    expect(stepAtKill).toBeGreaterThanOrEqual(20);
    const stale = new RunQueue(home).list();
    expect(stale.map((e) => `${e.state} ${e.job.name}`)).toEqual(['running long', 'queued next']);
    expect(stale[0]!.runId).toBe(long.id);

    const r = await saccade(['queue', 'run', '--json'], home, 200_000);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    const order = out.filter((l) => ['recovered', 'started', 'ended'].includes(l.type)).map((l) => `${l.type} ${l.name}`);
    expect(order).toEqual(['recovered long', 'started long', 'ended long', 'started next', 'ended next']);
    expect(out.find((l) => l.type === 'started' && l.name === 'long')!.runId).toBe(long.id);
    expect(out.some((l) => l.type === 'log' && /^resuming .* from checkpoint/.test(l.message ?? ''))).toBe(true);
    // The metrics continue from the checkpoint (a resume mark, then later steps), not from step 0.
    const raw = store.readMetrics(long.id);
    const marks = raw.filter((p) => p.resumed === 1);
    expect(marks).toHaveLength(1);
    expect(marks[0]!.step).toBeGreaterThanOrEqual(10);
    const after = raw.slice(raw.indexOf(marks[0]!) + 1);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.min(...after.map((p) => p.step))).toBeGreaterThan(marks[0]!.step);
    const history = store.readMetricHistory(long.id);
    expect(history.every((p, i) => i === 0 || p.step >= history[i - 1]!.step)).toBe(true);
    expect(Math.max(...history.map((p) => p.step))).toBe(250);
    const done = store.getRun(long.id);
    expect(done.status).toBe('completed');
    expect(done.progress?.epoch).toBe(25);
    expect(store.listRuns().filter((m) => m.name === 'long')).toHaveLength(1);
    expect(store.listRuns().find((m) => m.name === 'next')!.status).toBe('completed');
    expect(new RunQueue(home).list()).toEqual([]);
  }, 120_000);

  it('SIGTERM stops the runner and its training cleanly and puts the entry back as a resume', async () => {
    const home = newHome();
    await saccade(['train', ...tiny(), '--epochs', '200', '--name', 'endless', '--queue'], home);
    const runner = startRunner(home, (l) => l.type === 'epoch');
    await runner.reached;
    process.kill(runner.cli.pid!, 'SIGTERM');
    expect(await runner.exited).toBe(0);
    expect(runner.output()).toContain('"type":"put-back"');
    const run = new RunStore(home).listRuns()[0]!;
    expect(run.status).toBe('stopped');
    const [entry] = new RunQueue(home).list();
    expect(entry).toMatchObject({ state: 'queued', position: 1, job: { kind: 'resume', runId: run.id, name: 'endless' } });
    // The other queue commands: requeue refuses a run queued already; cancel takes the entry out.
    const again = await saccade(['queue', 'requeue', run.id], home);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`run ${run.id} is already in the queue`);
    const cancelled = await saccade(['queue', 'cancel', entry!.id], home);
    expect(cancelled.stdout).toBe(`cancelled ${entry!.id}\n`);
    const requeued = await saccade(['queue', 'requeue', run.id, '--json'], home);
    expect(lastJson<{ entry: QueueEntry }>(requeued.stdout).entry.job).toEqual({ kind: 'resume', runId: run.id, name: 'endless' });
    await saccade(['train', ...tiny(), '--name', 'other', '--queue'], home);
    const moved = await saccade(['queue', 'move', new RunQueue(home).list()[1]!.id, '1', '--json'], home);
    expect(lastJson<{ entries: QueueEntry[] }>(moved.stdout).entries.map((e) => e.job.name)).toEqual(['other', 'endless']);
    const bad = await saccade(['queue', 'move', 'nope', '1'], home);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("no queue entry 'nope'");
  }, 90_000);

  it('an entry that cannot start is marked failed with the reason and the runner goes on to the next', async () => {
    const home = newHome();
    const gone = path.join(home, 'gone');
    fs.cpSync(dataDir, gone, { recursive: true });
    await saccade(['train', ...tiny(), '--data', gone, '--epochs', '1', '--name', 'broken', '--queue'], home);
    await saccade(['train', ...tiny(), '--epochs', '1', '--name', 'fine', '--queue'], home);
    fs.rmSync(gone, { recursive: true });
    const r = await saccade(['queue', 'run'], home, 120_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/failed q\w+: broken: .+/);
    expect(r.stdout).toMatch(/ended q\w+: run \S+ completed \(fine\)/);
    const [failed] = new RunQueue(home).list();
    expect(failed).toMatchObject({ state: 'failed', job: { name: 'broken' } });
    expect(failed!.error).toBeTruthy();
    const listed = await saccade(['queue'], home);
    expect(listed.stdout).toMatch(/-\s+q\w+\s+failed\s+broken/);
    expect(new RunStore(home).listRuns().map((m) => m.name)).toEqual(['fine']);
  }, 60_000);

  it('--project names the studio project a queued run joins; an unknown one is a usage error', async () => {
    const home = newHome();
    const bad = await saccade(['train', ...tiny(), '--name', 'x', '--queue', '--project', 'Mine'], home);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--project Mine: no studio project of that name');
    fs.writeFileSync(path.join(home, 'studio.json'), JSON.stringify({ projects: [{ id: 'p-1', name: 'Mine', createdAt: '', runIds: [], settings: {} }] }));
    const ok = await saccade(['train', ...tiny(), '--name', 'x', '--queue', '--project', 'Mine', '--json'], home);
    expect(ok.stderr).toBe('');
    expect(lastJson<{ entry: QueueEntry }>(ok.stdout).entry.projectId).toBe('p-1');
    const notQueued = await saccade(['train', ...tiny(), '--project', 'Mine'], home);
    expect(notQueued.code).toBe(2);
    expect(new RunQueue(home).list()).toHaveLength(1);
  });

  it('sweep --queue queues the trials; queue run trains them and median stopping ends the hopeless one', async () => {
    const home = newHome();
    const q = await saccade(['sweep', ...tiny(), '--grid', 'learningRate=3e-3,1e-12', '--lr-min', '0', '--epochs', '3', '--median-stop', '--name', 'qs', '--queue'], home);
    expect(q.stderr).toBe('');
    expect(q.stdout).toContain("sweep 'qs': 2 trials queued, median stopping");
    const entries = new RunQueue(home).list();
    expect(entries.map((e) => e.job.name)).toEqual(['qs #1 learningRate=0.003', 'qs #2 learningRate=1e-12']);
    expect(entries[1]!.job).toMatchObject({ kind: 'train', medianStop: true, sweep: { name: 'qs', trial: 2, settings: { learningRate: 1e-12 } } });
    expect(new RunStore(home).listRuns()).toEqual([]);

    const r = await saccade(['queue', 'run'], home, 200_000);
    expect(r.code).toBe(0);
    const store = new RunStore(home);
    const runs = store.listRuns().filter((m) => m.sweep?.name === 'qs').sort((a, b) => a.sweep!.trial - b.sweep!.trial);
    expect(runs.map((m) => m.name)).toEqual(['qs #1 learningRate=0.003', 'qs #2 learningRate=1e-12']);
    expect(runs[0]!.progress?.epoch).toBe(3);
    expect(runs[0]!.limits?.medianStop).toBe(true);
    expect(runs[1]!.stopReason?.reason).toBe('median');
    expect(runs[1]!.progress!.epoch).toBeLessThan(3);
    expect(r.stdout).toContain(runs[1]!.stopReason!.message);
  }, 90_000);
});
