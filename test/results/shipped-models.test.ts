/**
 * The shipped models in resources/models: each loads, is small, and `saccade eval --model DIR`
 * prints on the full 10,000-image test set exactly the error its folder records, which is the
 * number the README's results table shows. Forced to wasm: the figures were measured there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src-main/core/config';
import { readCheckpointDir } from '../../src-main/storage';
import { tempDir } from '../helpers/mnist-subset';
import { lastJson, ROOT, saccade } from '../helpers/saccade-cli';

const MODELS = path.join(ROOT, 'resources/models');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Recorded {
  testAccuracy: number;
  testAccuracyMC: number;
  mcSamples: number;
  epochs: number;
}

interface EvalSummary {
  accuracy: number;
  accuracyMC: number;
  mcSamples: number;
  count: number;
}

const home = tempDir('shipped');
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

async function evalModel(dir: string, extraArgs: string[]): Promise<EvalSummary> {
  const r = await saccade(['eval', '--model', dir, '--backend', 'wasm', '--json', ...extraArgs], home, 600_000);
  if (r.code !== 0) throw new Error(`saccade eval failed: ${r.stderr}`);
  return lastJson<EvalSummary>(r.stdout);
}

/** "0.74 %": how the README writes an error. */
const percent = (accuracy: number) => `${(100 * (1 - accuracy)).toFixed(2)} %`;

const tasks = fs.readdirSync(MODELS).filter((t) => fs.existsSync(path.join(MODELS, t, 'checkpoint.json')));

describe('shipped models', () => {
  it('ship one model per task the README reports', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    for (const task of tasks) expect(README).toContain(`\`resources/models/${task}\``);
  });

  for (const task of tasks) {
    const dir = path.join(MODELS, task);
    // Monte-Carlo over the full set costs ten passes: checked in full on the smallest task only.
    const fullMC = task === 'centered';

    it(`${task}: loads, is small, and eval prints the recorded${fullMC ? ' mean and Monte-Carlo' : ' mean'} test error`, async () => {
      const bytes = fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
      expect(bytes).toBeLessThan(4 << 20);
      const ckpt = readCheckpointDir(dir);
      const config = validateConfig(ckpt.config);
      expect(config.task).toBe(task);
      const recorded = ckpt.extra as unknown as Recorded;

      const summary = await evalModel(dir, fullMC ? [] : ['--mc', '1']);
      expect(summary.count).toBe(10_000);
      expect(summary.accuracy).toBe(recorded.testAccuracy);
      if (fullMC) {
        expect(summary.mcSamples).toBe(recorded.mcSamples);
        expect(summary.accuracyMC).toBe(recorded.testAccuracyMC);
      }

      // The README's row for this model shows both recorded errors.
      const row = README.split('\n').find((line) => line.startsWith('|') && line.includes(`\`resources/models/${task}\``));
      expect(row, `README results row for ${task}`).toBeDefined();
      expect(row).toContain(percent(recorded.testAccuracy));
      expect(row).toContain(percent(recorded.testAccuracyMC));
    });
  }
});
