/**
 * Early stopping (real CLI and trainer): `--patience P` ends a run once its validation accuracy has
 * not improved for P epochs. A learning rate of 1e-12 leaves the weights as they are, so the
 * accuracy of epoch 1 is never beaten and the run stops after epoch 1 + P.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/storage';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';
import { lastJson, saccade } from '../helpers/saccade-cli';

let home: string;
let dataDir: string;

beforeAll(async () => {
  home = tempDir('early-stopping');
  dataDir = await writeMnistSubset(path.join(home, 'data'), 600, 100);
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

// 500 training images in batches of 50: 10 steps an epoch; weights that do not move.
const TINY = [
  '--batch-size', '50', '--validation-size', '100', '--epochs', '20', '--learning-rate', '1e-12', '--lr-min', '0',
  '--glimpses', '2', '--glimpse-hidden', '8', '--location-hidden', '8', '--glimpse-features', '16', '--core-hidden', '16',
  '--workers', '1', '--mc-samples', '1', '--backend', 'cpu',
];
const tiny = () => ['--data', dataDir, ...TINY];

interface Summary {
  runId: string;
  status: string;
  steps: number;
  epochs: number;
  bestValidationAccuracy?: number;
  testAccuracy?: number;
  stopReason?: string;
  stopMessage?: string;
}

describe('early stopping (--patience)', () => {
  it('stops a run whose validation accuracy has not improved for 2 epochs after epoch 3, completed, tested on its best checkpoint, saying why', async () => {
    const r = await saccade(['train', ...tiny(), '--patience', '2', '--json'], home);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = lastJson<Summary>(r.stdout);
    expect(summary).toMatchObject({ status: 'completed', epochs: 3, steps: 30, stopReason: 'patience' });
    const best = summary.bestValidationAccuracy!;
    const line = `stopped early: validation accuracy did not improve for 2 epochs (best ${(100 * best).toFixed(2)}% at epoch 1)`;
    expect(summary.stopMessage).toBe(line);
    expect(summary.testAccuracy).toBeTypeOf('number');

    const store = new RunStore(home);
    const meta = store.getRun(summary.runId);
    expect(meta.status).toBe('completed');
    expect(meta.stopReason).toEqual({ reason: 'patience', message: line });
    expect(meta.limits?.patience).toBe(2);
    expect(meta.best).toMatchObject({ epoch: 1, validationAccuracy: best });
    expect(meta.progress).toMatchObject({ epoch: 3, step: 30 });
    expect(meta.test).toMatchObject({ checkpoint: 'best', accuracy: summary.testAccuracy });
    const best_ = store.listCheckpoints(summary.runId).find((c) => c.name === 'best');
    expect(best_).toMatchObject({ epoch: 1, step: 10 });
  });

  it('the plain output ends with the reason and the test result', async () => {
    const r = await saccade(['train', ...tiny(), '--patience', '1'], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run \S+ completed after 20 steps \(2 epochs\)/);
    expect(r.stdout).toMatch(/stopped early: validation accuracy did not improve for 1 epoch \(best \d+\.\d\d% at epoch 1\)\n/);
    expect(r.stdout).toContain('test accuracy (mean locations):');
  });

  it('a resume keeps the patience the run was started with', async () => {
    // Its step limit ends it after epoch 2, before its patience does; the resume lifts the limit only.
    const first = await saccade(['train', ...tiny(), '--patience', '2', '--max-steps', '20', '--json'], home);
    expect(first.code).toBe(0);
    const started = lastJson<Summary>(first.stdout);
    expect(started).toMatchObject({ status: 'completed', epochs: 2 });
    expect(started.stopReason).toBeUndefined();
    expect(new RunStore(home).getRun(started.runId).stopReason).toBeUndefined();

    const resumed = await saccade(['resume', started.runId, '--max-steps', '200', '--json'], home);
    expect(resumed.stderr).toBe('');
    expect(lastJson<Summary>(resumed.stdout)).toMatchObject({ status: 'completed', epochs: 3, steps: 30, stopReason: 'patience' });
    const meta = new RunStore(home).getRun(started.runId);
    expect(meta.limits).toMatchObject({ patience: 2, maxSteps: 200 });
    expect(meta.stopReason?.reason).toBe('patience');

    // Stopped by its patience: resuming it again says so, and a higher patience trains it further.
    const again = await saccade(['resume', started.runId], home);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('resume it with a higher patience (--patience)');
    const longer = await saccade(['resume', started.runId, '--patience', '3', '--json'], home);
    expect(longer.stderr).toBe('');
    expect(lastJson<Summary>(longer.stdout)).toMatchObject({ epochs: 4, stopReason: 'patience' });
    expect(new RunStore(home).getRun(started.runId).limits?.patience).toBe(3);
  });

  it('without a validation set, --patience is an error before any run exists', async () => {
    const before = new RunStore(home).listRuns().length;
    const r = await saccade(['train', ...tiny().filter((a, i, all) => a !== '--validation-size' && all[i - 1] !== '--validation-size'), '--validation-size', '0', '--patience', '2'], home);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^saccade: error: --patience 2 needs a validation set/);
    expect(new RunStore(home).listRuns().length).toBe(before);
    const bad = await saccade(['train', ...tiny(), '--patience', '0'], home);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--patience must be at least 1');
  });
});
