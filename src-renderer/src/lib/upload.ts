/**
 * A dataset upload in bounded pieces: one call per chunk of at most UPLOAD_LIMITS.chunkBytes, so
 * no message is large whatever the file sizes; the server keeps the pieces until importDataset
 * names the upload. What goes up is the four MNIST files (a flat tree), a class-folder tree (each
 * file under its path inside the chosen folder, 'cat/001.png') or one .zip.
 */
import { UPLOAD_LIMITS, type ImportRequest, type SaccadeApi } from '../../../src-main/shared/api';
import { UPLOAD_FILE_NAMES, uploadPathProblem } from '../../../src-main/shared/mnist-files';

/** A file to send: a browser File, or anything that reads byte ranges. `name` is its path in the upload. */
export interface UploadSource {
  name: string;
  size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

/** A browser File as an UploadSource, under `path` (default: its own name). */
export function fileSource(file: File, path: string = file.name): UploadSource {
  return { name: path, size: file.size, read: async (start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()) };
}

/** Files no dataset means: anything hidden ('.DS_Store', '.git/...'), macOS zip leftovers, Windows thumbnails. */
export function isHiddenPath(path: string): boolean {
  return path.split('/').some((part) => part.startsWith('.') || part === '__MACOSX' || part === 'Thumbs.db' || part === 'desktop.ini');
}

/**
 * The path of a file from a folder input (`<input webkitdirectory>`) inside the chosen folder:
 * webkitRelativePath without its first part (the folder's own name); a file without one, its name.
 */
export function relativePathOf(file: { name: string; webkitRelativePath?: string }): string {
  const rel = (file.webkitRelativePath ?? '').replace(/\\/g, '/');
  if (!rel) return file.name;
  const parts = rel.split('/').filter(Boolean);
  return parts.length > 1 ? parts.slice(1).join('/') : (parts[0] ?? file.name);
}

export interface PickedFile<F = File> {
  /** Its path in the upload. */
  path: string;
  file: F;
}

export interface Picked<F = File> {
  files: PickedFile<F>[];
  /** Hidden files left out. */
  hidden: number;
  /** The chosen folder's name (or the one file's name without '.zip'): a default dataset name. */
  folderName?: string;
}

/** The files a folder input gave, hidden ones left out, in path order. */
export function pickedFromInput<F extends { name: string; size: number; webkitRelativePath?: string }>(list: readonly F[]): Picked<F> {
  const all = list.map((file) => ({ path: relativePathOf(file), file }));
  const files = all.filter((f) => !isHiddenPath(f.path)).sort((a, b) => compare(a.path, b.path));
  const top = list.find((f) => f.webkitRelativePath)?.webkitRelativePath?.split(/[\\/]/)[0];
  return { files, hidden: all.length - files.length, folderName: top || zipStem(files) };
}

/** Minimal shapes of the File and Directory Entries API (DataTransferItem.webkitGetAsEntry). */
export interface EntryLike<F = File> {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(success: (file: F) => void, failure?: (err: unknown) => void): void;
  createReader?(): { readEntries(success: (entries: EntryLike<F>[]) => void, failure?: (err: unknown) => void): void };
}

/**
 * The files under dropped entries (call webkitGetAsEntry on every item during the drop event,
 * then this). One dropped folder: paths inside it; several things: paths from the drop's top.
 */
export async function pickedFromEntries<F extends { name: string; size: number }>(entries: readonly EntryLike<F>[]): Promise<Picked<F>> {
  const single = entries.length === 1 && entries[0]!.isDirectory ? entries[0]! : undefined;
  const out: PickedFile<F>[] = [];
  let hidden = 0;
  const walk = async (entry: EntryLike<F>, prefix: string): Promise<void> => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (isHiddenPath(entry.name)) {
      hidden += entry.isFile ? 1 : await countFiles(entry);
      return;
    }
    if (entry.isFile && entry.file) {
      const file = await new Promise<F>((ok, fail) => entry.file!(ok, fail));
      out.push({ path, file });
    } else if (entry.isDirectory && entry.createReader) {
      for (const child of await readAll(entry)) await walk(child, path);
    }
  };
  if (single) for (const child of await readAll(single)) await walk(child, '');
  else for (const entry of entries) await walk(entry, '');
  out.sort((a, b) => compare(a.path, b.path));
  return { files: out, hidden, folderName: single?.name ?? zipStem(out) };
}

/** A directory's entries: readEntries answers in batches (100 in Chromium) until an empty one. */
async function readAll<F>(dir: EntryLike<F>): Promise<EntryLike<F>[]> {
  const reader = dir.createReader!();
  const all: EntryLike<F>[] = [];
  for (;;) {
    const batch = await new Promise<EntryLike<F>[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

async function countFiles<F>(entry: EntryLike<F>): Promise<number> {
  if (entry.isFile) return 1;
  if (!entry.createReader) return 0;
  let n = 0;
  for (const child of await readAll(entry)) n += await countFiles(child);
  return n;
}

function zipStem(files: readonly { path: string }[]): string | undefined {
  const only = files.length === 1 ? files[0]!.path : undefined;
  return only && /\.zip$/i.test(only) ? only.replace(/\.zip$/i, '').split('/').pop() : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** '512 KiB', '37 MiB', '2 GiB'. */
export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${+(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${Math.round(n / 2 ** 20)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}

/**
 * What the server would refuse, said before a byte is sent: nothing to send, a .zip with other
 * files, a path it does not take (uploadPathProblem: '..', too long, ...), too many files, or a
 * file or the upload over the bounds. Undefined when the files may go.
 */
export function uploadProblem(files: readonly Pick<UploadSource, 'name' | 'size'>[], limits: { files: number; fileBytes: number; totalBytes: number } = UPLOAD_LIMITS): string | undefined {
  if (files.length === 0) return 'nothing to upload: the folder holds no files (hidden files are left out)';
  const zip = files.find((f) => /\.zip$/i.test(f.name));
  if (zip && files.length > 1) return `${zip.name}: a .zip is uploaded on its own, not with other files`;
  const count = (n: number) => n.toLocaleString('en-US');
  for (const f of files) {
    const bad = UPLOAD_FILE_NAMES.has(f.name) ? undefined : uploadPathProblem(f.name);
    if (bad) return bad;
  }
  if (files.length > limits.files) return `at most ${count(limits.files)} files an upload (got ${count(files.length)})`;
  const big = files.find((f) => f.size > limits.fileBytes);
  if (big) return `${big.name}: ${formatBytes(big.size)}, over the ${formatBytes(limits.fileBytes)} a file an upload takes`;
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > limits.totalBytes) return `${formatBytes(total)} in all, over the ${formatBytes(limits.totalBytes)} an upload takes`;
  return undefined;
}

/** One chunk of the plan: bytes [start, end) of file `file` (an empty file gets one empty chunk). */
export interface ChunkPlan {
  file: number;
  start: number;
  end: number;
}

/** Every chunk of every file, in order, none over `chunkBytes`. */
export function planChunks(sizes: readonly number[], chunkBytes: number = UPLOAD_LIMITS.chunkBytes): ChunkPlan[] {
  const step = Math.max(1, Math.floor(chunkBytes));
  const plan: ChunkPlan[] = [];
  sizes.forEach((size, file) => {
    if (size <= 0) plan.push({ file, start: 0, end: 0 });
    for (let start = 0; start < size; start += step) plan.push({ file, start, end: Math.min(size, start + step) });
  });
  return plan;
}

/** Files sent at once after the first chunk (each file's chunks still go in order). */
export const UPLOAD_PARALLEL = 4;

/**
 * Sends every file chunk by chunk (the first chunk alone, as it opens the upload; then up to
 * `parallel` files at a time); resolves with the upload's id for importDataset. `onProgress`
 * hears bytes sent of the total after every chunk. The first refusal stops the rest.
 */
export async function uploadFiles(
  api: Pick<SaccadeApi, 'uploadDatasetChunk'>,
  files: readonly UploadSource[],
  onProgress?: (sentBytes: number, totalBytes: number) => void,
  chunkBytes: number = UPLOAD_LIMITS.chunkBytes,
  parallel: number = UPLOAD_PARALLEL,
): Promise<string> {
  if (files.length === 0) throw new Error('choose the files to upload');
  const plan = planChunks(
    files.map((f) => f.size),
    chunkBytes,
  );
  const total = files.reduce((n, f) => n + f.size, 0);
  let sent = 0;
  let upload: string | undefined;
  let failed = false;
  const send = async (c: ChunkPlan): Promise<void> => {
    const file = files[c.file]!;
    const bytes = await file.read(c.start, c.end);
    const progress = await api.uploadDatasetChunk({ upload, file: file.name, offset: c.start, bytes });
    upload = progress.upload;
    sent += bytes.length;
    onProgress?.(sent, total);
  };
  await send(plan[0]!);
  // The rest, grouped by file; a file's chunks in order.
  const byFile = new Map<number, ChunkPlan[]>();
  for (const c of plan.slice(1)) {
    const list = byFile.get(c.file);
    if (list) list.push(c);
    else byFile.set(c.file, [c]);
  }
  const queue = [...byFile.values()];
  const worker = async (): Promise<void> => {
    for (let chunks = queue.shift(); chunks && !failed; chunks = queue.shift()) {
      for (const c of chunks) {
        if (failed) return;
        try {
          await send(c);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(parallel, queue.length)) }, worker));
  const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (refused) throw refused.reason;
  return upload!;
}

/**
 * The id an import of `name` gets ('import:<slug>'), whose 'decoding' events tell its progress:
 * the server's folderSlug (src-main/data/dataset-cache.ts; a test holds the two equal).
 */
export function importIdFor(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 64);
  return `import:${slug || 'dataset'}`;
}

/** The import form's image sizes (the API's bounds). */
export const IMPORT_IMAGE_SIZE = { min: 4, max: 1024 } as const;

/**
 * The import form's options as ImportRequest fields: an image size (empty: the images' own), the
 * channels ('auto' leaves them to the data) and skip-bad; or what is wrong with them, in words.
 */
export function importOptions(form: { imageSize: string; channels: 'auto' | '1' | '3'; skipBad: boolean }): Omit<ImportRequest, 'name'> | string {
  const out: Omit<ImportRequest, 'name'> = {};
  const size = form.imageSize.trim();
  if (size) {
    const n = Number(size);
    if (!/^\d+$/.test(size) || n < IMPORT_IMAGE_SIZE.min || n > IMPORT_IMAGE_SIZE.max) {
      return `image size: a whole number of pixels from ${IMPORT_IMAGE_SIZE.min} to ${IMPORT_IMAGE_SIZE.max}, or empty to keep the images' own`;
    }
    out.imageSize = n;
  }
  if (form.channels !== 'auto') out.channels = form.channels === '3' ? 3 : 1;
  if (form.skipBad) out.skipBad = true;
  return out;
}
