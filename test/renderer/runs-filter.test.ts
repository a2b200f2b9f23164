import { describe, expect, it } from 'vitest';
import { NO_FILTER, filterChoices, formatTags, isFiltered, matchesFilter, parseTags, type Filterable } from '../../src-renderer/src/lib/runs-filter';

const rows: Filterable[] = [
  { id: 'r1', name: 'Baseline', task: 'centered', status: 'completed', notes: 'the reference run', tags: ['paper', 'Best'] },
  { id: 'r2', name: 'lr sweep #1 learningRate=0.001', task: 'translated', status: 'stopped', sweep: { name: 'lr-sweep' } },
  { id: 'q3', name: 'queued one', task: 'centered', status: 'queued' },
];
const ids = (f: Partial<typeof NO_FILTER>) => rows.filter((r) => matchesFilter(r, { ...NO_FILTER, ...f })).map((r) => r.id);

describe('runs table filter', () => {
  it('shows everything without a filter', () => {
    expect(ids({})).toEqual(['r1', 'r2', 'q3']);
    expect(isFiltered(NO_FILTER)).toBe(false);
    expect(isFiltered({ ...NO_FILTER, search: ' x ' })).toBe(true);
  });

  it('searches name, id, notes, tags and sweep name case-insensitively', () => {
    expect(ids({ search: 'baseLINE' })).toEqual(['r1']);
    expect(ids({ search: 'Q3' })).toEqual(['q3']);
    expect(ids({ search: 'reference' })).toEqual(['r1']);
    expect(ids({ search: 'best' })).toEqual(['r1']);
    expect(ids({ search: 'LR-SWEEP' })).toEqual(['r2']);
    expect(ids({ search: 'nothing like it' })).toEqual([]);
  });

  it('needs every word of the search somewhere', () => {
    expect(ids({ search: 'sweep 0.001' })).toEqual(['r2']);
    expect(ids({ search: 'sweep paper' })).toEqual([]);
  });

  it('filters by status, task and tag (a tag ignoring case), together with the search', () => {
    expect(ids({ status: 'queued' })).toEqual(['q3']);
    expect(ids({ task: 'centered' })).toEqual(['r1', 'q3']);
    expect(ids({ tag: 'best' })).toEqual(['r1']);
    expect(ids({ task: 'centered', search: 'queued' })).toEqual(['q3']);
  });

  it('offers the distinct statuses, tasks and tags, sorted', () => {
    const more = [...rows, { id: 'r4', name: 'x', task: 'centered', status: 'completed', tags: ['best', 'ablation'] }];
    expect(filterChoices(more)).toEqual({ statuses: ['completed', 'queued', 'stopped'], tasks: ['centered', 'translated'], tags: ['ablation', 'Best', 'paper'] });
  });
});

describe('tags as typed', () => {
  it('splits on commas, trims and drops empty ones and repeats', () => {
    expect(parseTags(' paper,  best run ,, Paper,best   run')).toEqual(['paper', 'best run']);
    expect(parseTags('')).toEqual([]);
  });

  it('formats them back for the field', () => {
    expect(formatTags(['a', 'b c'])).toBe('a, b c');
    expect(formatTags(undefined)).toBe('');
    expect(parseTags(formatTags(['a', 'b c']))).toEqual(['a', 'b c']);
  });
});
