/**
 * Splits each batch between this thread and helper threads; the optimizer stays here. The
 * average of the shares' gradients (weighted by size) is the full batch's gradient.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from './worker-thread';
import type { RamConfig } from '../core/config';
import type { PlainTensors } from '../core/params';
import type { GradientPart, Ram, StepStats } from '../core/ram';
import { Rng } from '../core/rng';
import type { BackendName } from './backend';
import type { WorkerReply, WorkerRequest } from './grad-worker-protocol';

/** Native TensorFlow already uses every core; wasm and cpu run on one thread each. */
export function defaultWorkers(backend: BackendName, sharing = 1): number {
  // Threads share a batch on CPU backends; a GPU goes faster with one process and a larger batch.
  if (backend === 'tensorflow' || backend === 'tensorflow-gpu' || backend === 'webgpu') return 1;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  // Trainings side by side (a queue's concurrency) each count their share of the cores: on 2
  // cores two single-threaded runs train 1.5x the images/s of two-thread runs fighting for them.
  return Math.max(1, Math.min(2, Math.floor(cores / Math.max(1, sharing))));
}


class GradientThread {
  private pending: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: WorkerReply) => {
      const p = this.pending;
      this.pending = undefined;
      if (!p) return;
      if (reply.type === 'error') p.reject(new Error(`gradient thread: ${reply.message}`));
      else p.resolve(reply);
    });
    const fail = (err: Error) => {
      this.failure = err;
      this.pending?.reject(err);
      this.pending = undefined;
    };
    worker.on('error', (err) => fail(new Error(`gradient thread crashed: ${err.message}`)));
    worker.on('exit', (code) => fail(new Error(`gradient thread exited with code ${code}`)));
  }

  request(message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message, transfer);
    });
  }

  terminate(): Promise<number> {
    this.worker.removeAllListeners('exit');
    return this.worker.terminate();
  }
}

export class DataParallelTrainer {
  private constructor(
    private readonly ram: Ram,
    private readonly threads: GradientThread[],
  ) {}

  /** Starts `workers - 1` helper threads holding replicas of `ram`'s current weights. */
  static async start(ram: Ram, config: RamConfig, backend: BackendName, workers: number, weights: PlainTensors): Promise<DataParallelTrainer> {
    const threads: GradientThread[] = [];
    for (let i = 1; i < workers; i++) {
      const thread = new GradientThread(startWorkerThread('grad-worker', typeof __filename === 'string' ? __filename : undefined, 'src-main/trainer/data-parallel.ts'));
      threads.push(thread);
      await thread.request({ type: 'init', config: { ...config }, weights, backend });
    }
    return new DataParallelTrainer(ram, threads);
  }

  get workers(): number {
    return this.threads.length + 1;
  }

  /** One optimizer step on the batch, shared out between the threads. */
  async trainBatch(images: Float32Array, labels: Int32Array, seed: number): Promise<StepStats> {
    // Location noise from the seed alone, so a resumed run draws exactly what it would have.
    this.ram.rng = new Rng(seed);
    // One thread: the async step (on WebGPU the device path, elsewhere the same step as trainBatch).
    if (this.threads.length === 0) return this.ram.trainBatchAsync(images, labels);
    const count = labels.length;
    const shares = this.threads.length + 1;
    const size = Math.ceil(count / shares);
    const pixels = images.length / count;
    const weights = this.ram.weightArrays();
    const remote: Promise<WorkerReply>[] = this.threads.map((thread, i) => {
      const from = (i + 1) * size;
      const to = Math.min(count, from + size);
      // Copies, so the caller's batch buffer can be refilled while the thread works.
      const img = images.slice(from * pixels, to * pixels);
      const lab = labels.slice(from, to);
      return thread.request({ type: 'step', weights, images: img, labels: lab, seed: (seed + 7919 * (i + 1)) >>> 0 }, [img.buffer, lab.buffer]);
    });
    const local = this.ram.computeGradients(images.subarray(0, size * pixels), labels.subarray(0, size));
    const parts: GradientPart[] = [local];
    for (const reply of await Promise.all(remote)) {
      if (reply.type !== 'gradients') throw new Error('gradient thread sent an unexpected reply');
      parts.push(reply.part);
    }
    return this.ram.applyGradients(parts);
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}
