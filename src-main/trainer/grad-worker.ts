/**
 * A data-parallel helper thread: holds a replica of the model and computes gradients on its share
 * of each batch. The wasm backend has no threads under Node, so this is how a second core helps.
 */
import { parentPort } from 'node:worker_threads';
import { validateConfig } from '../core/config';
import { Ram } from '../core/ram';
import { Rng } from '../core/rng';
import { selectBackend } from './backend';
import type { WorkerReply, WorkerRequest } from './grad-worker-protocol';

let ram: Ram | undefined;

async function handle(message: WorkerRequest): Promise<WorkerReply> {
  if (message.type === 'init') {
    await selectBackend(message.backend);
    ram = new Ram(validateConfig(message.config), message.weights);
    return { type: 'ready' };
  }
  if (!ram) throw new Error('gradient worker used before init');
  ram.setWeightArrays(message.weights);
  ram.rng = new Rng(message.seed);
  const part = Ram.gradientsToArrays(ram.computeGradients(message.images, message.labels));
  return { type: 'gradients', part: { ...part, grads: part.grads as Float32Array[] } };
}

parentPort!.on('message', (message: WorkerRequest) => {
  handle(message).then(
    (reply) => {
      const transfer = reply.type === 'gradients' ? reply.part.grads.map((g) => g.buffer as ArrayBuffer) : [];
      parentPort!.postMessage(reply, transfer);
    },
    (err: unknown) => parentPort!.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
