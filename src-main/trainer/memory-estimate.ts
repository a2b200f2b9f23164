/** Refuses a run whose estimated memory cannot fit this machine (or the wasm heap) before it starts. */
import fs from 'node:fs';
import os from 'node:os';
import { imageSizeOf, type RamConfig } from '../core/config';
import { estimateTrainingMemory, formatBytes } from '../core/memory';

/** Leave the rest to the OS, the UI and the other processes. */
const USABLE_FRACTION = 0.75;
/** A wasm32 heap cannot grow past 4 GiB, whatever the machine has. */
const WASM_HEAP_BYTES = 4 * 2 ** 30;

export class MemoryError extends Error {
  override name = 'MemoryError';
}

/** The memory this process may use: the machine's, or its cgroup's limit (containers) if lower. */
export function memoryLimitBytes(): number {
  let limit = os.totalmem();
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const value = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isFinite(value) && value > 0) limit = Math.min(limit, value);
    } catch {
      // Not in a cgroup with a limit (or not Linux).
    }
  }
  return limit;
}

/** `dataBytes`: the decoded images of a user's dataset, held for the whole run (the bundled MNIST is in the base). */
export function checkMemory(config: RamConfig, workers: number, backend: string, limit = memoryLimitBytes(), dataBytes = 0): void {
  const estimate = estimateTrainingMemory(config, imageSizeOf(config), workers);
  const shape =
    `batchSize ${config.batchSize}, coreHidden ${config.coreHidden}, glimpses ${config.glimpses}, ${config.scales} scales of ${config.glimpseSize}px` +
    (dataBytes ? `, ${formatBytes(dataBytes)} of images` : '');
  const usable = limit * USABLE_FRACTION;
  if (estimate.totalBytes + dataBytes > usable) {
    throw new MemoryError(
      `this run would need about ${formatBytes(estimate.totalBytes + dataBytes)} of memory (${shape}) but this machine has ${formatBytes(limit)} (${Math.round(USABLE_FRACTION * 100)}% usable): use a smaller batchSize or network`,
    );
  }
  if (backend === 'wasm' && estimate.perWorkerBytes > WASM_HEAP_BYTES * 0.9) {
    throw new MemoryError(
      `this run would need about ${formatBytes(estimate.perWorkerBytes)} per wasm thread (${shape}); a wasm heap holds at most 4 GiB: use a smaller batchSize or network, or more --workers`,
    );
  }
}
