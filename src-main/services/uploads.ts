/**
 * Dataset uploads in bounded chunks (the browser mode): each upload writes into a fresh staging
 * folder of its own, within UPLOAD_LIMITS; a refused chunk or UPLOAD_LIMITS.idleMs without one
 * drops the upload and its files. An upload is the four MNIST files, a folder tree (each file by
 * its relative path, 'cat/001.png'), or one .zip. importDataset then takes the finished files by
 * the upload's id.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isZipName, UPLOAD_FILE_NAMES, uploadPathProblem } from '../shared/mnist-files';
import { removeQuietly } from '../storage/atomic';
import { UPLOAD_LIMITS, type UploadChunk, type UploadLimits, type UploadProgress } from '../shared/api';

export class UploadError extends Error {
  override name = 'UploadError';
}

/** The MNIST file names (as published, also .gz and '.idx'); other names are folder-tree paths or one .zip. */
export { UPLOAD_FILE_NAMES };

interface Session {
  id: string;
  dir: string;
  /** Bytes received per file path. */
  files: Map<string, number>;
  total: number;
  timer: ReturnType<typeof setTimeout>;
}

const GIB = 1024 ** 3;

function sizeText(bytes: number): string {
  return bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** Free bytes on the disk holding `dir` (for an unprivileged user), or undefined when it cannot be told. */
export function freeBytes(dir: string): number | undefined {
  try {
    const st = fs.statfsSync(dir);
    return Number(st.bavail) * Number(st.bsize);
  } catch {
    return undefined;
  }
}

export class Uploads {
  private readonly sessions = new Map<string, Session>();
  /** Finished uploads an import is reading now: never swept as leftovers. */
  private readonly inUse = new Set<string>();
  readonly limits: UploadLimits;

  /** `root` holds one staging folder per upload; nothing else may live there. */
  constructor(
    private readonly root: string,
    limits: Partial<UploadLimits> = {},
  ) {
    this.limits = { ...UPLOAD_LIMITS, ...limits };
  }

  /** Appends one chunk (the first, without an upload id, starts an upload). */
  receive(chunk: UploadChunk): UploadProgress {
    if (!chunk || typeof chunk !== 'object') throw new UploadError('a chunk is {upload?, file, offset, bytes}');
    const { file, offset, bytes } = chunk;
    const session = chunk.upload === undefined || chunk.upload === null ? this.open() : this.get(chunk.upload);
    try {
      if (!(bytes instanceof Uint8Array)) throw new UploadError('a chunk needs its bytes as a Uint8Array');
      if (bytes.length > this.limits.chunkBytes) throw new UploadError(`a chunk holds at most ${this.limits.chunkBytes} bytes, not ${bytes.length}`);
      const name = typeof file === 'string' ? file : '';
      const problem = UPLOAD_FILE_NAMES.has(name) ? undefined : uploadPathProblem(name);
      if (problem) throw new UploadError(problem);
      const have = session.files.get(name);
      if (have === undefined) {
        if (session.files.size >= this.limits.files) throw new UploadError(`an upload holds at most ${this.limits.files} files`);
        const zip = [...session.files.keys()].find(isZipName);
        if (zip) throw new UploadError(`${name}: this upload is the archive ${zip}; a .zip is uploaded on its own`);
        if (isZipName(name) && session.files.size > 0) throw new UploadError(`${name}: a .zip is uploaded on its own, not with other files`);
      }
      if (offset !== (have ?? 0)) throw new UploadError(`${name}: chunk at byte ${String(offset)}, but ${have ?? 0} bytes were received`);
      if ((have ?? 0) + bytes.length > this.limits.fileBytes) throw new UploadError(`${name}: larger than ${this.limits.fileBytes} bytes, the most one file may have`);
      if (session.total + bytes.length > this.limits.totalBytes) throw new UploadError(`the upload is larger than ${this.limits.totalBytes} bytes, the most it may have`);
      this.checkFreeSpace(bytes.length);
      const target = this.target(session, name);
      if (have === undefined) fs.mkdirSync(path.dirname(target), { recursive: true });
      try {
        fs.writeFileSync(target, bytes, { flag: have === undefined ? 'wx' : 'a' });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'EISDIR' || code === 'ENOTDIR') {
          throw new UploadError(`${name}: clashes with another file or folder of this upload (names differing only in case count as one on some disks)`);
        }
        throw err;
      }
      session.files.set(name, (have ?? 0) + bytes.length);
      session.total += bytes.length;
      session.timer.refresh();
      return { upload: session.id, file: name, received: session.files.get(name)!, total: session.total };
    } catch (err) {
      // A refused chunk ends its upload: the client starts over rather than guess what was kept.
      this.drop(session.id);
      if (err instanceof UploadError) throw err;
      const { code, message } = err as NodeJS.ErrnoException;
      if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') throw new UploadError(`${String(file)}: clashes with another file or folder of this upload`);
      throw new UploadError(`${String(file)}: could not be stored (${message})`);
    }
  }

  /**
   * Refuses `bytes` more when they would leave less than limits.minFreeBytes free on the disk
   * the uploads are staged on (the home's).
   */
  checkFreeSpace(bytes: number, what = 'the upload'): void {
    const free = freeBytes(this.root);
    if (free === undefined) return;
    if (free - bytes < this.limits.minFreeBytes) {
      throw new UploadError(
        `not enough free disk space for ${what}: ${sizeText(free)} free on the disk of ${this.root}, and at least ${sizeText(this.limits.minFreeBytes)} must stay free`,
      );
    }
  }

  /** Where a file of the upload goes: inside its staging folder, whatever the name. */
  private target(session: Session, name: string): string {
    const target = path.resolve(session.dir, ...name.split('/'));
    const rel = path.relative(session.dir, target);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw new UploadError(`${name}: would be written outside the upload's folder`);
    return target;
  }

  /**
   * Ends the upload; its folder and files now belong to the caller, who calls `release` when
   * done with them (until then the folder is never swept as a leftover).
   */
  take(id: string): { dir: string; files: string[] } {
    const session = this.get(id);
    clearTimeout(session.timer);
    this.sessions.delete(session.id);
    this.inUse.add(session.id);
    return { dir: session.dir, files: [...session.files.keys()] };
  }

  /** Removes a taken upload's folder. */
  release(dir: string): void {
    removeQuietly(dir);
    this.inUse.delete(path.basename(dir));
  }

  /** Drops the upload and removes its staging folder (one this class created). */
  drop(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    clearTimeout(session.timer);
    this.sessions.delete(id);
    // Also runs from the idle timer, where a throw would end the server: never throws.
    removeQuietly(session.dir);
  }

  dropAll(): void {
    for (const id of [...this.sessions.keys()]) this.drop(id);
  }

  private get(id: unknown): Session {
    const session = typeof id === 'string' ? this.sessions.get(id) : undefined;
    if (!session) throw new UploadError(`no upload '${String(id)}' in progress (finished, refused, or idle for over ${Math.round(this.limits.idleMs / 1000)} s)`);
    return session;
  }

  private open(): Session {
    if (this.sessions.size >= this.limits.uploads) throw new UploadError(`at most ${this.limits.uploads} uploads at once; finish or wait for one`);
    this.sweepLeftovers();
    const id = randomBytes(12).toString('hex');
    const dir = path.join(this.root, id);
    fs.mkdirSync(this.root, { recursive: true });
    fs.mkdirSync(dir); // Not recursive: fails rather than reuse a folder that exists.
    const timer = setTimeout(() => this.drop(id), this.limits.idleMs);
    timer.unref();
    const session: Session = { id, dir, files: new Map(), total: 0, timer };
    this.sessions.set(id, session);
    return session;
  }

  /** Staging folders an earlier process left (killed mid-upload or mid-import), once idle for as long. */
  private sweepLeftovers(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch {
      return;
    }
    const since = Date.now() - this.limits.idleMs;
    for (const name of names) {
      if (this.sessions.has(name) || this.inUse.has(name) || !/^[0-9a-f]{24}$/.test(name)) continue;
      const dir = path.join(this.root, name);
      try {
        // Appending changes a file's mtime, not its folder's: the newest of them all counts.
        if (!touchedSince(dir, since)) fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // Gone already, or another process's upload in use: leave it.
      }
    }
  }
}

/** Whether anything in the tree at `p` (itself included) was modified after `since` (ms). */
function touchedSince(p: string, since: number): boolean {
  const stat = fs.lstatSync(p);
  if (stat.mtimeMs > since) return true;
  if (!stat.isDirectory()) return false;
  return fs.readdirSync(p).some((name) => touchedSince(path.join(p, name), since));
}
