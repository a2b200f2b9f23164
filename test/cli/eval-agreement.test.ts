/**
 * Issue #9 from the command line: `saccade eval --json` lists the first misclassified test images,
 * and `saccade trace` of each in mean mode ends on that same prediction (the shipped centered
 * model, whose first glimpse is random even in mean mode). JSON summaries carry no placeholders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/mnist-subset';
import { lastJson, ROOT, saccade } from '../helpers/saccade-cli';

const MODEL = path.join(ROOT, 'resources/models/centered');
const home = tempDir('cli-agreement');
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** Every value below `value` that is a negative number, with where it is. */
function negatives(value: unknown, at = '$'): string[] {
  if (typeof value === 'number') return value < 0 ? [`${at} = ${value}`] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => negatives(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => negatives(v, `${at}.${k}`));
  return [];
}

interface Wrong {
  index: number;
  label: number;
  prediction: number;
}

describe('saccade eval and trace agree', () => {
  let wrong: Wrong[] = [];

  it('eval --json lists the first misclassified images (index, label, prediction), in test-set order', async () => {
    const r = await saccade(['eval', '--model', MODEL, '--limit', '400', '--mc', '1', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const summary = lastJson<{ type: string; count: number; accuracy: number; misclassified?: Wrong[] }>(r.stdout);
    expect(summary.type).toBe('summary');
    expect(summary.count).toBe(400);
    expect(summary.misclassified, 'summary.misclassified').toBeDefined();
    wrong = summary.misclassified!;
    expect(wrong.length).toBe(Math.min(20, Math.round((1 - summary.accuracy) * 400)));
    expect(wrong.length).toBeGreaterThan(0);
    for (const w of wrong) {
      expect(Object.keys(w).sort()).toEqual(['index', 'label', 'prediction']);
      expect(w.prediction).not.toBe(w.label);
      expect(w.index).toBeLessThan(400);
    }
    expect(negatives(summary)).toEqual([]);
  });

  it('trace --images I --mode mean --json of each listed image ends on the listed prediction', async () => {
    expect(wrong.length).toBeGreaterThan(0);
    for (const w of wrong) {
      const r = await saccade(['trace', '--model', MODEL, '--images', String(w.index), '--mode', 'mean', '--json'], home);
      expect(r.code, r.stderr).toBe(0);
      const { traces } = lastJson<{ traces: { index: number; label: number; prediction: number; steps: { probs: number[] }[] }[] }>(r.stdout);
      expect(traces).toHaveLength(1);
      const t = traces[0]!;
      expect([t.index, t.label, t.prediction]).toEqual([w.index, w.label, w.prediction]);
      const last = t.steps[t.steps.length - 1]!.probs;
      expect(last.indexOf(Math.max(...last))).toBe(w.prediction);
    }
  });

  it('the human output names the first misclassified images', async () => {
    const r = await saccade(['eval', '--model', MODEL, '--limit', '400', '--mc', '1'], home);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('first misclassified'));
    expect(line, r.stdout).toBeDefined();
    expect(line).toContain(`${wrong[0]!.index} (label ${wrong[0]!.label}, predicted ${wrong[0]!.prediction})`);
  });

  it('eval --limit 5 --json gives no accuracy for a class it has no images of (null, not 0)', async () => {
    const r = await saccade(['eval', '--model', MODEL, '--limit', '5', '--mc', '1', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const summary = lastJson<{ perClass: (number | null)[]; confusion: number[][] }>(r.stdout);
    expect(summary.perClass).toHaveLength(10);
    summary.confusion.forEach((row, c) => {
      const n = row.reduce((a, b) => a + b, 0);
      if (n === 0) expect(summary.perClass[c], `class ${c}`).toBeNull();
      else expect(summary.perClass[c]).toBeCloseTo(row[c]! / n, 12);
    });
    expect(summary.perClass.some((a) => a === null)).toBe(true);
  });
});

describe('saccade train --json: the summary carries no placeholders', () => {
  it('a run that ends before its first epoch has no best validation accuracy in its summary (was -1)', async () => {
    const r = await saccade(['train', '--preset', 'centered', '--epochs', '1', '--max-steps', '3', '--validation-size', '500', '--mc-samples', '1', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const summary = lastJson<Record<string, unknown>>(r.stdout);
    expect(summary).toMatchObject({ type: 'summary', status: 'completed', steps: 3, epochs: 0 });
    expect(summary).not.toHaveProperty('bestValidationAccuracy');
    expect(typeof summary.testAccuracy).toBe('number');
    expect(negatives(summary)).toEqual([]);

    const runs = await saccade(['runs', '--json'], home);
    expect(runs.code, runs.stderr).toBe(0);
    expect(negatives(lastJson(runs.stdout))).toEqual([]);
  });
});
