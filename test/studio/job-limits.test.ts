/**
 * The studio bounds the trainer processes it forks (real processes, counted as they start and
 * end): jobs beyond the limit wait in a short queue or are refused with a clear error; training
 * runs beyond theirs are refused; three resumes of one run at once start one trainer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForkJobLauncher, type JobHandle, type JobLauncher } from '../../src-main/services/job-launcher';
import { LimitedJobLauncher } from '../../src-main/services/job-limits';
import { StudioService } from '../../src-main/services/studio-service';
import type { Job, JobEvent } from '../../src-main/shared/jobs';
import { RunStore } from '../../src-main/storage';
import { tempDir } from '../helpers/mnist-subset';
import { ROOT, saccade } from '../helpers/saccade-cli';

/** The real launcher, with a count of the processes it has running. */
class CountingLauncher implements JobLauncher {
  private readonly real = new ForkJobLauncher();
  running = 0;
  peak = 0;
  started: Job['kind'][] = [];
  start(job: Job, onEvent: (event: JobEvent) => void): JobHandle {
    const handle = this.real.start(job, onEvent);
    this.started.push(job.kind);
    this.running += 1;
    this.peak = Math.max(this.peak, this.running);
    const end = () => (this.running -= 1);
    handle.done.then(end, end);
    return handle;
  }
}

let home: string;
let studio: StudioService;
const launcher = new CountingLauncher();
let exampleRun = '';

beforeAll(async () => {
  home = tempDir('job-limits');
  studio = await StudioService.create({
    home,
    transport: 'websocket',
    launcher,
    modelsDir: path.join(ROOT, 'resources', 'models'),
    jobLimits: { trainings: 1, jobs: 1, waiting: 1 },
  });
  exampleRun = new RunStore(home).listRuns().find((r) => r.example === 'centered')!.id;
});
afterAll(async () => {
  await studio.shutdown(5000);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('job limits', () => {
  it('jobs beyond the limit wait; beyond the queue they are refused; every call gets an answer', async () => {
    launcher.peak = 0;
    const calls = [0, 1, 2].map((i) => studio.traceRun({ runId: exampleRun, indices: [i], mode: 'mean' }).then(
      (traces) => ({ ok: traces.length }),
      (err: Error) => ({ error: err.message }),
    ));
    const results = await Promise.all(calls);
    expect(results.filter((r) => 'ok' in r)).toEqual([{ ok: 1 }, { ok: 1 }]);
    expect(results.filter((r) => 'error' in r)).toEqual([{ error: expect.stringMatching(/^too many jobs at once \(1 running, 1 waiting\): try again when one has ended$/) }]);
    expect(launcher.peak).toBe(1);
  });

  it('a training beyond the limit is refused; three resumes of one run at once start one trainer', async () => {
    const project = (await studio.listProjects())[0]!;
    const tiny = { task: 'centered' as const, batchSize: 32, glimpseHidden: 8, locationHidden: 8, glimpseFeatures: 16, coreHidden: 16, epochs: 50 };
    const { runId } = await studio.startRun({ projectId: project.id, config: tiny, maxSteps: 100000 });
    await expect(studio.startRun({ projectId: project.id, config: tiny })).rejects.toThrow(/^1 runs are training already \(at most 1 at once\): stop one or wait for one to end$/);
    // Another process (the CLI) cannot train it at the same time.
    const cli = await saccade(['resume', runId, '--home', home], home);
    expect(cli.stderr).toMatch(new RegExp(`^saccade: error: run ${runId} is being trained by process \\d+ \\(since \\d{4}-.*\\)\n$`));
    expect(cli.code).toBe(1);
    await studio.stopRun(runId);
    await until(() => studio.liveRunIds().length === 0);

    const trainsBefore = launcher.started.filter((k) => k === 'train').length;
    const resumes = await Promise.allSettled([studio.resumeRun(runId), studio.resumeRun(runId), studio.resumeRun(runId)]);
    expect(resumes.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(launcher.started.filter((k) => k === 'train').length - trainsBefore).toBe(1);
    expect(studio.liveRunIds()).toEqual([runId]);
    await studio.stopRun(runId);
    await until(() => studio.liveRunIds().length === 0);
  });
});

async function until(check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('job limits when a process cannot start', () => {
  /** A stand-in launcher whose first start throws (as spawn does on ENOMEM); later ones settle at once. */
  class StandInFailingFirst implements JobLauncher {
    starts = 0;
    start(): JobHandle {
      this.starts += 1;
      if (this.starts === 1) throw new Error('spawn ENOMEM');
      return { pause() {}, resume() {}, stop() {}, kill() {}, pid: 1, done: Promise.resolve([]) };
    }
  }

  it('a start that throws takes no slot: the next jobs still run', async () => {
    const limited = new LimitedJobLauncher(new StandInFailingFirst(), { trainings: 1, jobs: 1, waiting: 1 });
    const probe = { kind: 'probe' } as const;
    expect(() => limited.start(probe, () => {})).toThrow('spawn ENOMEM');
    await expect(limited.start(probe, () => {}).done).resolves.toEqual([]);
    await expect(limited.start(probe, () => {}).done).resolves.toEqual([]);
  });
});

describe('closing the studio', () => {
  it('ends a running evaluation, cancels a waiting trace and refuses new jobs', async () => {
    const closingHome = tempDir('job-limits-closing');
    const counted = new CountingLauncher();
    const closing = await StudioService.create({
      home: closingHome,
      transport: 'websocket',
      launcher: counted,
      modelsDir: path.join(ROOT, 'resources', 'models'),
      jobLimits: { trainings: 1, jobs: 1, waiting: 1 },
    });
    try {
      const run = new RunStore(closingHome).listRuns().find((r) => r.example === 'cluttered100')!.id;
      const evaluation = closing.evaluateRun(run).then(() => 'finished', (e: Error) => e.message);
      const waiting = closing.traceRun({ runId: run, indices: [0], mode: 'mean' }).then(() => 'finished', (e: Error) => e.message);
      await until(() => counted.running === 1 && counted.started.includes('evaluate'));
      await closing.shutdown(5000);
      expect(await evaluation).toMatch(/^the trainer process was killed \(SIGKILL\)$/);
      expect(await waiting).toBe('the job was cancelled before it started');
      await expect(closing.traceRun({ runId: run, indices: [0], mode: 'mean' })).rejects.toThrow('the studio is closing: no new jobs start');
    } finally {
      fs.rmSync(closingHome, { recursive: true, force: true });
    }
  });
});
