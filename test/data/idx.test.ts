import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, encodeIdx, MAX_IDX_DATA_BYTES, parseIdx, readIdxFile } from '../../src-main/data/idx';
import { idxHeader, writeGzipBomb } from '../helpers/gzip-bomb';

const dir = mkdtempSync(path.join(os.tmpdir(), 'saccade-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectDataError(f: () => unknown, ...parts: Array<string | RegExp>): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DataError);
  const msg = (err as Error).message;
  for (const p of parts) {
    if (typeof p === 'string') expect(msg).toContain(p);
    else expect(msg).toMatch(p);
  }
}

const NAME = 'train-images-idx3-ubyte';
const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 11) % 256);

describe('idx', () => {
  it('encodes a hand-checkable header', () => {
    const bytes = encodeIdx([2], Uint8Array.of(7, 9));
    expect(Array.from(bytes)).toEqual([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]);
    const big = encodeIdx([60000], new Uint8Array(60000));
    expect(Array.from(big.subarray(0, 8))).toEqual([0, 0, 8, 1, 0, 0, 0xea, 0x60]);
  });

  it('round-trips encode/parse', () => {
    const parsed = parseIdx(encodeIdx([2, 3, 4], data), NAME);
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
  });

  it('parses gzipped input', () => {
    const parsed = parseIdx(gzipSync(encodeIdx([2, 3, 4], data)), NAME);
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
  });

  it('rejects a bad magic number', () => {
    const b = encodeIdx([2, 3, 4], data);
    b[0] = 0x12;
    expectDataError(() => parseIdx(b, NAME), /^train-images-idx3-ubyte: bad magic number 0x12000803 \(expected 0x00000801 or 0x00000803/);
  });

  it('rejects a non-unsigned-byte type, naming it', () => {
    const b = encodeIdx([2, 3, 4], data);
    b[2] = 0x09;
    expectDataError(
      () => parseIdx(b, NAME),
      /^train-images-idx3-ubyte: bad magic number 0x00000903 \(expected 0x00000801 or 0x00000803 for unsigned-byte labels\/images\)/,
      'data type 0x09 (signed byte) is not supported',
    );
    b[2] = 0x0d;
    expectDataError(() => parseIdx(b, NAME), 'float32');
  });

  it('rejects a bad number of dimensions', () => {
    const b = encodeIdx([2, 3, 4], data);
    b[3] = 0;
    expectDataError(() => parseIdx(b, NAME), NAME, '0 dimensions');
    b[3] = 5;
    expectDataError(() => parseIdx(b, NAME), NAME, '5 dimensions');
  });

  it('rejects a file shorter than 4 bytes', () => {
    expectDataError(() => parseIdx(Uint8Array.of(0, 0), NAME), NAME, 'too short');
    expectDataError(() => parseIdx(new Uint8Array(0), NAME), NAME, 'too short');
  });

  it('rejects a truncated header', () => {
    const b = encodeIdx([2, 3, 4], data).subarray(0, 10);
    expectDataError(() => parseIdx(b, NAME), /^train-images-idx3-ubyte: truncated header/, '16-byte header', '10 bytes');
  });

  it('rejects truncated data', () => {
    const b = encodeIdx([2, 3, 4], data);
    expectDataError(() => parseIdx(b.subarray(0, b.length - 5), NAME), `${NAME}: truncated: expected 24 bytes of data, found 19`);
  });

  it('rejects trailing bytes', () => {
    const b = encodeIdx([2, 3, 4], data);
    const longer = new Uint8Array(b.length + 3);
    longer.set(b);
    expectDataError(() => parseIdx(longer, NAME), `${NAME}: has 3 trailing bytes`);
  });

  it('rejects a zero dimension', () => {
    const b = encodeIdx([2, 3, 4], data);
    b.set([0, 0, 0, 0], 8);
    expectDataError(() => parseIdx(b, NAME), `${NAME}: dimension 1 is 0`);
  });

  it('rejects corrupt gzip', () => {
    const gz = gzipSync(encodeIdx([2, 3, 4], data));
    const cut = gz.subarray(0, gz.length - 10);
    expectDataError(() => parseIdx(cut, 'x.gz'), /^x\.gz: corrupt gzip/);
    const garbled = Uint8Array.from(gz);
    for (let i = 10; i < garbled.length - 8; i++) garbled[i] ^= 0x5a;
    expectDataError(() => parseIdx(garbled, 'x.gz'), /^x\.gz: corrupt gzip/);
  });

  it('encodeIdx checks its input', () => {
    expectDataError(() => encodeIdx([2, 2], new Uint8Array(3)), 'need 4 bytes');
    expectDataError(() => encodeIdx([], new Uint8Array(0)), '0 dimensions');
    expectDataError(() => encodeIdx([0], new Uint8Array(0)), 'bad dimension 0');
  });

  it('reads files from disk, raw and gzipped', async () => {
    const raw = path.join(dir, 'a-idx3-ubyte');
    const gz = path.join(dir, 'a-idx3-ubyte.gz');
    writeFileSync(raw, encodeIdx([2, 3, 4], data));
    writeFileSync(gz, gzipSync(encodeIdx([2, 3, 4], data)));
    for (const f of [raw, gz]) {
      const r = await readIdxFile(f);
      expect(r.dims).toEqual([2, 3, 4]);
      expect(Array.from(r.data)).toEqual(Array.from(data));
    }
  });

  it('errors on disk name the file', async () => {
    const bad = path.join(dir, 'bad-labels-idx1-ubyte');
    writeFileSync(bad, Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 5, 1, 2));
    await expect(readIdxFile(bad)).rejects.toThrow(/^bad-labels-idx1-ubyte: truncated: expected 5 bytes of data, found 2/);
  });

  it('reports a missing file as not found', async () => {
    const missing = path.join(dir, 'nope-idx1-ubyte');
    await expect(readIdxFile(missing)).rejects.toBeInstanceOf(DataError);
    await expect(readIdxFile(missing)).rejects.toThrow(/^nope-idx1-ubyte: not found/);
  });

  it('reads gzip from disk with the same checks: truncated, trailing, corrupt, short header', async () => {
    const file = (name: string, bytes: Uint8Array): string => {
      const f = path.join(dir, name);
      writeFileSync(f, bytes);
      return f;
    };
    const b = encodeIdx([2, 3, 4], data);
    await expect(readIdxFile(file('t.gz', gzipSync(b.subarray(0, b.length - 5))))).rejects.toThrow(
      /^t\.gz: truncated: expected 24 bytes of data, found 19/,
    );
    const longer = new Uint8Array(b.length + 3);
    longer.set(b);
    await expect(readIdxFile(file('l.gz', gzipSync(longer)))).rejects.toThrow(/^l\.gz: has trailing bytes/);
    const gz = gzipSync(b);
    await expect(readIdxFile(file('c.gz', gz.subarray(0, gz.length - 10)))).rejects.toThrow(/^c\.gz: corrupt gzip/);
    await expect(readIdxFile(file('h.gz', gzipSync(b.subarray(0, 10))))).rejects.toThrow(/^h\.gz: truncated header/);
    await expect(readIdxFile(file('s.gz', gzipSync(Uint8Array.of(0, 0))))).rejects.toThrow(/^s\.gz: too short/);
    await expect(readIdxFile(dir)).rejects.toThrow(/is a folder/);
  });

  // Issue #8 case 8: what a header declares bounds what is read, whatever the file holds.
  const MB = 1024 * 1024;
  const peakGrowthSince = (rssBefore: number): number => process.resourceUsage().maxRSS * 1024 - rssBefore;

  it('refuses a raw file whose header declares more than MAX_IDX_DATA_BYTES, without reading it', async () => {
    const f = path.join(dir, 'huge-images-idx3-ubyte');
    const count = Math.ceil((3 * 1024 ** 3) / 784);
    writeFileSync(f, idxHeader([count, 28, 28]));
    truncateSync(f, 16 + count * 784); // sparse: 3 GiB of zeros that take no disk
    const before = process.memoryUsage().rss;
    await expect(readIdxFile(f)).rejects.toThrow(
      `huge-images-idx3-ubyte: its header declares ${count}x28x28 = ${(count * 784).toLocaleString('en-US')} bytes (3.0 GiB) of data; ` +
        `at most ${MAX_IDX_DATA_BYTES.toLocaleString('en-US')} bytes (2.0 GiB) per file are read`,
    );
    expect(peakGrowthSince(before)).toBeLessThan(100 * MB);
  });

  it('refuses a raw file larger than its header declares by its size, without reading it', async () => {
    const f = path.join(dir, 'long-labels-idx1-ubyte');
    writeFileSync(f, encodeIdx([3], Uint8Array.of(1, 2, 3)));
    truncateSync(f, 3 * 1024 ** 3);
    const before = process.memoryUsage().rss;
    await expect(readIdxFile(f)).rejects.toThrow(`long-labels-idx1-ubyte: has ${3 * 1024 ** 3 - 11} trailing bytes after 3 bytes of data (dims 3)`);
    expect(peakGrowthSince(before)).toBeLessThan(100 * MB);
  });

  it('parseIdx inflates in-memory gzip no further than the declared size', () => {
    const f = path.join(dir, 'bomb.gz');
    writeGzipBomb(f, idxHeader([2, 3, 4]), 1024 ** 3);
    const bomb = readFileSync(f);
    expect(bomb.length).toBeLessThan(2 * MB);
    const before = process.memoryUsage().rss;
    expectDataError(() => parseIdx(bomb, 'bomb.gz'), /^bomb\.gz: has trailing bytes: the gzip data inflates past the 24 bytes of data its header declares/);
    expect(peakGrowthSince(before)).toBeLessThan(100 * MB);
  });
});
