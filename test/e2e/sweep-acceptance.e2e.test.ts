/**
 * Issue #14's "done means", in the studio as a user does it, in Chromium: a 2x2 grid sweep made in
 * the New run form (4 trials counted before it is queued, median stopping, 2 epochs each) runs its
 * trials one after another while the Runs view shows the queue moving up; the Sweeps view ranks
 * them by best validation, as their runs recorded it, with a parallel-coordinates plot whose best
 * line opens its run; and a studio server killed mid-training (SIGKILL) picks up where it left off
 * when a new one starts on the same home. Runs train a tiny model on 400 imported digits.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidAlive } from '../../src-main/storage/run-lock';
import { CHROMIUM, fillRunForm, importFolder, openStudio, shot, startServer, tid, trainerPids, writeSmallIdx, type RunForm, type Studio, stopServer } from './helpers';

const DATASET = 'accept-digits';
/** 400 - 100 validation = 300 training images in batches of 32: 9 steps an epoch. */
const STEPS_PER_EPOCH = 9;
/** A tiny model (as the CLI sweep tests): a trial takes seconds. */
const TINY = { glimpses: '2', glimpseHidden: '8', locationHidden: '8', glimpseFeatures: '16', coreHidden: '16', mcSamples: '1' };
const SWEEP = 'accept';
/** The run that is mid-training when the server is killed: seconds of training here. */
const LONG_STEPS = 90 * STEPS_PER_EPOCH;

let studio: Studio | undefined;
let page: Page;
/** The server started after the kill (the first one is studio.server). */
let second: ChildProcess | undefined;

interface QueueRow {
  name: string;
  state: string;
  position: string;
}

interface Meta {
  id: string;
  name: string;
  status: string;
  progress?: { step: number; epoch: number; totalSteps: number };
  best?: { validationAccuracy: number };
  sweep?: { name: string; trial: number; settings: Record<string, number> };
  stopReason?: { reason: string };
  limits?: { medianStop?: boolean };
}

/**
 * The queue as the Runs table shows it: waiting entries (with their positions) and what trains
 * now, a running entry until its run is listed, then the run's row.
 */
const queueRows = (): Promise<QueueRow[]> =>
  page.$$eval(`${tid('queue-row')}, ${tid('run-row')}[data-status="running"]`, (els) =>
    els.map((e) =>
      e.getAttribute('data-testid') === 'queue-row'
        ? { name: (e.querySelector('[data-testid="queue-name"]')?.textContent ?? '').trim(), state: e.getAttribute('data-state') ?? '', position: e.getAttribute('data-position') ?? '' }
        : { name: (e.querySelector('button.link')?.textContent ?? '').trim(), state: 'running', position: '' },
    ),
  );
/** "name:state:position" for each row of queueRows, running first. */
const queuePicture = async () =>
  (await queueRows())
    .sort((a, b) => (a.state === 'running' ? 0 : 1) - (b.state === 'running' ? 0 : 1) || Number(a.position) - Number(b.position))
    .map((r) => `${r.name}:${r.state}:${r.position}`);

/** Every run's meta.json in the home, as the trainers wrote them. */
function metas(): Meta[] {
  const dir = join(studio!.home, 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((id) => existsSync(join(dir, id, 'meta.json')))
    .map((id) => ({ id, ...(JSON.parse(readFileSync(join(dir, id, 'meta.json'), 'utf8')) as Omit<Meta, 'id'>) }));
}

const metaNamed = (name: string) => metas().find((m) => m.name === name);

/** The lines metrics.jsonl logged, in file order. */
function logged(runId: string): { step: number; resumed?: number }[] {
  const file = join(studio!.home, 'runs', runId, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { step: number; resumed?: number });
}

async function openRunsView(): Promise<void> {
  await page.click(tid('nav-runs'));
  await page.waitForSelector(tid('view-runs'));
}

const tiny = (name: string, maxSteps: number | undefined, epochs: number): RunForm => ({ name, maxSteps, epochs, dataset: DATASET, settings: TINY });

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('issue #14 acceptance in the studio (browser mode)', () => {
  beforeAll(async () => {
    studio = await openStudio('saccade-e2e-accept-');
    page = studio.page;
    await writeSmallIdx(join(studio.temp, 'small'), 400, 100);
    await importFolder(page, DATASET, join(studio.temp, 'small'));
  }, 150_000);

  afterAll(async () => {
    await stopServer(second);
    await studio?.close();
  });

  it('a 2x2 grid from the New run form: 4 trials counted, queued, run one at a time while the Runs view shows the queue moving up', async () => {
    await openRunsView();
    await page.selectOption(tid('queue-concurrency'), '1');
    await fillRunForm(page, tiny('unused', undefined, 2));
    await page.click(tid('mode-sweep'));
    await page.fill(tid('sweep-name'), SWEEP);
    await page.check(tid('sweep-toggle-locationStd'));
    await page.fill(tid('sweep-spec-locationStd'), '0.1,0.17');
    await page.check(tid('sweep-toggle-learningRate'));
    await page.fill(tid('sweep-spec-learningRate'), '1e-3,3e-3');
    await page.check(tid('sweep-median'));
    await expect.poll(() => page.textContent(tid('sweep-count')).catch(() => ''), { timeout: 30_000 }).toBe('4 trials');
    expect(await page.textContent(tid('queue-sweep'))).toBe('Queue 4 trials');
    await page.click(tid('queue-sweep'));
    await page.waitForSelector(tid('view-runs'));

    // Watch the queue until every trial has run: each different picture of it, in order.
    const seen: QueueRow[][] = [];
    let shotTaken = false;
    const trials = (rows: QueueRow[]) => rows.filter((r) => r.name.startsWith(`${SWEEP} #`));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const rows = trials(await queueRows());
      const key = JSON.stringify(rows);
      if (rows.length && key !== JSON.stringify(seen[seen.length - 1])) {
        seen.push(rows);
        if (!shotTaken && rows.some((r) => r.state === 'running') && rows.filter((r) => r.state === 'queued').length >= 2) {
          await shot(page, 'queue-running');
          shotTaken = true;
        }
      }
      const done = metas().filter((m) => m.sweep?.name === SWEEP && m.status === 'completed').length;
      if (done === 4 && !rows.some((r) => r.state === 'queued')) break;
      if (Date.now() > deadline) throw new Error(`the sweep did not finish in 120 s: ${done} trials completed; queue pictures seen: ${JSON.stringify(seen)}`);
      await page.waitForTimeout(150);
    }
    // With one running and the others waiting (their positions 1..n), at least two pictures...
    const busy = seen.filter((rows) => rows.some((r) => r.state === 'running') && rows.some((r) => r.state === 'queued'));
    expect(busy.length, JSON.stringify(seen)).toBeGreaterThanOrEqual(2);
    for (const rows of seen) {
      expect(rows.filter((r) => r.state === 'running').length, JSON.stringify(rows)).toBeLessThanOrEqual(1);
      const positions = rows.filter((r) => r.state === 'queued').map((r) => Number(r.position));
      expect(positions, JSON.stringify(rows)).toEqual(positions.map((_, i) => i + 1));
    }
    // ... and a trial waiting in one moved up a place (or started) in a later one.
    const movedUp = busy.some((a, i) =>
      busy.slice(i + 1).some((b) =>
        a.some((r) => {
          if (r.state !== 'queued') return false;
          const later = b.find((s) => s.name === r.name);
          return later !== undefined && (later.state === 'running' || Number(later.position) < Number(r.position));
        }),
      ),
    );
    expect(movedUp, JSON.stringify(seen)).toBe(true);
    // The four trials each ran their 2 epochs, or were stopped early by the median rule.
    for (const m of metas().filter((x) => x.sweep?.name === SWEEP)) {
      expect(m.best, m.name).toBeDefined();
      expect(m.limits?.medianStop, m.name).toBe(true);
      if (m.stopReason) expect(m.stopReason.reason).toBe('median');
      else expect(m.progress?.epoch, m.name).toBe(2);
    }
  }, 150_000);

  it('the Sweeps view ranks the trials by their recorded best validation; parallel coordinates: 4 lines, 3 axes, and the best line opens its run', async () => {
    await page.click(tid('nav-sweeps'));
    await page.waitForSelector(tid('view-sweeps'));
    await expect.poll(() => page.locator(tid('trial-row')).count(), { timeout: 30_000 }).toBe(4);
    expect(await page.$eval(`${tid('sweep-select')} option:checked`, (e) => e.textContent)).toBe(`${SWEEP} (4 trials)`);

    const recorded = new Map(metas().filter((m) => m.sweep?.name === SWEEP).map((m) => [m.id, m.best!.validationAccuracy]));
    const order = await page.$$eval(tid('trial-row'), (els) => els.map((e) => e.getAttribute('data-run-id') ?? ''));
    expect(new Set(order)).toEqual(new Set(recorded.keys()));
    const bests = order.map((id) => recorded.get(id)!);
    expect(bests).toEqual([...bests].sort((a, b) => b - a));
    const shown = await page.$$eval(`${tid('trial-row')} ${tid('trial-cell-bestValidationAccuracy')}`, (els) => els.map((e) => (e.textContent ?? '').trim()));
    expect(shown).toEqual(bests.map((v) => `${(100 * v).toFixed(2)}%`));

    const pc = tid('parallel-coords');
    expect(await page.getAttribute(pc, 'data-lines')).toBe('4');
    expect(await page.locator(`${pc} ${tid('pc-axis')}`).count()).toBe(3);
    expect(await page.locator(`${pc} ${tid('pc-line')}`).count()).toBe(4);

    // The best line (a tie for best is any of them): a point along it where it is the topmost line.
    const best = order[0]!;
    const line = page.locator(`${pc} [data-testid="pc-line"][data-run-id="${best}"]`);
    const corners = [...((await line.getAttribute('d')) ?? '').matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
    const svg = (await page.locator(`${pc} svg`).boundingBox())!;
    let at: { x: number; y: number } | undefined;
    for (let seg = 0; seg + 1 < corners.length && !at; seg++) {
      for (const f of [0.25, 0.5, 0.75, 0.1, 0.9]) {
        const a = corners[seg]!;
        const b = corners[seg + 1]!;
        const p = { x: svg.x + a.x + (b.x - a.x) * f, y: svg.y + a.y + (b.y - a.y) * f };
        const hit = await page.evaluate(`document.elementFromPoint(${p.x}, ${p.y})?.getAttribute('data-run-id') ?? ''`);
        if (hit === best) {
          at = p;
          break;
        }
      }
    }
    expect(at, 'no point of the best line is on top of the others').toBeDefined();
    await page.mouse.click(at!.x, at!.y);
    await page.waitForSelector(tid('view-training'));
    await expect.poll(() => page.inputValue(tid('training-run-select')), { timeout: 15_000 }).toBe(best);
  });

  it('a server killed mid-training (SIGKILL): a new one on the same home resumes the interrupted entry from its checkpoint, then runs the next', async () => {
    // Long enough to be mid-training at the kill; the next entry is short.
    await fillRunForm(page, tiny('r-long', LONG_STEPS, 1000));
    await page.waitForSelector(`${tid('queue-run')}:not([disabled])`);
    await page.click(tid('queue-run'));
    await page.waitForSelector(tid('view-runs'));
    await fillRunForm(page, tiny('r-next', 2 * STEPS_PER_EPOCH, 1000));
    await page.waitForSelector(`${tid('queue-run')}:not([disabled])`);
    await page.click(tid('queue-run'));
    await page.waitForSelector(tid('view-runs'));

    // r-long trains past its first epoch's checkpoint while r-next waits, first in line.
    await expect.poll(() => metaNamed('r-long')?.progress?.epoch ?? 0, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(2);
    await expect.poll(queuePicture, { timeout: 10_000 }).toEqual(['r-long:running:', 'r-next:queued:1']);

    const s = studio!;
    const trainers = trainerPids(s.server.pid!);
    expect(trainers).toHaveLength(1);
    const long = metaNamed('r-long')!;
    s.server.kill('SIGKILL');
    await new Promise<void>((r) => (s.server.exitCode !== null || s.server.signalCode !== null ? r() : s.server.once('exit', () => r())));
    // Its trainer loses its parent: it stops at its next step, checkpoints and says stopped.
    await expect.poll(() => trainers.filter((pid) => pidAlive(pid)).length, { timeout: 30_000, interval: 200 }).toBe(0);
    const atKill = metaNamed('r-long')!;
    expect(atKill.status).toBe('stopped');
    const stepAtKill = atKill.progress!.step;
    expect(stepAtKill).toBeGreaterThanOrEqual(long.progress!.step);
    expect(stepAtKill).toBeLessThan(LONG_STEPS);
    const linesAtKill = logged(long.id).length;
    expect(metaNamed('r-next')).toBeUndefined();

    const restarted = await startServer(s.home);
    second = restarted.server;
    await page.goto(restarted.url);
    await page.waitForSelector(tid('status-backend'));
    await openRunsView();
    // The interrupted entry is back in front and trains on (a resume of the same run); r-next waits.
    await expect.poll(queuePicture, { timeout: 30_000 }).toEqual(['r-long:running:', 'r-next:queued:1']);
    await expect.poll(() => metaNamed('r-long')!.status, { timeout: 60_000, interval: 200 }).toBe('completed');
    // Continued from the checkpoint the stop wrote, not from step 0: the log marks the resume at
    // that step, and every later line is past it.
    const after = logged(long.id).slice(linesAtKill);
    expect(after[0]).toMatchObject({ step: stepAtKill, resumed: 1 });
    expect(after.length).toBeGreaterThan(1);
    for (const line of after.slice(1)) expect(line.step).toBeGreaterThan(stepAtKill);
    expect(metaNamed('r-long')!.progress!.step).toBe(LONG_STEPS);
    expect(metas().filter((m) => m.name === 'r-long')).toHaveLength(1);

    // Then r-next, after it.
    await expect.poll(() => metaNamed('r-next')?.status, { timeout: 60_000, interval: 200 }).toBe('completed');
    await expect.poll(async () => (await queueRows()).length, { timeout: 15_000 }).toBe(0);
  }, 240_000);
});
