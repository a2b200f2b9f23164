/**
 * Dataset uploads in bounded chunks (the browser mode): each upload writes into a fresh staging
 * folder of its own, within UPLOAD_LIMITS; a refused chunk or UPLOAD_LIMITS.idleMs without one
 * drops the upload and its files. importDataset then takes the finished files by the upload's id.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UPLOAD_FILE_NAMES } from '../shared/mnist-files';
import { removeQuietly } from '../storage/atomic';
import { UPLOAD_LIMITS, type UploadChunk, type UploadLimits, type UploadProgress } from '../shared/api';

export class UploadError extends Error {
  override name = 'UploadError';
}

/** The names an uploaded file may have: the four MNIST files, as published (also .gz, '.idx'). */
export { UPLOAD_FILE_NAMES };

interface Session {
  id: string;
  dir: string;
  /** Bytes received per file name. */
  files: Map<string, number>;
  total: number;
  timer: ReturnType<typeof setTimeout>;
}

export class Uploads {
  private readonly sessions = new Map<string, Session>();
  private readonly limits: UploadLimits;

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
      const name = String(file);
      if (!UPLOAD_FILE_NAMES.has(name)) {
        throw new UploadError(`${name}: not one of the MNIST file names (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, optionally .gz)`);
      }
      const have = session.files.get(name);
      if (have === undefined && session.files.size >= this.limits.files) throw new UploadError(`an upload holds at most ${this.limits.files} files`);
      if (offset !== (have ?? 0)) throw new UploadError(`${name}: chunk at byte ${String(offset)}, but ${have ?? 0} bytes were received`);
      if ((have ?? 0) + bytes.length > this.limits.fileBytes) throw new UploadError(`${name}: larger than ${this.limits.fileBytes} bytes, the most one file may have`);
      if (session.total + bytes.length > this.limits.totalBytes) throw new UploadError(`the upload is larger than ${this.limits.totalBytes} bytes, the most it may have`);
      fs.writeFileSync(path.join(session.dir, name), bytes, { flag: have === undefined ? 'wx' : 'a' });
      session.files.set(name, (have ?? 0) + bytes.length);
      session.total += bytes.length;
      session.timer.refresh();
      return { upload: session.id, file: name, received: session.files.get(name)!, total: session.total };
    } catch (err) {
      // A refused chunk ends its upload: the client starts over rather than guess what was kept.
      this.drop(session.id);
      throw err;
    }
  }

  /** Ends the upload; its folder and files now belong to the caller. */
  take(id: string): { dir: string; files: string[] } {
    const session = this.get(id);
    clearTimeout(session.timer);
    this.sessions.delete(session.id);
    return { dir: session.dir, files: [...session.files.keys()] };
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

  /** Staging folders an earlier process left (killed mid-upload), once idle for as long. */
  private sweepLeftovers(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch {
      return;
    }
    for (const name of names) {
      if (this.sessions.has(name) || !/^[0-9a-f]{24}$/.test(name)) continue;
      const dir = path.join(this.root, name);
      try {
        // Appending changes a file's mtime, not its folder's: the newest of them all counts.
        const newest = Math.max(fs.statSync(dir).mtimeMs, ...fs.readdirSync(dir).map((f) => fs.statSync(path.join(dir, f)).mtimeMs));
        if (Date.now() - newest > this.limits.idleMs) fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // Gone already, or another process's upload in use: leave it.
      }
    }
  }
}
