/**
 * A median-stopped sweep trial stays median-stopped when it is resumed: the trainer recomputes
 * the table from its sweep's other (finished) trials, so a hopeless trial interrupted before its
 * first epoch ends is stopped by the rule after resuming instead of training all its epochs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/storage';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';
import { saccade } from '../helpers/saccade-cli';

let home: string;
let dataDir: string;

beforeAll(async () => {
  home = tempDir('median-resume');
  dataDir = await writeMnistSubset(path.join(home, 'data'), 600, 100);
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

// 500 training images in batches of 50: 10 steps an epoch.
const tiny = () => [
  '--data', dataDir, '--batch-size', '50', '--validation-size', '100',
  '--glimpses', '2', '--glimpse-hidden', '8', '--location-hidden', '8', '--glimpse-features', '16', '--core-hidden', '16',
  '--workers', '1', '--mc-samples', '1', '--backend', 'cpu', '--lr-min', '0', '--epochs', '3', '--median-stop',
];

describe('median stopping on resume', () => {
  it('a resumed median-stopped trial is stopped by the median of its sweep\'s finished trials', async () => {
    const good = await saccade(['sweep', ...tiny(), '--grid', 'learningRate=3e-3', '--name', 'm'], home, 200_000);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    // The hopeless trial is cut off by its step limit before its first epoch ends.
    // (A sweep's name is used once, so it is trained as sweep 'cut' and then made trial 2 of 'm'.)
    const cut = await saccade(['sweep', ...tiny(), '--grid', 'learningRate=1e-12', '--max-steps', '5', '--name', 'cut'], home, 200_000);
    expect(cut.code).toBe(0);
    const store = new RunStore(home);
    let hopeless = store.listRuns().find((m) => m.config.learningRate === 1e-12)!;
    hopeless = store.updateMeta(hopeless.id, { sweep: { ...hopeless.sweep!, name: 'm', trial: 2 } });
    expect(hopeless.limits?.medianStop).toBe(true);
    expect(hopeless.progress?.step).toBe(5);
    expect(hopeless.stopReason).toBeUndefined();

    const resumed = await saccade(['resume', hopeless.id, '--max-steps', '30'], home, 200_000);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const after = store.getRun(hopeless.id);
    expect(after.stopReason?.reason).toBe('median');
    expect(after.stopReason?.message).toContain("below the median of the sweep's finished trials");
    expect(after.progress!.epoch).toBeLessThan(3);
    expect(after.limits?.medianStop).toBe(true);
  }, 300_000);
});
