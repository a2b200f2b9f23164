/**
 * EvaluationService (issue #9): Playback's misclassified list is that of the checkpoint Playback
 * has chosen, and each listed image's mean-mode trace (what Playback then shows) ends on the
 * listed prediction. Real studio, real trainer processes, the shipped centered model as an
 * example run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src-main/core/config';
import { initialWeights } from '../../src-main/core/params';
import { StudioService } from '../../src-main/services/studio-service';
import { readCheckpointDir } from '../../src-main/storage';
import { ROOT } from '../helpers/saccade-cli';

let home: string;
let studio: StudioService;
let runId: string;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-wrong-'));
  const modelsDir = path.join(home, 'models');
  fs.cpSync(path.join(ROOT, 'resources/models/centered'), path.join(modelsDir, 'centered'), { recursive: true });
  studio = await StudioService.create({ home: path.join(home, 'studio'), transport: 'websocket', version: '9.9.9', modelsDir });
  runId = studio.runs.listRuns()[0]!.id;
  // A second checkpoint, untrained: it gets most images wrong, unlike 'best'.
  const ckpt = readCheckpointDir(path.join(modelsDir, 'centered'));
  studio.runs.saveCheckpoint(runId, 'epoch-0001', { ...ckpt, step: 0, epoch: 1, weights: initialWeights(validateConfig(ckpt.config)) });
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('StudioService.listMisclassified', () => {
  it("lists the chosen checkpoint's mistakes, and its traces end on the listed predictions", async () => {
    const best = await studio.listMisclassified(runId, 6);
    const untrained = await studio.listMisclassified(runId, 6, 'epoch-0001');
    expect(best).toHaveLength(6);
    expect(untrained).toHaveLength(6);
    expect(untrained).not.toEqual(best);
    // Most test images are wrong for random weights: the first few are among the first dozen.
    expect(untrained[5]!.index).toBeLessThan(30);
    expect(await studio.listMisclassified(runId, 6, 'best')).toEqual(best);

    for (const [checkpoint, list] of [['best', best], ['epoch-0001', untrained]] as const) {
      const traces = await studio.traceRun({ runId, checkpoint, indices: list.map((w) => w.index), mode: 'mean' });
      expect(traces.map((t) => t.prediction), checkpoint).toEqual(list.map((w) => w.prediction));
      expect(traces.map((t) => t.label)).toEqual(list.map((w) => w.label));
    }
    // The default checkpoint (none chosen) is the run's best, for the list and the trace alike.
    const [first] = await studio.traceRun({ runId, indices: [best[0]!.index], mode: 'mean' });
    expect(first!.prediction).toBe(best[0]!.prediction);
  });

  it('refuses a checkpoint the run does not have', async () => {
    await expect(studio.listMisclassified(runId, 3, 'epoch-0099')).rejects.toThrow(`run ${runId} has no checkpoint 'epoch-0099'`);
  });
});
