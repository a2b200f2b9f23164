/**
 * saccade sweep (real CLI and trainer): a grid's trials are runs of their own, recorded with
 * meta.sweep and ranked; random trials come from their seed; --median-stop ends a trial that is
 * below the median of the finished ones (a learning rate of 1e-12 leaves the weights as they are).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/storage';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';
import { lastJson, ROOT, saccade } from '../helpers/saccade-cli';
import type { TrialResult } from '../../src-main/cli/sweep';

let home: string;
let dataDir: string;

beforeAll(async () => {
  home = tempDir('sweep');
  dataDir = await writeMnistSubset(path.join(home, 'data'), 600, 100);
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

// 500 training images in batches of 50: 10 steps an epoch.
const TINY = [
  '--batch-size', '50', '--validation-size', '100',
  '--glimpses', '2', '--glimpse-hidden', '8', '--location-hidden', '8', '--glimpse-features', '16', '--core-hidden', '16',
  '--workers', '1', '--mc-samples', '1', '--backend', 'cpu',
];
const tiny = () => ['--data', dataDir, ...TINY];

/** A ranked trial of the summary: the CLI's own result type. */
type TrialRow = TrialResult & { rank: number };
interface SweepSummary {
  type: string;
  sweep: string;
  complete: boolean;
  trials: TrialRow[];
}

const ranked = (rows: TrialRow[]) => rows.every((r, i) => i === 0 || (rows[i - 1]!.bestValidationAccuracy ?? -1) >= (r.bestValidationAccuracy ?? -1));

describe('saccade sweep', () => {
  it('a 2x2 grid: four runs, each with meta.sweep, ranked by best validation; runs --sweep lists them', async () => {
    const r = await saccade(
      ['sweep', '--preset', 'centered', ...tiny(), '--grid', 'locationStd=0.1,0.17', '--grid', 'learningRate=1e-3,3e-3', '--epochs', '2', '--name', 'grid', '--json'],
      home,
      300_000,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = lastJson<SweepSummary>(r.stdout);
    expect(summary).toMatchObject({ type: 'summary', sweep: 'grid', complete: true });
    expect(summary.trials).toHaveLength(4);
    expect(summary.trials.map((t) => t.rank)).toEqual([1, 2, 3, 4]);
    expect(summary.trials.map((t) => t.trial).sort()).toEqual([1, 2, 3, 4]);
    expect(ranked(summary.trials)).toBe(true);
    const store = new RunStore(home);
    const combos = new Set<string>();
    for (const t of summary.trials) {
      expect(t).toMatchObject({ status: 'completed', epochs: 2 });
      expect(t.bestValidationAccuracy).toBeTypeOf('number');
      expect(t.testAccuracy).toBeTypeOf('number');
      expect(t.testAccuracyMC).toBeTypeOf('number');
      const meta = store.getRun(t.runId);
      expect(meta.sweep).toEqual({ name: 'grid', trial: t.trial, settings: t.settings });
      expect(meta.name).toBe(`grid #${t.trial} ${t.name}`);
      expect(meta.config.locationStd).toBe(t.settings.locationStd);
      expect(meta.config.learningRate).toBe(t.settings.learningRate);
      combos.add(`${t.settings.locationStd} ${t.settings.learningRate}`);
    }
    expect([...combos].sort()).toEqual(['0.1 0.001', '0.1 0.003', '0.17 0.001', '0.17 0.003']);

    const listed = await saccade(['runs', '--sweep', 'grid', '--json'], home);
    expect(listed.code).toBe(0);
    const runs = lastJson<{ sweep: string; runs: TrialRow[] }>(listed.stdout);
    expect(runs.sweep).toBe('grid');
    expect(runs.runs.map((t) => t.runId)).toEqual(summary.trials.map((t) => t.runId));

    const plain = await saccade(['runs', '--sweep', 'grid'], home);
    expect(plain.code).toBe(0);
    const lines = plain.stdout.trim().split('\n');
    expect(lines[0]).toBe("sweep 'grid' ranked by best validation accuracy:");
    expect(lines[1]).toMatch(/^rank\s+trial\s+settings\s+best val\s+test mean\s+test MC\s+epochs\s+stop\s+run$/);
    expect(lines).toHaveLength(6);
    summary.trials.forEach((t, i) => expect(lines[2 + i]).toContain(t.runId));
    const none = await saccade(['runs', '--sweep', 'nothing'], home);
    expect(none.stdout).toContain("no runs of a sweep named 'nothing'");
  }, 400_000);

  it('a random sweep is repeatable from its seed', async () => {
    const args = (name: string, seed: string) => [
      'sweep', ...tiny(), '--random', 'learningRate=log:1e-4..3e-3', '--random', 'locationStd=uniform:0.05..0.2',
      '--trials', '2', '--seed', seed, '--epochs', '1', '--max-steps', '2', '--name', name, '--json',
    ];
    const a = await saccade(args('ra', '7'), home, 200_000);
    const b = await saccade(args('rb', '7'), home, 200_000);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const settingsOf = (s: SweepSummary) => s.trials.sort((x, y) => x.trial - y.trial).map((t) => t.settings);
    const sa = settingsOf(lastJson<SweepSummary>(a.stdout));
    const sb = settingsOf(lastJson<SweepSummary>(b.stdout));
    expect(sa).toHaveLength(2);
    expect(sa).toEqual(sb);
    expect(sa[0]).not.toEqual(sa[1]);
    const lr = sa[0]!.learningRate as number;
    expect(lr).toBeGreaterThanOrEqual(1e-4);
    expect(lr).toBeLessThanOrEqual(3e-3);
  }, 400_000);

  it('--median-stop ends a hopeless trial below the finished trials\' median, saying why; plain output ends with the ranking', async () => {
    const r = await saccade(
      ['sweep', ...tiny(), '--grid', 'learningRate=3e-3,1e-12', '--lr-min', '0', '--epochs', '3', '--median-stop', '--name', 'median'],
      home,
      300_000,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("sweep 'median': 2 trials from preset centered, median stopping");
    expect(r.stdout).toContain("sweep 'median' ranked by best validation accuracy:");
    const store = new RunStore(home);
    const runs = store.listRuns().filter((m) => m.sweep?.name === 'median').sort((a, b) => a.sweep!.trial - b.sweep!.trial);
    expect(runs).toHaveLength(2);
    const [good, hopeless] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(good.stopReason).toBeUndefined();
    expect(good.progress?.epoch).toBe(3);
    expect(hopeless.status).toBe('completed');
    expect(hopeless.stopReason?.reason).toBe('median');
    expect(hopeless.stopReason?.message).toMatch(/^stopped early: validation accuracy \d+\.\d\d% at epoch \d is below the median of the sweep's finished trials \(\d+\.\d\d%\)$/);
    expect(hopeless.progress!.epoch).toBeLessThan(3);
    expect(hopeless.test?.accuracy).toBeTypeOf('number');
    expect(r.stdout).toContain(hopeless.stopReason!.message);
    const table = r.stdout.trim().split('\n').slice(-2);
    expect(table[0]).toContain(good.id);
    expect(table[1]).toMatch(new RegExp(`median\\s+${hopeless.id}$`));
  }, 400_000);

  it('Ctrl-C stops the current trial cleanly and ends the sweep, saying which trials ran', async () => {
    const cli = spawn(
      process.execPath,
      [path.join(ROOT, 'bin/saccade.mjs'), 'sweep', ...tiny(), '--grid', 'learningRate=3e-3,1e-3,1e-4', '--epochs', '500', '--name', 'ctrlc'],
      { cwd: ROOT, env: { ...process.env, SACCADE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let out = '';
    let err = '';
    cli.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      cli.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (/^epoch 2:/m.test(out)) resolve();
      });
      void exited.then(() => reject(new Error(`sweep ended before its first trial trained: ${out}${err}`)));
    });
    process.kill(-cli.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(err).toContain('stopping after this step');
    expect(out).toContain("sweep 'ctrlc' stopped: trials #1 of 3 ran; 2 not started");
    const runs = new RunStore(home).listRuns().filter((m) => m.sweep?.name === 'ctrlc');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('stopped');
    expect(out.trim().split('\n').pop()).toMatch(new RegExp(`stopped\\s+${runs[0]!.id}$`));
  }, 200_000);

  it('bad specs are usage errors before any run exists', async () => {
    const before = new RunStore(home).listRuns().length;
    const noTrials = await saccade(['sweep', ...tiny(), '--random', 'learningRate=log:1e-4..3e-3'], home);
    expect(noTrials.code).toBe(2);
    expect(noTrials.stderr).toContain('--random needs --trials N');
    const unknown = await saccade(['sweep', ...tiny(), '--grid', 'nonsense=1,2'], home);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown setting 'nonsense'");
    const none = await saccade(['sweep', ...tiny()], home);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('sweep needs --grid');
    // 'grid' ran above: a second sweep of that name would mix its trials into the first's ranking.
    // --workers cannot be queued (the queue runner chooses them).
    const queued = tiny();
    queued.splice(queued.indexOf('--workers'), 2, '--queue');
    for (const args of [tiny(), queued]) {
      const again = await saccade(['sweep', ...args, '--grid', 'locationStd=0.1,0.2', '--name', 'grid'], home);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain("a sweep named 'grid' exists already");
    }
    expect(new RunStore(home).listRuns().length).toBe(before);
  });
});
