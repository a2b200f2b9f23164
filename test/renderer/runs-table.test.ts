import { describe, expect, it } from 'vitest';
import type { RunRow } from '../../src-main/shared/api';
import { RUN_COLUMNS, nextSort, sortRuns } from '../../src-renderer/src/lib/runs-table';

function row(id: string, extra: Partial<RunRow>): RunRow {
  return { id, name: id, task: 'centered', status: 'completed', createdAt: '2025-01-01T00:00:00Z', config: {} as RunRow['config'], ...extra };
}

const rows = [
  row('a', { name: 'run 10', bestValidationAccuracy: 0.9 }),
  row('b', { name: 'run 2', bestValidationAccuracy: undefined }),
  row('c', { name: 'Run 1', bestValidationAccuracy: 0.95 }),
];

describe('runs table sorting', () => {
  it('sorts numbers both ways with missing values last', () => {
    expect(sortRuns(rows, 'bestValidationAccuracy', 'desc').map((r) => r.id)).toEqual(['c', 'a', 'b']);
    expect(sortRuns(rows, 'bestValidationAccuracy', 'asc').map((r) => r.id)).toEqual(['a', 'c', 'b']);
  });

  it('sorts names case-insensitively with numbers in numeric order', () => {
    expect(sortRuns(rows, 'name', 'asc').map((r) => r.name)).toEqual(['Run 1', 'run 2', 'run 10']);
  });

  it('does not modify its input', () => {
    const copy = rows.slice();
    sortRuns(rows, 'name', 'desc');
    expect(rows).toEqual(copy);
  });

  it('has a Monte-Carlo test accuracy column beside the mean one, sorted by its own values', () => {
    const labels = RUN_COLUMNS.map((c) => c.label);
    expect(labels.indexOf('Test acc (mean)')).toBe(labels.indexOf('Test acc (MC)') + 1);
    const tested = [row('x', { testAccuracy: 0.98, testAccuracyMC: 0.991 }), row('y', { testAccuracy: 0.99, testAccuracyMC: 0.99 }), row('z', {})];
    expect(sortRuns(tested, 'testAccuracyMC', 'desc').map((r) => r.id)).toEqual(['x', 'y', 'z']);
    expect(sortRuns(tested, 'testAccuracy', 'desc').map((r) => r.id)).toEqual(['y', 'x', 'z']);
    expect(nextSort({ key: 'name', direction: 'asc' }, 'testAccuracyMC')).toEqual({ key: 'testAccuracyMC', direction: 'desc' });
  });

  it('flips on a second click, numbers start descending', () => {
    expect(nextSort({ key: 'name', direction: 'asc' }, 'name')).toEqual({ key: 'name', direction: 'desc' });
    expect(nextSort({ key: 'name', direction: 'asc' }, 'testAccuracy')).toEqual({ key: 'testAccuracy', direction: 'desc' });
  });
});
