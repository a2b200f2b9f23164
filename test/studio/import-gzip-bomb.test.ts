/**
 * Issue #8 case 8: a gzip bomb imported through the studio must fail with a clear error, not take
 * the server's memory. Real bombs on disk: two ~3 MB .gz files inflating to 3 GiB each, and one
 * whose header declares a normal MNIST size but inflates to 1 GiB. The import job reads them in a
 * trainer process (its DataError reaches the caller as an ApiError with the same message); the
 * studio's own memory must not grow either way, and nothing is left in home/datasets.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IDX_DATA_BYTES } from '../../src-main/data/idx';
import { StudioService } from '../../src-main/services/studio-service';
import { idxHeader, writeGzipBomb } from '../helpers/gzip-bomb';

const MB = 1024 * 1024;
const GIB = 1024 * MB;

let home: string;
let studio: StudioService;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-gzip-bomb-'));
  studio = await StudioService.create({ home, transport: 'websocket', version: '9.9.9' });
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** A folder of the four files whose images are bombs: `declared` images of 28x28, `inflated` bytes each once inflated. */
function bombFolder(name: string, declared: number, inflated: number): string {
  const dir = path.join(home, name);
  fs.mkdirSync(dir);
  for (const which of ['train', 't10k']) {
    const size = writeGzipBomb(path.join(dir, `${which}-images-idx3-ubyte.gz`), idxHeader([declared, 28, 28]), inflated);
    expect(size).toBeLessThan(4 * MB);
    writeGzipBomb(path.join(dir, `${which}-labels-idx1-ubyte.gz`), idxHeader([declared]), 8 + declared);
  }
  return dir;
}

/** The import's error and how far the process's peak resident memory rose above its memory before it. */
async function importAndMeasure(name: string, folder: string): Promise<{ error: unknown; peakGrowth: number }> {
  const before = process.memoryUsage().rss;
  let error: unknown;
  try {
    await studio.importDataset({ name, folder });
  } catch (err) {
    error = err;
  }
  // maxRSS is the process's high-water mark (KiB): it covers every moment of the import.
  const peakGrowth = process.resourceUsage().maxRSS * 1024 - before;
  return { error, peakGrowth };
}

describe('importing a gzip bomb', () => {
  it('refuses two 3 MB files inflating to 3 GiB each by their declared size, in bounded memory', async () => {
    const count = Math.ceil((3 * GIB) / 784);
    const folder = bombFolder('declares-3gib', count, 16 + count * 784);
    const { error, peakGrowth } = await importAndMeasure('bomb', folder);
    expect(error).toMatchObject({ name: 'ApiError' });
    const message = (error as Error).message;
    expect(message).toMatch(/^(train|t10k)-(images-idx3|labels-idx1)-ubyte\.gz: its header declares /);
    expect(message).toContain(`${count}x28x28 = ${(count * 784).toLocaleString('en-US')} bytes (3.0 GiB) of data`);
    expect(message).toContain(`at most ${MAX_IDX_DATA_BYTES.toLocaleString('en-US')} bytes`);
    expect(peakGrowth).toBeLessThan(300 * MB);
    expect((await studio.listDatasets()).some((d) => d.id === 'import:bomb')).toBe(false);
    expect(fs.existsSync(path.join(home, 'datasets', 'bomb'))).toBe(false);
  });

  it('stops a file declaring 60,000 digits that inflates to 1 GiB at its first trailing byte', async () => {
    const folder = bombFolder('inflates-past-header', 60000, GIB);
    const { error, peakGrowth } = await importAndMeasure('bomb2', folder);
    expect(error).toMatchObject({ name: 'ApiError' });
    expect((error as Error).message).toMatch(
      /^(train|t10k)-images-idx3-ubyte\.gz: has trailing bytes: the gzip data inflates past the 47040000 bytes of data its header declares \(dims 60000x28x28\)/,
    );
    // Both image files together may hold their declared 2 x 47 MB, nothing like the 2 GiB inflated.
    expect(peakGrowth).toBeLessThan(300 * MB);
    expect(fs.existsSync(path.join(home, 'datasets'))).toBe(false);
  });
});
