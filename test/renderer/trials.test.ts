import { describe, expect, it } from 'vitest';
import type { RunRow } from '../../src-main/shared/api';
import { bestTrial, cellValue, comparedSettings, nextTrialSort, sortTrials, sweepNames, topTrials, trialColumns, type Trial } from '../../src-renderer/src/lib/trials';

function run(id: string, extra: Partial<RunRow> = {}, config: Record<string, unknown> = {}): RunRow {
  return { id, name: id, task: 'centered', status: 'completed', createdAt: '2025-01-01T00:00:00Z', config: { task: 'centered', epochs: 3, ...config } as unknown as RunRow['config'], ...extra };
}
const trial = (r: RunRow, projectName?: string): Trial => ({ run: r, projectName });
const sweep = (name: string, trialNo: number, settings: Record<string, number | string | boolean>) => ({ sweep: { name, trial: trialNo, settings } });

describe('trials: the settings compared', () => {
  it('trials of one sweep: the swept settings, in the order the sweep gave them', () => {
    const runs = [
      run('a', sweep('S', 1, { locationStd: 0.1, learningRate: 1e-3 }), { locationStd: 0.1, learningRate: 1e-3, seed: 1 }),
      run('b', sweep('S', 2, { locationStd: 0.17, learningRate: 1e-3 }), { locationStd: 0.17, learningRate: 1e-3, seed: 2 }),
    ];
    expect(comparedSettings(runs)).toEqual(['locationStd', 'learningRate']);
  });

  it('a plain selection: the config keys that differ, sorted, without the task', () => {
    const runs = [run('a', {}, { glimpses: 6, batchSize: 32, task: 'centered' }), run('b', {}, { glimpses: 8, batchSize: 32, task: 'translated' })];
    expect(comparedSettings(runs)).toEqual(['glimpses']);
  });

  it('trials of two sweeps count as a plain selection', () => {
    const runs = [run('a', sweep('S', 1, { learningRate: 1e-3 }), { learningRate: 1e-3 }), run('b', sweep('T', 1, { glimpses: 4 }), { learningRate: 3e-3 })];
    expect(comparedSettings(runs)).toEqual(['learningRate']);
  });

  it('one column per setting between the name and the metrics; a project column only when asked', () => {
    const ids = trialColumns(['locationStd', 'learningRate'], false).map((c) => c.id);
    expect(ids.slice(0, 3)).toEqual(['name', 'setting:locationStd', 'setting:learningRate']);
    expect(ids).toContain('testAccuracyMC');
    expect(ids).not.toContain('project');
    expect(trialColumns([], true).map((c) => c.id)[1]).toBe('project');
  });

  it('a cell: the sweep value first, else the config value; the stop reason beside the status', () => {
    const r = run('a', { ...sweep('S', 1, { learningRate: 3e-3 }), stopReason: 'stopped early: patience' }, { learningRate: 1, glimpses: 6 });
    expect(cellValue(trial(r), 'setting:learningRate')).toBe(3e-3);
    expect(cellValue(trial(r), 'setting:glimpses')).toBe(6);
    expect(cellValue(trial(r), 'status')).toBe('completed (stopped early: patience)');
    expect(cellValue(trial(run('b', { progress: { step: 10, epoch: 2, totalSteps: 30 } })), 'epochs')).toBe(2);
  });
});

describe('trials: sorting and ranking', () => {
  const trials = [
    trial(run('a', { bestValidationAccuracy: 0.5, ...sweep('S', 1, { lr: 0.003, opt: 'adam', on: true }) })),
    trial(run('b', { bestValidationAccuracy: undefined, ...sweep('S', 2, { lr: 0.0001, opt: 'sgd', on: false }) })),
    trial(run('c', { bestValidationAccuracy: 0.9, ...sweep('S', 3, { lr: 0.01, opt: 'Adam2', on: true }) })),
    trial(run('d', { bestValidationAccuracy: 0.7, ...sweep('S', 4, { lr: 0.002, opt: 'adam10' }) })),
  ];
  const ids = (ts: Trial[]) => ts.map((t) => t.run.id);

  it('metrics numerically both ways, missing values last either way', () => {
    expect(ids(sortTrials(trials, { column: 'bestValidationAccuracy', direction: 'desc' }))).toEqual(['c', 'd', 'a', 'b']);
    expect(ids(sortTrials(trials, { column: 'bestValidationAccuracy', direction: 'asc' }))).toEqual(['a', 'd', 'c', 'b']);
  });

  it('a numeric setting numerically, not as text', () => {
    expect(ids(sortTrials(trials, { column: 'setting:lr', direction: 'asc' }))).toEqual(['b', 'd', 'a', 'c']);
  });

  it('a text setting case-insensitively with digits in numeric order; booleans false first; a missing one last', () => {
    expect(ids(sortTrials(trials, { column: 'setting:opt', direction: 'asc' }))).toEqual(['a', 'c', 'd', 'b']);
    expect(ids(sortTrials(trials, { column: 'setting:on', direction: 'asc' }))).toEqual(['b', 'a', 'c', 'd']);
    expect(ids(sortTrials(trials, { column: 'setting:on', direction: 'desc' }))).toEqual(['a', 'c', 'b', 'd']);
  });

  it('a header click flips the same column; a new metric starts descending, a setting ascending', () => {
    expect(nextTrialSort({ column: 'name', direction: 'asc' }, 'name')).toEqual({ column: 'name', direction: 'desc' });
    expect(nextTrialSort({ column: 'name', direction: 'asc' }, 'testAccuracyMC')).toEqual({ column: 'testAccuracyMC', direction: 'desc' });
    expect(nextTrialSort({ column: 'name', direction: 'desc' }, 'setting:lr')).toEqual({ column: 'setting:lr', direction: 'asc' });
  });

  it('the best trial and the top N by a metric leave out trials without it', () => {
    expect(bestTrial(trials, 'bestValidationAccuracy')?.run.id).toBe('c');
    expect(bestTrial(trials, 'testAccuracy')).toBeUndefined();
    expect(ids(topTrials(trials, 'bestValidationAccuracy', 2))).toEqual(['c', 'd']);
    expect(ids(topTrials(trials, 'bestValidationAccuracy', 10))).toEqual(['c', 'd', 'a']);
  });

  it('does not modify its input', () => {
    const copy = trials.slice();
    sortTrials(trials, { column: 'name', direction: 'desc' });
    expect(trials).toEqual(copy);
  });

  it('sweep names from the runs, sorted, with their trial counts', () => {
    expect(sweepNames([run('a', sweep('S10', 1, {})), run('b', sweep('S2', 1, {})), run('c', sweep('S2', 2, {})), run('d')])).toEqual([
      { name: 'S2', trials: 2 },
      { name: 'S10', trials: 1 },
    ]);
  });
});
