/** Display formatting for numbers, durations, percentages and dates. */

export const DASH = '—';

/** 42 -> "42s", 185 -> "3m 05s", 7380 -> "2h 03m", 90000 -> "1d 1h". */
export function formatDuration(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds < 0) return DASH;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** A fraction in [0, 1] as a percentage: 0.98765 -> "98.77%". */
export function formatPercent(fraction: number | undefined | null, digits = 2): string {
  if (fraction === undefined || fraction === null || !Number.isFinite(fraction)) return DASH;
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Compact numbers for cards and tooltips: 4 significant digits, exponent for tiny/huge ones. */
export function formatNumber(v: number | undefined | null): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return DASH;
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(2);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** ISO date -> "2025-01-31 14:05" (local time). */
export function formatDate(iso: string | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A config value for tables: booleans and numbers as written, others as strings. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return DASH;
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}
