/**
 * Gzip bombs for tests: small .gz files that inflate to gigabytes. Written as a valid multi-member
 * gzip (RFC 1952 section 2.2; `gunzip` and node:zlib read every member) whose members after the
 * first are one compressed 16 MiB block of zeros repeated, so making a 3 GiB bomb costs one small
 * compression and the test never holds more than a few MB.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BLOCK = 16 * 1024 * 1024;

/** Writes `file`: `header` then zeros, `inflatedBytes` in all once inflated. Returns the file's size. */
export function writeGzipBomb(file: string, header: Uint8Array, inflatedBytes: number): number {
  const zeros = gzipSync(Buffer.alloc(BLOCK), { level: 9 });
  const fd = openSync(file, 'w');
  let written = 0;
  const write = (bytes: Uint8Array): void => {
    written += writeSync(fd, bytes);
  };
  try {
    write(gzipSync(header));
    let left = inflatedBytes - header.length;
    for (; left >= BLOCK; left -= BLOCK) write(zeros);
    if (left > 0) write(gzipSync(Buffer.alloc(left), { level: 9 }));
  } finally {
    closeSync(fd);
  }
  return written;
}

/** The header of an unsigned-byte IDX file with these dimensions (no data). */
export function idxHeader(dims: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return out;
}
