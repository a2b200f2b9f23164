/**
 * Resuming in the studio end to end, in browser mode, by clicking (issue #9): the Training view
 * says what a resume actually did (from which step, or from scratch when there was no checkpoint),
 * and a run that ended at its step limit is extended to a new one, from the Runs table and from
 * the Training view, and trains past its old limit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, importFolder, openStudio, startRun, stepOf, tid, trainerPids, trainingStatus, writeSmallIdx, type Studio } from './helpers';

const DATASET = 'resume-digits';
/** 1,000 - 100 validation = 900 training images: 28 steps of 32 per epoch. */
const STEPS_PER_EPOCH = 28;

let studio: Studio | undefined;
let page: Page;
const ids: Record<string, string> = {};

const row = (name: string) => page.locator(tid('run-row'), { hasText: name });

function meta(id: string): { status: string; progress: { step: number; epoch: number; totalSteps: number } } {
  return JSON.parse(readFileSync(join(studio!.home, 'runs', id, 'meta.json'), 'utf8')) as ReturnType<typeof meta>;
}

/** The logged steps of a run, from its metrics file. */
function loggedSteps(id: string): number[] {
  return readFileSync(join(studio!.home, 'runs', id, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { step: number }).step);
}

async function openRunsView(): Promise<void> {
  await page.click(tid('nav-runs'));
  await page.waitForSelector(tid('view-runs'));
}

async function stopAndWait(): Promise<void> {
  await page.click(tid('stop-run'));
  await expect.poll(() => trainingStatus(page), { timeout: 60_000 }).toMatch(/stopped/);
}

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('studio e2e, resume and extend (browser mode)', () => {
  beforeAll(async () => {
    studio = await openStudio('saccade-e2e-resume-');
    page = studio.page;
    await writeSmallIdx(join(studio.temp, 'small'), 1000, 200);
    await importFolder(page, DATASET, join(studio.temp, 'small'));
  }, 150_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('a run killed before its first checkpoint: the banner promises none, and the resume says it starts again from step 0', async () => {
    // The bundled MNIST: an epoch of 1,871 steps, so no checkpoint for a while.
    ids.k1 = await startRun(page, { name: 'k1' });
    await expect.poll(() => stepOf(page), { timeout: 90_000, interval: 200 }).toBeGreaterThan(20);
    const pids = trainerPids(studio!.server.pid!);
    expect(pids).toHaveLength(1);
    process.kill(pids[0]!, 'SIGKILL');

    const banner = page.locator(tid('run-failed'));
    await expect.poll(() => banner.textContent(), { timeout: 30_000 }).toMatch(/no checkpoint yet: resuming starts again from step 0/);
    expect(await banner.textContent()).not.toMatch(/continue from/);

    await page.click(`${tid('run-failed')} button:has-text("resume it")`);
    const notice = await page.waitForSelector(tid('resume-notice'));
    expect(await notice.textContent()).toBe('Resumed: no checkpoint yet: starting again from step 0.');
    await expect.poll(() => trainingStatus(page), { timeout: 30_000 }).toMatch(/running/);
    await expect.poll(() => stepOf(page), { timeout: 60_000, interval: 200 }).toBeGreaterThan(10);
    await stopAndWait();
  });

  it('a stopped run resumed from the Runs table: the Training view names the step and epoch it continues from', async () => {
    const stoppedAt = meta(ids.k1!).progress;
    expect(stoppedAt.step).toBeGreaterThan(0);
    await openRunsView();
    await expect.poll(() => row('k1').getAttribute('data-status')).toBe('stopped');
    await row('k1').locator(tid('resume-row')).click();
    await page.waitForSelector(tid('view-training'));
    const notice = await page.waitForSelector(tid('resume-notice'));
    expect(await notice.textContent()).toBe(`Resumed: continuing from step ${stoppedAt.step} (epoch ${stoppedAt.epoch}).`);
    await expect.poll(() => stepOf(page), { timeout: 60_000, interval: 200 }).toBeGreaterThan(stoppedAt.step);
    await stopAndWait();
  });

  it('a run that ended at its step limit is extended from the Runs table: a limit at or below its step is refused, a higher one trains past the old limit', async () => {
    ids.e1 = await startRun(page, { name: 'e1', dataset: DATASET, maxSteps: 40 });
    await expect.poll(() => trainingStatus(page), { timeout: 120_000, interval: 500 }).toMatch(/completed/);
    expect(await stepOf(page)).toBe(40);
    expect(meta(ids.e1).progress).toMatchObject({ step: 40, epoch: 1 });

    await openRunsView();
    await expect.poll(() => row('e1').getAttribute('data-status')).toBe('completed');
    expect(await row('e1').locator(tid('resume-row')).count()).toBe(0);
    await row('e1').locator(tid('extend-row')).click();
    const field = row('e1').locator(tid('extend-steps'));
    await field.fill('40');
    expect(await row('e1').locator(tid('extend-error')).textContent()).toBe('must be above the current step, 40');
    expect(await row('e1').locator(tid('extend-ok')).isDisabled()).toBe(true);
    await field.fill('70.5');
    expect(await row('e1').locator(tid('extend-error')).textContent()).toBe('must be a whole number of steps');
    await field.fill('70');
    expect(await row('e1').locator(tid('extend-error')).count()).toBe(0);
    await row('e1').locator(tid('extend-ok')).click();

    await page.waitForSelector(tid('view-training'));
    const notice = await page.waitForSelector(tid('resume-notice'));
    expect(await notice.textContent()).toBe('Extended to 70 steps: continuing from step 40 (epoch 1).');
    await expect.poll(() => trainingStatus(page), { timeout: 120_000, interval: 500 }).toMatch(/completed/);
    expect(await stepOf(page)).toBe(70);
    expect(meta(ids.e1).progress).toMatchObject({ step: 70, totalSteps: 70 });
    // It trained past the old limit: metrics were logged after step 40, up to 60 (one per 20 steps).
    expect(Math.max(...loggedSteps(ids.e1))).toBeGreaterThan(40);
  });

  it('and again from the Training view: Extend asks for the new limit inline and the run goes on to it', async () => {
    await page.waitForSelector(tid('extend-run'));
    await page.click(tid('extend-run'));
    await page.fill(tid('extend-steps'), '3');
    expect(await page.textContent(tid('extend-error'))).toBe('must be above the current step, 70');
    await page.fill(tid('extend-steps'), String(4 * STEPS_PER_EPOCH));
    await page.click(tid('extend-ok'));
    await expect.poll(() => page.textContent(tid('resume-notice'))).toBe(`Extended to ${4 * STEPS_PER_EPOCH} steps: continuing from step 70 (epoch 2).`);
    await expect.poll(() => trainingStatus(page), { timeout: 120_000, interval: 500 }).toMatch(/completed/);
    expect(await stepOf(page)).toBe(4 * STEPS_PER_EPOCH);
    expect(meta(ids.e1!).progress).toMatchObject({ step: 4 * STEPS_PER_EPOCH, epoch: 4 });
  });
});
