/**
 * WebGPU in Node through Dawn's `webgpu` package (prebuilt dawn.node for Linux, macOS and
 * Windows: Vulkan, Metal, D3D12) and @tensorflow/tfjs-backend-webgpu. Both are optional
 * dependencies. The adapter is first probed in a short child process (webgpu-probe.ts), or
 * taken from the answer the parent process left for its jobs.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { probeAdapter, type AdapterInfo } from './webgpu-probe';

export { describeAdapter, probeAdapter, type AdapterInfo } from './webgpu-probe';

const requireHere = createRequire(typeof __filename === 'string' ? __filename : process.cwd() + '/noop.js');

/** Chromium's software Vulkan driver, where Debian and Ubuntu put it. */
const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

/**
 * A forced webgpu with no adapter from the system's drivers: Chromium's SwiftShader, if installed,
 * so that the WebGPU path can be run (slowly, for checks) on a machine without a GPU.
 */
function probeWithSwiftShader(): AdapterInfo | undefined {
  if (process.platform !== 'linux' || process.env['VK_ICD_FILENAMES']) return undefined;
  const icd = SWIFTSHADER_ICDS.find((f) => fs.existsSync(f));
  if (!icd) return undefined;
  process.env['VK_ICD_FILENAMES'] = icd;
  try {
    return probeAdapter();
  } catch {
    delete process.env['VK_ICD_FILENAMES'];
    return undefined;
  }
}

let active: AdapterInfo | undefined;

/**
 * Makes tfjs's 'webgpu' backend current. Without `allowSoftware`, a software adapter is an error
 * whose message is the reason webgpu was skipped (wasm is faster than a CPU pretending to be a GPU).
 */
export async function activateWebGpu(allowSoftware: boolean): Promise<AdapterInfo> {
  let adapter = active;
  if (!adapter) {
    try {
      adapter = probeAdapter();
    } catch (err) {
      adapter = allowSoftware ? probeWithSwiftShader() : undefined;
      if (!adapter) throw err;
    }
  }
  if (adapter.software && !allowSoftware) {
    throw new Error(`only a software adapter here: ${adapter.description || adapter.architecture || 'fallback adapter'}`);
  }
  if (!active) {
    const { create, globals } = requireHere('webgpu') as { create: (options: string[]) => unknown; globals: Record<string, unknown> };
    // tfjs-backend-webgpu looks for the browser's globals: navigator.gpu and the GPU* classes.
    for (const [key, value] of Object.entries(globals)) if (!(key in globalThis)) Object.assign(globalThis, { [key]: value });
    const gpu = create([]);
    const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
    if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
    requireHere('@tensorflow/tfjs-backend-webgpu');
  }
  const ok = await tf.setBackend('webgpu');
  if (!ok) throw new Error("tf.setBackend('webgpu') failed");
  await tf.ready();
  active = adapter;
  return adapter;
}
