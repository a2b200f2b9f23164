/**
 * The browser mode's dataset upload, by clicking: four IDX files picked in the page go to the
 * server in bounded chunks (the train images span three of them) and are imported as they were.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundledMnist } from '../../src-main/data/dataset-files';
import { encodeIdx } from '../../src-main/data/idx';
import { UPLOAD_LIMITS } from '../../src-main/shared/api';
import { CHROMIUM, openStudio, tid, type Studio } from './helpers';

const TRAIN = 3000;
const TEST = 500;
const NAMES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

let studio: Studio | undefined;
let page: Page;
let folder: string;

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('studio e2e: uploading a dataset from the browser', () => {
  beforeAll(async () => {
    studio = await openStudio('saccade-e2e-upload-');
    page = studio.page;
    folder = join(studio.temp, 'to-upload');
    mkdirSync(folder);
    const { train, test } = await loadBundledMnist();
    writeFileSync(join(folder, NAMES[0]), encodeIdx([TRAIN, 28, 28], train.images.subarray(0, TRAIN * 784)));
    writeFileSync(join(folder, NAMES[1]), encodeIdx([TRAIN], train.labels.subarray(0, TRAIN)));
    writeFileSync(join(folder, NAMES[2]), encodeIdx([TEST, 28, 28], test.images.subarray(0, TEST * 784)));
    writeFileSync(join(folder, NAMES[3]), encodeIdx([TEST], test.labels.subarray(0, TEST)));
  }, 150_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('uploads four IDX files in chunks and imports them byte for byte', async () => {
    expect(readFileSync(join(folder, NAMES[0])).length).toBeGreaterThan(2 * UPLOAD_LIMITS.chunkBytes);
    await page.click(tid('nav-datasets'));
    await page.fill(tid('import-name'), 'From browser');
    await page.setInputFiles(tid('import-files'), NAMES.map((n) => join(folder, n)));
    await page.click(tid('import-button'));
    const ok = await page.waitForSelector(tid('import-ok'));
    expect(await ok.textContent()).toMatch(/Imported "From browser": 2700 train \/ 300 validation \/ 500 test/);
    await page.waitForSelector(tid('dataset-import:from-browser'));
    for (const name of NAMES) expect(readFileSync(join(studio!.home, 'datasets', 'from-browser', name)).equals(readFileSync(join(folder, name)))).toBe(true);
    await page.click(tid('split-test'));
    await expect.poll(() => page.textContent(tid('sample-total')), { timeout: 30_000 }).toMatch(/^500 images$/);
  });
});
