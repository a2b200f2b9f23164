import { describe, expect, it } from 'vitest';
import type { QueueEntry } from '../../src-main/shared/api';
import type { RamConfig } from '../../src-main/core/config';
import { clampConcurrency, entriesToShow, entryFilterable, entrySettings, entrySweep, entryTask, moveTarget, queueLabel, queuedCount, runsInQueue } from '../../src-renderer/src/lib/queue';
import { canRequeue } from '../../src-renderer/src/lib/run-actions';

function entry(id: string, extra: Partial<QueueEntry> = {}): QueueEntry {
  return {
    id,
    projectId: 'p1',
    addedAt: '2026-12-01T00:00:00Z',
    state: 'queued',
    job: { kind: 'train', name: `run ${id}`, config: {} as RamConfig, given: [], dataset: 'centered' },
    ...extra,
  };
}

describe('queue entries in the runs table', () => {
  it('labels queued entries with their position, others with their state', () => {
    expect(queueLabel({ state: 'queued', position: 2 })).toBe('queued #2');
    expect(queueLabel({ state: 'running', position: undefined })).toBe('running');
    expect(queueLabel({ state: 'failed' })).toBe('failed');
  });

  it("shows a sweep trial's settings and the task it trains on", () => {
    const trial = entry('a', { job: { kind: 'train', name: 's #1', config: { task: 'translated' } as RamConfig, given: [], dataset: 'import:digits', sweep: { name: 's', trial: 1, settings: { learningRate: 0.001, useLstm: true } } } });
    expect(entrySettings(trial)).toBe('learningRate=0.001 useLstm=true');
    expect(entrySweep(trial)).toBe('sweep s, trial 1');
    // The config's task, as the runs' rows show theirs.
    expect(entryTask(trial)).toBe('translated');
    expect(entryFilterable(trial)).toEqual({ id: 'a', name: 's #1', task: 'translated', status: 'queued', sweep: { name: 's' } });
    expect(entrySettings(entry('b'))).toBe('');
    expect(entrySweep(entry('b'))).toBe('');
    expect(entryTask(entry('c', { job: { kind: 'resume', runId: 'r', name: 'again' } }))).toBe('');
  });

  it("lists the project's entries and those of none, but not a running one whose run is listed", () => {
    const list = [entry('a'), entry('b', { projectId: 'p2' }), entry('c', { projectId: undefined }), entry('d', { state: 'running', runId: 'r1' }), entry('e', { state: 'running', runId: 'r2' })];
    expect(entriesToShow(list, 'p1', new Set(['r1'])).map((e) => e.id)).toEqual(['a', 'c', 'e']);
  });

  it('moves a queued entry up or down within the waiting ones', () => {
    const waiting = queuedCount([entry('a'), entry('b'), entry('c'), entry('d', { state: 'running' })]);
    expect(waiting).toBe(3);
    expect(moveTarget({ state: 'queued', position: 2 }, -1, waiting)).toBe(1);
    expect(moveTarget({ state: 'queued', position: 2 }, 1, waiting)).toBe(3);
    expect(moveTarget({ state: 'queued', position: 1 }, -1, waiting)).toBeUndefined();
    expect(moveTarget({ state: 'queued', position: 3 }, 1, waiting)).toBeUndefined();
    expect(moveTarget({ state: 'running' }, 1, waiting)).toBeUndefined();
  });

  it('knows the runs the queue holds: a waiting resume and a started run', () => {
    const list = [entry('a', { job: { kind: 'resume', runId: 'r1', name: 'again' } }), entry('b', { state: 'running', runId: 'r2' }), entry('c')];
    expect([...runsInQueue(list)].sort()).toEqual(['r1', 'r2']);
  });

  it('keeps the concurrency between 1 and 8', () => {
    expect([0, 1, 2.4, 8, 20, Number.NaN].map(clampConcurrency)).toEqual([1, 1, 2, 8, 8, 1]);
  });

  it('queues again only runs that ended without finishing', () => {
    expect(['stopped', 'failed', 'interrupted'].every(canRequeue)).toBe(true);
    expect(['completed', 'running', 'paused', 'queued'].some(canRequeue)).toBe(false);
  });
});
