/** The four files of an MNIST-layout IDX folder, and the names an upload may carry (pure: the renderer checks them too). */
export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  t10k: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** Each file as distributed: raw or .gz, and the `train-images.idx3-ubyte` spelling. */
export const UPLOAD_FILE_NAMES: ReadonlySet<string> = new Set(
  Object.values(MNIST_FILES)
    .flatMap((f) => [f.images, f.labels])
    .flatMap((n) => [n, n.replace('-idx', '.idx')])
    .flatMap((n) => [n, `${n}.gz`]),
);

/** The most characters and '/'-separated segments an uploaded file's path may have. */
export const UPLOAD_PATH_LIMITS = { chars: 512, segments: 16, segmentBytes: 255 } as const;

/** Whether an uploaded file is a .zip archive (to be unpacked before it is imported). */
export function isZipName(name: string): boolean {
  return name.toLowerCase().endsWith('.zip');
}

/**
 * Why an uploaded file's name cannot be used, or undefined when it can: one of the MNIST names, or
 * a relative path in a folder tree ('cat/001.png', as a browser's folder picker gives it) of
 * 1-512 characters and at most 16 segments separated by '/' (each at most 255 bytes), none of them
 * empty, '.' or '..', with no backslash, control character, leading '/' or drive letter. Pure: the
 * renderer checks it too.
 */
export function uploadPathProblem(name: string): string | undefined {
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name);
  if (name.length === 0) return 'a file in an upload needs a name';
  if (name.length > UPLOAD_PATH_LIMITS.chars) return `${shown}: a file's path in an upload has at most ${UPLOAD_PATH_LIMITS.chars} characters, not ${name.length}`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return `${shown}: a file's path in an upload may not hold control characters`;
  if (name.includes('\\')) return `${shown}: a file's path in an upload separates folders with '/', never '\\'`;
  if (name.startsWith('/')) return `${shown}: a file's path in an upload is relative (no leading '/')`;
  if (/^[a-zA-Z]:/.test(name)) return `${shown}: a file's path in an upload is relative (no drive letter)`;
  const segments = name.split('/');
  if (segments.length > UPLOAD_PATH_LIMITS.segments) return `${shown}: a file's path in an upload has at most ${UPLOAD_PATH_LIMITS.segments} segments, not ${segments.length}`;
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return `${shown}: a file's path in an upload may not have empty, '.' or '..' segments`;
  const long = segments.find((s) => new TextEncoder().encode(s).length > UPLOAD_PATH_LIMITS.segmentBytes);
  if (long !== undefined) return `${shown}: a file or folder name in an upload has at most ${UPLOAD_PATH_LIMITS.segmentBytes} bytes (as disks allow)`;
  if (isZipName(name) && segments.length > 1) return `${shown}: a .zip is uploaded on its own, not inside a folder tree`;
  return undefined;
}
