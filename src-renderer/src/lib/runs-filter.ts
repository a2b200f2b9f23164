/** Searching and filtering the Runs table (runs and queue entries alike), and tags as typed. */

/** What the Runs table's search box and filters hold (kept in the app state across views). */
export interface RunFilter {
  /** Matches name, id, notes, tags and sweep name, case-insensitively. */
  search: string;
  /** '' for any. */
  status: string;
  task: string;
  tag: string;
}

export const NO_FILTER: RunFilter = { search: '', status: '', task: '', tag: '' };

/** The parts of a run (or of a queue entry standing for one) that the filters look at. */
export interface Filterable {
  id: string;
  name: string;
  task: string;
  status: string;
  notes?: string;
  tags?: string[];
  sweep?: { name: string };
}

export function isFiltered(f: RunFilter): boolean {
  return f.search.trim() !== '' || f.status !== '' || f.task !== '' || f.tag !== '';
}

const fold = (s: string): string => s.toLocaleLowerCase();

export function matchesFilter(row: Filterable, f: RunFilter): boolean {
  if (f.status && row.status !== f.status) return false;
  if (f.task && row.task !== f.task) return false;
  if (f.tag && !(row.tags ?? []).some((t) => fold(t) === fold(f.tag))) return false;
  const words = fold(f.search).split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const haystack = fold([row.name, row.id, row.notes ?? '', ...(row.tags ?? []), row.sweep?.name ?? ''].join('\n'));
  // Every word somewhere: "lr sweep-a" finds the trials of sweep-a whose name says lr.
  return words.every((w) => haystack.includes(w));
}

/** The distinct statuses, tasks and tags the rows have, sorted, for the filters' choices. */
export function filterChoices(rows: readonly Filterable[]): { statuses: string[]; tasks: string[]; tags: string[] } {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  const sorted = (values: Iterable<string>) => [...new Set(values)].filter(Boolean).sort(collator.compare);
  const tags = new Map<string, string>();
  for (const r of rows) for (const t of r.tags ?? []) if (!tags.has(fold(t))) tags.set(fold(t), t);
  return { statuses: sorted(rows.map((r) => r.status)), tasks: sorted(rows.map((r) => r.task)), tags: sorted(tags.values()) };
}

/** Tags as typed: comma-separated, trimmed, empty ones and repeats (ignoring case) dropped, in order. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const t = raw.trim().replace(/\s+/g, ' ');
    if (t && !out.some((o) => fold(o) === fold(t))) out.push(t);
  }
  return out;
}

/** Tags back as the field shows them. */
export function formatTags(tags: readonly string[] | undefined): string {
  return (tags ?? []).join(', ');
}
