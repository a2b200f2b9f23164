/**
 * The studio end to end, in browser mode: `saccade serve` in a temp home, headless Chromium,
 * every step by clicking. Screenshots of the main views go to docs/screenshots/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGif } from './gif';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(__dirname, '../..');
const SHOTS = join(ROOT, 'docs/screenshots');
const GLIMPSES = 6;

let server: ChildProcess | undefined;
let context: BrowserContext | undefined;
let page: Page;
let temp: string;
let url: string;

async function startServer(home: string): Promise<string> {
  server = spawn(process.execPath, [join(ROOT, 'bin/saccade.mjs'), 'serve', '--port', '0', '--no-open'], {
    cwd: ROOT,
    env: { ...process.env, SACCADE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 90 s:\n${log}`)), 90_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const m = /Saccade studio: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    server!.stdout!.on('data', onData);
    server!.stderr!.on('data', onData);
    server!.on('exit', (code) => reject(new Error(`serve exited (${code}):\n${log}`)));
  });
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

const tid = (id: string) => `[data-testid="${id}"]`;

/** Sum of the canvas' RGB values: > 0 means something was drawn on black. */
function canvasInk(selector: string): Promise<number> {
  return page.$eval(selector, (el) => {
    // Runs in the page; the Node tsconfig has no DOM types, so the canvas is typed by hand.
    type Canvas2d = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
    const c = el as unknown as Canvas2d;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let s = 0;
    for (let i = 0; i < d.length; i += 4) s += d[i]! + d[i + 1]! + d[i + 2]!;
    return s;
  });
}

async function startRun(name: string, maxSteps: number, learningRate: string): Promise<void> {
  await page.click(tid('nav-new'));
  await page.click(tid('preset-centered'));
  await page.fill(tid('input-batchSize'), '32');
  await page.fill(tid('input-validationSize'), '100');
  await page.fill(tid('input-learningRate'), learningRate);
  await page.fill(tid('run-name'), name);
  await page.fill(tid('run-max-steps'), String(maxSteps));
  await page.waitForSelector(`${tid('start-run')}:not([disabled])`);
  await page.click(tid('start-run'));
  await page.waitForSelector(tid('view-training'));
}

async function stepOf(): Promise<number> {
  return Number(await page.getAttribute(tid('step-value'), 'data-step'));
}

// In CI .ci/run installs Chromium, so a missing browser fails there instead of skipping.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('studio e2e (browser mode)', () => {
  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'saccade-e2e-'));
    mkdirSync(SHOTS, { recursive: true });
    url = await startServer(join(temp, 'home'));
    context = await chromium.launchPersistentContext(join(temp, 'chromium'), {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1400, height: 900 },
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    await page.goto(url);
    await page.waitForSelector(tid('status-backend'));
  }, 150_000);

  afterAll(async () => {
    await context?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1500));
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (temp) rmSync(temp, { recursive: true, force: true });
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
    const value = await page.$eval(tid('playback-run'), (el) => [...(el as unknown as { options: Iterable<{ text: string; value: string }> }).options].find((o) => o.text.startsWith('e2e-a'))!.value);
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
