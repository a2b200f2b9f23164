/**
 * Unpacking a .zip of images (a class-folder tree) into a fresh folder, safely.
 *
 * yauzl reads the archive from its central directory, one entry at a time (lazyEntries), and
 * checks each entry's inflated size against the size it declares (validateEntrySizes), so a zip
 * bomb cannot stream more than it declares. On top of that this module counts the bytes it
 * actually writes against ZipLimits.maxBytes, refuses more than maxEntries entries, refuses
 * symbolic links and any entry whose name would land outside the destination ("zip slip"), and
 * on any error removes everything it wrote, so a refused archive leaves the folder empty.
 */
import { createWriteStream, promises as fs, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';
import { DataError } from './idx';

export interface ZipLimits {
  /** Most bytes all entries may unpack to, together. */
  maxBytes: number;
  /** Most entries (files and folders) the archive may hold. */
  maxEntries: number;
}

const MACOS_METADATA = '__MACOSX';
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function withCommas(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings: false, so that yauzl hands the raw name over instead of failing the whole
    // archive with its own message; the name is decoded below with yauzl's decoder and checked here.
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true, decodeStrings: false, autoClose: true }, (err, zip) => {
      if (err || !zip) reject(err ?? new Error('could not open'));
      else resolve(zip);
    });
  });
}

function openEntryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) reject(err ?? new Error('could not read entry'));
      else resolve(stream);
    });
  });
}

/** Removes everything inside dir, leaving dir itself. */
async function emptyFolder(dir: string): Promise<void> {
  let names: string[] = [];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.map((n) => fs.rm(path.join(dir, n), { recursive: true, force: true })));
}

/**
 * Extracts zipFile into destDir (must exist, empty), refusing entries that escape it, symlinks,
 * and totals over the limits; returns the number of files written. On any error the contents of
 * destDir are removed and a DataError (one line, starting with the archive's name) is thrown.
 */
export async function extractZip(zipFile: string, destDir: string, limits: ZipLimits): Promise<number> {
  const label = path.basename(zipFile);
  let destStat;
  try {
    destStat = statSync(destDir);
  } catch {
    throw new DataError(`${destDir}: destination folder not found`);
  }
  if (!destStat.isDirectory()) throw new DataError(`${destDir}: destination is not a folder`);
  if (readdirSync(destDir).length > 0) throw new DataError(`${destDir}: destination folder is not empty`);
  const root = await fs.realpath(destDir);

  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipFile);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`${label}: file not found`);
    throw new DataError(`${label}: not a readable zip archive (${(e as Error).message})`);
  }

  const nothing = 'nothing was imported';
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new DataError(`${label}: holds ${withCommas(zip.entryCount)} entries, more than the ${withCommas(limits.maxEntries)} allowed; ${nothing}`);
  }

  let written = 0;
  let totalBytes = 0;
  let entriesSeen = 0;
  let current: string | undefined;
  const madeDirs = new Set<string>([root]);

  const ensureDir = async (d: string): Promise<void> => {
    if (madeDirs.has(d)) return;
    await fs.mkdir(d, { recursive: true });
    madeDirs.add(d);
  };

  const handleEntry = async (entry: yauzl.Entry): Promise<void> => {
    entriesSeen++;
    if (entriesSeen > limits.maxEntries) {
      throw new DataError(`${label}: holds more than the ${withCommas(limits.maxEntries)} entries allowed; ${nothing}`);
    }
    const raw = entry.fileNameRaw ?? (entry.fileName as unknown as Buffer);
    const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
    current = name;
    const outside = new DataError(`${label}: entry '${name}' would be written outside the folder; ${nothing}`);
    // getFileNameLowLevel (non-strict) turns backslashes into slashes already.
    const norm = name.replace(/\\/g, '/');
    if (norm.startsWith('/') || /^[a-zA-Z]:/.test(norm) || norm.includes('\0')) throw outside;
    const parts = norm.split('/');
    if (parts.includes('..')) throw outside;
    const target = path.resolve(root, ...parts.filter((p) => p !== '' && p !== '.'));
    const rel = path.relative(root, target);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw outside;
    if (rel === '') return; // "./" or "/" alone: the folder itself
    const first = rel.split(path.sep)[0];
    if (first === MACOS_METADATA) return;

    const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
    if (mode === S_IFLNK) throw new DataError(`${label}: entry '${name}' is a symbolic link; ${nothing}`);
    if (norm.endsWith('/')) {
      await ensureDir(target);
      return;
    }
    if (entry.isEncrypted()) throw new DataError(`${label}: entry '${name}' is encrypted; ${nothing}`);
    if (!entry.canDecodeFileData()) {
      throw new DataError(`${label}: entry '${name}' uses an unsupported compression method (${entry.compressionMethod}); ${nothing}`);
    }
    if (totalBytes + entry.uncompressedSize > limits.maxBytes) throw overBytes();

    await ensureDir(path.dirname(target));
    const input = await openEntryStream(zip, entry);
    const counter = new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
        totalBytes += chunk.length;
        if (totalBytes > limits.maxBytes) cb(overBytes());
        else cb(null, chunk);
      },
    });
    // 'w' is safe: the folder started empty and nothing here creates links.
    await pipeline(input, counter, createWriteStream(target, { flags: 'w' }));
    written++;
  };

  const overBytes = (): DataError =>
    new DataError(`${label}: unpacks to more than ${withCommas(limits.maxBytes)} bytes, over the limit; ${nothing}`);

  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (e: unknown): void => {
        if (failed) return;
        failed = true;
        try {
          zip.close();
        } catch {
          // already closed
        }
        reject(e);
      };
      zip.on('error', fail);
      zip.on('end', () => {
        if (!failed) resolve();
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        handleEntry(entry).then(
          () => {
            current = undefined;
            if (!failed) zip.readEntry();
          },
          fail,
        );
      });
      zip.readEntry();
    });
  } catch (e) {
    await emptyFolder(destDir);
    if (e instanceof DataError) throw e;
    const why = String((e as Error).message ?? e).replace(/\s+/g, ' ');
    if (current !== undefined) throw new DataError(`${label}: entry '${current}' could not be unpacked (${why}); ${nothing}`);
    throw new DataError(`${label}: not a readable zip archive (${why}); ${nothing}`);
  }
  return written;
}

/**
 * destDir/<top> when destDir holds exactly one folder and nothing else (ignoring __MACOSX and
 * .DS_Store), else destDir: a zip of "mydata/cat/..., mydata/dog/..." is the folder mydata.
 */
export function singleTopFolder(destDir: string): string {
  let names: string[];
  try {
    names = readdirSync(destDir);
  } catch {
    return destDir;
  }
  const kept = names.filter((n) => n !== MACOS_METADATA && n !== '.DS_Store');
  if (kept.length !== 1) return destDir;
  const only = path.join(destDir, kept[0]);
  try {
    return statSync(only).isDirectory() ? only : destDir;
  } catch {
    return destDir;
  }
}
