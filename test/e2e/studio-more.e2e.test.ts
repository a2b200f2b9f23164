/**
 * More of the studio end to end, in browser mode, by clicking: projects, run notes / delete /
 * resume / evaluate, pause and resume of a live run, a trainer crash and its recovery, playback of
 * misclassified images, APNG and grid GIF exports, and server-side form errors. The runs train on
 * a small imported IDX set (1,000 train / 200 test digits from the bundled MNIST) so that epochs
 * end within seconds.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGif } from './gif';
import { CHROMIUM, openStudio, shot, startRun, stepOf, tid, trainerPids, trainingStatus, writeSmallIdx, type Studio } from './helpers';

const GLIMPSES = 6;
const TRAIN = 1000;
const TEST = 200;
const DATASET = 'small-digits';
/** 1,000 - 100 validation = 900 training images: 28 steps of 32 per epoch. */
const STEPS_PER_EPOCH = Math.floor((TRAIN - 100) / 32);
const EPOCHS = 4;

let studio: Studio | undefined;
let page: Page;
/** Run ids by name, as the Runs table shows them. */
const ids: Record<string, string> = {};

/** Models shipped in resources/models: the studio offers each as a run of an "Examples" project. */
const MODELS_DIR = join(__dirname, '../../resources/models');
const SHIPPED = existsSync(MODELS_DIR) ? readdirSync(MODELS_DIR).filter((n) => existsSync(join(MODELS_DIR, n, 'checkpoint.json'))).sort() : [];
const EXAMPLES = SHIPPED.length > 0 ? ['Examples'] : [];

const row = (name: string) => page.locator(tid('run-row'), { hasText: name });

async function runNames(): Promise<string[]> {
  return page.$$eval(`${tid('run-row')} button.link`, (els) => els.map((e) => (e.textContent ?? '').trim()));
}

async function openRunsView(): Promise<void> {
  await page.click(tid('nav-runs'));
  await page.waitForSelector(tid('view-runs'));
}

/** The Training view's run select: follow the named run. */
async function followRun(name: string): Promise<void> {
  await page.click(tid('nav-training'));
  await page.selectOption(tid('training-run-select'), ids[name]!);
}

async function download(action: () => Promise<void>, file: string): Promise<Uint8Array> {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), action()]);
  await dl.saveAs(file);
  return new Uint8Array(readFileSync(file));
}

/** PNG chunks: type -> data of the first chunk of that type. */
function pngChunks(bytes: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = 8; p + 8 <= bytes.length; ) {
    const length = view.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    if (!out.has(type)) out.set(type, bytes.subarray(p + 8, p + 8 + length));
    p += 12 + length;
  }
  return out;
}

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at);

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('studio e2e, more features (browser mode)', () => {
  beforeAll(async () => {
    studio = await openStudio('saccade-e2e-more-');
    page = studio.page;
    await writeSmallIdx(join(studio.temp, 'small'), TRAIN, TEST);
  }, 150_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('imports a small IDX dataset', async () => {
    await page.click(tid('nav-datasets'));
    await page.fill(tid('import-name'), DATASET);
    await page.fill(tid('import-folder'), join(studio!.temp, 'small'));
    await page.click(tid('import-button'));
    const ok = await page.waitForSelector(tid('import-ok'));
    expect(await ok.textContent()).toMatch(/900 train \/ 100 validation \/ 200 test/);
  });

  it('new run: a value the server rejects is marked on its field and Start stays disabled', async () => {
    await page.click(tid('nav-new'));
    await page.click(tid('preset-centered'));
    // Within the field's bounds (1..256), but larger than the 28x28 image: only the server knows.
    await page.fill(tid('input-glimpseSize'), '40');
    const err = await page.waitForSelector(tid('error-glimpseSize'));
    expect(await err.textContent()).toMatch(/glimpseSize 40 is larger than the 28x28 image/);
    expect(await page.getAttribute(tid('input-glimpseSize'), 'class')).toMatch(/invalid/);
    expect(await page.isDisabled(tid('start-run'))).toBe(true);
    await shot(page, 'new-run-error');
    await page.fill(tid('input-glimpseSize'), '8');
    await page.waitForSelector(tid('error-glimpseSize'), { state: 'detached' });
    await page.waitForSelector(`${tid('start-run')}:not([disabled])`);
    // Out of bounds: marked by the form itself.
    await page.fill(tid('input-batchSize'), '0');
    expect(await page.textContent(tid('error-batchSize'))).toMatch(/at least 1/);
    expect(await page.isDisabled(tid('start-run'))).toBe(true);
  });

  it('training: validation accuracy after an epoch; pause holds the step, resume moves it; stop', async () => {
    ids.alpha = await startRun(page, { name: 'alpha', dataset: DATASET, epochs: EPOCHS });
    await expect.poll(() => page.getAttribute(tid('val-accuracy'), 'data-value'), { timeout: 90_000, interval: 250 }).not.toBe('');
    const acc = Number(await page.getAttribute(tid('val-accuracy'), 'data-value'));
    expect(acc).toBeGreaterThan(0);
    expect(await page.textContent(tid('val-accuracy'))).toMatch(/%/);

    await page.click(tid('pause-run'));
    await expect.poll(() => trainingStatus(page), { timeout: 30_000 }).toMatch(/paused/);
    await page.waitForTimeout(500); // the step that was under way when the pause arrived
    const held = await stepOf(page);
    await page.waitForTimeout(2000);
    expect(await stepOf(page)).toBe(held);
    expect(await page.isEnabled(tid('resume-run'))).toBe(true);
    await page.click(tid('resume-run'));
    await expect.poll(() => trainingStatus(page)).toMatch(/running/);
    await expect.poll(() => stepOf(page), { timeout: 30_000, interval: 200 }).toBeGreaterThan(held);
    await page.click(tid('stop-run'));
    await expect.poll(() => trainingStatus(page), { timeout: 60_000 }).toMatch(/stopped/);
    expect(await stepOf(page)).toBeLessThan(EPOCHS * STEPS_PER_EPOCH);
  });

  it('runs: resumes the stopped run from the table; it continues from its step and completes', async () => {
    await openRunsView();
    await expect.poll(() => row('alpha').getAttribute('data-status')).toBe('stopped');
    const meta = JSON.parse(readFileSync(join(studio!.home, 'runs', ids.alpha!, 'meta.json'), 'utf8')) as { progress: { step: number } };
    const stoppedAt = meta.progress.step;
    expect(stoppedAt).toBeGreaterThan(0);
    await row('alpha').locator(tid('resume-row')).click();
    await page.waitForSelector(tid('view-training'));
    await expect.poll(() => trainingStatus(page), { timeout: 30_000 }).toMatch(/running|completed/);
    const seen: number[] = [];
    await expect
      .poll(
        async () => {
          seen.push(await stepOf(page));
          return trainingStatus(page);
        },
        { timeout: 90_000, interval: 200 },
      )
      .toMatch(/completed/);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(stoppedAt);
    expect(await stepOf(page)).toBe(EPOCHS * STEPS_PER_EPOCH);
    // The trainer logged where it picked up, and every point after that is past it.
    const points = readFileSync(join(studio!.home, 'runs', ids.alpha!, 'metrics.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { step: number; resumed?: number });
    const at = points.findIndex((p) => p.resumed);
    expect(points.filter((p) => p.resumed).map((p) => p.step)).toEqual([stoppedAt]);
    const after = points.slice(at + 1).map((p) => p.step);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]!).toBeGreaterThan(stoppedAt);
    expect(after[0]!).toBeLessThanOrEqual(stoppedAt + STEPS_PER_EPOCH);
    expect(Math.max(...after)).toBe(EPOCHS * STEPS_PER_EPOCH);
  });

  it('runs: notes are saved and still there after a reload', async () => {
    await openRunsView();
    await expect.poll(() => row('alpha').getAttribute('data-status')).toBe('completed');
    await row('alpha').locator('button.link').click();
    await page.fill(tid('run-notes'), 'lr 1e-3, four epochs on the small set');
    await page.click(`${tid('run-details')} button:has-text("Save notes")`);
    await page.waitForSelector(`${tid('run-details')} .muted:has-text("saved")`);
    await page.reload();
    await page.waitForSelector(tid('status-backend'));
    await openRunsView();
    await row('alpha').locator('button.link').click();
    expect(await page.inputValue(tid('run-notes'))).toBe('lr 1e-3, four epochs on the small set');
  });

  it('runs: evaluates a chosen checkpoint: mean and Monte-Carlo accuracy, per class', async () => {
    // The details panel lists the run's checkpoints once they are loaded.
    const epochCheckpoint = () => page.$$eval(`${tid('eval-checkpoint')} option`, (els) => els.map((e) => (e as unknown as { value: string }).value).find((v) => v.startsWith('epoch-')));
    await expect.poll(epochCheckpoint).toBeDefined();
    const epochCkpt = await epochCheckpoint();
    await page.selectOption(tid('eval-checkpoint'), epochCkpt!);
    await page.click(tid('evaluate-run'));
    const result = await page.waitForSelector(tid('eval-result'), { timeout: 90_000 });
    const text = (await result.textContent()) ?? '';
    expect(text).toMatch(/Accuracy \(mean locations\)\s*\d+(\.\d+)?\s*%/);
    expect(text).toMatch(/Accuracy \(Monte-Carlo, 10 samples\)\s*\d+(\.\d+)?\s*%/);
    expect(text).toMatch(/Images\s*200/);
    expect(text).toContain(epochCkpt!);
    const perClass = await page.$$eval(`${tid('run-details')} .per-class span`, (els) => els.map((e) => (e.textContent ?? '').trim()));
    expect(perClass).toHaveLength(10);
    for (const [k, s] of perClass.entries()) expect(s).toMatch(new RegExp(`^${k}\\s+\\d+(\\.\\d)?\\s*%$`));
    await shot(page, 'runs-eval');
  });

  it('playback: browses misclassified images, switches to sampled locations, exports APNG and a grid GIF', async () => {
    await row('alpha').getByRole('button', { name: 'Playback' }).click();
    await page.waitForSelector(tid('playback-canvas'), { timeout: 90_000 });
    await page.click(tid('browse-misclassified'));
    const items = page.locator(`${tid('misclassified')} button`);
    await expect.poll(() => items.count(), { timeout: 90_000 }).toBeGreaterThan(0);
    const pick = items.nth(Math.min(1, (await items.count()) - 1));
    const m = /#(\d+)\s*(\d)→(\d)/.exec((await pick.textContent()) ?? '')!;
    expect(m).not.toBeNull();
    const [index, label, prediction] = [m[1]!, m[2]!, m[3]!];
    expect(label).not.toBe(prediction);
    await pick.click();
    expect(await page.inputValue(tid('image-index'))).toBe(index);
    // The trace of that image: its label, and the wrong answer the list promised (mean locations).
    await expect
      .poll(() => page.textContent(`${tid('view-playback')} .caption`), { timeout: 60_000 })
      .toMatch(new RegExp(`label\\s*${label}\\s*· final prediction\\s*${prediction}\\s*· mean locations`));
    await page.click(tid('mode-sampled'));
    await expect.poll(() => page.textContent(`${tid('view-playback')} .caption`), { timeout: 60_000 }).toMatch(new RegExp(`label\\s*${label}\\s*·.*sampled locations`, 's'));
    await shot(page, 'playback-misclassified');

    await page.click(tid('format-apng'));
    await page.click(tid('layout-one'));
    const apng = await download(() => page.click(tid('export-button')), join(studio!.temp, 'one.png'));
    expect([...apng.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks = pngChunks(apng);
    expect(chunks.has('acTL')).toBe(true);
    expect(u32(chunks.get('acTL')!, 0)).toBe(GLIMPSES);
    const singleWidth = u32(chunks.get('IHDR')!, 0);
    expect(singleWidth).toBeGreaterThan(0);
    await expect.poll(() => page.textContent(tid('export-result'))).toMatch(new RegExp(`\\.png: ${GLIMPSES} frames`));

    await page.click(tid('format-gif'));
    await page.click(tid('layout-grid'));
    await page.fill(tid('grid-indices'), '0, 1, 2, 3');
    const gifBytes = await download(() => page.click(tid('export-button')), join(studio!.temp, 'grid.gif'));
    expect(String.fromCharCode(...gifBytes.subarray(0, 6))).toBe('GIF89a');
    const gif = parseGif(gifBytes);
    expect(gif.images).toBe(GLIMPSES);
    expect(gif.graphicControls).toBe(GLIMPSES);
    expect(gif.width).toBeGreaterThan(singleWidth);
  });

  it('projects: creates and renames a project; a trainer killed mid-run shows a failure, the studio goes on, resume completes it', async () => {
    const switcher = tid('project-switcher');
    await page.click(tid('project-new'));
    await page.fill(tid('project-name'), 'e2e-second');
    await page.click(`${switcher} button:has-text("Create")`);
    await expect.poll(() => page.$eval(`${tid('project-select')} option:checked`, (e) => e.textContent)).toBe('e2e-second');
    await page.click(`${switcher} button:has-text("Rename")`);
    await page.fill(tid('project-name'), 'e2e-crash');
    await page.click(`${switcher} button[type="submit"]`);
    await expect.poll(() => page.$eval(`${tid('project-select')} option:checked`, (e) => e.textContent)).toBe('e2e-crash');
    await openRunsView();
    await expect.poll(() => page.locator(tid('run-row')).count()).toBe(0);

    // A step limit (not epochs): resuming from the studio keeps it.
    ids.beta = await startRun(page, { name: 'beta', dataset: DATASET, maxSteps: 5 * STEPS_PER_EPOCH });
    // Past the first epoch, so there is a checkpoint to resume from.
    await expect.poll(() => page.getAttribute(tid('val-accuracy'), 'data-value'), { timeout: 90_000, interval: 250 }).not.toBe('');
    expect(await trainingStatus(page)).toMatch(/running/);
    const pids = trainerPids(studio!.server.pid!);
    expect(pids).toHaveLength(1);
    process.kill(pids[0]!, 'SIGKILL');

    const banner = await page.waitForSelector(tid('run-failed'), { timeout: 30_000 });
    const text = (await banner.textContent()) ?? '';
    expect(text).toMatch(/The run failed/);
    expect(text).toMatch(/killed \(SIGKILL\)/);
    expect(text).toMatch(/metrics and checkpoints are kept/);
    expect(await trainingStatus(page)).toMatch(/failed/);
    await expect.poll(() => page.$eval(`${tid('training-run-select')} option:checked`, (e) => e.textContent)).toBe('beta (failed)');
    expect(await page.locator(tid('training-evaluating')).count()).toBe(0);
    await shot(page, 'failure');

    // The studio goes on: the Runs table (a fresh listRuns) shows the run failed.
    await openRunsView();
    await expect.poll(() => row('beta').getAttribute('data-status'), { timeout: 10_000 }).toBe('failed');
    expect(await runNames()).toEqual(['beta']);
    await followRun('beta');
    await page.waitForSelector(tid('run-failed'));
    await page.click(`${tid('run-failed')} button:has-text("resume it")`);
    await page.waitForSelector(tid('run-failed'), { state: 'detached' });
    await expect.poll(() => trainingStatus(page), { timeout: 30_000 }).toMatch(/running|completed/);
    await expect.poll(() => trainingStatus(page), { timeout: 90_000, interval: 500 }).toMatch(/completed/);
    expect(await stepOf(page)).toBe(5 * STEPS_PER_EPOCH);
  });

  it('projects: each project lists only its runs; a run and then the project are deleted after confirming', async () => {
    await openRunsView();
    await expect.poll(runNames).toEqual(['beta']);
    const options = await page.$$eval(`${tid('project-select')} option`, (els) => els.map((e) => ({ value: (e as unknown as { value: string }).value, text: e.textContent })));
    expect(options.map((o) => o.text)).toEqual(['My project', ...EXAMPLES, 'e2e-crash']);
    const other = options.find((o) => o.text === 'My project')!;
    const crash = options.find((o) => o.text === 'e2e-crash')!;
    await page.selectOption(tid('project-select'), other.value);
    await expect.poll(runNames).toEqual(['alpha']);
    await page.selectOption(tid('project-select'), crash.value);
    await expect.poll(runNames).toEqual(['beta']);

    const dir = join(studio!.home, 'runs', ids.beta!);
    expect(existsSync(dir)).toBe(true);
    await row('beta').locator(tid('delete-run')).click();
    const dialog = await page.waitForSelector(tid('confirm-dialog'));
    expect(await dialog.textContent()).toMatch(/Delete "beta"/);
    await page.click(tid('confirm-ok'));
    await expect.poll(() => page.locator(tid('run-row')).count()).toBe(0);
    expect(existsSync(dir)).toBe(false);

    await page.click(`${tid('project-switcher')} button:has-text("Delete")`);
    const confirm = await page.waitForSelector(tid('confirm-dialog'));
    expect(await confirm.textContent()).toMatch(/Delete the project "e2e-crash"/);
    await page.click(tid('confirm-ok'));
    await expect.poll(() => page.$$eval(`${tid('project-select')} option`, (els) => els.map((e) => e.textContent))).toEqual(['My project', ...EXAMPLES]);
    await expect.poll(runNames).toEqual(['alpha']);
  });

  it.skipIf(SHIPPED.length === 0)('the shipped models are ready-made example runs: completed, with a test accuracy, and play back', async () => {
    await openRunsView();
    const options = await page.$$eval(`${tid('project-select')} option`, (els) => els.map((e) => ({ value: (e as unknown as { value: string }).value, text: e.textContent })));
    await page.selectOption(tid('project-select'), options.find((o) => o.text === 'Examples')!.value);
    await expect.poll(async () => (await runNames()).sort()).toEqual(SHIPPED.map((n) => `Example: ${n}`).sort());
    for (const name of SHIPPED) {
      expect(await row(`Example: ${name}`).getAttribute('data-status')).toBe('completed');
      expect(await row(`Example: ${name}`).textContent()).toMatch(/\d+\.\d+%/);
    }
    await row(`Example: ${SHIPPED[0]}`).locator('button:has-text("Playback")').click();
    await page.waitForSelector(tid('playback-canvas'), { timeout: 60_000 });
    await shot(page, 'examples-playback');
  });
});
