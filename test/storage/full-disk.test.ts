/**
 * A real full disk (a small tmpfs, mounted for the test; skipped where mounting is not allowed):
 * `saccade eval` prints its results before saying they could not be saved, and the studio opens
 * (to let the user delete runs) without leaving half-installed example runs behind.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../src-main/services/studio-service';
import { RunStore } from '../../src-main/storage';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';
import { ROOT, saccade } from '../helpers/saccade-cli';

let base: string;
let mnt: string;
let dataDir: string;
let mounted = false;

beforeAll(async () => {
  base = tempDir('full-disk');
  mnt = path.join(base, 'disk');
  fs.mkdirSync(mnt);
  mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt]).status === 0;
  dataDir = await writeMnistSubset(path.join(base, 'data'), 300, 100);
});
afterAll(() => {
  if (mounted) spawnSync('umount', [mnt]);
  fs.rmSync(base, { recursive: true, force: true });
});

/** Writes zeros until the disk says ENOSPC; returns the filler's path (delete it to make room). */
function fillDisk(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  // The last partial block too.
  try {
    for (;;) fs.appendFileSync(file, Buffer.alloc(512));
  } catch {
    // full
  }
  return file;
}

const TINY = ['--batch-size', '50', '--validation-size', '50', '--glimpse-hidden', '8', '--location-hidden', '8', '--glimpse-features', '16', '--core-hidden', '16', '--workers', '1', '--mc-samples', '1'];

describe.skipIf(process.getuid?.() !== 0)('on a full disk', () => {
  let runId = '';

  it('saccade eval prints its results, then says they could not be recorded (exit 1)', async () => {
    expect(mounted).toBe(true);
    const trained = await saccade(['train', '--data', dataDir, ...TINY, '--max-steps', '5', '--json', '--home', mnt], mnt);
    expect(trained.code).toBe(0);
    runId = JSON.parse(trained.stdout.trim().split('\n').pop()!).runId as string;
    const filler = fillDisk(mnt);
    const result = await saccade(['eval', runId, '--home', mnt], mnt);
    expect(result.stdout).toMatch(/^test accuracy \(mean locations\): \d+\.\d\d%/m);
    expect(result.stderr).toMatch(new RegExp(`^saccade: error: the result could not be recorded in run ${runId}: cannot write .*meta\\.json: disk full \\(ENOSPC\\)\\n$`));
    expect(result.code).toBe(1);
    fs.rmSync(filler);
  });

  it('the studio opens on a full disk, three times, and never leaves an example run without its checkpoint', async () => {
    expect(mounted).toBe(true);
    // An existing user's home: the store file is there already.
    (await StudioService.create({ home: mnt, transport: 'websocket' })).getSettings();
    const filler = fillDisk(mnt);
    for (let i = 0; i < 3; i++) {
      const studio = await StudioService.create({ home: mnt, transport: 'websocket', modelsDir: path.join(ROOT, 'resources', 'models') });
      const info = await studio.getAppInfo();
      expect(info.warnings?.join('\n')).toMatch(/example models could not be installed: .*disk full \(ENOSPC\)/);
      const store = new RunStore(mnt);
      for (const run of store.listRuns()) expect(store.listCheckpoints(run.id).length, `${run.id} has no checkpoint`).toBeGreaterThan(0);
      expect(store.listRuns().map((r) => r.id)).toEqual([runId]);
    }
    // It can still delete runs to make room.
    const studio = await StudioService.create({ home: mnt, transport: 'websocket' });
    await studio.deleteRun(runId);
    expect(new RunStore(mnt).listRuns()).toEqual([]);
    fs.rmSync(filler);
  });

  it('a fresh home on a full disk still opens (projects kept in memory, with a warning)', async () => {
    expect(mounted).toBe(true);
    const fresh = path.join(mnt, 'fresh');
    fs.mkdirSync(fresh);
    const filler = fillDisk(mnt);
    const studio = await StudioService.create({ home: fresh, transport: 'websocket' });
    expect((await studio.listProjects()).length).toBe(1);
    expect(studio.warnings.join('\n')).toMatch(/cannot be saved .*ENOSPC/);
    fs.rmSync(filler);
  });
});
