/**
 * A dataset upload in bounded pieces: one call per chunk of at most UPLOAD_LIMITS.chunkBytes, so
 * no message is large whatever the file sizes; the server keeps the pieces until importDataset
 * names the upload.
 */
import { UPLOAD_LIMITS, type SaccadeApi } from '../../../src-main/shared/api';

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
