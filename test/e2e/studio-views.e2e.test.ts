/**
 * The studio's views end to end, in browser mode, by clicking (issue #9): the shipped examples are
 * easy to find and show what they have; every view follows the current project; the Runs table
 * shows both test accuracies and keeps its actions on screen; the charts' ticks never repeat,
 * per-epoch series have markers, a finished run's curve is the logged one; a paused run says so.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPercent } from '../../src-renderer/src/lib/format';
import { CHROMIUM, createProject, importFolder, openProjectNamed, openStudio, shot, startRun, stepOf, tid, trainingStatus, writeSmallIdx, type Studio } from './helpers';

const DATASET = 'view-digits';
/** 1,000 - 100 validation = 900 training images: 28 steps of 32 per epoch. */
const STEPS_PER_EPOCH = 28;
const MODELS_DIR = join(__dirname, '../../resources/models');
const SHIPPED = existsSync(MODELS_DIR) ? readdirSync(MODELS_DIR).filter((n) => existsSync(join(MODELS_DIR, n, 'checkpoint.json'))).sort() : [];
/** What each shipped model recorded: its test accuracies. */
const recorded = (name: string) => (JSON.parse(readFileSync(join(MODELS_DIR, name, 'checkpoint.json'), 'utf8')) as { extra: { testAccuracy: number; testAccuracyMC: number; bestValidationAccuracy: number } }).extra;

let studio: Studio | undefined;
let page: Page;
const ids: Record<string, string> = {};

const row = (name: string) => page.locator(tid('run-row'), { hasText: name });

async function openView(view: 'runs' | 'training' | 'playback' | 'compare'): Promise<void> {
  await page.click(tid(`nav-${view}`));
  await page.waitForSelector(tid(`view-${view}`));
}

/** The texts of a select's options. */
const optionTexts = (select: string) => page.$$eval(`${tid(select)} option`, (els) => els.map((e) => (e.textContent ?? '').trim()));

/**
 * From now on, records the options `select` shows after every change in `view` once `when` is on
 * screen: what a user could see between two samples of a test (recordedOptions reads them back).
 */
function recordOptions(view: string, select: string, when: string): Promise<void> {
  // A string, run in the page: the Node tsconfig has no DOM types.
  return page.evaluate(`(() => {
    const seen = (window.__seenOptions = new Set());
    const snap = () => {
      if (!document.querySelector('[data-testid="${when}"]')) return;
      document.querySelectorAll('[data-testid="${select}"] option').forEach((o) => seen.add(o.textContent.trim()));
    };
    new MutationObserver(snap).observe(document.querySelector('[data-testid="${view}"]'), { subtree: true, childList: true, characterData: true, attributes: true });
  })()`);
}
const recordedOptions = () => page.evaluate('[...window.__seenOptions]') as Promise<string[]>;

/** The y tick labels a chart drew. */
async function yTicks(chart: string): Promise<string[]> {
  return JSON.parse((await page.getAttribute(tid(chart), 'data-y-ticks')) ?? '[]') as string[];
}

/** How each series of a chart is drawn, as chart.js resolved it. */
async function drawnSeries(chart: string): Promise<{ label: string; points: number; pointRadius: number; borderWidth: number }[]> {
  return JSON.parse((await page.getAttribute(tid(chart), 'data-series')) ?? '[]') as { label: string; points: number; pointRadius: number; borderWidth: number }[];
}

/** Stat tiles whose value is cut off (wider than the tile shows). */
function truncatedTiles(): Promise<string[]> {
  return page.$$eval(`${tid('stat-tiles')} .v`, (els) =>
    els.filter((e) => (e as unknown as { scrollWidth: number; clientWidth: number }).scrollWidth > (e as unknown as { clientWidth: number }).clientWidth).map((e) => (e.textContent ?? '').trim()),
  );
}

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('studio e2e, views (browser mode)', () => {
  beforeAll(async () => {
    studio = await openStudio('saccade-e2e-views-');
    page = studio.page;
    await writeSmallIdx(join(studio.temp, 'small'), 1000, 200);
  }, 150_000);

  afterAll(async () => {
    await studio?.close();
  });

  it.skipIf(SHIPPED.length === 0)('first launch: the sidebar points to the Examples project, and one click opens it', async () => {
    expect(await page.$eval(`${tid('project-select')} option:checked`, (e) => e.textContent)).toBe('My project');
    const hint = await page.waitForSelector(tid('examples-hint'));
    expect(await hint.textContent()).toContain(`${SHIPPED.length} trained models`);
    await shot(page, 'first-launch');
    await page.click(tid('open-examples'));
    await expect.poll(() => page.$eval(`${tid('project-select')} option:checked`, (e) => e.textContent)).toBe('Examples');
    await page.waitForSelector(tid('examples-hint'), { state: 'detached' });
    await openView('runs');
    await expect.poll(() => page.locator(tid('run-row')).count()).toBe(SHIPPED.length);
  });

  it.skipIf(SHIPPED.length === 0)('runs table: each example shows its Monte-Carlo test accuracy beside the mean one', async () => {
    const headers = await page.$$eval(`${tid('runs-table')} thead th`, (els) => els.map((e) => (e.textContent ?? '').trim()));
    const mc = headers.findIndex((h) => h.startsWith('Test acc (MC)'));
    const mean = headers.findIndex((h) => h.startsWith('Test acc (mean)'));
    expect(mc).toBeGreaterThan(0);
    expect(mean).toBe(mc + 1);
    for (const name of SHIPPED) {
      const { testAccuracy, testAccuracyMC } = recorded(name);
      expect(testAccuracyMC).toBeGreaterThan(testAccuracy);
      expect(await row(`Example: ${name}`).locator(tid('cell-testAccuracyMC')).textContent()).toBe(formatPercent(testAccuracyMC));
      expect(await row(`Example: ${name}`).locator(tid('cell-testAccuracy')).textContent()).toBe(formatPercent(testAccuracy));
      // A shipped model has no optimizer state to train on with: no Extend (a resume would fail it).
      expect(await row(`Example: ${name}`).locator(tid('extend-row')).count()).toBe(0);
    }
  });

  it.skipIf(SHIPPED.length === 0)('runs table at 1024x700: every action of every row is on screen and clickable', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      await expect.poll(() => page.locator(tid('run-row')).count()).toBe(SHIPPED.length);
      const buttons = page.locator(`${tid('run-row')} td.actions button`);
      expect(await buttons.count()).toBeGreaterThanOrEqual(2 * SHIPPED.length);
      for (let i = 0; i < (await buttons.count()); i++) {
        const button = buttons.nth(i);
        const box = (await button.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(1024);
        // Not just inside the window: the topmost thing at its centre is the button itself.
        const onTop = await button.evaluate((el, at) => {
          const doc = (el as unknown as { ownerDocument: { elementFromPoint(x: number, y: number): unknown } }).ownerDocument;
          const hit = doc.elementFromPoint(at.x, at.y) as { closest?(s: string): unknown } | null;
          return hit?.closest?.('button') === el;
        }, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
        expect(onTop).toBe(true);
      }
      await shot(page, 'runs-1024');
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });

  it.skipIf(SHIPPED.length === 0)('an example in the Training view: its recorded summary, and a line saying it has no training history', async () => {
    const name = SHIPPED[0]!;
    await openView('training');
    const exampleId = await page.$eval(tid('training-run-select'), (el, n) => [...(el as unknown as { options: Iterable<{ text: string; value: string }> }).options].find((o) => o.text.startsWith(`Example: ${n} `))?.value ?? '', name);
    await page.selectOption(tid('training-run-select'), exampleId);
    const line = await page.waitForSelector(tid('no-history'));
    expect(await line.textContent()).toMatch(/no training history/i);
    expect(await page.locator('[data-testid^="chart-"]').count()).toBe(0);
    expect(await page.locator(tid('extend-run')).count()).toBe(0);
    const { testAccuracy, testAccuracyMC } = recorded(name);
    const test = (await page.textContent(tid('test-accuracy'))) ?? '';
    expect(test).toContain(formatPercent(testAccuracyMC));
    expect(test).toContain(formatPercent(testAccuracy));
    expect(await page.textContent(tid('val-accuracy-tile'))).toContain(`best ${formatPercent(recorded(name).bestValidationAccuracy)}`);
    await page.setViewportSize({ width: 1440, height: 900 });
    try {
      expect(await truncatedTiles()).toEqual([]);
      await shot(page, 'training-example-1440');
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });

  it.skipIf(SHIPPED.length < 2)('comparing examples says they have no training history, instead of empty charts', async () => {
    await openView('runs');
    await row(`Example: ${SHIPPED[0]}`).locator(tid('run-select')).check();
    await row(`Example: ${SHIPPED[1]}`).locator(tid('run-select')).check();
    await page.click(tid('compare-selected'));
    await page.waitForSelector(tid('view-compare'));
    const line = await page.waitForSelector(tid('compare-no-history'));
    const text = (await line.textContent()) ?? '';
    expect(text).toMatch(/no training history/i);
    expect(text).toContain(`Example: ${SHIPPED[0]}`);
    expect(text).toContain(`Example: ${SHIPPED[1]}`);
    expect(await page.locator('[data-testid^="compare-chart-"]').count()).toBe(0);
  });

  it('a finished run: validation accuracy has a marker per epoch, no y tick label repeats, and the curve is the logged one', async () => {
    await createProject(page, 'views-a');
    await importFolder(page, DATASET, join(studio!.temp, 'small'));
    // A learning rate that decays a little every step: its axis spans 0.000999 to 0.001.
    ids.a1 = await startRun(page, { name: 'a1', dataset: DATASET, epochs: 3, settings: { lrDecay: '0.99999', lrDecaySteps: '1' } });
    await expect.poll(() => trainingStatus(page), { timeout: 120_000, interval: 500 }).toMatch(/completed/);
    await expect.poll(() => stepOf(page)).toBe(3 * STEPS_PER_EPOCH);

    const logged = readFileSync(join(studio!.home, 'runs', ids.a1, 'metrics.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, number>);
    const lossRows = logged.filter((p) => typeof p.crossEntropy === 'number').length;
    // Once the run is over, the live curve is replaced by the logged one (20-step means), so its
    // last point is no single batch standing out from the rest.
    await expect.poll(async () => Number(await page.getAttribute(tid('chart-losses'), 'data-points')), { timeout: 30_000 }).toBe(3 * lossRows);

    const validation = (await drawnSeries('chart-accuracy')).find((s) => s.label === 'validation accuracy')!;
    expect(validation.points).toBe(3);
    expect(validation.pointRadius).toBeGreaterThanOrEqual(3);
    expect(validation.borderWidth).toBeGreaterThanOrEqual(2);

    for (const chart of ['chart-losses', 'chart-accuracy', 'chart-reward', 'chart-lr']) {
      const ticks = await yTicks(chart);
      expect(ticks.length, chart).toBeGreaterThan(1);
      expect(new Set(ticks).size, `${chart}: ${ticks.join(' ')}`).toBe(ticks.length);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    try {
      expect(await truncatedTiles()).toEqual([]);
      await shot(page, 'training-1440');
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }

    // The same after a reload, from the history alone.
    await page.reload();
    await page.waitForSelector(tid('status-backend'));
    await openView('training');
    await page.selectOption(tid('training-run-select'), ids.a1);
    await expect.poll(async () => Number(await page.getAttribute(tid('chart-losses'), 'data-points'))).toBe(3 * lossRows);
    for (const chart of ['chart-losses', 'chart-accuracy', 'chart-reward', 'chart-lr']) {
      const ticks = await yTicks(chart);
      expect(new Set(ticks).size, `${chart}: ${ticks.join(' ')}`).toBe(ticks.length);
    }
  });

  it('a paused run: the picker and the Runs table say paused, ETA and elapsed stand still, and the pause is not counted', async () => {
    ids.p1 = await startRun(page, { name: 'p1', dataset: DATASET, epochs: 100 });
    await expect.poll(() => stepOf(page), { timeout: 90_000, interval: 200 }).toBeGreaterThan(2 * STEPS_PER_EPOCH);
    await page.click(tid('pause-run'));
    await expect.poll(() => trainingStatus(page), { timeout: 30_000 }).toMatch(/paused/);
    await expect.poll(() => page.$eval(`${tid('training-run-select')} option:checked`, (e) => e.textContent)).toBe('p1 (paused)');
    expect(await page.textContent(tid('eta'))).toBe('paused');
    const held = Number(await page.getAttribute(tid('elapsed'), 'data-seconds'));
    const heldText = await page.textContent(tid('elapsed'));
    await page.waitForTimeout(6000);
    expect(await page.textContent(tid('elapsed'))).toBe(heldText);
    await openView('runs');
    await expect.poll(() => row('p1').locator('.badge').textContent()).toBe('paused');

    await openView('training');
    await page.click(tid('resume-run'));
    await expect.poll(() => trainingStatus(page)).toMatch(/running/);
    const step = await stepOf(page);
    await expect.poll(() => stepOf(page), { timeout: 30_000, interval: 100 }).toBeGreaterThan(step);
    // The six paused seconds are not training time.
    const after = Number(await page.getAttribute(tid('elapsed'), 'data-seconds'));
    expect(after).toBeGreaterThanOrEqual(held);
    expect(after - held).toBeLessThan(4);
    await page.click(tid('stop-run'));
    await expect.poll(() => trainingStatus(page), { timeout: 60_000 }).toMatch(/stopped/);
  });

  it('every view follows the project: a new one starts empty, and switching never shows the previous project\'s runs', async () => {
    // In views-a, following the stopped run: its curve, and Resume enabled.
    await openView('training');
    await page.selectOption(tid('training-run-select'), ids.p1!);
    await expect.poll(async () => Number(await page.getAttribute(tid('chart-losses'), 'data-points'))).toBeGreaterThan(0);
    expect(await page.isEnabled(tid('resume-run'))).toBe(true);

    // A new project, created while the Training view is open: nothing to follow.
    await createProject(page, 'views-b');
    await page.waitForSelector(tid('no-run'));
    expect(await page.locator('[data-testid^="chart-"]').count()).toBe(0);
    expect(await page.isDisabled(tid('resume-run'))).toBe(true);
    await expect.poll(() => optionTexts('training-run-select')).toEqual(['no runs yet']);
    await openView('playback');
    expect(await optionTexts('playback-run')).toEqual(['no runs yet']);
    await expect.poll(() => page.locator(tid('playback-canvas')).count()).toBe(0);
    await openView('runs');
    await expect.poll(() => page.locator(tid('run-row')).count()).toBe(0);

    // Switching while Playback is open: its list follows each time.
    await openView('playback');
    await openProjectNamed(page, 'views-a');
    await expect.poll(async () => (await optionTexts('playback-run')).map((t) => t.split(' (')[0]).sort()).toEqual(['a1', 'p1']);
    await page.waitForSelector(tid('playback-canvas'), { timeout: 90_000 });
    if (SHIPPED.length > 0) {
      await openProjectNamed(page, 'Examples');
      await expect.poll(async () => (await optionTexts('playback-run')).map((t) => t.split(' (')[0]).sort()).toEqual(SHIPPED.map((n) => `Example: ${n}`));
    }
    await openProjectNamed(page, 'views-b');
    await expect.poll(() => optionTexts('playback-run')).toEqual(['no runs yet']);
    await expect.poll(() => page.locator(tid('playback-canvas')).count()).toBe(0);

    // Switching while Training is open: it follows a run of the project it switched to, or none.
    await openView('training');
    await openProjectNamed(page, 'views-a');
    await expect.poll(async () => (await optionTexts('training-run-select')).map((t) => t.split(' (')[0]).sort()).toEqual(['a1', 'p1']);
    // From the switch on (no run followed), the select never lists views-a's runs, not even until
    // views-b's list is in.
    await recordOptions('view-training', 'training-run-select', 'no-run');
    await openProjectNamed(page, 'views-b');
    await page.waitForSelector(tid('no-run'));
    await expect.poll(() => optionTexts('training-run-select')).toEqual(['no runs yet']);
    expect((await recordedOptions()).filter((t) => /^(a1|p1) \(/.test(t))).toEqual([]);
    expect(await page.isDisabled(tid('resume-run'))).toBe(true);
  });
});
