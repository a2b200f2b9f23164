/** EvalSummary lists every test image's prediction (mean locations) and label: a confusion cell's images. */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundledMnist } from '../../src-main/data/dataset-files';
import { runEvalJob } from '../../src-main/trainer/eval-job';
import type { JobContext } from '../../src-main/trainer/job-context';
import { ROOT } from '../helpers/saccade-cli';

const ctx: JobContext = { emit: () => {}, stopRequested: false, onPauseChange: () => {}, checkpoint: async () => {} };

describe('runEvalJob predictions and labels', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it('gives one prediction and one label per image, in test-set order, agreeing with the confusion matrix', async () => {
    const s = await runEvalJob({ kind: 'evaluate', model: { home: '/nonexistent', modelDir: path.join(ROOT, 'resources/models/centered') }, limit: 300, mcSamples: 1 }, ctx);
    const { test } = await loadBundledMnist();
    expect(s.predictions!.length).toBe(300);
    expect(s.labels).toEqual(Array.from(test.labels.subarray(0, 300)));
    const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    s.labels!.forEach((label, i) => (confusion[label]![s.predictions![i]!]! += 1));
    expect(confusion).toEqual(s.confusion);
    const wrong = s.labels!.flatMap((label, index) => (s.predictions![index] !== label ? [{ index, label, prediction: s.predictions![index] }] : []));
    expect(wrong.slice(0, 20)).toEqual(s.misclassified);
    expect(s.accuracy).toBeCloseTo(1 - wrong.length / 300, 12);
  });
});
