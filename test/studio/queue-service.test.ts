/**
 * The run queue through the studio (a real StudioService and real trainer processes on a temp
 * home): queued runs train one after another in queue order, moves and cancels change what runs,
 * start-now runs beside, sweeps are previewed and queued, requests are checked as startRun checks
 * them, an interrupted run can be queued to train on, and closing the studio puts its queued
 * training back as a resume.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../src-main/services/studio-service';
import type { QueueEntry, StartRunRequest, SweepRequest } from '../../src-main/shared/api';
import { RunQueue } from '../../src-main/storage/run-queue';
import { defaultWorkers } from '../../src-main/trainer/data-parallel';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';

let home: string;
let studio: StudioService;
let projectId: string;
let dataset: string;
/** When each run's trainer announced it and when it sent its result. */
const startedAt = new Map<string, number>();
const endedAt = new Map<string, number>();

beforeAll(async () => {
  home = tempDir('queue-studio');
  const data = await writeMnistSubset(path.join(home, 'mnist-600'), 600, 100);
  studio = await StudioService.create({ home, transport: 'websocket', version: '9.9.9' });
  studio.onTrainingEvent(({ runId, event }) => {
    if (event.type === 'run' && !startedAt.has(runId)) startedAt.set(runId, Date.now());
    if (event.type === 'result') endedAt.set(runId, Date.now());
  });
  projectId = (await studio.createProject('queued work')).id;
  dataset = (await studio.importDataset({ name: 'mnist-600', folder: data })).id;
}, 60_000);
afterAll(async () => {
  await studio.shutdown(10_000);
  fs.rmSync(home, { recursive: true, force: true });
});

// 500 training images in batches of 50: 10 steps an epoch.
const TINY = { task: 'centered', batchSize: 50, validationSize: 100, glimpses: 2, glimpseHidden: 8, locationHidden: 8, glimpseFeatures: 16, coreHidden: 16, mcSamples: 1 } as const;
const request = (name: string, epochs = 1, extra: Partial<StartRunRequest> = {}): StartRunRequest => ({ projectId, name, config: { ...TINY, epochs }, dataset, backend: 'cpu', ...extra });

async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const queueEmpty = () => waitFor('the queue to empty', async () => (await studio.listQueue()).length === 0);
const runNamed = (name: string) => studio.runs.listRuns().find((m) => m.name === name);

describe('the run queue in the studio', () => {
  it('checks a queued run as startRun checks it, before anything is queued', async () => {
    await expect(studio.queueRun(request('x', 1, { dataset: 'import:nothing' }))).rejects.toThrow("no imported dataset 'import:nothing'");
    await expect(studio.queueRun(request('x', 1, { config: { ...TINY, validationSize: 0 }, patience: 2 }))).rejects.toThrow('patience 2 needs a validation set');
    await expect(studio.queueRun({ ...request('x'), projectId: 'nope' })).rejects.toThrow();
    await expect(studio.queueRun(request('x', 1, { config: { ...TINY, glimpses: 0 } }))).rejects.toThrow(/glimpses/);
    await expect(studio.moveQueued('nope', 1)).rejects.toThrow("no queue entry 'nope'");
    await expect(studio.cancelQueued('nope')).rejects.toThrow("no queue entry 'nope'");
    expect(await studio.listQueue()).toEqual([]);
  });

  it('runs queued runs one after another in queue order; a move changes the order, a cancel takes one out', async () => {
    const a = await studio.queueRun(request('qa', 2));
    const b = await studio.queueRun(request('qb'));
    const c = await studio.queueRun(request('qc'));
    const d = await studio.queueRun(request('qd'));
    expect(a).toMatchObject({ state: 'queued', projectId, job: { kind: 'train', name: 'qa', dataset } });
    await waitFor('qa to start', async () => (await studio.listQueue()).find((e) => e.id === a.id)?.state === 'running');
    await studio.cancelQueued(d.id);
    const moved = await studio.moveQueued(c.id, 1);
    expect(moved.map((e) => `${e.state} ${e.job.name} ${e.position ?? '-'}`)).toEqual(['running qa -', 'queued qc 1', 'queued qb 2']);
    await queueEmpty();
    const runs = ['qa', 'qc', 'qb'].map((name) => runNamed(name)!);
    expect(runNamed('qd')).toBeUndefined();
    for (const run of runs) {
      expect(run.status).toBe('completed');
      expect(studio.projects.projectOfRun(run.id)).toBe(projectId);
      expect((await studio.listRuns(projectId)).map((r) => r.id)).toContain(run.id);
    }
    // Concurrency 1: each run starts after the one before it ended.
    for (let i = 1; i < runs.length; i++) expect(startedAt.get(runs[i]!.id)!).toBeGreaterThanOrEqual(endedAt.get(runs[i - 1]!.id)!);
    void b;
  }, 90_000);

  it('with two at once, the queue trains two side by side, each on its share of the cores', async () => {
    await studio.updateSettings({ queueConcurrency: 2 });
    try {
      await studio.queueRun(request('side-a', 2));
      await studio.queueRun(request('side-b', 2));
      await waitFor('both to run', async () => (await studio.listQueue()).filter((e) => e.state === 'running' && e.runId).length === 2);
      await queueEmpty();
    } finally {
      await studio.updateSettings({ queueConcurrency: 1 });
    }
    const [a, b] = [runNamed('side-a')!, runNamed('side-b')!];
    // They overlapped: each started before the other ended.
    expect(startedAt.get(b.id)!).toBeLessThan(endedAt.get(a.id)!);
    expect(startedAt.get(a.id)!).toBeLessThan(endedAt.get(b.id)!);
    // Two gradient threads each on 2 cores would fight; each gets its share (the default alone: min(2, cores)).
    for (const run of [a, b]) expect(run.backend?.workers).toBe(defaultWorkers('cpu', 2));
    if (os.availableParallelism() < 4) expect(defaultWorkers('cpu', 2)).toBe(1);
    expect(runNamed('qa')!.backend?.workers).toBe(defaultWorkers('cpu'));
  }, 90_000);

  it('startQueuedNow runs an entry beside the one running; stopping a run ends its entry', async () => {
    const long = await studio.queueRun(request('long', 200));
    const now = await studio.queueRun(request('now'));
    const running = await waitFor('long to have its run', async () => (await studio.listQueue()).find((e) => e.id === long.id && e.runId));
    expect((await studio.listQueue()).find((e) => e.id === now.id)).toMatchObject({ state: 'queued', position: 1 });
    await studio.startQueuedNow(now.id);
    await waitFor('now to end', () => runNamed('now')?.status === 'completed');
    const nowRun = runNamed('now')!;
    expect(startedAt.get(nowRun.id)!).toBeGreaterThan(startedAt.get(running.runId!)!);
    expect(endedAt.has(running.runId!)).toBe(false);
    await expect(studio.cancelQueued(long.id)).rejects.toThrow('stop its run instead');
    await studio.stopRun(running.runId!);
    await queueEmpty();
    expect(studio.runs.getRun(running.runId!).status).toBe('stopped');
  }, 90_000);

  it('requeueRun queues an interrupted run to train on from its checkpoint; refuses a completed, live or queued one', async () => {
    const long = runNamed('long')!;
    // As after a crash: the run's record says it was cut short.
    studio.runs.updateMeta(long.id, { status: 'interrupted' });
    const step = long.progress!.step;
    expect(step).toBeGreaterThanOrEqual(10);
    await expect(studio.requeueRun(runNamed('qa')!.id)).rejects.toThrow('is completed: only a stopped, failed or interrupted run can be queued');
    const entry = await studio.requeueRun(long.id, { maxSteps: step + 10 });
    expect(entry).toMatchObject({ state: 'queued', projectId, job: { kind: 'resume', runId: long.id, name: 'long', maxSteps: step + 10 } });
    await expect(studio.requeueRun(long.id)).rejects.toThrow(/already in the queue|is training/);
    await queueEmpty();
    const after = studio.runs.getRun(long.id);
    expect(after.progress!.step).toBe(step + 10);
    expect(studio.runs.readMetrics(long.id).filter((p) => p.resumed === 1)).toHaveLength(1);
  }, 90_000);

  it('previewSweep counts a grid\'s trials and draws random ones from the seed; bad sweeps are refused', async () => {
    const base: SweepRequest = { projectId, name: 'pv', config: { ...TINY, epochs: 1 }, dataset, backend: 'cpu' };
    const grid = await studio.previewSweep({ ...base, grid: { locationStd: '0.1,0.17', learningRate: '1e-3,3e-3' } });
    expect(grid.trials.map((t) => t.name)).toEqual([
      'pv #1 locationStd=0.1 learningRate=0.001',
      'pv #2 locationStd=0.1 learningRate=0.003',
      'pv #3 locationStd=0.17 learningRate=0.001',
      'pv #4 locationStd=0.17 learningRate=0.003',
    ]);
    expect(grid.trials[3]!.settings).toEqual({ locationStd: 0.17, learningRate: 0.003 });
    const random = (seed: number) => studio.previewSweep({ ...base, random: { learningRate: 'log:1e-4..3e-3' }, trials: 3, seed });
    const r7 = await random(7);
    expect(r7.trials).toHaveLength(3);
    expect(await random(7)).toEqual(r7);
    expect((await random(8)).trials).not.toEqual(r7.trials);
    await expect(studio.previewSweep({ ...base, grid: { glimpses: '2' }, random: { learningRate: 'log:1e-4..3e-3' }, trials: 2 })).rejects.toThrow('either grid or random');
    await expect(studio.previewSweep({ ...base, random: { learningRate: 'log:1e-4..3e-3' } })).rejects.toThrow('need a number of trials');
    await expect(studio.previewSweep(base)).rejects.toThrow('a sweep needs a grid');
    await expect(studio.previewSweep({ ...base, grid: { nonsense: '1,2' } })).rejects.toThrow("unknown setting 'nonsense'");
    await expect(studio.previewSweep({ ...base, grid: { glimpses: '2' }, medianStop: true, config: { ...TINY, validationSize: 0 } })).rejects.toThrow('median stopping needs a validation set');
    expect(await studio.listQueue()).toEqual([]);
  });

  it('queueSweep queues every trial as a run of the sweep; its name cannot be used again', async () => {
    const entries: QueueEntry[] = await studio.queueSweep({ projectId, name: 'sw', config: { ...TINY, epochs: 1 }, dataset, backend: 'cpu', grid: { learningRate: '1e-3,3e-3' }, medianStop: true });
    expect(entries.map((e) => e.job.name)).toEqual(['sw #1 learningRate=0.001', 'sw #2 learningRate=0.003']);
    expect(entries[1]!.job).toMatchObject({ kind: 'train', medianStop: true, sweep: { name: 'sw', trial: 2, settings: { learningRate: 0.003 } } });
    await expect(studio.queueSweep({ projectId, name: 'sw', config: { ...TINY }, grid: { learningRate: '1e-3' } })).rejects.toThrow("a sweep named 'sw' exists already");
    await queueEmpty();
    const rows = (await studio.listRuns(projectId)).filter((r) => r.sweep?.name === 'sw');
    expect(rows.map((r) => r.sweep!.trial).sort()).toEqual([1, 2]);
    for (const r of rows) expect(studio.runs.getRun(r.id).limits?.medianStop).toBe(true);
  }, 90_000);

  it('closing the studio puts its queued training back as a resume, for the next runner', async () => {
    const entry = await studio.queueRun(request('closing', 200));
    const running = await waitFor('closing to have its run', async () => (await studio.listQueue()).find((e) => e.id === entry.id && e.runId));
    await studio.shutdown(20_000);
    const [back] = new RunQueue(home).list();
    expect(back).toMatchObject({ id: entry.id, state: 'queued', position: 1, job: { kind: 'resume', runId: running.runId, name: 'closing' } });
    expect(studio.runs.getRun(running.runId!).status).toBe('stopped');
    new RunQueue(home).cancel(entry.id);
  }, 60_000);
});
