/**
 * The studio end to end, in browser mode: `saccade serve` in a temp home, headless Chromium,
 * every step by clicking. Screenshots of the main views go to docs/screenshots/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGif } from './gif';
import { CHROMIUM, canvasInk as inkOf, openStudio, shot as shotOf, startRun as startRunOn, stepOf as stepOn, tid, type Studio } from './helpers';

const GLIMPSES = 6;

let studio: Studio | undefined;
let page: Page;
let temp: string;

const shot = (name: string) => shotOf(page, name);
const canvasInk = (selector: string) => inkOf(page, selector);
const stepOf = () => stepOn(page);
const startRun = (name: string, maxSteps: number, learningRate: string) => startRunOn(page, { name, maxSteps, learningRate });

// In CI .ci/run installs Chromium, so a missing browser fails there instead of skipping.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('studio e2e (browser mode)', () => {
  beforeAll(async () => {
    studio = await openStudio('saccade-e2e-');
    page = studio.page;
    temp = studio.temp;
  }, 150_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('browses a dataset: the grid shows images and filters by label', async () => {
    await page.click(tid('nav-datasets'));
    await page.waitForSelector(`${tid('sample')} canvas`);
    expect(await page.locator(tid('sample')).count()).toBeGreaterThan(10);
    expect(await canvasInk(`${tid('sample')} canvas`)).toBeGreaterThan(0);
    await expect.poll(() => page.textContent(tid('split-sizes'))).toMatch(/test/);
    await page.click(tid('label-3'));
    await expect
      .poll(async () => page.$$eval(tid('sample'), (els) => els.map((e) => e.getAttribute('data-label'))), { timeout: 30_000 })
      .toSatisfy((labels: (string | null)[]) => labels.length > 0 && labels.every((l) => l === '3'));
    await page.click(`${tid('sample')} button`);
    await page.waitForSelector(tid('sample-zoom'));
    await shot('datasets-zoom');
    await page.click(tid('zoom-close'));
    await page.waitForSelector(tid('sample-zoom'), { state: 'detached' });
    await page.click(tid('label-all'));
    await shot('datasets');
  });

  it('shows a clear message for a bad import (a truncated IDX file)', async () => {
    const bad = join(temp, 'bad-idx');
    mkdirSync(bad);
    // The four MNIST files, valid except the training images: a header promising 10 28x28
    // images with only 100 bytes of pixels after it.
    const images = (n: number, pixels: number) => Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 28, 0, 0, 0, 28]), Buffer.alloc(pixels)]);
    const labels = (n: number) => Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, n]), Buffer.alloc(n)]);
    writeFileSync(join(bad, 'train-images-idx3-ubyte'), images(10, 100));
    writeFileSync(join(bad, 'train-labels-idx1-ubyte'), labels(10));
    writeFileSync(join(bad, 't10k-images-idx3-ubyte'), images(10, 10 * 28 * 28));
    writeFileSync(join(bad, 't10k-labels-idx1-ubyte'), labels(10));
    await page.fill(tid('import-name'), 'broken');
    await page.fill(tid('import-folder'), bad);
    await page.click(tid('import-button'));
    const box = await page.waitForSelector(tid('import-error'));
    expect(await box.textContent()).toMatch(/truncated/);
    await shot('datasets-import-error');
  });

  it('marks a wrong setting and disables Start, then starts a short run and follows its curves', async () => {
    await page.click(tid('nav-new'));
    await page.fill(tid('input-glimpses'), '0');
    await page.waitForSelector(tid('error-glimpses'));
    expect(await page.isDisabled(tid('start-run'))).toBe(true);
    await page.fill(tid('input-glimpses'), String(GLIMPSES));
    await page.waitForSelector(tid('error-glimpses'), { state: 'detached' });
    await page.fill(tid('input-batchSize'), '32');
    await shot('new-run');

    await startRun('e2e-a', 400, '0.001');
    await expect.poll(stepOf, { timeout: 90_000, interval: 250 }).toBeGreaterThan(0);
    const first = await stepOf();
    await expect.poll(stepOf, { timeout: 30_000, interval: 250 }).toBeGreaterThan(first);
    const points = Number(await page.getAttribute(tid('chart-losses'), 'data-points'));
    // Past a few logged metric lines (one per 20 steps), so Compare has curves for this run too.
    await expect.poll(stepOf, { timeout: 60_000, interval: 250 }).toBeGreaterThanOrEqual(100);
    await expect.poll(async () => Number(await page.getAttribute(tid('chart-losses'), 'data-points')), { timeout: 30_000 }).toBeGreaterThan(points);
    await shot('training');
    if (await page.isEnabled(tid('stop-run'))) await page.click(tid('stop-run'));
    await expect.poll(() => page.getAttribute(tid('training-status'), 'class'), { timeout: 90_000 }).toMatch(/stopped|completed/);
  });

  it('runs a second tiny run to its step limit', async () => {
    await startRun('e2e-b', 60, '0.003');
    await expect.poll(() => page.getAttribute(tid('training-status'), 'class'), { timeout: 120_000, interval: 500 }).toMatch(/completed|stopped/);
  });

  it('compares the two runs: overlaid curves and the differing hyperparameters', async () => {
    await page.click(tid('nav-runs'));
    await expect.poll(() => page.locator(tid('run-row')).count()).toBe(2);
    const b = page.locator(tid('run-row'), { hasText: 'e2e-b' });
    await b.locator(tid('rename-run')).click();
    await page.fill(tid('rename-input'), 'e2e-b (lr 0.003)');
    await page.press(tid('rename-input'), 'Enter');
    await page.waitForSelector(`${tid('run-row')}:has-text("e2e-b (lr 0.003)")`);
    const boxes = page.locator(tid('run-select'));
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await shot('runs');
    await page.click(tid('compare-selected'));
    await page.waitForSelector(tid('view-compare'));
    await expect.poll(async () => Number(await page.getAttribute(`${tid('view-compare')} [data-points]`, 'data-points')), { timeout: 30_000 }).toBeGreaterThan(2);
    const diff = await page.textContent(tid('hparam-diff'));
    expect(diff).toContain('learningRate');
    await shot('compare');
  });

  it('plays back a trace step by step and exports a GIF with one frame per glimpse', async () => {
    await page.click(tid('nav-playback'));
    // The run list loads a moment after the view opens: wait for the run's option.
    const findRun = () => page.$eval(tid('playback-run'), (el) => [...(el as unknown as { options: Iterable<{ text: string; value: string }> }).options].find((o) => o.text.startsWith('e2e-a'))?.value ?? '');
    await expect.poll(findRun, { timeout: 30_000 }).not.toBe('');
    const value = await findRun();
    await page.selectOption(tid('playback-run'), value);
    await page.waitForSelector(tid('playback-canvas'), { timeout: 90_000 });
    expect(await page.getAttribute(tid('playback-step'), 'data-step')).toBe('0');
    expect(await canvasInk(tid('playback-canvas'))).toBeGreaterThan(0);
    await page.click(tid('step-forward'));
    await page.click(tid('step-forward'));
    expect(await page.getAttribute(tid('playback-step'), 'data-step')).toBe('2');
    await page.click(tid('step-back'));
    expect(await page.getAttribute(tid('playback-step'), 'data-step')).toBe('1');
    await page.click(tid('image-next'));
    await expect.poll(() => page.getAttribute(tid('playback-step'), 'data-step'), { timeout: 60_000 }).toBe('0');
    await page.click(tid('step-forward'));
    await shot('playback');

    await page.click(tid('format-gif'));
    await page.click(tid('layout-one'));
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), page.click(tid('export-button'))]);
    const file = join(temp, 'export.gif');
    await download.saveAs(file);
    const bytes = new Uint8Array(readFileSync(file));
    expect(String.fromCharCode(...bytes.subarray(0, 6))).toBe('GIF89a');
    const gif = parseGif(bytes);
    expect(gif.graphicControls).toBe(GLIMPSES);
    expect(gif.images).toBe(GLIMPSES);
    await page.waitForSelector(tid('export-result'));
  });
});
