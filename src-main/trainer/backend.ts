/**
 * Picks the fastest tfjs backend that loads here: native TensorFlow on the GPU (Linux, CUDA), WebGPU
 * (any GPU, through Dawn; never a software adapter unless forced), native on the CPU, wasm (SIMD),
 * then plain JS. Says which one and why the better ones were skipped; a forced
 * backend that cannot load is an error, never a silent fallback.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';

import { BACKEND_NAMES, isBackendName, type BackendRequest } from '../shared/backends';
import { activateWebGpu, describeAdapter, type AdapterInfo } from './webgpu';

export const BACKENDS = BACKEND_NAMES;
export type BackendName = BackendRequest;
export { isBackendName };

export interface BackendChoice {
  name: BackendName;
  /** Why this one: forced, or the first that loaded. */
  reason: string;
  /** Better backends that could not load, with their actual errors. */
  skipped: { name: BackendName; error: string }[];
  /** webgpu: the adapter it runs on. */
  adapter?: AdapterInfo;
}

export class BackendError extends Error {
  override name = 'BackendError';
}

const requireHere = createRequire(typeof __filename === 'string' ? __filename : process.cwd() + '/noop.js');

/** Loads a backend; webgpu's adapter is returned (a software one only when forced). */
async function tryLoad(name: BackendName, forced = false): Promise<AdapterInfo | undefined> {
  switch (name) {
    case 'webgpu':
      return activateWebGpu(forced);
    case 'tensorflow-gpu':
      // Registers the 'tensorflow' backend on CUDA; throws when libtensorflow or CUDA is missing.
      requireHere('@tensorflow/tfjs-node-gpu');
      await activate('tensorflow');
      return;
    case 'tensorflow':
      requireHere('@tensorflow/tfjs-node');
      await activate('tensorflow');
      return;
    case 'wasm':
      requireHere('@tensorflow/tfjs-backend-wasm');
      await activate('wasm');
      return;
    case 'cpu':
      await activate('cpu');
      return;
  }
}

async function activate(tfName: string): Promise<void> {
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tf.setBackend('${tfName}') failed`);
  await tf.ready();
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n').find((l) => l.trim().length > 0)?.trim() ?? text;
}

/** Loads `forced`, or the best backend that works. */
export async function selectBackend(forced?: string): Promise<BackendChoice> {
  if (forced !== undefined) {
    if (!isBackendName(forced)) {
      throw new BackendError(`unknown backend '${forced}' (choose one of: ${BACKENDS.join(', ')})`);
    }
    let adapter: AdapterInfo | undefined;
    try {
      adapter = await tryLoad(forced, true);
    } catch (err) {
      throw new BackendError(`backend '${forced}' cannot load here: ${firstLine(err)}`);
    }
    return { name: forced, reason: 'forced with --backend', skipped: [], ...(adapter ? { adapter } : {}) };
  }
  const skipped: BackendChoice['skipped'] = [];
  for (const name of BACKENDS) {
    try {
      const adapter = await tryLoad(name);
      const reason = skipped.length === 0 ? 'the best backend, loaded' : `best that loaded (skipped ${skipped.map((s) => s.name).join(', ')})`;
      return { name, reason, skipped, ...(adapter ? { adapter } : {}) };
    } catch (err) {
      skipped.push({ name, error: firstLine(err) });
    }
  }
  throw new BackendError(`no backend could load: ${skipped.map((s) => `${s.name}: ${s.error}`).join('; ')}`);
}

export function describeBackend(choice: BackendChoice): string {
  const on = choice.adapter ? ` on ${describeAdapter(choice.adapter)}` : '';
  const lines = [`backend: ${choice.name}${on} (${choice.reason})`];
  for (const s of choice.skipped) lines.push(`  skipped ${s.name}: ${s.error}`);
  return lines.join('\n');
}
