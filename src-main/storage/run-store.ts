/**
 * One folder per run under <home>/runs/<runId>/: meta.json, metrics.jsonl, checkpoints/, traces/.
 * Plain files, so runs can be copied, zipped and read without Saccade.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fsyncDir, removeQuietly, writeJsonAtomic } from './atomic';
import { readCheckpointDir, readCheckpointManifest, writeCheckpointDir } from './checkpoint';
import { StorageError, toStorageError } from './errors';
import { withFileMutex } from './file-mutex';
import { appendJsonLine, readJsonLines, repairJsonl } from './jsonl';
import { checkRunMeta } from './meta-schema';
import { pidAlive, readLiveLock, RunBusyError } from './run-lock';
import type { CheckpointData, CheckpointInfo, MetricPoint, NewRunMeta, RunMeta } from './types';

const META = 'meta.json';
const METRICS = 'metrics.jsonl';
const CHECKPOINTS = 'checkpoints';
const TRACES = 'traces';
const LATEST = 'latest.json';
/** Names that resolve through checkpoints/latest.json. */
const LATEST_ALIASES = new Set(['last', 'latest']);
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
const STAGING = /\.(tmp|old)-[0-9a-f]+$/;
/** writeFileAtomic's temp files: .<name>.tmp-<pid>-<hex>. */
const TEMP_FILE = /^\..+\.tmp-(\d+)-[0-9a-f]+$/;
/** Held while meta.json is read, changed and written back (the trainer and the studio both do). */
const META_MUTEX = '.meta.lock';
/** Statuses that claim a live owner: without one, the run was interrupted. */
const LIVE_STATUSES = new Set(['running', 'paused']);

/** A run folder whose meta.json cannot be used, and why. */
export interface BrokenRun {
  id: string;
  reason: string;
}

export interface LatestPointer {
  name: string;
  step: number;
  epoch: number;
  savedAt: string;
}

/** Checkpoint name for the end of an epoch: epoch-0003. */
export function epochCheckpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32)
      .replace(/-+$/, '') || 'run'
  );
}

/** 20261127-081500-centered-a1b2: UTC time first, so ids sort by creation. */
export function makeRunId(label: string, when: Date = new Date()): string {
  const d = when;
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `${stamp}-${slug(label)}-${randomBytes(2).toString('hex')}`;
}

function assertSafeName(kind: string, name: string): void {
  if (typeof name !== 'string' || !SAFE_NAME.test(name) || STAGING.test(name) || name.length > 128) {
    throw new StorageError(`invalid ${kind} name '${name}': use letters, digits, '-', '_' and '.'`, String(name));
  }
}

export class RunStore {
  readonly home: string;
  readonly runsDir: string;

  constructor(home: string) {
    this.home = path.resolve(home);
    this.runsDir = path.join(this.home, 'runs');
  }

  // ---- runs ----

  createRun(meta: NewRunMeta): RunMeta {
    try {
      fs.mkdirSync(this.runsDir, { recursive: true });
    } catch (err) {
      throw toStorageError(err, 'create', this.runsDir);
    }
    const now = new Date();
    const label = meta.name || meta.task;
    for (let attempt = 0; attempt < 20; attempt++) {
      const id = makeRunId(label, now);
      const dir = path.join(this.runsDir, id);
      try {
        // Non-recursive mkdir is the uniqueness check: it fails if another process took the id.
        fs.mkdirSync(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw toStorageError(err, 'create run folder', dir);
      }
      const stamp = now.toISOString();
      const full: RunMeta = {
        ...meta,
        id,
        name: meta.name || id,
        status: meta.status ?? 'created',
        createdAt: stamp,
        updatedAt: stamp,
      };
      try {
        fs.mkdirSync(path.join(dir, CHECKPOINTS));
        fs.mkdirSync(path.join(dir, TRACES));
      } catch (err) {
        throw toStorageError(err, 'create run folders in', dir);
      }
      writeJsonAtomic(path.join(dir, META), full);
      return full;
    }
    throw new StorageError(`cannot find a free run id in ${this.runsDir}`, this.runsDir);
  }

  /** Newest first; a run whose meta.json is missing or broken is skipped, never fatal. */
  listRuns(): RunMeta[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.runsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw toStorageError(err, 'list', this.runsDir);
    }
    const runs: RunMeta[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const meta = this.tryReadMeta(path.join(this.runsDir, name));
      if (meta) runs.push({ ...meta, id: name });
    }
    return runs.sort((a, b) => (a.createdAt === b.createdAt ? cmp(b.id, a.id) : cmp(b.createdAt, a.createdAt)));
  }

  /** Run folders whose meta.json cannot be used, with the reason: for a "broken runs" notice. */
  listBrokenRuns(): BrokenRun[] {
    const broken: BrokenRun[] = [];
    for (const name of safeReaddir(this.runsDir).sort()) {
      if (name.startsWith('.') || !isDir(path.join(this.runsDir, name))) continue;
      const read = this.readMetaFile(path.join(this.runsDir, name));
      if ('reason' in read) broken.push({ id: name, reason: read.reason });
    }
    return broken;
  }

  /** Accepts a full id or a unique prefix of one. */
  getRun(idOrPrefix: string): RunMeta {
    const id = this.resolveId(idOrPrefix);
    const dir = path.join(this.runsDir, id);
    const read = this.readMetaFile(dir);
    if ('error' in read) throw read.error;
    return this.withLiveStatus(dir, { ...read.meta, id });
  }

  /** Exactly this id (no prefix): for deleting, where a guess must not pick another run. */
  exactId(id: string): string {
    const wanted = String(id ?? '');
    if (!SAFE_NAME.test(wanted) || !isDir(path.join(this.runsDir, wanted))) throw this.missing(wanted);
    return wanted;
  }

  /** Full id for an id or a unique id prefix; StorageError if none or several match. */
  resolveId(idOrPrefix: string): string {
    const wanted = String(idOrPrefix ?? '').trim();
    if (wanted && SAFE_NAME.test(wanted) && isDir(path.join(this.runsDir, wanted))) return wanted;
    if (!wanted || !SAFE_NAME.test(wanted)) throw this.missing(wanted);
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.runsDir).filter((n) => n.startsWith(wanted) && isDir(path.join(this.runsDir, n)));
    } catch {
      // No runs folder yet: same as no match.
    }
    if (names.length === 1) return names[0]!;
    if (names.length > 1) {
      throw new StorageError(
        `run id '${wanted}' is ambiguous in ${this.runsDir}: matches ${names.sort().slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}`,
        this.runsDir,
      );
    }
    throw this.missing(wanted);
  }

  runDir(idOrPrefix: string): string {
    return path.join(this.runsDir, this.resolveId(idOrPrefix));
  }

  /**
   * Shallow merge; id and createdAt never change; updatedAt is set. Returns the new meta. The
   * read and the write happen under the run's meta mutex, so a trainer's progress and a user's
   * rename in another process never undo each other. `patch` may be a function of the current meta.
   */
  updateMeta(idOrPrefix: string, patch: Partial<RunMeta> | ((current: RunMeta) => Partial<RunMeta>)): RunMeta {
    const id = this.resolveId(idOrPrefix);
    const dir = path.join(this.runsDir, id);
    return withFileMutex(path.join(dir, META_MUTEX), () => {
      const current = this.getRun(id);
      const next: RunMeta = {
        ...current,
        ...(typeof patch === 'function' ? patch(current) : patch),
        id: current.id,
        createdAt: current.createdAt,
        updatedAt: new Date().toISOString(),
      };
      writeJsonAtomic(path.join(dir, META), next);
      return next;
    });
  }

  /** The live process training this run, if any (its lock). */
  liveOwner(idOrPrefix: string): ReturnType<typeof readLiveLock> {
    return readLiveLock(this.runDir(idOrPrefix));
  }

  /** Deletes exactly run `id` (never a prefix match); refused while a process trains it. */
  deleteRun(runId: string): void {
    const id = this.exactId(runId);
    const dir = path.join(this.runsDir, id);
    const owner = readLiveLock(dir);
    if (owner) throw new RunBusyError(id, owner, dir);
    // Rename first so a half-deleted run never shows up in listRuns.
    const doomed = path.join(this.runsDir, `.deleted-${id}-${randomBytes(3).toString('hex')}`);
    try {
      fs.renameSync(dir, doomed);
      fs.rmSync(doomed, { recursive: true, force: true });
    } catch (err) {
      throw toStorageError(err, 'delete run', dir);
    }
  }

  /**
   * Makes a run safe to continue after a crash: cuts a torn metrics line and finishes or
   * discards half-done checkpoint swaps.
   */
  repairRun(idOrPrefix: string): void {
    const dir = this.runDir(idOrPrefix);
    this.removeStaleTempFiles(idOrPrefix);
    repairJsonl(path.join(dir, METRICS));
    const ckDir = path.join(dir, CHECKPOINTS);
    for (const entry of safeReaddir(ckDir)) {
      const m = /^(.*)\.(tmp|old)-[0-9a-f]+$/.exec(entry);
      if (!m) continue;
      const base = m[1]!;
      const full = path.join(ckDir, entry);
      // A crash between "old aside" and "new in place" leaves only the old copy: restore it.
      if (m[2] === 'old' && !fs.existsSync(path.join(ckDir, base))) fs.renameSync(full, path.join(ckDir, base));
      else fs.rmSync(full, { recursive: true, force: true });
    }
  }

  /** Removes the temp files writers that died left in a run (a live writer's are kept). */
  removeStaleTempFiles(idOrPrefix: string): void {
    const dir = this.runDir(idOrPrefix);
    for (const sub of [dir, path.join(dir, CHECKPOINTS), path.join(dir, TRACES)]) removeStaleTempFiles(sub);
  }

  // ---- metrics ----

  appendMetric(idOrPrefix: string, point: MetricPoint): void {
    appendJsonLine(path.join(this.runDir(idOrPrefix), METRICS), point);
  }

  readMetrics(idOrPrefix: string): MetricPoint[] {
    return readJsonLines<MetricPoint>(path.join(this.runDir(idOrPrefix), METRICS));
  }

  /**
   * The run's history as it stands: where a run was resumed from a checkpoint (a line with
   * `resumed: 1`), points logged after that checkpoint by the interrupted attempt are dropped,
   * since the resumed run redoes those steps. The file itself is never rewritten.
   */
  readMetricHistory(idOrPrefix: string): MetricPoint[] {
    return resolveResumes(this.readMetrics(idOrPrefix));
  }

  metricsPath(idOrPrefix: string): string {
    return path.join(this.runDir(idOrPrefix), METRICS);
  }

  // ---- checkpoints ----

  /**
   * Writes into `name.tmp-x`, moves an old `name` aside to `name.old-x`, renames the new one
   * in, then removes the old: a crash leaves either version whole. Every name but "best"
   * also becomes the latest (checkpoints/latest.json).
   */
  saveCheckpoint(idOrPrefix: string, name: string, ckpt: CheckpointData): CheckpointInfo {
    assertSafeName('checkpoint', name);
    if (LATEST_ALIASES.has(name)) throw new StorageError(`'${name}' is reserved: it points at the latest checkpoint`, name);
    const ckDir = path.join(this.runDir(idOrPrefix), CHECKPOINTS);
    const target = path.join(ckDir, name);
    const tag = randomBytes(4).toString('hex');
    const tmp = path.join(ckDir, `${name}.tmp-${tag}`);
    const old = path.join(ckDir, `${name}.old-${tag}`);
    let file;
    try {
      fs.mkdirSync(ckDir, { recursive: true });
      file = writeCheckpointDir(tmp, ckpt);
    } catch (err) {
      removeQuietly(tmp);
      throw toStorageError(err, 'write checkpoint', target);
    }
    let movedAside = false;
    try {
      if (fs.existsSync(target)) {
        fs.renameSync(target, old);
        movedAside = true;
      }
      fs.renameSync(tmp, target);
      fsyncDir(ckDir);
    } catch (err) {
      if (movedAside && !fs.existsSync(target)) fs.renameSync(old, target);
      removeQuietly(tmp);
      throw toStorageError(err, 'replace checkpoint', target);
    }
    if (movedAside) removeQuietly(old);
    const info: CheckpointInfo = { name, step: file.step, epoch: file.epoch, savedAt: file.savedAt, bytes: file.byteLength };
    if (name !== 'best') {
      const pointer: LatestPointer = { name, step: file.step, epoch: file.epoch, savedAt: file.savedAt };
      writeJsonAtomic(path.join(ckDir, LATEST), pointer);
    }
    return info;
  }

  /** `name` may be "last" or "latest" to follow checkpoints/latest.json. */
  loadCheckpoint(idOrPrefix: string, name: string): CheckpointData {
    const ckDir = path.join(this.runDir(idOrPrefix), CHECKPOINTS);
    const real = this.resolveCheckpointName(ckDir, name);
    const dir = path.join(ckDir, real);
    if (!isDir(dir)) {
      const known = this.listCheckpoints(idOrPrefix).map((c) => c.name);
      throw new StorageError(
        `no checkpoint '${real}' in ${ckDir}${known.length ? ` (have: ${known.join(', ')})` : ' (none saved yet)'}`,
        dir,
        { code: 'ENOENT' },
      );
    }
    return readCheckpointDir(dir);
  }

  /** The latest pointer, or undefined if there is none or it cannot be read. */
  latestCheckpoint(idOrPrefix: string): LatestPointer | undefined {
    const file = path.join(this.runDir(idOrPrefix), CHECKPOINTS, LATEST);
    try {
      const pointer = JSON.parse(fs.readFileSync(file, 'utf8')) as LatestPointer;
      return pointer && typeof pointer.name === 'string' && SAFE_NAME.test(pointer.name) ? pointer : undefined;
    } catch {
      return undefined;
    }
  }

  /** Folder names in checkpoints/ that look like checkpoints, readable or not. */
  checkpointFolders(idOrPrefix: string): string[] {
    const ckDir = path.join(this.runDir(idOrPrefix), CHECKPOINTS);
    return safeReaddir(ckDir).filter((n) => !n.startsWith('.') && !STAGING.test(n) && isDir(path.join(ckDir, n)));
  }

  /** Checkpoints with a readable manifest, oldest step first. */
  listCheckpoints(idOrPrefix: string): CheckpointInfo[] {
    const ckDir = path.join(this.runDir(idOrPrefix), CHECKPOINTS);
    const out: CheckpointInfo[] = [];
    for (const name of safeReaddir(ckDir)) {
      if (STAGING.test(name) || !isDir(path.join(ckDir, name))) continue;
      try {
        const m = readCheckpointManifest(path.join(ckDir, name));
        out.push({ name, step: m.step, epoch: m.epoch, savedAt: m.savedAt, bytes: m.byteLength });
      } catch {
        // Unreadable checkpoints are not offered; loadCheckpoint would explain why.
      }
    }
    return out.sort((a, b) => a.step - b.step || cmp(a.name, b.name));
  }

  deleteCheckpoint(idOrPrefix: string, name: string): void {
    assertSafeName('checkpoint', name);
    const dir = path.join(this.runDir(idOrPrefix), CHECKPOINTS, name);
    fs.rmSync(dir, { recursive: true, force: true });
  }

  // ---- traces ----

  /** traces/<name>.json, written atomically. Returns the file path. */
  saveTrace(idOrPrefix: string, name: string, data: unknown): string {
    assertSafeName('trace', name);
    const dir = path.join(this.runDir(idOrPrefix), TRACES);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw toStorageError(err, 'create', dir);
    }
    const file = path.join(dir, name.endsWith('.json') ? name : `${name}.json`);
    writeJsonAtomic(file, data);
    return file;
  }

  loadTrace<T = unknown>(idOrPrefix: string, name: string): T {
    assertSafeName('trace', name);
    const file = path.join(this.runDir(idOrPrefix), TRACES, name.endsWith('.json') ? name : `${name}.json`);
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
    } catch (err) {
      if (err instanceof SyntaxError) throw new StorageError(`trace ${file} is corrupt: not valid JSON`, file, { code: 'ECORRUPT' });
      throw toStorageError(err, 'read trace', file);
    }
  }

  listTraces(idOrPrefix: string): string[] {
    const dir = path.join(this.runDir(idOrPrefix), TRACES);
    return safeReaddir(dir)
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .map((n) => n.slice(0, -5))
      .sort();
  }

  // ---- helpers ----

  private resolveCheckpointName(ckDir: string, name: string): string {
    if (LATEST_ALIASES.has(name)) {
      const file = path.join(ckDir, LATEST);
      let pointer: LatestPointer;
      try {
        pointer = JSON.parse(fs.readFileSync(file, 'utf8')) as LatestPointer;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new StorageError(`no checkpoint saved yet in ${ckDir}`, file, { code: 'ENOENT' });
        }
        throw new StorageError(`checkpoint pointer ${file} is unreadable`, file, { cause: err, code: 'ECORRUPT' });
      }
      assertSafeName('checkpoint', pointer.name);
      return pointer.name;
    }
    assertSafeName('checkpoint', name);
    return name;
  }

  private tryReadMeta(dir: string): RunMeta | undefined {
    const read = this.readMetaFile(dir);
    return 'meta' in read ? this.withLiveStatus(dir, { ...read.meta, id: path.basename(dir) }) : undefined;
  }

  /** meta.json parsed and checked; a problem names the file and the field. */
  private readMetaFile(dir: string): { meta: Omit<RunMeta, 'id'> } | { error: StorageError; reason: string } {
    const file = path.join(dir, META);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const error = toStorageError(err, 'read run metadata', file);
      return { error, reason: error.message };
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const error = new StorageError(`run metadata ${file} is corrupt: not valid JSON`, file, { code: 'ECORRUPT' });
      return { error, reason: 'meta.json is not valid JSON' };
    }
    const checked = checkRunMeta(value);
    if (!checked.ok) {
      return { error: new StorageError(`run metadata ${file} is invalid: ${checked.reason}`, file, { code: 'ECORRUPT' }), reason: `meta.json: ${checked.reason}` };
    }
    return { meta: checked.meta };
  }

  /** A run that claims to be training but whose trainer is gone (killed, power cut) was interrupted. */
  private withLiveStatus(dir: string, meta: RunMeta): RunMeta {
    if (!LIVE_STATUSES.has(meta.status) || readLiveLock(dir)) return meta;
    return { ...meta, status: 'interrupted' };
  }

  private missing(id: string): StorageError {
    return new StorageError(`no run '${id}' in ${this.runsDir}`, path.join(this.runsDir, id), { code: 'ENOENT' });
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Temp files left by a writer that died mid-write (its pid is gone); a live writer's are kept. */
function removeStaleTempFiles(dir: string): void {
  for (const name of safeReaddir(dir)) {
    const m = TEMP_FILE.exec(name);
    if (m && !pidAlive(Number(m[1]))) removeQuietly(path.join(dir, name));
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Applies resume markers: each drops the earlier points past its step, and is itself dropped. */
export function resolveResumes(points: MetricPoint[]): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (const p of points) {
    if (p.resumed === 1) {
      while (out.length > 0 && out[out.length - 1].step > p.step) out.pop();
      continue;
    }
    out.push(p);
  }
  return out;
}
