/**
 * The studio's insight tools end to end, in browser mode, on the shipped example models: a digit
 * drawn on Playback's pad with the mouse is traced (and how long a redraw takes is measured); a
 * PNG chosen with the file picker and one dropped on the drop zone are traced; an evaluation shows
 * its progress and can be cancelled, its confusion matrix's cell lists its test images and one
 * opens in Playback; the translated example's fixation maps are computed and drawn.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import UPNG from 'upng-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundledMnist } from '../../src-main/data/dataset-files';
import { CHROMIUM, canvasInk, createProject, importFolder, openStudio, shot, startRun, tid, writeSmallIdx, type Studio } from './helpers';

const MODELS_DIR = join(__dirname, '../../resources/models');
const SHIPPED = existsSync(MODELS_DIR) ? readdirSync(MODELS_DIR).filter((n) => existsSync(join(MODELS_DIR, n, 'checkpoint.json'))) : [];
const HAVE = SHIPPED.includes('centered') && SHIPPED.includes('translated');

let studio: Studio | undefined;
let page: Page;

async function openView(view: 'runs' | 'playback' | 'fixations'): Promise<void> {
  await page.click(tid(`nav-${view}`));
  await page.waitForSelector(tid(`view-${view}`));
}

/** The value of the select option whose text starts with `prefix`. */
async function optionStartingWith(select: string, prefix: string): Promise<string> {
  // The view lists its runs a moment after it opens.
  await page.waitForSelector(`${tid(select)} option:text-matches("^${prefix}")`, { state: 'attached' });
  const options = await page.$$eval(`${tid(select)} option`, (els) => els.map((e) => ({ value: (e as unknown as { value: string }).value, text: (e.textContent ?? '').trim() })));
  const found = options.find((o) => o.text.startsWith(prefix));
  if (!found) throw new Error(`no option '${prefix}…' in ${select}: ${options.map((o) => o.text).join(', ')}`);
  return found.value;
}

/** Test image `i` of the bundled MNIST as a black-on-white PNG of side `side` (nearest-neighbour zoom). */
async function digitPng(i: number, side: number): Promise<Buffer> {
  const mnist = await loadBundledMnist();
  const px = mnist.test.width * mnist.test.height;
  const digit = mnist.test.images.subarray(i * px, (i + 1) * px);
  const rgba = new Uint8Array(side * side * 4);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const v = 255 - digit[Math.floor((y * 28) / side) * 28 + Math.floor((x * 28) / side)]!;
      rgba.set([v, v, v, 255], (y * side + x) * 4);
    }
  return Buffer.from(UPNG.encode([rgba.buffer], side, side, 0));
}

/** Pictures traced so far (0 before the first). */
const tracedCount = async () => Number((await page.getAttribute(tid('pad-timing'), 'data-count', { timeout: 100 }).catch(() => null)) ?? 0);

/** Waits for the trace after the `before`-th, and returns its redraw time (ms). */
async function waitForPictureTrace(before: number): Promise<number> {
  await expect.poll(tracedCount, { timeout: 60_000 }).toBeGreaterThan(before);
  return Number(await page.getAttribute(tid('pad-timing'), 'data-ms'));
}

describe.skipIf((!existsSync(CHROMIUM) && !process.env.CI) || !HAVE)('studio e2e, insight tools (browser mode)', () => {
  beforeAll(async () => {
    studio = await openStudio('saccade-e2e-insight-');
    page = studio.page;
    await page.click(tid('open-examples'));
    await page.waitForSelector(`${tid('project-select')} option:checked:text-is("Examples")`, { state: 'attached' });
  }, 150_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('a digit drawn on the pad with the mouse is traced: a prediction, the input as the model sees it, the redraw time', async () => {
    await openView('playback');
    await page.selectOption(tid('playback-run'), await optionStartingWith('playback-run', 'Example: centered'));
    await page.click(tid('source-picture'));
    const pad = await page.waitForSelector(tid('pad-canvas'));
    const box = (await pad.boundingBox())!;
    // A '1': one vertical stroke down the middle.
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let k = 1; k <= 12; k++) await page.mouse.move(box.x + box.width * (0.5 - k * 0.004), box.y + box.height * (0.15 + k * 0.06));
    await page.mouse.up();
    expect(await page.getAttribute(tid('pad-canvas'), 'data-strokes')).toBe('1');
    const first = await waitForPictureTrace(0);
    await page.waitForSelector(tid('playback-prediction'));
    expect((await page.textContent(tid('playback-caption'))) ?? '').toContain('your picture');
    expect(await canvasInk(page, `${tid('picture-seen')} canvas`)).toBeGreaterThan(0);
    expect(await canvasInk(page, tid('playback-canvas'))).toBeGreaterThan(0);

    // Redraws: each stroke end sends the pad again; measured from the stroke's end to the trace drawn.
    const times: number[] = [first];
    for (let r = 0; r < 3; r++) {
      const before = await tracedCount();
      await page.mouse.move(box.x + box.width * (0.35 + r * 0.05), box.y + box.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * (0.55 + r * 0.05), box.y + box.height * 0.2, { steps: 5 });
      await page.mouse.up();
      times.push(await waitForPictureTrace(before));
    }
    console.log(`pad redraw (stroke end to trace drawn, incl. ${120} ms debounce): ${times.join(', ')} ms`);
    await shot(page, 'playback-pad');

    // Undo takes the last stroke away and traces again; Clear empties the pad.
    const beforeUndo = await tracedCount();
    await page.click(tid('pad-undo'));
    expect(await page.getAttribute(tid('pad-canvas'), 'data-strokes')).toBe('3');
    await waitForPictureTrace(beforeUndo);
    await page.click(tid('pad-clear'));
    expect(await page.getAttribute(tid('pad-canvas'), 'data-strokes')).toBe('0');
    expect(await canvasInk(page, tid('pad-canvas'))).toBe(0);
    await page.waitForSelector(tid('playback-canvas'), { state: 'detached' });
  });

  it('a PNG chosen with the file picker, and one dropped on the drop zone, are traced (auto invert of a light background)', async () => {
    const file = join(studio!.temp, 'seven.png');
    writeFileSync(file, await digitPng(0, 112)); // test image 0 is a 7
    await page.setInputFiles(tid('picture-file'), file);
    await expect.poll(async () => (await page.textContent(tid('picture-panel'))) ?? '', { timeout: 60_000 }).toContain('seven.png');
    await expect.poll(async () => (await page.textContent(tid('playback-prediction')).catch(() => '')) ?? '', { timeout: 60_000 }).toBe('7');
    // The model sees white on black: the corner of its input is dark.
    const corner = await page.$eval(`${tid('picture-seen')} canvas`, (el) => {
      const c = el as unknown as { getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
      return c.getContext('2d').getImageData(0, 0, 1, 1).data[0];
    });
    expect(corner).toBeLessThan(40);

    const bytes = [...(await digitPng(2, 84))]; // test image 2 is a 1
    const transfer = await page.evaluateHandle((data) => {
      // Runs in the page; the Node tsconfig has no DOM types.
      const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (parts: unknown[], name: string, o: { type: string }) => unknown };
      const dt = new g.DataTransfer();
      dt.items.add(new g.File([new Uint8Array(data)], 'one.png', { type: 'image/png' }));
      return dt;
    }, bytes);
    await page.dispatchEvent(tid('picture-drop'), 'drop', { dataTransfer: transfer });
    await expect.poll(async () => (await page.textContent(tid('picture-panel'))) ?? '', { timeout: 60_000 }).toContain('one.png');
    await expect.poll(async () => (await page.textContent(tid('playback-prediction')).catch(() => '')) ?? '', { timeout: 60_000 }).toBe('1');
  });

  it('an evaluation can be cancelled; a finished one opens a confusion cell and one of its images in Playback', async () => {
    await openView('runs');
    await page.locator(tid('run-row'), { hasText: 'Example: centered' }).locator('button.link').click();
    await page.waitForSelector(tid('run-details'));
    await page.click(tid('evaluate-run'));
    await page.waitForSelector(tid('eval-progress'));
    await page.click(tid('evaluate-cancel'));
    await expect.poll(async () => (await page.textContent(tid('eval-error')).catch(() => '')) ?? '', { timeout: 30_000 }).toContain('cancelled');

    await page.click(tid('evaluate-run'));
    await page.waitForSelector(tid('eval-result'), { timeout: 300_000 });
    await page.waitForSelector(tid('confusion'));
    expect(await page.locator(tid('class-accuracy')).count()).toBe(10);
    const text = (await page.textContent(tid('eval-result'))) ?? '';
    expect(text).toContain('mean locations');
    expect(text).toContain('Monte-Carlo');
    // An off-diagonal cell with images (the model is not perfect), else the first diagonal one.
    const cells = await page.$$eval(tid('confusion-cell'), (els) => els.map((e) => ({ row: Number(e.getAttribute('data-row')), col: Number(e.getAttribute('data-col')), n: Number(e.getAttribute('data-count')) })));
    const pick = cells.find((c) => c.row !== c.col && c.n > 0) ?? cells.find((c) => c.n > 0)!;
    await page.click(`${tid('confusion-cell')}[data-row="${pick.row}"][data-col="${pick.col}"]`);
    await page.waitForSelector(tid('cell-images'));
    expect(await page.locator(tid('cell-image')).count()).toBe(Math.min(200, pick.n));
    await shot(page, 'runs-confusion');
    const index = Number(await page.getAttribute(`${tid('cell-image')} >> nth=0`, 'data-index'));
    await page.click(`${tid('cell-image')} >> nth=0`);
    await page.waitForSelector(tid('view-playback'));
    await expect.poll(() => page.inputValue(tid('image-index'))).toBe(String(index));
    await expect.poll(async () => (await page.textContent(tid('playback-label')).catch(() => '')) ?? '', { timeout: 60_000 }).toBe(String(pick.row));
    await expect.poll(async () => (await page.textContent(tid('playback-prediction')).catch(() => '')) ?? '', { timeout: 60_000 }).toBe(String(pick.col));
  }, 400_000);

  it("the translated example's fixation maps: a heat map per step and for all, per class, mean patches and movement", async () => {
    await openView('fixations');
    await page.selectOption(tid('fixations-run'), await optionStartingWith('fixations-run', 'Example: translated'));
    await page.click(tid('fixations-compute'));
    await page.waitForSelector(tid('fixations-result'), { timeout: 400_000 });
    expect(await page.textContent(tid('fixations-step-label'))).toBe('all');
    expect(await canvasInk(page, tid('fixations-heat'))).toBeGreaterThan(0);
    await page.fill(tid('fixations-step'), '0');
    await expect.poll(() => page.textContent(tid('fixations-step-label'))).toMatch(/^1 \//);
    expect(await page.locator(`${tid('fixations-patches')} canvas`).count()).toBeGreaterThan(0);
    await page.selectOption(tid('fixations-subset'), 'class:3');
    expect(await canvasInk(page, tid('fixations-heat'))).toBeGreaterThan(0);
    expect(await page.locator(`${tid('fixations-movement')} tbody tr`).count()).toBeGreaterThan(1);
    await shot(page, 'fixation-maps');
  }, 450_000);

  it("the Training view's live glimpses: the current model's glimpses on 4 validation images at an epoch's end", async () => {
    await createProject(page, 'Live glimpses');
    await writeSmallIdx(join(studio!.temp, 'small'), 1000, 200);
    await importFolder(page, 'live-digits', join(studio!.temp, 'small'));
    await startRun(page, { name: 'live', dataset: 'live-digits', epochs: 1 });
    const panel = await page.waitForSelector(tid('live-glimpses'), { timeout: 240_000 });
    expect(await page.locator(tid('live-glimpse')).count()).toBe(4);
    expect(Number(await panel.getAttribute('data-step'))).toBeGreaterThan(0);
    expect(await canvasInk(page, `${tid('live-glimpse')} >> nth=0 >> canvas`)).toBeGreaterThan(0);
    expect(((await page.textContent(tid('live-glimpses'))) ?? '')).toMatch(/true \d/);
    await shot(page, 'training-glimpses');
  }, 300_000);
});
