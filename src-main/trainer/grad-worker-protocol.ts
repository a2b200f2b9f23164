/** Messages between the trainer and its data-parallel gradient threads. */
import type { PlainTensors } from '../core/params';
import type { GradientPart } from '../core/ram';
import type { BackendName } from './backend';

export type WorkerRequest =
  | { type: 'init'; config: Record<string, unknown>; weights: PlainTensors; backend: BackendName }
  | { type: 'step'; weights: Float32Array[]; images: Float32Array; labels: Int32Array; seed: number };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'gradients'; part: GradientPart & { grads: Float32Array[] } }
  | { type: 'error'; message: string };
