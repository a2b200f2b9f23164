import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src-main/data/idx';
import { extractZip, singleTopFolder } from '../../src-main/data/zip-extract';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'saccade-zip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ---- a minimal zip writer (STORE or DEFLATE, no zip64), enough to build test archives ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(data: Uint8Array): number {
  const native = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  if (typeof native === 'function') return native(data) >>> 0;
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface ZipEntrySpec {
  name: string;
  data?: Buffer | string;
  deflate?: boolean;
  /** Unix mode for the external attributes (e.g. 0o120777 for a symlink). */
  mode?: number;
  /** Lie about the uncompressed size in both headers. */
  declaredSize?: number;
}

function buildZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '', 'utf8');
    const method = e.deflate ? 8 : 0;
    const body = e.deflate ? zlib.deflateRawSync(data) : data;
    const crc = crc32(data);
    const usize = e.declaredSize ?? data.length;
    const isDir = e.name.endsWith('/');
    const mode = e.mode ?? (isDir ? 0o040755 : 0o100644);

    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(0x0800, 6); // UTF-8 names
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(0, 10);
    lh.writeUInt16LE(0x21, 12); // 1980-01-01
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(usize, 22);
    lh.writeUInt16LE(name.length, 26);
    lh.writeUInt16LE(0, 28);
    locals.push(lh, name, body);

    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x0800, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt16LE(0, 12);
    ch.writeUInt16LE(0x21, 14);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(usize, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt16LE(0, 30);
    ch.writeUInt16LE(0, 32);
    ch.writeUInt16LE(0, 34);
    ch.writeUInt16LE(0, 36);
    ch.writeUInt32LE(((mode << 16) | (isDir ? 0x10 : 0)) >>> 0, 38);
    ch.writeUInt32LE(offset, 42);
    centrals.push(ch, name);

    offset += lh.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

let seq = 0;
function writeZip(entries: ZipEntrySpec[]): { zip: string; dest: string } {
  seq++;
  const zip = path.join(tmp, `archive${seq}.zip`);
  writeFileSync(zip, buildZip(entries));
  const dest = path.join(tmp, `out${seq}`);
  mkdirSync(dest);
  return { zip, dest };
}

const LIMITS = { maxBytes: 1_000_000, maxEntries: 100 };

async function expectRefused(p: Promise<unknown>, dest: string, ...parts: string[]): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DataError);
  const msg = (err as Error).message;
  for (const part of parts) expect(msg).toContain(part);
  expect(msg).not.toContain('\n');
  expect(readdirSync(dest)).toEqual([]);
}

describe('extractZip', () => {
  it('extracts a normal archive, stored and deflated, creating folders and skipping __MACOSX', async () => {
    const big = Buffer.alloc(5000, 7);
    const { zip, dest } = writeZip([
      { name: 'set/' },
      { name: 'set/cat/' },
      { name: 'set/cat/a.png', data: 'AAA' },
      { name: 'set/dog/b.png', data: big, deflate: true },
      { name: '__MACOSX/set/._a.png', data: 'junk' },
    ]);
    const n = await extractZip(zip, dest, LIMITS);
    expect(n).toBe(2);
    expect(readdirSync(dest)).toEqual(['set']);
    expect(readFileSync(path.join(dest, 'set/cat/a.png'), 'utf8')).toBe('AAA');
    expect(readFileSync(path.join(dest, 'set/dog/b.png')).equals(big)).toBe(true);
    expect(existsSync(path.join(dest, '__MACOSX'))).toBe(false);
    expect(singleTopFolder(dest)).toBe(path.join(dest, 'set'));
  });

  it("refuses a '../evil' entry and leaves nothing behind", async () => {
    const { zip, dest } = writeZip([
      { name: 'cat/a.png', data: 'ok' },
      { name: '../evil.png', data: 'bad' },
    ]);
    await expectRefused(extractZip(zip, dest, LIMITS), dest, "archive", "entry '../evil.png' would be written outside the folder; nothing was imported");
    expect(existsSync(path.join(tmp, 'evil.png'))).toBe(false);
  });

  it('refuses absolute, nested-.. and backslash entries', async () => {
    for (const name of ['/abs/evil.png', 'cat/../../evil.png', '..\\evil.png', 'C:/evil.png']) {
      const { zip, dest } = writeZip([
        { name: 'cat/a.png', data: 'ok' },
        { name, data: 'bad' },
      ]);
      await expectRefused(extractZip(zip, dest, LIMITS), dest, 'would be written outside the folder; nothing was imported');
    }
    expect(existsSync('/abs/evil.png')).toBe(false);
  });

  it('refuses symbolic links', async () => {
    const { zip, dest } = writeZip([
      { name: 'cat/a.png', data: 'ok' },
      { name: 'cat/link.png', data: '/etc/passwd', mode: 0o120777 },
    ]);
    await expectRefused(extractZip(zip, dest, LIMITS), dest, "entry 'cat/link.png' is a symbolic link; nothing was imported");
  });

  it('refuses more bytes than maxBytes', async () => {
    const { zip, dest } = writeZip([
      { name: 'cat/a.png', data: Buffer.alloc(600, 1), deflate: true },
      { name: 'cat/b.png', data: Buffer.alloc(600, 2), deflate: true },
    ]);
    await expectRefused(extractZip(zip, dest, { maxBytes: 1000, maxEntries: 100 }), dest, 'unpacks to more than 1,000 bytes, over the limit; nothing was imported');
  });

  it('counts the bytes actually inflated, not only the declared size', async () => {
    const { zip, dest } = writeZip([
      { name: 'cat/a.png', data: 'ok' },
      { name: 'cat/bomb.png', data: Buffer.alloc(100_000, 0), deflate: true, declaredSize: 10 },
    ]);
    await expectRefused(extractZip(zip, dest, { maxBytes: 1_000_000, maxEntries: 100 }), dest, "entry 'cat/bomb.png' could not be unpacked", 'nothing was imported');
  });

  it('refuses more entries than maxEntries', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => ({ name: `cat/${i}.png`, data: 'x' }));
    const { zip, dest } = writeZip(entries);
    await expectRefused(extractZip(zip, dest, { maxBytes: 1_000_000, maxEntries: 5 }), dest, `${path.basename(zip)}: holds 6 entries, more than the 5 allowed; nothing was imported`);
  });

  it('reports a file that is not a zip in one line', async () => {
    const zip = path.join(tmp, 'notzip.zip');
    writeFileSync(zip, 'hello, not a zip at all');
    const dest = path.join(tmp, 'out-notzip');
    mkdirSync(dest);
    await expectRefused(extractZip(zip, dest, LIMITS), dest, 'notzip.zip: not a readable zip archive');
  });

  it('needs an empty destination folder', async () => {
    const { zip, dest } = writeZip([{ name: 'a.png', data: 'x' }]);
    writeFileSync(path.join(dest, 'already'), 'x');
    await expect(extractZip(zip, dest, LIMITS)).rejects.toThrow(/not empty/);
  });
});

describe('singleTopFolder', () => {
  it('is the one folder when destDir holds exactly one folder (ignoring __MACOSX)', () => {
    const d = mkdtempSync(path.join(tmp, 'top-'));
    mkdirSync(path.join(d, 'mydata'));
    mkdirSync(path.join(d, '__MACOSX'));
    expect(singleTopFolder(d)).toBe(path.join(d, 'mydata'));
  });

  it('is destDir itself with two folders, a file beside the folder, or only a file', () => {
    const two = mkdtempSync(path.join(tmp, 'top-'));
    mkdirSync(path.join(two, 'cat'));
    mkdirSync(path.join(two, 'dog'));
    expect(singleTopFolder(two)).toBe(two);

    const withFile = mkdtempSync(path.join(tmp, 'top-'));
    mkdirSync(path.join(withFile, 'mydata'));
    writeFileSync(path.join(withFile, 'README.txt'), 'x');
    expect(singleTopFolder(withFile)).toBe(withFile);

    const onlyFile = mkdtempSync(path.join(tmp, 'top-'));
    writeFileSync(path.join(onlyFile, 'a.png'), 'x');
    expect(singleTopFolder(onlyFile)).toBe(onlyFile);
  });
});
