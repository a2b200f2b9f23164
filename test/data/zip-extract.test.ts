import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src-main/data/idx';
import { extractZip, singleTopFolder } from '../../src-main/data/zip-extract';
import { buildZip, type ZipEntrySpec } from '../helpers/zip';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'saccade-zip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

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
