import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src-main/core/config';
import type { RunRow } from '../../src-main/shared/api';
import { canExtend, canResume, failureAdvice, parseStepLimit, resumeNotice, runToShow } from '../../src-renderer/src/lib/run-actions';

const row = (status: string, step: number, epoch: number, epochs = 4): Pick<RunRow, 'status' | 'progress' | 'config' | 'example'> => ({
  status,
  progress: { step, epoch, totalSteps: step },
  config: { ...DEFAULT_CONFIG, epochs },
});

describe('run actions', () => {
  it('offers Extend only for a completed run that stopped before its last epoch', () => {
    expect(canExtend(row('completed', 60, 2))).toBe(true);
    expect(canExtend(row('completed', 112, 4))).toBe(false);
    expect(canExtend(row('stopped', 60, 2))).toBe(false);
    expect(canExtend({ ...row('completed', 0, 0), progress: undefined })).toBe(false);
    expect(canExtend(undefined)).toBe(false);
    // A shipped model has weights but no optimizer state to resume with.
    expect(canExtend({ ...row('completed', 70785, 165, 400), example: 'centered' })).toBe(false);
  });

  it('resumes stopped, failed, interrupted and paused runs', () => {
    expect(['stopped', 'failed', 'interrupted', 'paused'].every(canResume)).toBe(true);
    expect(['running', 'completed', 'stopping', 'created'].some(canResume)).toBe(false);
  });

  it('takes a new step limit only as a whole number above the current step', () => {
    expect(parseStepLimit(' 120 ', 60)).toEqual({ ok: true, value: 120 });
    expect(parseStepLimit('60', 60)).toEqual({ ok: false, error: 'must be above the current step, 60' });
    expect(parseStepLimit('12.5', 10)).toEqual({ ok: false, error: 'must be a whole number of steps' });
    expect(parseStepLimit('lots', 10)).toEqual({ ok: false, error: 'must be a whole number of steps' });
    expect(parseStepLimit('', 10)).toEqual({ ok: false, error: 'enter the new step limit' });
  });

  it('says what a resume did', () => {
    expect(resumeNotice({ runId: 'r', from: 'checkpoint', resumedFrom: { step: 84, epoch: 3 } })).toBe('Resumed: continuing from step 84 (epoch 3).');
    expect(resumeNotice({ runId: 'r', from: 'start' })).toBe('Resumed: no checkpoint yet: starting again from step 0.');
    expect(resumeNotice({ runId: 'r', from: 'checkpoint', resumedFrom: { step: 40, epoch: 1 }, maxSteps: 80 })).toBe('Extended to 80 steps: continuing from step 40 (epoch 1).');
    expect(resumeNotice({ runId: 'r', from: 'paused' })).toBeUndefined();
    expect(resumeNotice(undefined)).toBeUndefined();
  });

  it('promises a checkpoint in the failure banner only when there is one', () => {
    expect(failureAdvice([])).toMatch(/no checkpoint yet: resuming starts again from step 0/);
    expect(failureAdvice([{ step: 28, epoch: 1 }, { step: 56, epoch: 2 }, { step: 40, epoch: 1 }])).toMatch(/continue from step 56 \(epoch 2\)/);
  });
});

describe('runToShow', () => {
  const runs = [
    { id: 'a', status: 'running' },
    { id: 'b', status: 'completed' },
    { id: 'c', status: 'stopped' },
  ];
  it('keeps the chosen run while it is listed, else the first with a trained model, else the first', () => {
    expect(runToShow(runs, 'c')).toBe('c');
    expect(runToShow(runs, 'gone')).toBe('b');
    expect(runToShow(runs, undefined)).toBe('b');
    expect(runToShow([{ id: 'x', status: 'failed' }], undefined)).toBe('x');
    expect(runToShow([], 'x')).toBeUndefined();
  });
});
