/**
 * A conservative estimate of what one training run holds in memory, from its config alone, so a
 * run that cannot fit is refused before it starts instead of being killed by the OS mid-run.
 */
import type { RamConfig } from './config';
import { paramShapes } from './params';

const FLOAT = 4;
/** tfjs, its backend and the bundled MNIST (decoded) in one trainer process. */
const PROCESS_BASE_BYTES = 400 * 2 ** 20;
/** Backprop keeps a step's forward values and makes gradients and temporaries of the same size. */
const ACTIVATION_FACTOR = 3;
/** Evaluation renders and runs this many images at a time. */
const EVAL_BATCH = 1000;

export interface MemoryEstimate {
  totalBytes: number;
  /** The part one gradient worker (thread) holds: its share of the batch and its weights. */
  perWorkerBytes: number;
}

export function estimateTrainingMemory(config: RamConfig, imageSize: number, workers = 1): MemoryEstimate {
  const params = Object.values(paramShapes(config)).reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
  const retina = paramShapes(config).glimpsePatchW[0]!;
  const { glimpseHidden: hg, locationHidden: hl, glimpseFeatures: gf, coreHidden: h, classes, glimpses } = config;
  // Per image and glimpse: the patch, the glimpse layers, the core state and the heads.
  const perImageStep = retina + 2 * (hg + hl + gf) + 3 * h + classes + 4;
  const activations = (batch: number) => batch * glimpses * perImageStep * FLOAT * ACTIVATION_FACTOR;
  const share = Math.ceil(config.batchSize / Math.max(1, workers));
  // Weights, gradients and Adam's two moments in the main thread; weights and gradients per worker.
  const perWorkerBytes = 2 * params * FLOAT + activations(share) + share * imageSize * imageSize * config.channels * FLOAT;
  const mainBytes = 4 * params * FLOAT + config.batchSize * imageSize * imageSize * config.channels * FLOAT + activations(Math.min(EVAL_BATCH, Math.max(config.batchSize, 1)));
  return { totalBytes: PROCESS_BASE_BYTES + mainBytes + (workers > 1 ? workers * perWorkerBytes : perWorkerBytes), perWorkerBytes };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}
