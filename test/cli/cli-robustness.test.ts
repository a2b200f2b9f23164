/**
 * The `saccade` command on bad luck and bad files, as a user meets them: a broken meta.json among
 * good runs, a closed pipe, training data that fails to load, and settings that cannot fit in
 * memory. Each gives one clear line (or goes quietly) and leaves nothing half-made behind.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_FILES } from '../../src-main/data/dataset-files';
import { RunStore } from '../../src-main/storage';
import { bareRun, dropMetaField } from '../helpers/runs';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';
import { ROOT, saccade } from '../helpers/saccade-cli';

let home: string;
let store: RunStore;

const newRun = (name: string) => bareRun(store, name);

beforeAll(() => {
  home = tempDir('cli-robust');
  store = new RunStore(home);
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const runFolders = (h: string) => (fs.existsSync(path.join(h, 'runs')) ? fs.readdirSync(path.join(h, 'runs')).filter((n) => !n.startsWith('.')) : []);

describe('a broken meta.json', () => {
  it('is listed as unreadable with its reason; the other runs show as usual', async () => {
    const good = newRun('good one');
    const bad = newRun('bad one');
    const file = dropMetaField(store, bad.id, 'dataset');
    const result = await saccade(['runs'], home);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${good.id}\\s+centered\\s+created`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^${bad.id}\\s+-\\s+unreadable .*meta\\.json: field 'dataset' is missing$`, 'm'));
  });

  for (const [what, content, field] of [
    ['{}', '{}', "field 'name' is missing"],
    ['null', 'null', 'not a JSON object'],
  ] as const) {
    it(`eval and resume on a ${what} meta.json name the file and what is wrong, in one line`, async () => {
      const run = newRun(`meta ${what}`);
      const file = path.join(store.runDir(run.id), 'meta.json');
      fs.writeFileSync(file, content);
      for (const command of ['eval', 'resume']) {
        const result = await saccade([command, run.id], home);
        expect(result.stderr).toBe(`saccade: error: run metadata ${file} is invalid: ${field}\n`);
        expect(result.code).toBe(1);
      }
    });
  }
});

describe('a closed pipe', () => {
  it('`saccade runs --json | head -c 100` ends quietly, without a stack trace', () => {
    // Enough runs that the output outgrows the pipe's buffer, so the write meets the closed end.
    for (let i = 0; i < 400; i++) newRun(`pipe filler ${i} ${'x'.repeat(150)}`);
    const result = spawnSync('bash', ['-c', `"${process.execPath}" bin/saccade.mjs runs --json | head -c 100 >/dev/null; echo "status \${PIPESTATUS[0]}" >&2`], {
      cwd: ROOT,
      env: { ...process.env, SACCADE_HOME: home },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('status 0\n');
  });
});

describe('nothing half-made', () => {
  it('a train --data whose files fail to load leaves no run folder', async () => {
    const fresh = tempDir('cli-baddata');
    try {
      const data = await writeMnistSubset(path.join(fresh, 'data'), 100, 50);
      fs.truncateSync(path.join(data, MNIST_FILES.train.images), 16 + 1000);
      const result = await saccade(['train', '--data', data, '--epochs', '1'], fresh);
      expect(result.stderr).toMatch(/^saccade: error: train-images-idx3-ubyte: truncated/);
      expect(result.code).toBe(1);
      expect(runFolders(fresh)).toEqual([]);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('settings that cannot fit in memory are refused before the run starts, with the estimate', async () => {
    const fresh = tempDir('cli-oom');
    try {
      const result = await saccade(['train', '--batch-size', '50000', '--core-hidden', '8192', '--epochs', '1'], fresh);
      expect(result.stderr).toMatch(/^saccade: error: this run would need about \d+\.\d GiB of memory \(batchSize 50000, coreHidden 8192, .*\) but this machine has \d+\.\d GiB .*use a smaller batchSize or network\n$/);
      expect(result.code).toBe(1);
      expect(runFolders(fresh)).toEqual([]);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});
