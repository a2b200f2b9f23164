/**
 * IDX files (the MNIST container format, http://yann.lecun.com/exdb/mnist/).
 *
 * Layout: two zero bytes, a type byte, a dimension-count byte, one big-endian uint32 per
 * dimension, then the data in row-major order. Only unsigned-byte data (type 0x08) is used
 * for MNIST-like sets, so that is the only type accepted. Parsing is pure on bytes; gzip
 * input (0x1f 0x8b) is inflated first.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

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

/** Parses an IDX file held in memory (gzipped or raw). `name` prefixes every error message. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (isGzip(bytes)) {
    let inflated: Uint8Array;
    try {
      inflated = gunzipSync(bytes);
    } catch (e) {
      throw new DataError(`${name}: corrupt gzip data (${(e as Error).message})`);
    }
    bytes = inflated;
  }
  if (bytes.length < 4) {
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
  const found = bytes.length - headerLength;
  if (found < total) {
    throw new DataError(`${name}: truncated: expected ${total} bytes of data, found ${found} (dims ${dims.join('x')})`);
  }
  if (found > total) {
    throw new DataError(`${name}: has ${found - total} trailing bytes after ${total} bytes of data (dims ${dims.join('x')})`);
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLength, total) };
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

/** Reads and parses an IDX file (raw or gzipped). Errors are DataErrors naming the file. */
export async function readIdxFile(file: string): Promise<IdxArray> {
  const name = path.basename(file);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`${name}: not found (${file})`);
    if (code === 'EISDIR') throw new DataError(`${name}: is a folder, not a file (${file})`);
    throw new DataError(`${name}: cannot read ${file} (${(e as Error).message})`);
  }
  return parseIdx(bytes, name);
}
