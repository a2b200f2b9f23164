/**
 * A dataset upload in bounded pieces: one call per chunk of at most UPLOAD_LIMITS.chunkBytes, so
 * no message is large whatever the file sizes; the server keeps the pieces until importDataset
 * names the upload.
 */
import { UPLOAD_LIMITS, type SaccadeApi } from '../../../src-main/shared/api';
import { UPLOAD_FILE_NAMES } from '../../../src-main/shared/mnist-files';

/** A file to send: a browser File, or anything that reads byte ranges. */
export interface UploadSource {
  name: string;
  size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

/** A browser File as an UploadSource. */
export function fileSource(file: File): UploadSource {
  return { name: file.name, size: file.size, read: async (start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()) };
}

/**
 * What the server would refuse, said before a byte is sent: a file that is not one of the MNIST
 * names, too many files, or a file or upload over the bounds. Undefined when the files may go.
 */
export function uploadProblem(files: readonly Pick<UploadSource, 'name' | 'size'>[]): string | undefined {
  const stray = files.find((f) => !UPLOAD_FILE_NAMES.has(f.name));
  if (stray) return `${stray.name}: not one of the MNIST file names (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, optionally .gz)`;
  if (files.length > UPLOAD_LIMITS.files) return `at most ${UPLOAD_LIMITS.files} files an upload (got ${files.length})`;
  const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;
  const big = files.find((f) => f.size > UPLOAD_LIMITS.fileBytes);
  if (big) return `${big.name}: ${mib(big.size)}, over the ${mib(UPLOAD_LIMITS.fileBytes)} a file an upload takes`;
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > UPLOAD_LIMITS.totalBytes) return `${mib(total)} in all, over the ${mib(UPLOAD_LIMITS.totalBytes)} an upload takes`;
  return undefined;
}

/** Sends every file in order, chunk by chunk; resolves with the upload's id for importDataset. */
export async function uploadFiles(
  api: Pick<SaccadeApi, 'uploadDatasetChunk'>,
  files: readonly UploadSource[],
  onProgress?: (sentBytes: number, totalBytes: number) => void,
  chunkBytes: number = UPLOAD_LIMITS.chunkBytes,
): Promise<string> {
  const total = files.reduce((n, f) => n + f.size, 0);
  let upload: string | undefined;
  let sent = 0;
  for (const file of files) {
    // An empty file still sends one (empty) chunk, so the server knows of it.
    for (let offset = 0; offset === 0 || offset < file.size; offset += chunkBytes) {
      const bytes = await file.read(offset, Math.min(file.size, offset + chunkBytes));
      const progress = await api.uploadDatasetChunk({ upload, file: file.name, offset, bytes });
      upload = progress.upload;
      sent += bytes.length;
      onProgress?.(sent, total);
      if (file.size === 0) break;
    }
  }
  if (!upload) throw new Error('choose the IDX files to upload');
  return upload;
}
