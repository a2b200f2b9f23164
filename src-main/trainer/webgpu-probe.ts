/**
 * Which WebGPU adapter Dawn would give this machine, asked in a short child process: Dawn reports
 * drivers it cannot use on the process's own stderr (which no JS can silence), and a broken
 * driver that crashes then takes down the probe, not the trainer. No tfjs here, so a parent
 * process (the studio) can ask too.
 *
 * The probe takes about 180 ms. A long-lived parent asks once (probeAdapterAsync) and hands the
 * answer to the jobs it starts in SACCADE_WEBGPU_PROBE, for the driver setting it was asked
 * under; a job finding it there does not probe again. A driver installed meanwhile is seen when
 * the parent is started again.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

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

/** Where a parent leaves its probe's answer for the jobs it starts. */
export const PROBE_ENV = 'SACCADE_WEBGPU_PROBE';

/** A probe's answer: the adapter, or why there is none. */
export type ProbeOutcome = { adapter: AdapterInfo } | { error: string };

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

/**
 * The probe child's environment. Under Electron (its main process, a utilityProcess) the
 * executable is Electron's, which runs the script as plain Node only when told to.
 */
function probeEnv(): NodeJS.ProcessEnv {
  return process.versions['electron'] ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
}

function webgpuModule(): string {
  try {
    return requireHere.resolve('webgpu');
  } catch {
    throw new Error("Cannot find module 'webgpu' (an optional dependency: npm install webgpu)");
  }
}

/** The probe child's stdout as an outcome. */
function readReply(stdout: string, exit: { status: number | null; signal: NodeJS.Signals | null }): ProbeOutcome {
  let reply: { adapter?: { vendor: string; architecture: string; description: string; fallback: boolean }; error?: string };
  try {
    reply = JSON.parse(stdout) as typeof reply;
  } catch {
    const why = exit.signal ? `it was killed by ${exit.signal}` : `it exited with ${exit.status}`;
    return { error: `the WebGPU probe gave no answer (${why}): the GPU driver may be broken` };
  }
  if (!reply.adapter) return { error: reply.error ?? 'no WebGPU adapter' };
  const a = reply.adapter;
  return {
    adapter: {
      vendor: a.vendor ?? '',
      architecture: a.architecture ?? '',
      description: a.description ?? '',
      software: a.fallback || SOFTWARE.test(`${a.vendor} ${a.architecture} ${a.description}`),
    },
  };
}

/** The driver setting a probe answers for (Vulkan's ICD list decides which adapters exist). */
function driverKey(): string {
  return process.env['VK_ICD_FILENAMES'] ?? '';
}

/** The answer a parent left for this driver setting, if any. */
function inheritedOutcome(): ProbeOutcome | undefined {
  const text = process.env[PROBE_ENV];
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as { driver?: string; outcome?: ProbeOutcome };
    if (value.driver !== driverKey() || !value.outcome) return undefined;
    if ('adapter' in value.outcome && typeof value.outcome.adapter?.vendor === 'string') return value.outcome;
    if ('error' in value.outcome && typeof value.outcome.error === 'string') return value.outcome;
  } catch {
    // Not ours, or cut short: probe as if it were not there.
  }
  return undefined;
}

function unwrap(outcome: ProbeOutcome): AdapterInfo {
  if ('error' in outcome) throw new Error(outcome.error);
  return outcome.adapter;
}

/** The adapter Dawn would give this process (the parent's answer when it left one, else a probe). */
export function probeAdapter(timeoutMs = 20_000): AdapterInfo {
  const modulePath = webgpuModule();
  const inherited = inheritedOutcome();
  if (inherited) return unwrap(inherited);
  ensureRuntimeDir();
  const result = spawnSync(process.execPath, ['-e', PROBE, modulePath], { encoding: 'utf8', timeout: timeoutMs, env: probeEnv() });
  if (result.error) throw new Error(`the WebGPU probe failed: ${result.error.message}`);
  return unwrap(readReply(result.stdout, result));
}

/**
 * Probes without blocking (a parent's event loop, Electron's main process) and leaves the answer
 * in this process's environment, which the jobs it starts inherit. Resolves with the outcome, or
 * undefined when the webgpu package is not installed (every job then says so itself).
 */
export function shareAdapterProbe(timeoutMs = 20_000): Promise<ProbeOutcome | undefined> {
  let modulePath: string;
  try {
    modulePath = webgpuModule();
  } catch {
    return Promise.resolve(undefined);
  }
  ensureRuntimeDir();
  const driver = driverKey();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', PROBE, modulePath], { env: probeEnv(), stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    timer.unref();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const outcome = readReply(stdout, { status, signal });
      // Only for the setting it was asked under: a job given another driver list probes itself.
      if (driverKey() === driver) process.env[PROBE_ENV] = JSON.stringify({ driver, outcome });
      resolve(outcome);
    });
  });
}
