import { describe, expect, it } from 'vitest';
import type { SettingInfo } from '../../src-main/shared/api';
import { checkSweep, errorField, isRangeSpec, sweepRequest, trialCount, type SweepForm } from '../../src-renderer/src/lib/sweep-form';

const settings = [
  { key: 'learningRate', kind: 'number', help: '', default: 0.001 },
  { key: 'locationStd', kind: 'number', help: '', default: 0.17 },
  { key: 'glimpses', kind: 'integer', help: '', default: 6 },
  { key: 'useLstm', kind: 'boolean', help: '', default: false },
] as SettingInfo[];

const form = (extra: Partial<SweepForm>): SweepForm => ({ name: 'lr', method: 'grid', specs: {}, trials: '8', seed: '', medianStop: false, ...extra });

describe('sweep form', () => {
  it('tells ranges from value lists', () => {
    expect(isRangeSpec('log:1e-4..3e-3')).toBe(true);
    expect(isRangeSpec(' int: 4 .. 8')).toBe(true);
    expect(isRangeSpec('0.1,0.17')).toBe(false);
    expect(isRangeSpec('true,false')).toBe(false);
  });

  it('puts a grid\'s value lists in the grid, choices and booleans too', () => {
    const c = checkSweep(settings, form({ specs: { locationStd: '0.1,0.17', useLstm: 'true,false' } }));
    expect(c).toMatchObject({ ok: true, grid: { locationStd: '0.1,0.17', useLstm: 'true,false' }, random: {} });
  });

  it('keeps the settings in the order they were marked (the first varies slowest)', () => {
    const c = checkSweep(settings, form({ specs: { useLstm: 'true,false', learningRate: '1e-3,3e-3' } }));
    expect(Object.keys(c.grid)).toEqual(['useLstm', 'learningRate']);
  });

  it('puts ranges in a random search with its trials and seed', () => {
    const c = checkSweep(settings, form({ method: 'random', specs: { learningRate: 'log:1e-4..3e-3' }, trials: '5', seed: '7' }));
    expect(c).toMatchObject({ ok: true, grid: {}, random: { learningRate: 'log:1e-4..3e-3' }, trials: 5, seed: 7 });
  });

  it('marks the fields it can judge itself', () => {
    expect(checkSweep(settings, form({ specs: { learningRate: 'log:1e-4..3e-3' } })).errors.learningRate).toMatch(/random/);
    expect(checkSweep(settings, form({ specs: { locationStd: '  ' } })).errors.locationStd).toMatch(/values/);
    expect(checkSweep(settings, form({ method: 'random', specs: { useLstm: 'true,false' } })).errors.useLstm).toMatch(/grid/);
    expect(checkSweep(settings, form({ method: 'random', specs: { glimpses: '4,6' } })).errors.glimpses).toMatch(/int:A\.\.B/);
    expect(checkSweep(settings, form({ specs: { useLstm: 'int:0..1' } })).errors.useLstm).toMatch(/number/);
    expect(checkSweep(settings, form({ specs: {} })).errors._).toMatch(/at least one/);
    expect(checkSweep(settings, form({ name: ' ', specs: { locationStd: '0.1' } })).errors.name).toBeDefined();
  });

  it('needs whole trials in a random search and a whole seed when one is given', () => {
    const r = (trials: string, seed: string) => checkSweep(settings, form({ method: 'random', specs: { learningRate: 'log:1e-4..3e-3' }, trials, seed })).errors;
    expect(r('0', '')).toHaveProperty('trials');
    expect(r('2.5', '')).toHaveProperty('trials');
    expect(r('3', '-1')).toHaveProperty('seed');
    expect(r('3', '')).toEqual({});
    // A grid ignores the trials field.
    expect(checkSweep(settings, form({ specs: { locationStd: '0.1' }, trials: 'x' })).ok).toBe(true);
  });

  it('builds the request: only what the method uses', () => {
    const base = { projectId: 'p', config: { task: 'centered' as const }, maxSteps: 40, patience: 2 };
    const grid = form({ specs: { locationStd: '0.1,0.17', learningRate: '1e-3,3e-3' }, trials: '9', seed: '3', medianStop: true });
    expect(sweepRequest(base, grid, checkSweep(settings, grid))).toEqual({ ...base, name: 'lr', medianStop: true, grid: { learningRate: '1e-3,3e-3', locationStd: '0.1,0.17' } });
    const random = form({ method: 'random', specs: { learningRate: 'log:1e-4..3e-3' }, trials: '4' });
    expect(sweepRequest(base, random, checkSweep(settings, random))).toEqual({ ...base, name: 'lr', medianStop: undefined, random: { learningRate: 'log:1e-4..3e-3' }, trials: 4 });
  });

  it("finds the field a server message is about", () => {
    const keys = ['learningRate', 'glimpses'];
    expect(errorField("trial 'learningRate=0.001 glimpses=0': glimpses must be at least 1 (glimpses, from 'glimpses=0,1')", keys)).toBe('glimpses');
    expect(errorField("learningRate: 'x' is not a number (in 'learningRate=x')", keys)).toBe('learningRate');
    expect(errorField("a sweep named 'lr' exists already: give this one another name", keys)).toBeUndefined();
  });

  it('counts trials in words', () => {
    expect(trialCount(1)).toBe('1 trial');
    expect(trialCount(4)).toBe('4 trials');
  });
});
