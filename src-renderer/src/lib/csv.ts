/** CSV export of metric series (RFC 4180 quoting, formula cells defused). */
import type { MetricSeries } from '../../../src-main/shared/api';

/** Text a spreadsheet would run as a formula (OWASP's list: = + - @ tab CR). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One field: quoted when it holds a comma, quote, or line break; quotes doubled. Numbers are
 * written as numbers (negative ones too); text that starts like a formula gets a leading single
 * quote, as OWASP advises, so a spreadsheet shows it instead of running it.
 */
export function escapeCsv(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let s = String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(escapeCsv).join(',')).join('\r\n') + '\r\n';
}

/**
 * Several runs' metrics in one long table: run id and name first, then the union of their columns
 * (step, epoch, time first); a column a run lacks is left empty.
 */
export function metricsToCsv(runs: readonly { id: string; name: string; series: MetricSeries }[]): string {
  const columns: string[] = ['step', 'epoch', 'time'];
  for (const r of runs) for (const c of r.series.columns) if (!columns.includes(c)) columns.push(c);
  const rows: unknown[][] = [];
  for (const r of runs) {
    const idx = columns.map((c) => r.series.columns.indexOf(c));
    for (const row of r.series.rows) rows.push([r.id, r.name, ...idx.map((i) => (i >= 0 ? row[i] : undefined))]);
  }
  return toCsv(['run', 'name', ...columns], rows);
}
