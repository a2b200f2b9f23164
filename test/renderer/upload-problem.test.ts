/** The studio's check of files to upload, before a byte is sent: the server's bounds. */
import { describe, expect, it } from 'vitest';
import { UPLOAD_LIMITS } from '../../src-main/shared/api';
import { formatBytes, uploadProblem } from '../../src-renderer/src/lib/upload';

const file = (name: string, size = 1000) => ({ name, size });
const four = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((n) => file(n));

describe('uploadProblem', () => {
  it('lets the four MNIST files, a class-folder tree and one .zip through', () => {
    expect(uploadProblem(four)).toBeUndefined();
    expect(uploadProblem([file('train-images.idx3-ubyte'), file('t10k-labels-idx1-ubyte')])).toBeUndefined();
    expect(uploadProblem([file('cat/001.png'), file('dog/001.jpg'), file('README')])).toBeUndefined();
    expect(uploadProblem([file('pets.zip', 5e6)])).toBeUndefined();
  });

  it('refuses an empty choice and a .zip with other files', () => {
    expect(uploadProblem([])).toMatch(/^nothing to upload/);
    expect(uploadProblem([file('pets.zip'), file('cat/1.png')])).toBe('pets.zip: a .zip is uploaded on its own, not with other files');
  });

  it('refuses a path the server would not take, naming it', () => {
    expect(uploadProblem([file('cat/../x.png')])).toMatch(/^"cat\/..\/x.png": .*'\.\.'/);
    expect(uploadProblem([file(`cat/${'x'.repeat(300)}.png`)])).toMatch(/at most 255 bytes/);
    expect(uploadProblem([file('cat/inner.zip')])).toMatch(/a \.zip is uploaded on its own, not inside a folder tree$/);
  });

  it('refuses too many files, a file too large and an upload too large, as the server would', () => {
    const limits = { files: 3, fileBytes: 10 * 2 ** 20, totalBytes: 2 ** 30 };
    expect(uploadProblem([file('a/1'), file('a/2'), file('a/3'), file('a/4')], limits)).toBe('at most 3 files an upload (got 4)');
    expect(uploadProblem([file('a/1', limits.fileBytes + 1)], limits)).toBe('a/1: 10 MiB, over the 10 MiB a file an upload takes');
    const near = limits.fileBytes;
    const many = Array.from({ length: 3 }, (_, i) => file(`a/${i}`, near));
    expect(uploadProblem(many, { ...limits, totalBytes: 2 * near })).toBe('30 MiB in all, over the 20 MiB an upload takes');
  });

  it('checks the shipped bounds by default', () => {
    const over = Array.from({ length: UPLOAD_LIMITS.files + 1 }, (_, i) => file(`c/${i}.png`, 1));
    expect(uploadProblem(over)).toBe(`at most ${UPLOAD_LIMITS.files.toLocaleString('en-US')} files an upload (got ${(UPLOAD_LIMITS.files + 1).toLocaleString('en-US')})`);
    expect(uploadProblem([file('big.zip', UPLOAD_LIMITS.totalBytes + 1)])).toMatch(/over the .* (a file an upload takes|an upload takes)$/);
  });
});

describe('formatBytes', () => {
  it('says bytes, KiB, MiB or GiB', () => {
    expect(formatBytes(500)).toBe('500 bytes');
    expect(formatBytes(2048)).toBe('2 KiB');
    expect(formatBytes(37 * 2 ** 20)).toBe('37 MiB');
    expect(formatBytes(2 * 2 ** 30)).toBe('2 GiB');
    expect(formatBytes(1.5 * 2 ** 30)).toBe('1.5 GiB');
  });
});
