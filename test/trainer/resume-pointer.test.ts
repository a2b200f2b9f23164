/**
 * Resuming a run whose checkpoints/latest.json is lost or unreadable (real trainer processes):
 * it continues from the newest checkpoint that loads, never from random weights, and never
 * replaces a better best checkpoint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../src-main/core/config';
import { EngineService } from '../../src-main/services/training-service';
import type { JobEvent } from '../../src-main/shared/jobs';
import { RunStore } from '../../src-main/storage';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';

// 600 - 100 validation images in batches of 50: 10 steps an epoch.
const config = presetConfig('centered', {
  batchSize: 50,
  validationSize: 100,
  epochs: 10,
  glimpseHidden: 8,
  locationHidden: 8,
  glimpseFeatures: 16,
  coreHidden: 16,
  mcSamples: 1,
});

let home: string;
let dataDir: string;
const engine = new EngineService();

beforeAll(async () => {
  home = tempDir('resume-pointer');
  dataDir = await writeMnistSubset(path.join(home, 'data'), 600, 100);
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** A run trained for `steps` steps, with its epoch checkpoints. */
async function trainedRun(steps: number): Promise<string> {
  const summary = await engine.train({ home, config: { ...config }, name: 'pointer', dataDir, maxSteps: steps, workers: 1 }, () => {}).result;
  return summary.runId;
}

async function resume(runId: string, maxSteps: number): Promise<{ events: JobEvent[]; error?: Error }> {
  const events: JobEvent[] = [];
  try {
    await engine.train({ home, resume: runId, maxSteps, workers: 1 }, (e) => events.push(e)).result;
    return { events };
  } catch (error) {
    return { events, error: error as Error };
  }
}

const resumedFrom = (events: JobEvent[]) => events.find((e): e is Extract<JobEvent, { type: 'run' }> => e.type === 'run')?.resumedFrom;
const ckDir = (runId: string) => path.join(home, 'runs', runId, 'checkpoints');

describe('resume without a usable latest.json', () => {
  it('a missing pointer: continues from the newest readable checkpoint', async () => {
    const runId = await trainedRun(20);
    fs.rmSync(path.join(ckDir(runId), 'latest.json'));
    const { events, error } = await resume(runId, 30);
    expect(error).toBeUndefined();
    expect(resumedFrom(events)).toEqual({ step: 20, epoch: 2 });
    expect(new RunStore(home).getRun(runId).progress?.step).toBe(30);
  });

  it('an unreadable pointer, and the checkpoint it names torn: falls back to the next newest', async () => {
    const runId = await trainedRun(30);
    fs.writeFileSync(path.join(ckDir(runId), 'latest.json'), '{"name": "epoch-00');
    const { events, error } = await resume(runId, 40);
    expect(error).toBeUndefined();
    expect(resumedFrom(events)).toEqual({ step: 30, epoch: 3 });

    // Now tear the newest checkpoint's weights: the one before it is used.
    const store = new RunStore(home);
    const newest = store.latestCheckpoint(runId)!.name;
    fs.truncateSync(path.join(ckDir(runId), newest, 'weights.bin'), 10);
    const again = await resume(runId, 50);
    expect(again.error).toBeUndefined();
    expect(resumedFrom(again.events)!.step).toBeLessThan(40);
    expect(resumedFrom(again.events)!.step).toBeGreaterThan(0);
  });

  it('checkpoints that all fail to load: a clear error, and best is left as it was', async () => {
    const runId = await trainedRun(20);
    const store = new RunStore(home);
    const bestBefore = fs.readFileSync(path.join(ckDir(runId), 'best', 'weights.bin'));
    const metaBefore = store.getRun(runId);
    for (const c of store.listCheckpoints(runId)) fs.writeFileSync(path.join(ckDir(runId), c.name, 'checkpoint.json'), '{');
    fs.rmSync(path.join(ckDir(runId), 'latest.json'));
    const { error } = await resume(runId, 30);
    expect(error?.message).toMatch(new RegExp(`^run ${runId} has checkpoints \\(.*best.*\\) but none can be read .*not starting it again from random weights`));
    expect(store.getRun(runId).best).toEqual(metaBefore.best);
    expect(fs.readFileSync(path.join(ckDir(runId), 'best', 'weights.bin')).equals(bestBefore)).toBe(true);
  });

  it('a better best recorded in meta.json is never replaced by a worse one', async () => {
    const runId = await trainedRun(20);
    const store = new RunStore(home);
    // The best so far, as meta.json records it, is better than these few steps can reach.
    store.updateMeta(runId, (m) => ({ best: { ...m.best!, validationAccuracy: 0.999 } }));
    const bestStep = store.listCheckpoints(runId).find((c) => c.name === 'best')!.step;
    fs.rmSync(path.join(ckDir(runId), 'latest.json'));
    const { error } = await resume(runId, 40);
    expect(error).toBeUndefined();
    expect(store.getRun(runId).best?.validationAccuracy).toBe(0.999);
    expect(store.listCheckpoints(runId).find((c) => c.name === 'best')!.step).toBe(bestStep);
  });
});

describe('a trainer killed from outside', () => {
  it('is reported as killed, most likely for lack of memory, and its run reads as failed with the reason', async () => {
    let runId = '';
    let killed = false;
    const running = engine.train({ home, config: { ...config }, name: 'killed', dataDir, workers: 1 }, (e) => {
      if (e.type === 'run') runId = e.runId;
      if (e.type === 'progress' && !killed) {
        killed = true;
        // As the OOM killer would: SIGKILL from another process, not through the handle.
        const lock = JSON.parse(fs.readFileSync(path.join(home, 'runs', runId, 'lock.json'), 'utf8')) as { pid: number };
        process.kill(lock.pid, 'SIGKILL');
      }
    });
    const err = await running.result.then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/^the trainer process was killed \(SIGKILL\): (out of memory|by another process or, most often, by the system when it ran out of memory)/);
    const meta = new RunStore(home).getRun(runId);
    expect(meta.status).toBe('failed');
    expect(meta.error).toMatch(/SIGKILL.*resume it from its last checkpoint/);
  });
});
