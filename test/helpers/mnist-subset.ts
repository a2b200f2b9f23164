/** Test helpers: small IDX folders cut from the bundled MNIST, and a temp home for runs. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBundledMnist, MNIST_FILES } from '../../src-main/data/dataset-files';
import { encodeIdx } from '../../src-main/data/idx';

/** A fresh temporary folder (the caller removes it). */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `saccade-${prefix}-`));
}

/**
 * Writes the first `train` and `test` digits of the bundled MNIST as the four standard IDX files
 * into `dir` (created), so a run has short epochs. Returns `dir`.
 */
export async function writeMnistSubset(dir: string, train: number, test: number): Promise<string> {
  const mnist = await loadBundledMnist();
  mkdirSync(dir, { recursive: true });
  const px = 28 * 28;
  for (const [which, set, n] of [
    ['train', mnist.train, train],
    ['t10k', mnist.test, test],
  ] as const) {
    writeFileSync(path.join(dir, MNIST_FILES[which].images), encodeIdx([n, 28, 28], set.images.subarray(0, n * px)));
    writeFileSync(path.join(dir, MNIST_FILES[which].labels), encodeIdx([n], set.labels.subarray(0, n)));
  }
  return dir;
}
