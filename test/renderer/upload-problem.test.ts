/** The studio's check of files to upload, before a byte is sent: the server's names and bounds. */
import { describe, expect, it } from 'vitest';
import { UPLOAD_LIMITS } from '../../src-main/shared/api';
import { uploadProblem } from '../../src-renderer/src/lib/upload';

const file = (name: string, size = 1000) => ({ name, size });
const four = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((n) => file(n));

describe('uploadProblem', () => {
  it('lets the four MNIST files through, raw, gzipped or dotted', () => {
    expect(uploadProblem(four)).toBeUndefined();
    expect(uploadProblem([file('train-images.idx3-ubyte'), file('t10k-labels-idx1-ubyte')])).toBeUndefined();
  });

  it('names a stray file before anything is sent', () => {
    expect(uploadProblem([file('README'), ...four])).toMatch(/^README: not one of the MNIST file names/);
  });

  it('refuses too many files, a file too large and an upload too large, as the server would', () => {
    expect(uploadProblem([...four, file('train-images-idx3-ubyte')])).toBe(`at most ${UPLOAD_LIMITS.files} files an upload (got 5)`);
    expect(uploadProblem([file('train-images-idx3-ubyte', UPLOAD_LIMITS.fileBytes + 1)])).toMatch(/^train-images-idx3-ubyte: 128 MiB, over the 128 MiB a file/);
    const near = UPLOAD_LIMITS.fileBytes - 1;
    expect(uploadProblem([file('train-images-idx3-ubyte', near), file('t10k-images-idx3-ubyte', near), file('train-labels-idx1-ubyte', near)])).toMatch(/^384 MiB in all, over the 256 MiB/);
  });
});
