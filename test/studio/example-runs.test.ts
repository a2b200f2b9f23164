import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { presetConfig } from '../../src-main/core/config';
import { initialWeights } from '../../src-main/core/params';
import { EXAMPLES_PROJECT, installExampleRuns } from '../../src-main/services/example-runs';
import { ProjectStore } from '../../src-main/services/project-store';
import { RunStore, writeModelDir } from '../../src-main/storage';

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-examples-'));
  temps.push(d);
  return d;
}

/** A real model folder as `saccade save-model` writes it (weights from the seed, not trained). */
function writeModel(modelsDir: string, name: string, testAccuracy: number): void {
  const config = presetConfig('centered', { coreHidden: 16, glimpseFeatures: 16, glimpseHidden: 8, locationHidden: 8 });
  writeModelDir(path.join(modelsDir, name), {
    step: 4290,
    epoch: 10,
    config: { ...config },
    weights: initialWeights(config),
    extra: { testAccuracy, testAccuracyMC: testAccuracy + 0.001, mcSamples: 10, bestValidationAccuracy: 0.97, trainSeconds: 123 },
  });
}

describe('example runs from shipped models', () => {
  it('installs each model once as a completed run of the Examples project, loadable as a checkpoint', async () => {
    const home = tempDir();
    const models = tempDir();
    writeModel(models, 'centered', 0.985);
    const runs = new RunStore(home);
    const projects = await ProjectStore.open(home);

    const { created } = installExampleRuns(home, models, runs, projects);
    expect(created).toHaveLength(1);
    const meta = runs.getRun(created[0]);
    expect(meta).toMatchObject({ name: 'Example: centered', status: 'completed', task: 'centered', example: 'centered' });
    expect(meta.test).toMatchObject({ accuracy: 0.985, checkpoint: 'best' });
    expect(meta.best?.validationAccuracy).toBe(0.97);
    const ckpt = runs.loadCheckpoint(meta.id, 'best');
    expect(ckpt.step).toBe(4290);
    expect(Object.keys(ckpt.weights)).toContain('coreW');
    const examples = projects.listProjects().find((p) => p.name === EXAMPLES_PROJECT);
    expect(examples?.runIds).toEqual([meta.id]);

    // Idempotent, and a deleted example stays deleted.
    expect(installExampleRuns(home, models, runs, projects)).toEqual({ created: [] });
    runs.deleteRun(meta.id);
    expect(installExampleRuns(home, models, runs, projects)).toEqual({ created: [] });
    expect(runs.listRuns()).toHaveLength(0);

    // A model shipped later is still offered.
    writeModel(models, 'translated-like', 0.9);
    expect(installExampleRuns(home, models, runs, projects).created).toHaveLength(1);
  });

  it('a missing models folder installs nothing', async () => {
    const home = tempDir();
    const projects = await ProjectStore.open(home);
    expect(installExampleRuns(home, path.join(home, 'nope'), new RunStore(home), projects)).toEqual({ created: [] });
    expect(projects.listProjects().some((p) => p.name === EXAMPLES_PROJECT)).toBe(false);
  });
});
