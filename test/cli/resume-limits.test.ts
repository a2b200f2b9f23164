/**
 * A resume continues the run as it was started (real CLI, trainer and studio): its step limit and
 * backend choice are kept; a run at its limit says so and can be extended with a new one; a run
 * with no checkpoint yet says it starts again from step 0.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../src-main/services/studio-service';
import { RunStore } from '../../src-main/storage';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';
import { lastJson, ROOT, saccade } from '../helpers/saccade-cli';

let home: string;
let dataDir: string;

beforeAll(async () => {
  home = tempDir('resume-limits');
  dataDir = await writeMnistSubset(path.join(home, 'data'), 600, 100);
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

// 500 training images in batches of 50: 10 steps an epoch, 500 epochs.
const TINY = ['--data', '', '--batch-size', '50', '--validation-size', '100', '--epochs', '500', '--glimpse-hidden', '8', '--location-hidden', '8', '--glimpse-features', '16', '--core-hidden', '16', '--workers', '1', '--mc-samples', '1'];
const tiny = () => TINY.map((a) => (a === '' ? dataDir : a));

/** `saccade train` stopped from outside (SIGTERM to its group) once it passed `afterStep`. */
function trainAndStop(args: string[], afterStep: number): Promise<string> {
  const cli = spawn(process.execPath, [path.join(ROOT, 'bin/saccade.mjs'), 'train', ...args, '--json'], {
    cwd: ROOT,
    env: { ...process.env, SACCADE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let runId = '';
    let signalled = false;
    cli.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const e = JSON.parse(line) as { type: string; runId?: string; step?: number };
        if (e.type === 'run') runId = e.runId!;
        if (e.type === 'progress' && e.step! >= afterStep && !signalled) {
          signalled = true;
          process.kill(-cli.pid!, 'SIGTERM');
        }
      }
    });
    cli.on('exit', (code) => (code === 0 && runId ? resolve(runId) : reject(new Error(`train exited with ${code}`))));
  });
}

describe('resume keeps its word', () => {
  let runId = '';

  it('a run started with --max-steps 40 and stopped early resumes to step 40, not to its last epoch', async () => {
    runId = await trainAndStop([...tiny(), '--max-steps', '40'], 12);
    const store = new RunStore(home);
    expect(store.getRun(runId).status).toBe('stopped');
    expect(store.getRun(runId).progress!.step).toBeLessThan(40);
    const resumed = await saccade(['resume', runId, '--json'], home);
    expect(resumed.code).toBe(0);
    expect(lastJson<{ steps: number; status: string }>(resumed.stdout)).toMatchObject({ steps: 40, status: 'completed' });
    expect(store.getRun(runId).progress).toMatchObject({ step: 40, totalSteps: 40 });
  });

  it('a run at its limit says so when resumed without a new one, and stays completed', async () => {
    const again = await saccade(['resume', runId], home);
    expect(again.stderr).toBe(`saccade: error: run ${runId} is at step 40, its step limit is 40: resume it with a higher maxSteps (--max-steps) to train it further\n`);
    expect(again.code).toBe(1);
    expect(new RunStore(home).getRun(runId).status).toBe('completed');
  });

  it('it is extended by a resume with a higher limit, which then holds', async () => {
    const extended = await saccade(['resume', runId, '--max-steps', '50', '--json'], home);
    expect(extended.code).toBe(0);
    expect(new RunStore(home).getRun(runId).progress).toMatchObject({ step: 50, totalSteps: 50 });
    expect(new RunStore(home).getRun(runId).limits?.maxSteps).toBe(50);
  });

  it('the backend chosen at the start is kept by a resume', async () => {
    const id = await trainAndStop([...tiny(), '--backend', 'cpu', '--max-steps', '30'], 3);
    const resumed = await saccade(['resume', id, '--json'], home);
    const backend = resumed.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; name?: string }).find((e) => e.type === 'backend');
    expect(backend?.name).toBe('cpu');
  });

  it('in the studio: a resume says where it continues from, and extends a run with maxSteps', async () => {
    const studio = await StudioService.create({ home, transport: 'websocket' });
    try {
      const result = await studio.resumeRun(runId, { maxSteps: 60 });
      expect(result).toEqual({ runId, from: 'checkpoint', resumedFrom: { step: 50, epoch: 5 } });
      const store = new RunStore(home);
      const end = Date.now() + 60_000;
      while (store.getRun(runId).progress?.step !== 60 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      expect(store.getRun(runId).progress).toMatchObject({ step: 60, totalSteps: 60 });
    } finally {
      await studio.shutdown(5000);
    }
  });

  it('a run with no checkpoint yet says it starts again from step 0 (CLI and studio)', async () => {
    // Stopped before any checkpoint: remove the one the stop saved.
    const id = await trainAndStop([...tiny(), '--max-steps', '30'], 2);
    const store = new RunStore(home);
    for (const c of store.checkpointFolders(id)) fs.rmSync(path.join(home, 'runs', id, 'checkpoints', c), { recursive: true });
    fs.rmSync(path.join(home, 'runs', id, 'checkpoints', 'latest.json'), { force: true });
    const plain = await saccade(['resume', id, '--max-steps', '3'], home);
    expect(plain.stdout).toContain(`${id} has no checkpoint yet: starting again from step 0`);
    for (const c of store.checkpointFolders(id)) fs.rmSync(path.join(home, 'runs', id, 'checkpoints', c), { recursive: true });
    fs.rmSync(path.join(home, 'runs', id, 'checkpoints', 'latest.json'), { force: true });
    const studio = await StudioService.create({ home, transport: 'websocket' });
    try {
      expect(await studio.resumeRun(id, { maxSteps: 4 })).toEqual({ runId: id, from: 'start' });
    } finally {
      await studio.shutdown(5000);
    }
  });

  it('a pause is recorded: the run reads as paused (listRuns, meta.json), then running again', async () => {
    const studio = await StudioService.create({ home, transport: 'websocket' });
    const store = new RunStore(home);
    try {
      const project = (await studio.listProjects())[0]!;
      const tiny = { task: 'centered' as const, batchSize: 50, validationSize: 100, glimpseHidden: 8, locationHidden: 8, glimpseFeatures: 16, coreHidden: 16, epochs: 500 };
      const { runId: id } = await studio.startRun({ projectId: project.id, config: tiny, dataset: undefined, maxSteps: 100000 });
      await studio.pauseRun(id);
      await until(() => store.getRun(id).status === 'paused');
      expect((await studio.listRuns(project.id)).find((r) => r.id === id)?.status).toBe('paused');
      await studio.resumeRun(id);
      await until(() => store.getRun(id).status === 'running');
      await studio.stopRun(id);
      await until(() => store.getRun(id).status === 'stopped');
    } finally {
      await studio.shutdown(5000);
    }
  });

  it('a pause after training ended (during the final test) leaves the run completed, not paused', async () => {
    const studio = await StudioService.create({ home, transport: 'websocket' });
    const store = new RunStore(home);
    try {
      const project = (await studio.listProjects())[0]!;
      let testing!: () => void;
      const inTest = new Promise<void>((resolve) => (testing = resolve));
      const off = studio.onTrainingEvent(({ event }) => {
        if (event.type === 'evaluating' && event.what.startsWith('test')) testing();
      });
      // cluttered100: its final test takes long enough for the pause to arrive during it.
      const tiny = { task: 'cluttered100' as const, batchSize: 50, glimpseHidden: 8, locationHidden: 8, glimpseFeatures: 16, coreHidden: 16, epochs: 1, mcSamples: 1 };
      const { runId: id } = await studio.startRun({ projectId: project.id, config: tiny, maxSteps: 2 });
      await inTest;
      off();
      await studio.pauseRun(id);
      // The pause reaches the trainer during its test (which then waits) or just after it ended:
      // either way meta.json must never say paused.
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) {
        seen.add(store.getRun(id).status);
        await new Promise((r) => setTimeout(r, 100));
      }
      if (studio.liveRunIds().includes(id)) await studio.resumeRun(id);
      await until(() => studio.liveRunIds().length === 0);
      seen.add(store.getRun(id).status);
      expect([...seen]).toEqual(['completed']);
      expect(store.getRun(id).test).toBeDefined();
    } finally {
      await studio.shutdown(5000);
    }
  });

  it('the studio says so when asked to stop a run the command line is training', async () => {
    const cli = spawn(process.execPath, [path.join(ROOT, 'bin/saccade.mjs'), 'train', ...tiny(), '--max-steps', '100000', '--json'], {
      cwd: ROOT,
      env: { ...process.env, SACCADE_HOME: home },
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    const exited = new Promise<void>((resolve) => cli.on('exit', () => resolve()));
    const id = await new Promise<string>((resolve) => {
      let out = '';
      cli.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /"type":"progress","runId":"([^"]+)"/.exec(out);
        if (m) resolve(m[1]!);
      });
    });
    const studio = await StudioService.create({ home, transport: 'websocket' });
    try {
      await expect(studio.stopRun(id)).rejects.toThrow(new RegExp(`^run ${id} is trained by process \\d+, not by this studio: stop it there`));
    } finally {
      process.kill(-cli.pid!, 'SIGTERM');
      await exited;
      await studio.shutdown(5000);
    }
  });

  it('a shipped example cannot be resumed (it has no optimizer state) and stays completed', async () => {
    const exampleHome = path.join(home, 'examples');
    const studio = await StudioService.create({ home: exampleHome, transport: 'websocket', modelsDir: path.join(ROOT, 'resources', 'models') });
    try {
      const example = new RunStore(exampleHome).listRuns().find((r) => r.example === 'centered')!;
      await expect(studio.resumeRun(example.id, { maxSteps: example.progress!.step + 10 })).rejects.toThrow(
        `run ${example.id} is the shipped example model 'centered': it has no optimizer state to continue from; start a new run with its settings to train one`,
      );
      const cli = await saccade(['resume', example.id, '--home', exampleHome], exampleHome);
      expect(cli.stderr).toMatch(/^saccade: error: run .* is the shipped example model 'centered'/);
      expect(new RunStore(exampleHome).getRun(example.id).status).toBe('completed');
    } finally {
      await studio.shutdown(5000);
    }
  });
});

async function until(check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
