/**
 * IDX files (the MNIST container format, http://yann.lecun.com/exdb/mnist/).
 *
 * Layout: two zero bytes, a type byte, a dimension-count byte, one big-endian uint32 per
 * dimension, then the data in row-major order. Only unsigned-byte data (type 0x08) is used
 * for MNIST-like sets, so that is the only type accepted. Gzip input (0x1f 0x8b) is inflated
 * no further than the size its header declares, and no header may declare more than
 * MAX_IDX_DATA_BYTES: a gzip bomb costs at most what its header declares (bounded), not what it inflates to.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';

/** A problem with a data file or folder; the message starts with the file (or folder) name. */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

const MAX_DIMS = 4;

function hex32(b: Uint8Array): string {
  const v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  return '0x' + v.toString(16).padStart(8, '0');
}

/** True when the bytes start with the gzip magic 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The most data bytes one IDX file may declare: 2 GiB. The largest sets promised, 100,000 colour
 * images of 64x64, are 1.2 GB (EMNIST ByClass, 698k digits of 28x28, is 547 MB); a folder's files
 * load one after another, so even a hostile folder costs a few GiB, not what a gzip bomb inflates to.
 */
export const MAX_IDX_DATA_BYTES = 2 * 1024 ** 3;
const MAX_HEADER_BYTES = 4 + 4 * MAX_DIMS;
/** How much of an in-memory gzip is inflated to find the header (deflate inflates at most ~1032:1). */
const GZIP_HEADER_PREFIX = 64 * 1024;

interface IdxHeader {
  dims: number[];
  headerLength: number;
  /** Bytes of data the dimensions declare. */
  dataLength: number;
}

function bytesText(n: number): string {
  const gib = n / 1024 ** 3;
  return `${n.toLocaleString('en-US')} bytes (${gib >= 0.1 ? `${gib.toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`})`;
}

/**
 * Reads the header from a file's first bytes. Returns undefined when it needs more bytes and
 * `complete` is false; with `complete` (these are all the bytes there are) a short file is an error.
 * Refuses a declared size over MAX_IDX_DATA_BYTES, so nothing is allocated for it.
 */
function parseHeader(bytes: Uint8Array, name: string, complete: boolean): IdxHeader | undefined {
  if (bytes.length < 4) {
    if (!complete) return undefined;
    throw new DataError(`${name}: too short to be an IDX file (${bytes.length} bytes, the header alone needs at least 8)`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(
      `${name}: bad magic number ${hex32(bytes)} (expected 0x00000801 or 0x00000803 for unsigned-byte labels/images)`,
    );
  }
  const type = bytes[2];
  if (type !== 0x08) {
    const typeName = TYPE_NAMES[type] ?? 'unknown type';
    throw new DataError(
      `${name}: bad magic number ${hex32(bytes)} (expected 0x00000801 or 0x00000803 for unsigned-byte labels/images): ` +
        `data type 0x${type.toString(16).padStart(2, '0')} (${typeName}) is not supported, only 0x08 (unsigned byte)`,
    );
  }
  const ndims = bytes[3];
  if (ndims < 1 || ndims > MAX_DIMS) {
    throw new DataError(`${name}: ${ndims} dimensions in magic number ${hex32(bytes)}; expected 1 to ${MAX_DIMS}`);
  }
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) {
    if (!complete) return undefined;
    throw new DataError(
      `${name}: truncated header: ${ndims} dimensions need a ${headerLength}-byte header, file has ${bytes.length} bytes`,
    );
  }
  const dims: number[] = [];
  let total = 1;
  for (let i = 0; i < ndims; i++) {
    const o = 4 + 4 * i;
    const d = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
    if (d === 0) throw new DataError(`${name}: dimension ${i} is 0 (dims must be positive)`);
    dims.push(d);
    total *= d;
  }
  if (total > MAX_IDX_DATA_BYTES) {
    throw new DataError(
      `${name}: its header declares ${dims.join('x')} = ${bytesText(total)} of data; ` +
        `at most ${bytesText(MAX_IDX_DATA_BYTES)} per file are read`,
    );
  }
  return { dims, headerLength, dataLength: total };
}

/** The length check once the data's size is known: exactly what the header declares. */
function checkDataLength(header: IdxHeader, found: number, name: string): void {
  const { dataLength: total, dims } = header;
  if (found < total) {
    throw new DataError(`${name}: truncated: expected ${total} bytes of data, found ${found} (dims ${dims.join('x')})`);
  }
  if (found > total) {
    throw new DataError(`${name}: has ${found - total} trailing bytes after ${total} bytes of data (dims ${dims.join('x')})`);
  }
}

function trailingGzipError(header: IdxHeader, name: string): DataError {
  return new DataError(
    `${name}: has trailing bytes: the gzip data inflates past the ${header.dataLength} bytes of data its header declares (dims ${header.dims.join('x')})`,
  );
}

function corruptGzipError(name: string, e: unknown): DataError {
  return new DataError(`${name}: corrupt gzip data (${e instanceof Error ? e.message : String(e)})`);
}

/**
 * Inflates in-memory gzip bytes, never past the size the IDX header declares: the header comes
 * from inflating a short prefix, then the whole is inflated with that size as the output limit.
 */
function gunzipIdx(bytes: Uint8Array, name: string): { header: IdxHeader; inflated: Uint8Array } {
  let head: Uint8Array;
  let header: IdxHeader | undefined;
  for (let k = 64; ; k *= 4) {
    const prefix = bytes.subarray(0, Math.min(k, GZIP_HEADER_PREFIX));
    try {
      head = gunzipSync(prefix, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (e) {
      throw corruptGzipError(name, e);
    }
    const all = prefix.length === bytes.length;
    header = parseHeader(head, name, all);
    if (header) break;
    if (prefix.length >= GZIP_HEADER_PREFIX) {
      throw new DataError(`${name}: corrupt gzip data (its first ${GZIP_HEADER_PREFIX} bytes do not inflate to an IDX header)`);
    }
  }
  let inflated: Uint8Array;
  try {
    inflated = gunzipSync(bytes, { maxOutputLength: header.headerLength + header.dataLength });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw trailingGzipError(header, name);
    throw corruptGzipError(name, e);
  }
  return { header, inflated };
}

/**
 * Parses an IDX file held in memory (gzipped or raw). `name` prefixes every error message.
 * Gzip input is inflated no further than its header's declared size (at most MAX_IDX_DATA_BYTES).
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  let header: IdxHeader | undefined;
  if (isGzip(bytes)) ({ header, inflated: bytes } = gunzipIdx(bytes, name));
  else header = parseHeader(bytes, name, true);
  if (!header) throw new Error('unreachable: a complete IDX header parse returns a header or throws');
  checkDataLength(header, bytes.length - header.headerLength, name);
  return { dims: header.dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + header.headerLength, header.dataLength) };
}

/** Encodes unsigned-byte data as an (uncompressed) IDX file. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length < 1 || dims.length > MAX_DIMS) throw new DataError(`encodeIdx: ${dims.length} dimensions; expected 1 to ${MAX_DIMS}`);
  let total = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d <= 0 || d > 0xffffffff) throw new DataError(`encodeIdx: bad dimension ${d} in ${dims.join('x')}`);
    total *= d;
  }
  if (data.length !== total) {
    throw new DataError(`encodeIdx: dims ${dims.join('x')} need ${total} bytes of data, got ${data.length}`);
  }
  const headerLength = 4 + 4 * dims.length;
  const out = new Uint8Array(headerLength + total);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, headerLength);
  return out;
}

function readError(name: string, file: string, e: unknown): DataError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new DataError(`${name}: not found (${file})`);
  if (code === 'EISDIR') return new DataError(`${name}: is a folder, not a file (${file})`);
  return new DataError(`${name}: cannot read ${file} (${e instanceof Error ? e.message : String(e)})`);
}

/** Reads `length` bytes at `position`, fewer only where the file ends. */
async function readAt(handle: FileHandle, into: Uint8Array, position: number): Promise<number> {
  let filled = 0;
  while (filled < into.length) {
    const { bytesRead } = await handle.read(into, filled, into.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/** A raw file: the header's declared size is checked against the file's size before reading. */
async function readRawIdx(handle: FileHandle, size: number, name: string): Promise<IdxArray> {
  const prefix = new Uint8Array(Math.min(size, MAX_HEADER_BYTES));
  const got = await readAt(handle, prefix, 0);
  const header = parseHeader(prefix.subarray(0, got), name, true);
  if (!header) throw new Error('unreachable: a complete IDX header parse returns a header or throws');
  checkDataLength(header, size - header.headerLength, name);
  const data = new Uint8Array(header.dataLength);
  checkDataLength(header, await readAt(handle, data, header.headerLength), name);
  return { dims: header.dims, data };
}

/**
 * A gzip file, inflated as a stream: the header comes from the first bytes out, the data goes
 * into one buffer of the declared size, and the first byte past it stops the inflating.
 */
async function inflateIdx(handle: FileHandle, name: string, file: string): Promise<IdxArray> {
  const source = handle.createReadStream({ start: 0, autoClose: false });
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  let sourceError: unknown;
  source.on('error', (e) => {
    sourceError = e;
    gunzip.destroy(e);
  });
  source.pipe(gunzip);
  let head: Uint8Array = new Uint8Array(0);
  let header: IdxHeader | undefined;
  let data: Uint8Array | undefined;
  let filled = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let rest: Uint8Array = chunk;
      if (!header || !data) {
        const joined = new Uint8Array(head.length + chunk.length);
        joined.set(head);
        joined.set(chunk, head.length);
        header = parseHeader(joined, name, false);
        if (!header) {
          head = joined;
          continue;
        }
        data = new Uint8Array(header.dataLength);
        rest = joined.subarray(header.headerLength);
      }
      if (filled + rest.length > data.length) throw trailingGzipError(header, name);
      data.set(rest, filled);
      filled += rest.length;
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    if (sourceError !== undefined) throw readError(name, file, sourceError);
    throw corruptGzipError(name, e);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  if (!header || !data) {
    parseHeader(head, name, true);
    throw new Error('unreachable: an incomplete IDX header is an error once the data has ended');
  }
  checkDataLength(header, filled, name);
  return { dims: header.dims, data };
}

/**
 * Reads and parses an IDX file (raw or gzipped). Errors are DataErrors naming the file. Memory
 * stays within the header's declared size, itself at most MAX_IDX_DATA_BYTES, whatever the file holds.
 */
export async function readIdxFile(file: string): Promise<IdxArray> {
  const name = path.basename(file);
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (e) {
    throw readError(name, file, e);
  }
  try {
    let size: number;
    const magic = new Uint8Array(2);
    try {
      const stat = await handle.stat();
      if (stat.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
      size = stat.size;
      await readAt(handle, magic, 0);
    } catch (e) {
      throw readError(name, file, e);
    }
    return isGzip(magic) ? await inflateIdx(handle, name, file) : await readRawIdx(handle, size, name);
  } finally {
    await handle.close();
  }
}
