/**
 * The webgpu backend from the command line, on SwiftShader's software adapter: forced, it trains
 * and names the adapter; left to choose, the CLI takes wasm and says why webgpu was skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainSummary } from '../../src-main/shared/jobs';
import { tempDir, writeMnistSubset } from '../helpers/mnist-subset';
import { lastJson, ROOT } from '../helpers/saccade-cli';
import { haveSwiftShader, swiftShaderEnv } from '../helpers/webgpu-env';

let root: string;
let data: string;

function saccadeGpu(args: string[], home: string, timeout = 300_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bin/saccade.mjs'), ...args], { cwd: ROOT, env: { ...process.env, SACCADE_HOME: home, ...swiftShaderEnv() }, timeout }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0, stdout, stderr });
    });
  });
}

describe.skipIf(!haveSwiftShader)('saccade on webgpu', () => {
  beforeAll(async () => {
    root = tempDir('webgpu-cli');
    data = await writeMnistSubset(path.join(root, 'digits'), 256, 64);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('train --backend webgpu trains on the software adapter and says which adapter it used', async () => {
    const r = await saccadeGpu(['train', '--backend', 'webgpu', '--data', data, '--epochs', '1', '--batch-size', '32', '--max-steps', '4', '--mc-samples', '1', '--glimpses', '3'], path.join(root, 'home'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('backend: webgpu on google swiftshader (SwiftShader driver 5.0.0, software) (forced with --backend)');
    expect(r.stdout).toMatch(/completed after 4 steps/);
    expect(r.stdout).toMatch(/test accuracy \(mean locations\): [\d.]+%/);
    const runs = fs.readdirSync(path.join(root, 'home', 'runs'));
    const meta = JSON.parse(fs.readFileSync(path.join(root, 'home', 'runs', runs[0]!, 'meta.json'), 'utf8'));
    expect(meta.backend.name).toBe('webgpu');
    // Its checkpoint reads back and evaluates on wasm to the same test accuracy.
    const ev = await saccadeGpu(['eval', runs[0]!, '--backend', 'wasm', '--json', '--mc', '1'], path.join(root, 'home'));
    expect(ev.code).toBe(0);
    expect(lastJson<{ accuracy: number }>(ev.stdout).accuracy).toBe(meta.test.accuracy);
  }, 400_000);

  it('forced without any Vulkan driver set, it finds Chromium\'s SwiftShader itself', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SACCADE_HOME: path.join(root, 'home-plain') };
    delete env['VK_ICD_FILENAMES'];
    const r = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [path.join(ROOT, 'bin/saccade.mjs'), 'train', '--backend', 'webgpu', '--data', data, '--max-steps', '1', '--batch-size', '16', '--validation-size', '0', '--mc-samples', '1', '--glimpses', '2'], { cwd: ROOT, env, timeout: 300_000 }, (err, stdout) =>
        resolve({ code: err ? 1 : 0, stdout }),
      );
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('backend: webgpu on google swiftshader (SwiftShader driver 5.0.0, software)');
  }, 300_000);

  it('without --backend it picks wasm and says why webgpu was skipped', async () => {
    const r = await saccadeGpu(['train', '--data', data, '--max-steps', '1', '--json'], path.join(root, 'home-auto'));
    expect(r.code).toBe(0);
    const backend = JSON.parse(r.stdout.split('\n')[0]!) as { type: string; name: string; skipped: { name: string; error: string }[] };
    expect(backend).toMatchObject({ type: 'backend', name: 'wasm' });
    expect(backend.skipped).toContainEqual({ name: 'webgpu', error: 'only a software adapter here: SwiftShader driver 5.0.0' });
    expect(lastJson<TrainSummary>(r.stdout).status).toBe('completed');
  }, 200_000);
});
