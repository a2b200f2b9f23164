/** The one error type storage throws, with messages that name the file and say what went wrong. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly path: string;
  readonly code?: string;

  constructor(message: string, path: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.path = path;
    this.code = options?.code;
  }
}

const reasons: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a parent of the path is a file, not a folder',
  EISDIR: 'the path is a folder',
  EMFILE: 'too many open files',
};

/** Wraps a Node fs error into a StorageError saying what we tried, where, and why it failed. */
export function toStorageError(err: unknown, action: string, path: string): StorageError {
  if (err instanceof StorageError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code && reasons[code]) ?? (err instanceof Error ? err.message : String(err));
  return new StorageError(`cannot ${action} ${path}: ${reason}${code ? ` (${code})` : ''}`, path, { cause: err, code });
}

/** A queue change that cannot be made as asked (unknown entry, bad position, a full queue): the message says why. */
export class QueueError extends Error {
  override name = 'QueueError';
}
