/**
 * Ranking and comparing (issue #14) in browser mode: a real 2x2 `saccade sweep` made in the
 * studio's home is ranked in the Sweeps view (a sortable table with its two swept settings,
 * parallel coordinates whose lines open their runs, a setting scatter, the top trials' curves);
 * Compare takes runs from two projects.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMnistSubset } from '../helpers/mnist-subset';
import { lastJson, saccade } from '../helpers/saccade-cli';
import { canvasInk, CHROMIUM, createProject, importFolder, openStudio, shot, startRun, tid, trainingStatus, writeSmallIdx, type Studio } from './helpers';

let studio: Studio | undefined;
let page: Page;
/** The sweep's summary as the CLI printed it: trials ranked by best validation. */
let summary: { trials: { runId: string; rank: number; bestValidationAccuracy?: number; settings: Record<string, number> }[] };
let otherRunId = '';

// 500 training images in batches of 50: 10 steps an epoch, a tiny model (as test/cli/sweep.test.ts).
const TINY = ['--batch-size', '50', '--validation-size', '100', '--glimpses', '2', '--glimpse-hidden', '8', '--location-hidden', '8', '--glimpse-features', '16', '--core-hidden', '16', '--workers', '1', '--mc-samples', '1', '--backend', 'cpu'];

const texts = (selector: string) => page.$$eval(selector, (els) => els.map((e) => (e.textContent ?? '').trim()));
const percent = (s: string) => (s.endsWith('%') ? Number(s.slice(0, -1)) : -1);

async function openSweeps(): Promise<void> {
  await page.click(tid('nav-sweeps'));
  await page.waitForSelector(tid('view-sweeps'));
  await expect.poll(() => page.locator(tid('trial-row')).count(), { timeout: 30_000 }).toBe(4);
}

/** Waits until the Training view follows one of `ids` (it opens in the run's project), and says which. */
async function expectFollowing(ids: string[]): Promise<string> {
  await page.waitForSelector(tid('view-training'));
  await expect.poll(async () => ids.includes(await page.inputValue(tid('training-run-select'))), { timeout: 15_000 }).toBe(true);
  return page.inputValue(tid('training-run-select'));
}

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('studio e2e, sweeps and comparing (browser mode)', () => {
  beforeAll(async () => {
    studio = await openStudio('saccade-e2e-sweeps-');
    page = studio.page;
    const data = await writeMnistSubset(join(studio.temp, 'sweep-data'), 600, 100);
    await writeSmallIdx(join(studio.temp, 'small'), 400, 100);
    // The sweep trains from the command line while a run trains in a second project in the studio.
    const sweep = saccade(
      ['sweep', '--preset', 'centered', '--data', data, ...TINY, '--grid', 'locationStd=0.1,0.17', '--grid', 'learningRate=1e-3,3e-3', '--epochs', '2', '--max-steps', '30', '--name', 'S', '--json'],
      studio.home,
      400_000,
    );
    await createProject(page, 'Other');
    await importFolder(page, 'other-digits', join(studio.temp, 'small'));
    otherRunId = await startRun(page, { name: 'other-run', dataset: 'other-digits', epochs: 1 });
    const r = await sweep;
    expect(r.code, r.stderr).toBe(0);
    summary = lastJson(r.stdout);
    // (expect.poll belongs to tests, not hooks.)
    for (const deadline = Date.now() + 180_000; !/completed/.test(await trainingStatus(page)); await page.waitForTimeout(500)) {
      if (Date.now() > deadline) throw new Error(`the run in the second project did not complete: ${await trainingStatus(page)}`);
    }
  }, 600_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('the Sweeps view lists the four trials ranked by best validation, with the two swept settings as columns', async () => {
    await openSweeps();
    expect(await page.$eval(`${tid('sweep-select')} option:checked`, (e) => e.textContent)).toBe('S (4 trials)');
    const headers = await texts(`${tid('trials-table')} thead th`);
    expect(headers).toContain('locationStd');
    expect(headers).toContain('learningRate');
    expect(headers.filter((h) => /^(locationStd|learningRate)/.test(h))).toHaveLength(2);
    const best = (await texts(`${tid('trial-row')} ${tid('trial-cell-bestValidationAccuracy')}`)).map(percent);
    expect(best).toEqual([...best].sort((a, b) => b - a));
    expect(best).toEqual(summary.trials.map((t) => Math.round((t.bestValidationAccuracy ?? -0.01) * 10000) / 100));
    // The best row is marked.
    expect(await page.getAttribute(`${tid('trial-row')}:first-child`, 'data-best')).toBe('true');
    const settings = (await texts(`${tid('trial-row')} [data-testid="trial-cell-setting:learningRate"]`)).sort();
    expect(settings).toEqual(['0.001', '0.001', '0.003', '0.003']);
  });

  it('clicking a column header sorts by it, and again reverses it, shown with an arrow', async () => {
    const header = '[data-testid="trial-sort-setting:locationStd"]';
    const column = `${tid('trial-row')} [data-testid="trial-cell-setting:locationStd"]`;
    await page.click(header);
    expect(await texts(column)).toEqual(['0.1', '0.1', '0.17', '0.17']);
    expect(await page.textContent(header)).toContain('▲');
    await page.click(header);
    expect(await texts(column)).toEqual(['0.17', '0.17', '0.1', '0.1']);
    expect(await page.textContent(header)).toContain('▼');
    await page.click(tid('trial-sort-durationSeconds'));
    const order = await page.$$eval(tid('trial-row'), (els) => els.map((e) => e.getAttribute('data-run-id')));
    expect(new Set(order).size).toBe(4);
    // Back to the ranking by best validation.
    await page.click(tid('trial-sort-bestValidationAccuracy'));
    const best = (await texts(`${tid('trial-row')} ${tid('trial-cell-bestValidationAccuracy')}`)).map(percent);
    expect(best).toEqual([...best].sort((a, b) => b - a));
  });

  it('parallel coordinates: four lines over three axes; hovering names the run; clicking a line opens it', async () => {
    const pc = tid('parallel-coords');
    expect(await page.getAttribute(pc, 'data-lines')).toBe('4');
    expect(await page.locator(`${pc} ${tid('pc-axis')}`).count()).toBe(3);
    expect(await page.locator(`${pc} ${tid('pc-line')}`).count()).toBe(4);
    const axisTitles = await texts(`${pc} ${tid('pc-axis')} text.title`);
    expect(axisTitles).toEqual(['locationStd', 'learningRate', 'best validation']);

    const target = summary.trials[summary.trials.length - 1]!.runId;
    const line = page.locator(`${pc} [data-testid="pc-line"][data-run-id="${target}"]`);
    // A point a quarter along its first segment: no other line passes there (lines sharing a start part at once).
    const d = (await line.getAttribute('d'))!;
    const [a, b] = [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
    const svg = (await page.locator(`${pc} svg`).boundingBox())!;
    const at = { x: svg.x + a!.x + (b!.x - a!.x) / 4, y: svg.y + a!.y + (b!.y - a!.y) / 4 };
    await page.mouse.move(at.x, at.y);
    const tip = await page.waitForSelector(tid('pc-tooltip'));
    const name = await page.$eval(`[data-testid="trial-row"][data-run-id="${target}"] ${tid('trial-cell-name')}`, (e) => (e.textContent ?? '').replace('★', '').trim());
    expect(await tip.textContent()).toContain(name);
    expect(await tip.textContent()).toContain('learningRate');
    await shot(page, 'sweep-view');
    await page.mouse.click(at.x, at.y);
    expect(await expectFollowing([target])).toBe(target);
  });

  it('the scatter and the top trials\' curves are drawn; clicking a scatter point opens its run', async () => {
    await openSweeps();
    const scatter = tid('setting-scatter');
    await expect.poll(() => page.getAttribute(scatter, 'data-points')).toBe('4');
    expect(await canvasInk(page, tid('scatter-canvas'))).toBeGreaterThan(0);
    await page.selectOption(tid('scatter-setting'), 'learningRate');
    await expect.poll(() => page.getAttribute(scatter, 'data-setting')).toBe('learningRate');
    // Four trials of two epochs: two validation points each.
    await expect.poll(() => page.getAttribute(tid('top-curves'), 'data-points'), { timeout: 15_000 }).toBe('8');
    expect(await canvasInk(page, `${tid('top-curves')} canvas`)).toBeGreaterThan(0);
    await page.selectOption(tid('top-n'), '3');
    await expect.poll(() => page.getAttribute(tid('top-curves'), 'data-points')).toBe('6');

    const drawn = JSON.parse((await page.getAttribute(scatter, 'data-drawn'))!) as { id: string; x: number; y: number }[];
    expect(drawn).toHaveLength(4);
    // Trials of one learning rate may score the same: any point drawn where the click lands will do.
    const spot = drawn[0]!;
    const there = drawn.filter((p) => Math.hypot(p.x - spot.x, p.y - spot.y) < 6).map((p) => p.id);
    const canvas = (await page.locator(tid('scatter-canvas')).boundingBox())!;
    await page.mouse.click(canvas.x + spot.x, canvas.y + spot.y);
    await expectFollowing(there);
  });

  it('Compare lists the runs of both projects and compares a sweep trial with a run of another project', async () => {
    await page.click(tid('nav-compare'));
    await page.waitForSelector(tid('view-compare'));
    await page.selectOption(tid('compare-project'), '');
    await expect.poll(() => page.locator(tid('compare-group')).count()).toBeGreaterThanOrEqual(2);
    const groups = await page.$$eval(tid('compare-group'), (els) => els.map((e) => ({ project: e.getAttribute('data-project'), runs: e.querySelectorAll('input').length })));
    expect(groups.find((g) => g.project === 'Other')?.runs).toBe(1);
    expect(groups.some((g) => g.project !== 'Other' && g.runs === 4)).toBe(true);

    if (await page.locator(tid('compare-clear')).count()) await page.click(tid('compare-clear'));
    await page.check(`[data-testid="compare-pick"][data-run-id="${summary.trials[0]!.runId}"]`);
    await page.check(`[data-testid="compare-pick"][data-run-id="${otherRunId}"]`);
    await expect.poll(() => page.locator(`${tid('view-compare')} ${tid('trial-row')}`).count()).toBe(2);
    const legend = await texts(tid('compare-legend-run'));
    expect(legend.some((l) => l.startsWith('other-run') && l.includes('Other'))).toBe(true);
    const headers = await texts(`${tid('view-compare')} ${tid('trials-table')} thead th`);
    expect(headers).toContain('Project');
    expect(await page.locator(`${tid('view-compare')} [data-testid^="compare-chart-"]`).count()).toBeGreaterThan(0);

    // A look at one project's Runs keeps the runs ticked in the other.
    await page.click(tid('nav-runs'));
    await page.waitForSelector(tid('view-runs'));
    await expect.poll(() => page.locator(tid('run-select')).count()).toBeGreaterThan(0);
    await page.click(tid('nav-compare'));
    await expect.poll(() => page.locator(`${tid('view-compare')} ${tid('trial-row')}`).count()).toBe(2);

    // A sweep picked by name selects its trials.
    await page.selectOption(tid('compare-sweep'), 'S');
    await expect.poll(() => page.locator(`${tid('view-compare')} ${tid('trial-row')}`).count()).toBe(4);
    await shot(page, 'compare-projects');
  });
});
