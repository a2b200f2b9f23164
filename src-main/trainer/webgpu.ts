/**
 * WebGPU in Node through Dawn's `webgpu` package (prebuilt dawn.node for Linux, macOS and
 * Windows: Vulkan, Metal, D3D12) and @tensorflow/tfjs-backend-webgpu. Both are optional
 * dependencies. The adapter is first probed in a short child process: Dawn reports drivers it
 * cannot use on the process's own stderr (which no JS can silence), and a broken driver that
 * crashes then takes down the probe, not the trainer.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

const requireHere = createRequire(typeof __filename === 'string' ? __filename : process.cwd() + '/noop.js');

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** A CPU implementation (SwiftShader, llvmpipe/lavapipe, WARP): slower than wasm. */
  software: boolean;
}

/** The adapter in words, for the backend line: "google swiftshader (SwiftShader driver 5.0.0, software)". */
export function describeAdapter(a: AdapterInfo): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  const details = [a.description, a.software ? 'software' : ''].filter(Boolean).join(', ');
  return details ? `${name} (${details})` : name;
}

/** What the software adapters call themselves, besides the isFallbackAdapter flag. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

/** Dawn wants a runtime folder (it warns without one); a private temporary one does. */
function ensureRuntimeDir(): void {
  if (process.env['XDG_RUNTIME_DIR'] || process.platform !== 'linux') return;
  process.env['XDG_RUNTIME_DIR'] = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-xdg-'));
}

const PROBE = `
const { create } = require(process.argv[1]);
(async () => {
  const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) { process.stdout.write(JSON.stringify({ error: 'no WebGPU adapter (no Vulkan, Metal or D3D12 driver Dawn can use)' })); process.exit(0); }
  const i = adapter.info;
  process.stdout.write(JSON.stringify({ adapter: { vendor: i.vendor, architecture: i.architecture, description: i.description, fallback: Boolean(i.isFallbackAdapter) } }));
  process.exit(0);
})().catch((e) => { process.stdout.write(JSON.stringify({ error: String(e && e.message || e) })); process.exit(0); });
`;

/** The adapter Dawn would give this process, found in a child process (see the header). */
export function probeAdapter(timeoutMs = 20_000): AdapterInfo {
  let modulePath: string;
  try {
    modulePath = requireHere.resolve('webgpu');
  } catch {
    throw new Error("Cannot find module 'webgpu' (an optional dependency: npm install webgpu)");
  }
  ensureRuntimeDir();
  const result = spawnSync(process.execPath, ['-e', PROBE, modulePath], { encoding: 'utf8', timeout: timeoutMs, env: process.env });
  if (result.error) throw new Error(`the WebGPU probe failed: ${result.error.message}`);
  let reply: { adapter?: { vendor: string; architecture: string; description: string; fallback: boolean }; error?: string };
  try {
    reply = JSON.parse(result.stdout) as typeof reply;
  } catch {
    const why = result.signal ? `it was killed by ${result.signal}` : `it exited with ${result.status}`;
    throw new Error(`the WebGPU probe gave no answer (${why}): the GPU driver may be broken`);
  }
  if (!reply.adapter) throw new Error(reply.error ?? 'no WebGPU adapter');
  const a = reply.adapter;
  return {
    vendor: a.vendor ?? '',
    architecture: a.architecture ?? '',
    description: a.description ?? '',
    software: a.fallback || SOFTWARE.test(`${a.vendor} ${a.architecture} ${a.description}`),
  };
}

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
