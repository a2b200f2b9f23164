import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../src-main/storage/errors';
import { defaultHome } from '../../src-main/storage/paths';
import { RunStore, epochCheckpointName } from '../../src-main/storage/run-store';
import type { CheckpointData, NewRunMeta } from '../../src-main/storage/types';

let home: string;
let store: RunStore;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-runs-'));
  store = new RunStore(home);
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

function newMeta(over: Partial<NewRunMeta> = {}): NewRunMeta {
  return {
    task: 'centered',
    config: { glimpses: 6, lr: 0.01 },
    dataset: { source: 'mnist', train: 55000, validation: 5000, test: 10000 },
    seed: 1,
    ...over,
  };
}

function checkpoint(): CheckpointData {
  const w = new Float32Array([1.5, -2.25, Math.PI, Number.MIN_VALUE, -0, 3.4e38]);
  const b = new Float32Array(7).map((_, i) => Math.fround(Math.sin(i) * 1e-3));
  return {
    step: 1200,
    epoch: 3,
    config: { glimpses: 6 },
    weights: { 'core/W': { shape: [2, 3], data: w }, 'core/b': { shape: [7], data: b } },
    optimizer: { 'core/W/m': { shape: [2, 3], data: new Float32Array(6).fill(0.125) } },
    extra: { rng: 12345, lr: 0.001 },
  };
}

describe('RunStore runs', () => {
  it('creates a run folder with meta, checkpoints/ and traces/, id sortable by time', () => {
    const meta = store.createRun(newMeta());
    expect(meta.id).toMatch(/^\d{8}-\d{6}-centered-[0-9a-f]{4}$/);
    expect(meta.status).toBe('created');
    const dir = store.runDir(meta.id);
    expect(dir).toBe(path.join(home, 'runs', meta.id));
    expect(fs.readdirSync(dir).sort()).toEqual(['checkpoints', 'meta.json', 'traces']);
    expect(store.getRun(meta.id)).toEqual(meta);
  });

  it('gives unique ids to runs created in the same second', () => {
    const ids = new Set(Array.from({ length: 20 }, () => store.createRun(newMeta()).id));
    expect(ids.size).toBe(20);
  });

  it('lists runs newest first and survives a broken meta.json', () => {
    const a = store.createRun(newMeta({ name: 'first' }));
    const b = store.createRun(newMeta({ name: 'second' }));
    store.updateMeta(a.id, { createdAt: '2000-01-01T00:00:00.000Z' } as never);
    // createdAt cannot be patched; make b newer by rewriting its file directly.
    const metaB = path.join(home, 'runs', b.id, 'meta.json');
    fs.writeFileSync(metaB, JSON.stringify({ ...b, createdAt: '2099-01-01T00:00:00.000Z' }));
    const broken = path.join(home, 'runs', '20250101-000000-broken-0000');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'meta.json'), '{"id": "x", "crea');
    fs.mkdirSync(path.join(home, 'runs', 'no-meta-at-all'));
    const runs = store.listRuns();
    expect(runs.map((r) => r.name)).toEqual(['second', 'first']);
    expect(store.listBrokenRuns()).toEqual([
      { id: '20250101-000000-broken-0000', reason: 'meta.json is not valid JSON' },
      { id: 'no-meta-at-all', reason: expect.stringMatching(/^cannot read run metadata .*no-meta-at-all.meta\.json: no such file or folder \(ENOENT\)$/) },
    ]);
  });

  it('lists nothing when the home folder is empty', () => {
    expect(store.listRuns()).toEqual([]);
  });

  it('finds a run by a unique id prefix and refuses an ambiguous one', () => {
    const a = store.createRun(newMeta());
    expect(store.getRun(a.id.slice(0, a.id.length - 2)).id).toBe(a.id);
    store.createRun(newMeta());
    expect(() => store.getRun(a.id.slice(0, 8))).toThrow(/ambiguous/);
  });

  it('names the missing run and the runs folder', () => {
    expect(() => store.getRun('nope')).toThrow(StorageError);
    expect(() => store.getRun('nope')).toThrow(`no run 'nope' in ${path.join(home, 'runs')}`);
    expect(() => store.getRun('../etc')).toThrow(StorageError);
  });

  it('updateMeta merges, keeps id and createdAt, bumps updatedAt', async () => {
    const a = store.createRun(newMeta());
    await new Promise((r) => setTimeout(r, 5));
    const next = store.updateMeta(a.id, { status: 'stopped', progress: { step: 10, epoch: 0, totalSteps: 100 } });
    expect(next.status).toBe('stopped');
    expect(next.createdAt).toBe(a.createdAt);
    expect(next.updatedAt > a.updatedAt).toBe(true);
    expect(store.getRun(a.id)).toEqual(next);
  });

  it('deletes a run', () => {
    const a = store.createRun(newMeta());
    store.deleteRun(a.id);
    expect(store.listRuns()).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'runs'))).toEqual([]);
  });
});

describe('RunStore metrics', () => {
  it('appends and reads metric points, and repairRun cuts a torn line', () => {
    const a = store.createRun(newMeta());
    store.appendMetric(a.id, { step: 1, epoch: 0, time: 1000, loss: 2.3 });
    store.appendMetric(a.id, { step: 2, epoch: 0, time: 1001, loss: 2.1 });
    fs.appendFileSync(store.metricsPath(a.id), '{"step":3,"ep');
    expect(store.readMetrics(a.id).map((p) => p.step)).toEqual([1, 2]);
    store.repairRun(a.id);
    store.appendMetric(a.id, { step: 3, epoch: 0, time: 1002, loss: 2.0 });
    expect(store.readMetrics(a.id).map((p) => p.step)).toEqual([1, 2, 3]);
  });
});

describe('RunStore checkpoints', () => {
  it('round-trips a checkpoint bit-exactly', () => {
    const a = store.createRun(newMeta());
    const ck = checkpoint();
    store.saveCheckpoint(a.id, epochCheckpointName(3), ck);
    const dir = path.join(store.runDir(a.id), 'checkpoints', 'epoch-0003');
    expect(fs.readdirSync(dir).sort()).toEqual(['checkpoint.json', 'weights.bin']);
    expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe((6 + 7 + 6) * 4);
    const back = store.loadCheckpoint(a.id, 'epoch-0003');
    expect(back.step).toBe(1200);
    expect(back.epoch).toBe(3);
    expect(back.config).toEqual(ck.config);
    expect(back.extra).toEqual(ck.extra);
    for (const group of ['weights', 'optimizer'] as const) {
      for (const [name, t] of Object.entries(ck[group]!)) {
        const got = back[group]![name]!;
        expect(got.shape).toEqual(t.shape);
        expect(got.data).toBeInstanceOf(Float32Array);
        expect(new Uint8Array(got.data.buffer)).toEqual(new Uint8Array(t.data.buffer));
      }
    }
  });

  it('follows the latest pointer, replaces a checkpoint in place and leaves no staging folders', () => {
    const a = store.createRun(newMeta());
    store.saveCheckpoint(a.id, 'epoch-0001', { ...checkpoint(), step: 100, epoch: 1 });
    store.saveCheckpoint(a.id, 'best', { ...checkpoint(), step: 100, epoch: 1 });
    store.saveCheckpoint(a.id, 'epoch-0002', { ...checkpoint(), step: 200, epoch: 2 });
    store.saveCheckpoint(a.id, 'best', { ...checkpoint(), step: 200, epoch: 2 });
    expect(store.loadCheckpoint(a.id, 'last').step).toBe(200);
    expect(store.loadCheckpoint(a.id, 'best').step).toBe(200);
    expect(store.latestCheckpoint(a.id)?.name).toBe('epoch-0002');
    // Ordered by step: best now holds step 200, like epoch-0002.
    expect(store.listCheckpoints(a.id).map((c) => c.name)).toEqual(['epoch-0001', 'best', 'epoch-0002']);
    const ckDir = path.join(store.runDir(a.id), 'checkpoints');
    expect(fs.readdirSync(ckDir).sort()).toEqual(['best', 'epoch-0001', 'epoch-0002', 'latest.json']);
  });

  it('reports a truncated weights.bin as a StorageError naming the file', () => {
    const a = store.createRun(newMeta());
    store.saveCheckpoint(a.id, 'best', checkpoint());
    const bin = path.join(store.runDir(a.id), 'checkpoints', 'best', 'weights.bin');
    fs.truncateSync(bin, 10);
    expect(() => store.loadCheckpoint(a.id, 'best')).toThrow(StorageError);
    expect(() => store.loadCheckpoint(a.id, 'best')).toThrow(`checkpoint ${bin} is truncated`);
  });

  it('reports a corrupt checkpoint.json and a missing checkpoint clearly', () => {
    const a = store.createRun(newMeta());
    store.saveCheckpoint(a.id, 'best', checkpoint());
    const json = path.join(store.runDir(a.id), 'checkpoints', 'best', 'checkpoint.json');
    fs.writeFileSync(json, '{"format":');
    expect(() => store.loadCheckpoint(a.id, 'best')).toThrow(`checkpoint ${json} is corrupt`);
    expect(() => store.loadCheckpoint(a.id, 'epoch-0009')).toThrow(/no checkpoint 'epoch-0009'/);
    expect(() => store.loadCheckpoint(a.id, 'last')).toThrow(/no checkpoint saved yet/);
  });

  it('repairRun restores a checkpoint left aside by a crash mid-swap', () => {
    const a = store.createRun(newMeta());
    store.saveCheckpoint(a.id, 'best', checkpoint());
    const ckDir = path.join(store.runDir(a.id), 'checkpoints');
    fs.renameSync(path.join(ckDir, 'best'), path.join(ckDir, 'best.old-abcd'));
    fs.mkdirSync(path.join(ckDir, 'best.tmp-abcd'));
    store.repairRun(a.id);
    expect(fs.readdirSync(ckDir).sort()).toEqual(['best']);
    expect(store.loadCheckpoint(a.id, 'best').step).toBe(1200);
  });

  it('rejects checkpoint names that could escape the folder', () => {
    const a = store.createRun(newMeta());
    expect(() => store.saveCheckpoint(a.id, '../x', checkpoint())).toThrow(StorageError);
  });
});

describe('RunStore traces', () => {
  it('saves and loads a trace as JSON', () => {
    const a = store.createRun(newMeta());
    const file = store.saveTrace(a.id, 'test-0007', { steps: [1, 2] });
    expect(file).toBe(path.join(store.runDir(a.id), 'traces', 'test-0007.json'));
    expect(store.loadTrace(a.id, 'test-0007')).toEqual({ steps: [1, 2] });
    expect(store.listTraces(a.id)).toEqual(['test-0007']);
  });
});

describe('defaultHome', () => {
  it('prefers SACCADE_HOME, else the Electron userData folder per platform', () => {
    expect(defaultHome({ SACCADE_HOME: '/data/s' }, 'linux', '/home/u')).toBe('/data/s');
    expect(defaultHome({}, 'linux', '/home/u')).toBe('/home/u/.config/Saccade');
    expect(defaultHome({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/u')).toBe('/xdg/Saccade');
    expect(defaultHome({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Saccade');
    expect(defaultHome({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\Saccade',
    );
  });
});
