/** The fixation maps' counting (FixationAccumulator) against a hand-computed case. */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src-main/shared/jobs';
import { FIXATION_BATCH, FixationAccumulator, runFixationsJob, type FixationTrace } from '../../src-main/trainer/fixations-job';
import type { JobContext } from '../../src-main/trainer/job-context';
import { ROOT } from '../helpers/saccade-cli';

/** A trace of two steps, one scale of a 1x1 grey patch per step. */
function trace(label: number, prediction: number, centres: [number, number][], patch: number[]): FixationTrace {
  return { label, prediction, steps: centres.map((centerPx, t) => ({ centerPx, patches: [[patch[t]!]] })) };
}

describe('FixationAccumulator', () => {
  it('counts glimpse centres per step, class and outcome, with mean images, patches and movement', () => {
    // 4x4 images, a 2x2 grid (a cell is 2x2 pixels), 2 steps, 3 classes (class 2 never seen).
    const acc = new FixationAccumulator(4, 1, 2, 2, 3);
    // Image A, class 0, right: (1, 1) -> cell 0, then (3, 1) -> cell 1; moves 2 px.
    acc.add(trace(0, 0, [[1, 1], [3, 1]], [0.2, 0.4]), new Array(16).fill(10));
    // Image B, class 0, wrong: (1, 1) -> cell 0, then (-5, 9) -> clamped to column 0, row 1: cell 2; moves hypot(-6, 8) = 10 px.
    acc.add(trace(0, 1, [[1, 1], [-5, 9]], [0.6, 0.8]), new Array(16).fill(30));
    // Image C, class 1, right: (2, 2) -> cell 3 (2 * 2 / 4 = 1), then (3.9, 3.9) -> cell 3; moves hypot(1.9, 1.9).
    acc.add(trace(1, 1, [[2, 2], [3.9, 3.9]], [1, 0]), new Array(16).fill(200));
    const s = acc.summary({ mode: 'mean', seconds: 1 });
    expect(s.count).toBe(3);
    expect(s.accuracy).toBeCloseTo(2 / 3, 12);
    expect(s.all).toEqual({ perStep: [[2, 0, 0, 1], [0, 1, 1, 1]], all: [2, 1, 1, 2], count: 3 });
    expect(s.perClass[0]).toEqual({ perStep: [[2, 0, 0, 0], [0, 1, 1, 0]], all: [2, 1, 1, 0], count: 2 });
    expect(s.perClass[1]).toEqual({ perStep: [[0, 0, 0, 1], [0, 0, 0, 1]], all: [0, 0, 0, 2], count: 1 });
    expect(s.perClass[2]).toEqual({ perStep: [[0, 0, 0, 0], [0, 0, 0, 0]], all: [0, 0, 0, 0], count: 0 });
    expect(s.right).toEqual({ perStep: [[1, 0, 0, 1], [0, 1, 0, 1]], all: [1, 1, 0, 2], count: 2 });
    expect(s.wrong).toEqual({ perStep: [[1, 0, 0, 0], [0, 0, 1, 0]], all: [1, 0, 1, 0], count: 1 });
    expect(s.meanImages[0]).toEqual(new Array(16).fill(20));
    expect(s.meanImages[1]).toEqual(new Array(16).fill(200));
    expect(s.meanImages[2]).toEqual(new Array(16).fill(0));
    expect(s.meanPatches[0]![0]![0]).toBeCloseTo(0.6, 12);
    expect(s.meanPatches[1]![0]![0]).toBeCloseTo(0.4, 12);
    expect(s.movement[0]).toBe(0);
    expect(s.movement[1]).toBeCloseTo((2 + 10 + Math.hypot(1.9, 1.9)) / 3, 12);
    expect([s.imageSize, s.channels, s.grid, s.steps, s.classes, s.mode]).toEqual([4, 1, 2, 2, 3, 'mean']);
  });

  it('maps a centre to its cell on a finer or coarser grid than the image', () => {
    const acc = new FixationAccumulator(28, 1, 7, 1, 10);
    expect(acc.cell([0, 0])).toBe(0);
    expect(acc.cell([27.9, 0])).toBe(6);
    expect(acc.cell([4, 8])).toBe(2 * 7 + 1);
    expect(acc.cell([100, -3])).toBe(6);
    expect(new FixationAccumulator(4, 1, 8, 1, 1).cell([1.5, 3.5])).toBe(7 * 8 + 3);
  });
});

describe('runFixationsJob', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it('reports progress per batch and stops between batches when asked, counting what it traced', async () => {
    const events: JobEvent[] = [];
    let stop = false;
    const ctx: JobContext = {
      emit: (e) => events.push(e),
      get stopRequested() {
        return stop;
      },
      onPauseChange: () => {},
      checkpoint: async () => {
        stop = true;
      },
    };
    const model = { home: '/nonexistent', modelDir: path.join(ROOT, 'resources/models/centered') };
    const s = await runFixationsJob({ kind: 'fixations', model, mode: 'mean', limit: 1000, grid: 7 }, ctx);
    expect(s.count).toBe(FIXATION_BATCH);
    expect(s.grid).toBe(7);
    expect(s.all.perStep[0]!.reduce((a, b) => a + b, 0)).toBe(FIXATION_BATCH);
    const progress = events.filter((e) => e.type === 'evaluating');
    expect(progress.map((e) => (e.type === 'evaluating' ? [e.done, e.total] : []))).toEqual([[0, 1000], [FIXATION_BATCH, 1000]]);
    // The mean image of a class is a digit-like blob: dark corners, a brighter middle.
    const mean = s.meanImages[1]!;
    expect(mean[0]).toBe(0);
    expect(mean[14 * 28 + 14]!).toBeGreaterThan(100);
  });
});
