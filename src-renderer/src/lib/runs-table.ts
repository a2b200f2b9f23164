/** Sorting the runs table. */
import type { RunRow } from '../../../src-main/shared/api';

export type RunColumn =
  | 'name'
  | 'task'
  | 'status'
  | 'bestValidationAccuracy'
  | 'lastValidationAccuracy'
  | 'testAccuracyMC'
  | 'testAccuracy'
  | 'durationSeconds'
  | 'backend'
  | 'createdAt';

export type SortDirection = 'asc' | 'desc';

export const RUN_COLUMNS: { key: RunColumn; label: string; numeric: boolean }[] = [
  { key: 'name', label: 'Name', numeric: false },
  { key: 'task', label: 'Task', numeric: false },
  { key: 'status', label: 'Status', numeric: false },
  { key: 'bestValidationAccuracy', label: 'Best val acc', numeric: true },
  { key: 'lastValidationAccuracy', label: 'Last val acc', numeric: true },
  // The headline is Monte-Carlo (README, "Results"); the mean-location accuracy sits beside it.
  { key: 'testAccuracyMC', label: 'Test acc (MC)', numeric: true },
  { key: 'testAccuracy', label: 'Test acc (mean)', numeric: true },
  { key: 'durationSeconds', label: 'Duration', numeric: true },
  { key: 'backend', label: 'Backend', numeric: false },
  { key: 'createdAt', label: 'Date', numeric: false },
];

function valueOf(row: RunRow, key: RunColumn): string | number | undefined {
  const v = row[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  return String(v);
}

/**
 * A sorted copy: numbers numerically, text case-insensitively with digits in numeric order;
 * rows without a value always last, whatever the direction; ties keep their order.
 */
export function sortRuns(rows: readonly RunRow[], key: RunColumn, direction: SortDirection): RunRow[] {
  const sign = direction === 'asc' ? 1 : -1;
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return rows
    .map((row, i) => ({ row, i, v: valueOf(row, key) }))
    .sort((a, b) => {
      if (a.v === undefined || b.v === undefined) return a.v === b.v ? a.i - b.i : a.v === undefined ? 1 : -1;
      const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : collator.compare(String(a.v), String(b.v));
      return c !== 0 ? sign * c : a.i - b.i;
    })
    .map((x) => x.row);
}

/** Clicking a header: the same column flips direction, a new one starts descending for numbers. */
export function nextSort(current: { key: RunColumn; direction: SortDirection }, clicked: RunColumn): { key: RunColumn; direction: SortDirection } {
  if (current.key === clicked) return { key: clicked, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  const numeric = RUN_COLUMNS.find((c) => c.key === clicked)?.numeric ?? false;
  return { key: clicked, direction: numeric || clicked === 'createdAt' ? 'desc' : 'asc' };
}
