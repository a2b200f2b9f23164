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
