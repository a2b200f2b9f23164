/**
 * One writer per run, on real files and real processes: a live lock refuses a second holder, a
 * dead owner's lock is taken over, a run whose owner died shows as interrupted, and meta.json
 * updates from two processes never undo each other.
 */
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunBusyError, RunLock, RunStore } from '../../src-main/storage';
import { bareRun, dropMetaField } from '../helpers/runs';
import { tempDir } from '../helpers/mnist-subset';
import { StudioService } from '../../src-main/services/studio-service';

let home: string;
let store: RunStore;

const newRun = (name: string) => bareRun(store, name);

/** The pid of a process that has exited: a lock holder that died. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

beforeAll(() => {
  home = tempDir('lock');
  store = new RunStore(home);
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('run lock', () => {
  it('a live lock refuses a second holder, naming its process; released, it can be taken', () => {
    const run = newRun('busy');
    const dir = store.runDir(run.id);
    const lock = RunLock.acquire(dir, run.id, 'test');
    let err: unknown;
    try {
      RunLock.acquire(dir, run.id, 'second');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunBusyError);
    expect((err as Error).message).toMatch(new RegExp(`^run ${run.id} is being trained by process ${process.pid} \\(since \\d{4}-\\d\\d-\\d\\dT`));
    expect(store.liveOwner(run.id)?.pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(path.join(dir, 'lock.json'))).toBe(false);
    RunLock.acquire(dir, run.id, 'again').release();
  });

  it("a dead owner's lock is stale and taken over", () => {
    const run = newRun('stale');
    const dir = store.runDir(run.id);
    const since = new Date().toISOString();
    fs.writeFileSync(path.join(dir, 'lock.json'), JSON.stringify({ pid: deadPid(), host: os.hostname(), owner: 'x', since, heartbeatAt: since }));
    expect(store.liveOwner(run.id)).toBeUndefined();
    const lock = RunLock.acquire(dir, run.id, 'taker');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'lock.json'), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('of several processes taking over one stale lock at once, exactly one wins', async () => {
    const run = newRun('race for a stale lock');
    const dir = store.runDir(run.id);
    const tsx = createRequire(__filename).resolve('tsx');
    const script = `
      const { RunLock } = require(${JSON.stringify(path.resolve(__dirname, '../../src-main/storage/index.ts'))});
      const [dir, id, startAt] = process.argv.slice(1);
      while (Date.now() < Number(startAt)) {}
      try {
        RunLock.acquire(dir, id, 'racer');
        process.stdout.write('won');
        setTimeout(() => {}, 1500);
      } catch (e) {
        process.stdout.write(e.name === 'StorageError' && /being trained/.test(e.message) ? 'busy' : 'error: ' + e.message);
      }`;
    for (let round = 0; round < 3; round++) {
      const since = new Date().toISOString();
      fs.rmSync(path.join(dir, 'lock.json'), { force: true });
      fs.writeFileSync(path.join(dir, 'lock.json'), JSON.stringify({ pid: deadPid(), host: os.hostname(), owner: 'x', since, heartbeatAt: since }));
      const startAt = String(Date.now() + 1500);
      const racer = () =>
        new Promise<string>((resolve, reject) =>
          execFile(process.execPath, ['--require', tsx, '-e', script, dir, run.id, startAt], { cwd: path.resolve(__dirname, '../..') }, (err, stdout, stderr) =>
            err ? reject(new Error(stderr)) : resolve(stdout),
          ),
        );
      const results = await Promise.all([racer(), racer(), racer(), racer()]);
      expect(results.filter((r) => r === 'won')).toHaveLength(1);
      expect(results.filter((r) => r !== 'won' && r !== 'busy')).toEqual([]);
    }
  });

  it('a torn (empty) lock file is stale too', () => {
    const run = newRun('torn');
    const dir = store.runDir(run.id);
    fs.writeFileSync(path.join(dir, 'lock.json'), '');
    RunLock.acquire(dir, run.id, 'taker').release();
  });

  it('a run left "running" by a dead owner is listed as interrupted, never running', () => {
    const run = newRun('killed');
    store.updateMeta(run.id, { status: 'running' });
    const since = new Date().toISOString();
    fs.writeFileSync(path.join(store.runDir(run.id), 'lock.json'), JSON.stringify({ pid: deadPid(), host: os.hostname(), owner: 'x', since, heartbeatAt: since }));
    expect(store.getRun(run.id).status).toBe('interrupted');
    expect(store.listRuns().find((r) => r.id === run.id)?.status).toBe('interrupted');
    // With a live owner it is running.
    fs.rmSync(path.join(store.runDir(run.id), 'lock.json'));
    const lock = RunLock.acquire(store.runDir(run.id), run.id, 'live');
    expect(store.getRun(run.id).status).toBe('running');
    lock.release();
  });

  it('deleting needs the exact id and is refused while a process trains the run', () => {
    const run = newRun('keep me');
    expect(() => store.deleteRun(run.id.slice(0, 15))).toThrow(/no run/);
    const lock = RunLock.acquire(store.runDir(run.id), run.id, 'trainer');
    expect(() => store.deleteRun(run.id)).toThrow(/is being trained by process/);
    lock.release();
    store.deleteRun(run.id);
    expect(fs.existsSync(path.join(home, 'runs', run.id))).toBe(false);
  });
});

describe('meta.json updates from two processes', () => {
  it('never undo each other (each process sees its own last write every time)', async () => {
    const run = newRun('race');
    const tsx = createRequire(__filename).resolve('tsx');
    const script = `
      const { RunStore } = require(${JSON.stringify(path.resolve(__dirname, '../../src-main/storage/index.ts'))});
      const [home, id, key, n] = process.argv.slice(1);
      const store = new RunStore(home);
      let lost = 0;
      for (let i = 1; i <= Number(n); i++) {
        const seen = Number(store.getRun(id)[key] ?? 0);
        if (seen !== i - 1) lost++;
        store.updateMeta(id, { [key]: String(i) });
      }
      process.stdout.write(String(lost));`;
    const hammer = (key: string) =>
      new Promise<number>((resolve, reject) =>
        execFile(process.execPath, ['--require', tsx, '-e', script, home, run.id, key, '150'], { cwd: path.resolve(__dirname, '../..') }, (err, stdout, stderr) =>
          err ? reject(new Error(stderr)) : resolve(Number(stdout)),
        ),
      );
    const [a, b] = await Promise.all([hammer('notes'), hammer('error')]);
    expect({ a, b }).toEqual({ a: 0, b: 0 });
    const meta = store.getRun(run.id);
    expect([meta.notes, meta.error]).toEqual(['150', '150']);
  });
});

describe('meta.json read from disk is checked', () => {
  it('a missing field names the file and the field; one bad run does not hide the others', () => {
    const good = newRun('good');
    const bad = newRun('bad');
    const file = dropMetaField(store, bad.id, 'dataset');
    expect(() => store.getRun(bad.id)).toThrow(`run metadata ${file} is invalid: field 'dataset' is missing`);
    expect(store.listRuns().map((r) => r.id)).toContain(good.id);
    expect(store.listBrokenRuns()).toContainEqual({ id: bad.id, reason: "meta.json: field 'dataset' is missing" });
    fs.writeFileSync(file, 'null');
    expect(() => store.getRun(bad.id)).toThrow(`run metadata ${file} is invalid: not a JSON object`);
    fs.writeFileSync(file, '{}');
    expect(() => store.getRun(bad.id)).toThrow(`run metadata ${file} is invalid: field 'name' is missing`);
  });
});

describe('temp files of interrupted writes', () => {
  it('are removed when the run is next opened for writing; a live writer’s are kept', () => {
    const run = newRun('temps');
    const ck = path.join(store.runDir(run.id), 'checkpoints');
    const dead = path.join(ck, `.latest.json.tmp-${deadPid()}-abcd1234`);
    const live = path.join(ck, `.latest.json.tmp-${process.pid}-abcd1234`);
    const deadMeta = path.join(store.runDir(run.id), `.meta.json.tmp-${deadPid()}-00ff00ff`);
    for (const f of [dead, live, deadMeta]) fs.writeFileSync(f, '{');
    store.repairRun(run.id);
    expect([fs.existsSync(dead), fs.existsSync(live), fs.existsSync(deadMeta)]).toEqual([false, true, false]);
  });

  it('are removed when the studio opens', async () => {
    const run = newRun('temps at start');
    const dead = path.join(store.runDir(run.id), 'checkpoints', `.latest.json.tmp-${deadPid()}-abcd1234`);
    fs.writeFileSync(dead, '{');
    await StudioService.create({ home, transport: 'websocket' });
    expect(fs.existsSync(dead)).toBe(false);
  });
});
