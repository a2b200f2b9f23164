import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunStore, resolveResumes } from '../../src-main/storage';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const pt = (step: number, extra: Record<string, number> = {}) => ({ step, epoch: 0, time: step, ...extra });

describe('metric history across a resume', () => {
  it('drops the points the interrupted attempt logged after the checkpoint it resumed from', () => {
    const points = [pt(20), pt(40), pt(40, { validationAccuracy: 0.5 }), pt(60), pt(80), pt(40, { resumed: 1 }), pt(60), pt(80), pt(100)];
    const steps = resolveResumes(points).map((p) => p.step);
    expect(steps).toEqual([20, 40, 40, 60, 80, 100]);
    // The validation point at the checkpoint's own step is kept; the marker itself is not a point.
    expect(resolveResumes(points).filter((p) => p.validationAccuracy === 0.5)).toHaveLength(1);
    expect(resolveResumes(points).some((p) => p.resumed === 1)).toBe(false);
  });

  it('reads the history from a real metrics file with a torn last line', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-hist-'));
    dirs.push(home);
    const store = new RunStore(home);
    const run = store.createRun({ task: 'centered', config: {}, dataset: { source: 'x', train: 1, validation: 1, test: 1 }, seed: 1 });
    for (const s of [20, 40, 60]) store.appendMetric(run.id, pt(s));
    store.appendMetric(run.id, pt(40, { resumed: 1 }));
    store.appendMetric(run.id, pt(60));
    fs.appendFileSync(store.metricsPath(run.id), '{"step":80,"epo');
    expect(store.readMetricHistory(run.id).map((p) => p.step)).toEqual([20, 40, 60]);
    // The raw file is append-only: everything is still there.
    expect(store.readMetrics(run.id).map((p) => p.step)).toEqual([20, 40, 60, 40, 60]);
  });
});
