/**
 * A training run in a real trainer process, killed with SIGKILL mid-run, then resumed to the end:
 * the run is marked failed with its data kept, and the resumed run completes with its history.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../src-main/core/config';
import { EngineService } from '../../src-main/services/training-service';
import { JobError } from '../../src-main/services/job-launcher';
import type { JobEvent, TrainSummary } from '../../src-main/shared/jobs';
import { RunStore, type MetricPoint } from '../../src-main/storage';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';

const TRAIN = 20000;
const VALIDATION = 500;
const BATCH = 32;
// floor((20000 - 500) / 32) = 609 optimizer steps per epoch, 3 epochs = 1827 steps
const STEPS_PER_EPOCH = 609;
const EPOCHS = 3;

let home: string;
let dataDir: string;

beforeAll(async () => {
  home = tempDir('resume');
  dataDir = await writeMnistSubset(path.join(home, 'data'), TRAIN, 2000);
});

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

const config = presetConfig('centered', {
  batchSize: BATCH,
  validationSize: VALIDATION,
  epochs: EPOCHS,
  glimpseHidden: 16,
  locationHidden: 16,
  glimpseFeatures: 32,
  coreHidden: 32,
  mcSamples: 2,
});

describe('kill and resume a training run (real trainer process)', () => {
  const engine = new EngineService();
  let runId = '';
  let beforeKill: MetricPoint[] = [];
  let killedAfterStep = 0;

  it('a SIGKILL mid-run rejects with a crash and marks the run failed, keeping its data', async () => {
    const events: JobEvent[] = [];
    let progressAfterEpoch = 0;
    let killed = false;
    const running = engine.train({ home, config: { ...config }, name: 'resume test', dataDir }, (e) => {
      events.push(e);
      if (e.type === 'run') runId = e.runId;
      if (killed) return;
      if (e.type === 'progress' && events.some((x) => x.type === 'epoch')) {
        progressAfterEpoch += 1;
        killedAfterStep = e.step;
        // epoch 1 is done and epoch 2 is under way: kill it like a crash would
        if (progressAfterEpoch >= 2) {
          killed = true;
          running.handle.kill();
        }
      }
    });
    expect(running.handle.pid).toBeGreaterThan(0);
    const err = await running.result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).code).toBe('crash');
    expect((err as JobError).message).toMatch(/^the trainer process was killed \(SIGKILL\)/);
    expect(killed).toBe(true);
    expect(runId).not.toBe('');

    const epochEvents = events.filter((e): e is Extract<JobEvent, { type: 'epoch' }> => e.type === 'epoch');
    expect(epochEvents[0]).toMatchObject({ epoch: 1, step: STEPS_PER_EPOCH });
    expect(killedAfterStep).toBeGreaterThan(STEPS_PER_EPOCH);

    const store = new RunStore(home);
    const meta = store.getRun(runId);
    expect(meta.status).toBe('failed');
    expect(meta.error).toMatch(/killed \(SIGKILL\).*resume it from its last checkpoint/);
    expect(meta.progress).toMatchObject({ epoch: epochEvents.length, step: STEPS_PER_EPOCH * epochEvents.length });
    expect(meta.dataset).toMatchObject({ source: dataDir, train: TRAIN - VALIDATION, validation: VALIDATION, test: 2000 });

    beforeKill = store.readMetrics(runId);
    expect(beforeKill.length).toBeGreaterThan(STEPS_PER_EPOCH / 20 - 1);
    // a metric line every 20 steps (averages), the first at step 20, and the epoch-1 validation line
    expect(beforeKill[0]).toMatchObject({ step: 20 });
    expect(typeof beforeKill[0].loss).toBe('number');
    expect(beforeKill.find((m) => m.validationAccuracy !== undefined)).toMatchObject({ step: STEPS_PER_EPOCH, epoch: 1 });

    const latest = store.latestCheckpoint(runId);
    expect(latest).toBeDefined();
    expect(latest!.epoch).toBe(epochEvents.length);
    expect(latest!.name).toBe(`epoch-000${epochEvents.length}`);
    const names = store.listCheckpoints(runId).map((c) => c.name);
    expect(names).toContain('epoch-0001');
    expect(names).toContain('best');
    const ckpt = store.loadCheckpoint(runId, 'latest');
    expect(ckpt.step).toBe(STEPS_PER_EPOCH * epochEvents.length);
    expect(ckpt.optimizer && Object.keys(ckpt.optimizer).length).toBe(28); // m and v for 14 weights
  });

  it('a torn last metrics line does not break reading', () => {
    const store = new RunStore(home);
    // As if the process died in the middle of a write.
    fs.appendFileSync(store.metricsPath(runId), '{"step":7,"epoch":1,"tornMarker":0.');
    expect(store.readMetrics(runId)).toEqual(beforeKill);
  });

  it('resumes from the last checkpoint to completion, keeping the history', async () => {
    const events: JobEvent[] = [];
    const running = engine.train({ home, resume: runId }, (e) => events.push(e));
    const summary: TrainSummary = await running.result;

    const runEvent = events.find((e): e is Extract<JobEvent, { type: 'run' }> => e.type === 'run');
    expect(runEvent?.runId).toBe(runId);
    const from = runEvent!.resumedFrom!;
    expect(from.epoch).toBeGreaterThanOrEqual(1);
    expect(from.step).toBe(from.epoch * STEPS_PER_EPOCH);

    expect(summary).toMatchObject({ runId, status: 'completed', steps: STEPS_PER_EPOCH * EPOCHS, epochs: EPOCHS });
    expect(typeof summary.test?.accuracy).toBe('number');
    expect(summary.test!.count).toBe(2000);
    expect(summary.test!.accuracy).toBeGreaterThan(0.1);
    // epochs after the resume point were run again, each reported
    const epochs = events.filter((e) => e.type === 'epoch').map((e) => (e as { epoch: number }).epoch);
    expect(epochs).toEqual(Array.from({ length: EPOCHS - from.epoch }, (_, i) => from.epoch + i + 1));

    const store = new RunStore(home);
    const meta = store.getRun(runId);
    expect(meta.status).toBe('completed');
    expect(meta.error).toBeUndefined();
    expect(meta.progress).toMatchObject({ epoch: EPOCHS, step: STEPS_PER_EPOCH * EPOCHS });
    expect(meta.test?.accuracy).toBe(summary.test!.accuracy);

    // The file is whole again: the torn fragment was cut, every line parses.
    const raw = fs.readFileSync(store.metricsPath(runId), 'utf8');
    expect(raw).not.toContain('tornMarker');
    expect(raw.endsWith('\n')).toBe(true);
    const lines = raw.split('\n').filter(Boolean);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();

    const after = store.readMetrics(runId);
    expect(after.length).toBe(lines.length);
    // Everything logged before the kill is still there, first, unchanged; epoch 1's steps too.
    expect(after.slice(0, beforeKill.length)).toEqual(beforeKill);
    expect(after.filter((m) => m.step <= STEPS_PER_EPOCH && m.loss !== undefined).length).toBe(Math.floor(STEPS_PER_EPOCH / 20));
    // then the resume marker at the checkpoint's step
    expect(after[beforeKill.length]).toMatchObject({ resumed: 1, step: from.step, epoch: from.epoch });
    // and the final epoch's validation line
    const validations = after.filter((m) => m.validationAccuracy !== undefined);
    expect(validations[validations.length - 1]).toMatchObject({ epoch: EPOCHS, step: STEPS_PER_EPOCH * EPOCHS });
  });
});

describe('resuming reproduces the uninterrupted run exactly', () => {
  it.each([181, 200])('gives bit-identical weights after 250 steps: straight vs %i + resume', async (cut) => {
    const data = await writeMnistSubset(path.join(home, 'small'), 3000, 200);
    // floor((3000 - 100) / 16) = 181 steps per epoch
    const small = presetConfig('centered', {
      batchSize: 16,
      validationSize: 100,
      epochs: 2,
      glimpseHidden: 8,
      locationHidden: 8,
      glimpseFeatures: 16,
      coreHidden: 16,
      mcSamples: 1,
    });
    const engine = new EngineService();
    const quiet = () => {};
    // cpu: deterministic kernels, so any difference comes from the training loop itself
    const straight = await engine.train({ home, config: { ...small }, dataDir: data, maxSteps: 250, backend: 'cpu' }, quiet).result;
    // 181 ends exactly at the epoch boundary; 200 stops in the middle of the second epoch.
    const first = await engine.train({ home, config: { ...small }, dataDir: data, maxSteps: cut, backend: 'cpu' }, quiet).result;
    expect(first).toMatchObject({ steps: cut, epochs: 1 });
    const second = await engine.train({ home, resume: first.runId, maxSteps: 250, backend: 'cpu' }, quiet).result;
    expect(second).toMatchObject({ runId: first.runId, steps: 250 });

    const store = new RunStore(home);
    const a = store.loadCheckpoint(straight.runId, 'latest');
    const b = store.loadCheckpoint(first.runId, 'latest');
    expect(a.step).toBe(250);
    expect(b.step).toBe(250);
    for (const name of Object.keys(a.weights)) {
      expect(Array.from(b.weights[name].data), name).toEqual(Array.from(a.weights[name].data));
    }
    for (const name of Object.keys(a.optimizer!)) {
      expect(Array.from(b.optimizer![name].data), name).toEqual(Array.from(a.optimizer![name].data));
    }
  });
});
