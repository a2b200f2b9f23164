/**
 * The browser mode's import of the user's own images: a class-folder tree of colour PNGs chosen
 * through the folder input (and a .zip of one dropped on the Datasets view) goes up in chunks with
 * a progress bar, is decoded by the server, and shows with its class names, per-class counts and
 * a colour sample grid that filters by class.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGif } from './gif';
import { CHROMIUM, buildStoredZip, openStudio, shot, startRun, tid, trainingStatus, type Studio } from './helpers';

/** Classes in sorted order (the label order), each with its colour. */
const CLASSES = [
  { name: 'cat', rgb: [220, 40, 30] },
  { name: 'dog', rgb: [30, 60, 220] },
  { name: 'fish', rgb: [40, 200, 60] },
] as const;
const PER_CLASS = 10;
const SIZE = 16;

let studio: Studio | undefined;
let page: Page;
let tree: string;

/** DIR/<class>/<k>.png: the class's colour, a little darker or lighter per image, and a .DS_Store. */
async function writeTree(dir: string): Promise<void> {
  for (const c of CLASSES) {
    mkdirSync(join(dir, c.name), { recursive: true });
    for (let k = 0; k < PER_CLASS; k++) {
      const px = Buffer.alloc(SIZE * SIZE * 3);
      for (let i = 0; i < SIZE * SIZE; i++) for (let ch = 0; ch < 3; ch++) px[i * 3 + ch] = Math.max(0, Math.min(255, c.rgb[ch]! + (k - 5) * 3 + (i % 5)));
      await sharp(px, { raw: { width: SIZE, height: SIZE, channels: 3 } })
        .png()
        .toFile(join(dir, c.name, `${String(k).padStart(3, '0')}.png`));
    }
  }
  writeFileSync(join(dir, '.DS_Store'), 'not an image');
  writeFileSync(join(dir, 'cat', '.DS_Store'), 'not an image');
}

/** Records every phase the import progress bar shows (upload, decoding), however briefly. */
async function watchProgress(): Promise<void> {
  // A string: the Node tsconfig these tests compile under has no DOM types.
  await page.evaluate(`(() => {
    window.__phases = [];
    window.__decodingTotal = 0;
    const seen = () => {
      const bar = document.querySelector('[data-testid="import-progress"]');
      const phase = bar?.getAttribute('data-phase');
      if (phase && window.__phases.at(-1) !== phase) window.__phases.push(phase);
      if (phase === 'decoding') window.__decodingTotal = Math.max(window.__decodingTotal ?? 0, Number(bar.getAttribute('data-total')));
    };
    window.__observer?.disconnect();
    window.__observer = new MutationObserver(seen);
    window.__observer.observe(document.body, { subtree: true, childList: true, attributes: true });
  })()`);
}

const phases = () => page.evaluate('window.__phases') as Promise<string[]>;

/** The class table: [name, train, test] per row. */
function classRows(): Promise<[string, number, number][]> {
  return page.$$eval(`${tid('class-row')}`, (rows) =>
    rows.map((r) => [r.getAttribute('data-name') ?? '', Number(r.getAttribute('data-train')), Number(r.getAttribute('data-test'))] as [string, number, number]),
  );
}

/** Mean RGB of the n-th sample canvas. */
function sampleColour(n: number): Promise<[number, number, number]> {
  return page.$$eval(`${tid('sample')} canvas`, (els, i) => {
    type Canvas2d = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
    const c = els[i] as unknown as Canvas2d;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const sum = [0, 0, 0];
    for (let p = 0; p < d.length; p += 4) for (let k = 0; k < 3; k++) sum[k]! += d[p + k]!;
    const n = d.length / 4;
    return [sum[0]! / n, sum[1]! / n, sum[2]! / n] as [number, number, number];
  }, n);
}

async function expectImported(id: string): Promise<void> {
  await page.waitForSelector(`${tid(`dataset-${id}`)}.on`);
  await expect.poll(() => page.textContent(tid('dataset-kind'))).toBe(`${SIZE}×${SIZE} colour`);
  const rows = await classRows();
  expect(rows.map((r) => r[0])).toEqual(CLASSES.map((c) => c.name));
  // No split given: 10% of each class held out, the rest for training.
  for (const [, train, test] of rows) {
    expect(train + test).toBe(PER_CLASS);
    expect(test).toBeGreaterThanOrEqual(1);
  }
  expect(await page.textContent(tid('dataset-split'))).toMatch(/10% of each class/);
  // The grid: colour samples named by class, each in its class's colour.
  await page.waitForSelector(`${tid('sample-grid')}[data-channels="3"] ${tid('sample')}`);
  const train = rows.reduce((n, r) => n + r[1], 0);
  await expect.poll(() => page.textContent(tid('sample-total'))).toBe(`${train} images`);
  const samples = await page.$$eval(tid('sample'), (els) => els.map((e) => e.getAttribute('data-name') ?? ''));
  expect(new Set(samples)).toEqual(new Set(CLASSES.map((c) => c.name)));
  for (let i = 0; i < samples.length; i++) {
    const cls = CLASSES.find((c) => c.name === samples[i])!;
    const [r, g, b] = await sampleColour(i);
    const want = cls.rgb;
    expect(Math.abs(r - want[0]) + Math.abs(g - want[1]) + Math.abs(b - want[2])).toBeLessThan(60);
  }
  // The class filter: the buttons carry the names; one class shows only its images.
  expect((await page.textContent(tid('label-1')))?.trim()).toBe('dog');
  await page.click(tid('label-1'));
  await expect.poll(() => page.textContent(tid('sample-total'))).toBe(`${rows[1]![1]} images`);
  const filtered = await page.$$eval(tid('sample'), (els) => els.map((e) => e.getAttribute('data-name')));
  expect(filtered.length).toBe(rows[1]![1]);
  expect(new Set(filtered)).toEqual(new Set(['dog']));
  const [r, , b] = await sampleColour(0);
  expect(b).toBeGreaterThan(r + 100);
  await page.click(tid('label-all'));
}

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('studio e2e: importing a class-folder tree from the browser', () => {
  beforeAll(async () => {
    studio = await openStudio('saccade-e2e-import-images-');
    page = studio.page;
    tree = join(studio.temp, 'pets');
    await writeTree(tree);
  }, 150_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('uploads a chosen folder of colour PNGs with progress and shows its classes, counts and colour samples', async () => {
    await page.click(tid('nav-datasets'));
    await page.setInputFiles(tid('import-dir'), tree);
    // The chosen folder: its 30 images, the hidden files left out, its name as the default name.
    const chosen = await page.waitForSelector(tid('import-chosen'));
    expect(await chosen.textContent()).toMatch(new RegExp(`^\\s*${CLASSES.length * PER_CLASS} files, .* from pets\\s*\\(2 hidden left out\\)`));
    expect(await page.inputValue(tid('import-name'))).toBe('pets');
    await page.fill(tid('import-name'), 'Pets');
    await watchProgress();
    await page.click(tid('import-button'));
    const ok = await page.waitForSelector(tid('import-ok'), { timeout: 120_000 });
    expect(await ok.textContent()).toMatch(/^Imported "Pets": \d+ train \/ \d+ validation \/ \d+ test/);
    expect(await phases()).toContain('upload');
    expect((await phases()).at(-1)).toBe('decoding');
    // The trainer's 'decoding' events for this import reached the bar: all 30 images.
    expect(await page.evaluate('window.__decodingTotal')).toBe(CLASSES.length * PER_CLASS);
    await expectImported('import:pets');
    await shot(page, 'datasets-import-colour');
  });

  it('imports a .zip of the tree dropped on the Datasets view', async () => {
    const zip = await buildStoredZip(tree, 'pets');
    await page.click(tid('nav-datasets'));
    await page.fill(tid('import-name'), '');
    // A drop from the OS cannot be made in a page; a drop of a File made in the page can (it has no
    // directory entries, so the view reads it from dataTransfer.files, as it does any dropped file).
    await page.evaluate(`(() => {
      const bytes = Uint8Array.from(atob('${zip.toString('base64')}'), (ch) => ch.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'pets-zipped.zip', { type: 'application/zip' }));
      const view = document.querySelector('[data-testid="view-datasets"]');
      view.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      view.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    const chosen = await page.waitForSelector(tid('import-chosen'));
    expect(await chosen.textContent()).toMatch(/^\s*1 file, .* from pets-zipped/);
    expect(await page.inputValue(tid('import-name'))).toBe('pets-zipped');
    await watchProgress();
    await page.click(tid('import-button'));
    const ok = await page.waitForSelector(tid('import-ok'), { timeout: 120_000 });
    expect(await ok.textContent()).toMatch(/^Imported "pets-zipped"/);
    expect(await phases()).toContain('upload');
    await expectImported('import:pets-zipped');
  });

  it('says what the server refuses in one line, and what it would refuse before sending', async () => {
    await page.click(tid('nav-datasets'));
    // The same name again: the server's message, as it gave it.
    await page.setInputFiles(tid('import-dir'), tree);
    await page.fill(tid('import-name'), 'Pets');
    await page.click(tid('import-button'));
    const err = await page.waitForSelector(tid('import-error'), { timeout: 60_000 });
    expect(await err.textContent()).toMatch(/^Import failed\. .*already imported/);
    // A bad image size is caught in the form.
    await page.fill(tid('import-name'), 'Pets again');
    await page.fill(tid('import-size'), '0');
    await page.click(tid('import-button'));
    await expect.poll(() => page.textContent(tid('import-error'))).toMatch(/image size: a whole number of pixels/);
    await page.fill(tid('import-size'), '');
    // A .zip goes up alone: said before a byte is sent.
    writeFileSync(join(studio!.temp, 'x.zip'), 'PK');
    await page.setInputFiles(tid('import-files'), [join(studio!.temp, 'x.zip'), join(tree, 'cat', '000.png')]);
    await watchProgress();
    await page.click(tid('import-button'));
    await expect.poll(() => page.textContent(tid('import-error'))).toMatch(/x\.zip: a \.zip is uploaded on its own/);
    expect(await phases()).toEqual([]);
  });

  it('trains a tiny run on the colour images; Playback shows them in colour, with class names', async () => {
    await startRun(page, { name: 'pets-run', dataset: 'Pets', maxSteps: 6, settings: { batchSize: '4', validationSize: '3' } });
    await expect.poll(() => trainingStatus(page), { timeout: 120_000, interval: 500 }).toMatch(/completed|stopped/);
    await page.click(tid('nav-playback'));
    await page.waitForSelector(tid('playback-canvas'), { timeout: 90_000 });
    // The label and the prediction by name; one probability bar per class, named.
    const names = CLASSES.map((c) => c.name);
    await expect.poll(() => page.textContent(tid('playback-label'))).toMatch(new RegExp(`^\\d · (${names.join('|')})$`));
    expect(await page.textContent(tid('playback-prediction'))).toMatch(new RegExp(`^\\d · (${names.join('|')})$`));
    expect(await page.$$eval(tid('prob-class'), (els) => els.map((e) => e.textContent?.trim()))).toEqual(names);
    // The image and the retina's patches in colour: some pixel whose channels differ widely.
    const colourful = (selector: string) =>
      page.$$eval(selector, (els) =>
        els.map((el) => {
          type Canvas2d = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
          const c = el as unknown as Canvas2d;
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let most = 0;
          for (let p = 0; p < d.length; p += 4) most = Math.max(most, Math.max(d[p]!, d[p + 1]!, d[p + 2]!) - Math.min(d[p]!, d[p + 1]!, d[p + 2]!));
          return most;
        }),
      );
    expect((await colourful(tid('playback-canvas')))[0]).toBeGreaterThan(100);
    const patches = await colourful(`${tid('patches')} canvas`);
    expect(patches.length).toBeGreaterThan(0);
    expect(Math.max(...patches)).toBeGreaterThan(100);
    await shot(page, 'playback-colour');

    // Exports: a GIF with the 256-colour table, an APNG in true colour.
    await page.click(tid('format-gif'));
    await page.click(tid('layout-one'));
    const [gifDownload] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), page.click(tid('export-button'))]);
    const gifFile = join(studio!.temp, 'pets.gif');
    await gifDownload.saveAs(gifFile);
    const gif = new Uint8Array(readFileSync(gifFile));
    expect(String.fromCharCode(...gif.subarray(0, 6))).toBe('GIF89a');
    expect(1 << ((gif[10]! & 7) + 1)).toBe(256);
    expect(parseGif(gif).images).toBe(6);
    await page.click(tid('format-apng'));
    const [pngDownload] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), page.click(tid('export-button'))]);
    const pngFile = join(studio!.temp, 'pets.png');
    await pngDownload.saveAs(pngFile);
    const png = readFileSync(pngFile);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    let most = 0;
    for (let p = 0; p < data.length; p += info.channels) most = Math.max(most, Math.max(data[p]!, data[p + 1]!, data[p + 2]!) - Math.min(data[p]!, data[p + 1]!, data[p + 2]!));
    expect(most).toBeGreaterThan(100);
  });

  it('evaluates the colour run: the per-class list and the confusion matrix name the classes', async () => {
    await page.click(tid('nav-runs'));
    await page.locator(tid('run-row'), { hasText: 'pets-run' }).locator('button.link').click();
    await page.click(tid('evaluate-run'));
    await page.waitForSelector(tid('eval-result'), { timeout: 90_000 });
    const names = CLASSES.map((c) => c.name);
    expect(await page.$$eval(`${tid('eval-class')} b`, (els) => els.map((e) => e.textContent?.trim()))).toEqual(names);
    // The header row: the corner, the class names, the per-class accuracy column.
    const heads = await page.$$eval(`${tid('confusion')} thead th`, (els) => els.slice(1, -1).map((e) => e.textContent?.trim()));
    expect(heads).toEqual(names);
    const cells = await page.$$eval(tid('confusion-cell'), (els) => els.map((e) => Number(e.textContent)));
    expect(cells).toHaveLength(names.length ** 2);
    // Every test image counted once.
    expect(cells.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
