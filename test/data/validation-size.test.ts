/**
 * The default validation size follows the data: 10% of the training images, at most 5,000, at
 * least one per class; what the studio's import shows is what a run then uses, and a
 * 2,000-image set trains with the defaults (real CLI, real studio, real trainer).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, presetConfig, validateConfig, validationSizeFor } from '../../src-main/core/config';
import { StudioService } from '../../src-main/services/studio-service';
import { RunStore } from '../../src-main/storage';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';
import { writeColourTree } from '../helpers/image-trees';
import { lastJson, saccade } from '../helpers/saccade-cli';

let home: string;
beforeAll(() => {
  home = tempDir('validation-size');
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe("validationSize 'auto'", () => {
  it('is the default, and follows the number of training images', () => {
    const config = presetConfig('centered');
    expect(config.validationSize).toBe('auto');
    expect(validationSizeFor(config, 60000)).toBe(5000);
    expect(validationSizeFor(config, 6000)).toBe(600);
    expect(validationSizeFor(config, 2000)).toBe(200);
    expect(validationSizeFor(config, 40)).toBe(10);
    expect(validationSizeFor({ ...config, validationSize: 123 }, 6000)).toBe(123);
  });

  it('accepts a whole number as text (the command line, the form) and refuses anything else', () => {
    expect(validateConfig({ validationSize: '500' }).validationSize).toBe(500);
    expect(validateConfig({ validationSize: 'auto' }).validationSize).toBe('auto');
    expect(() => validateConfig({ validationSize: 'lots' })).toThrow(ConfigError);
    expect(() => validateConfig({ validationSize: -1 })).toThrow(/^validationSize must be 'auto' or a whole number from 0 to 1000000000, not '-1'$/);
  });

  it('a 2,000-image IDX set trains with the defaults', async () => {
    const data = await writeMnistSubset(path.join(home, 'small'), 2000, 200);
    const result = await saccade(['train', '--data', data, '--max-steps', '2', '--json', '--home', home], home);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { runId } = lastJson<{ runId: string }>(result.stdout);
    expect(new RunStore(home).getRun(runId).dataset).toMatchObject({ train: 1800, validation: 200, test: 200 });
  });

  it('an imported set of 6,000 images shows 5,400 train / 600 validation, and a run uses exactly that', async () => {
    const studioHome = path.join(home, 'studio');
    const data = await writeMnistSubset(path.join(home, 'six-thousand'), 6000, 500);
    const studio = await StudioService.create({ home: studioHome, transport: 'websocket' });
    const info = await studio.importDataset({ name: 'six thousand', folder: data });
    expect(info).toMatchObject({ train: 5400, validation: 600 });
    const project = (await studio.listProjects())[0]!;
    const { runId } = await studio.startRun({ projectId: project.id, dataset: info.id, config: { task: 'centered' }, maxSteps: 2 });
    const store = new RunStore(studioHome);
    const end = Date.now() + 60_000;
    while (store.getRun(runId).status !== 'completed' && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    expect(store.getRun(runId).dataset).toMatchObject({ train: 5400, validation: 600, test: 500 });
    await studio.shutdown(5000);
  });

  it('a small 3-class import shows the split a run on it uses (classes from the data, not the default 10)', async () => {
    const studioHome = path.join(home, 'studio-small');
    const tree = await writeColourTree(path.join(home, 'colours-30'), 12, 10);
    const studio = await StudioService.create({ home: studioHome, transport: 'websocket' });
    try {
      const info = await studio.importDataset({ name: 'thirty', folder: tree });
      // 30 images, 3 held out for testing; of the 27, 3 (one per class) for validation.
      expect(info).toMatchObject({ classes: 3, train: 24, validation: 3, test: 3 });
      const project = (await studio.listProjects())[0]!;
      const { runId } = await studio.startRun({ projectId: project.id, dataset: info.id, config: { task: 'centered', batchSize: 8 }, maxSteps: 2 });
      const store = new RunStore(studioHome);
      const end = Date.now() + 60_000;
      while (store.getRun(runId).status !== 'completed' && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      expect(store.getRun(runId).dataset).toMatchObject({ train: 24, validation: 3, test: 3, classNames: ['blue', 'green', 'red'] });
    } finally {
      await studio.shutdown(5000);
    }
  }, 120_000);

  it('a run without a validation set carries no made-up validation accuracy, and its best is its last epoch', async () => {
    const data = await writeMnistSubset(path.join(home, 'no-validation'), 200, 50);
    const result = await saccade(
      ['train', '--data', data, '--validation-size', '0', '--batch-size', '50', '--epochs', '2', '--glimpse-hidden', '8', '--location-hidden', '8', '--glimpse-features', '16', '--core-hidden', '16', '--mc-samples', '1', '--json', '--home', home],
      home,
    );
    expect(result.code, result.stderr).toBe(0);
    const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs).toHaveLength(2);
    for (const e of epochs) expect(Object.keys(e)).not.toContain('validationAccuracy');
    const summary = events[events.length - 1]!;
    expect(Object.keys(summary)).not.toContain('bestValidationAccuracy');
    const store = new RunStore(home);
    const meta = store.getRun(summary.runId as string);
    expect(meta.best).toBeUndefined();
    expect(meta.last && 'validationAccuracy' in meta.last).toBe(false);
    expect(store.readMetrics(meta.id).some((p) => 'validationAccuracy' in p)).toBe(false);
    expect(store.listCheckpoints(meta.id).find((c) => c.name === 'best')?.epoch).toBe(2);
  });
});
