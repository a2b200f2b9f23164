/**
 * One WebGPU probe for many jobs: a parent's probe (shareAdapterProbe) leaves its answer in the
 * environment, for the driver setting it was asked under; a job finding it there does not probe
 * again, and a job under another driver setting probes for itself. Real probes, real Dawn, the
 * SwiftShader driver where the test machine has it.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROBE_ENV, probeAdapter, shareAdapterProbe } from '../../src-main/trainer/webgpu-probe';
import { ROOT } from '../helpers/saccade-cli';
import { haveSwiftShader, SWIFTSHADER_ICD } from '../helpers/webgpu-env';

const saved = { probe: process.env[PROBE_ENV], icd: process.env['VK_ICD_FILENAMES'] };
afterEach(() => {
  for (const [key, value] of [[PROBE_ENV, saved.probe], ['VK_ICD_FILENAMES', saved.icd]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

const fake = (driver: string) => JSON.stringify({ driver, outcome: { adapter: { vendor: 'left-by-parent', architecture: 'test', description: '', software: false } } });

describe('the WebGPU probe', () => {
  it.runIf(haveSwiftShader)('a parent probe leaves the real answer for its driver setting; probeAdapter then answers from it', async () => {
    process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
    delete process.env[PROBE_ENV];
    const outcome = await shareAdapterProbe();
    expect(outcome).toMatchObject({ adapter: { software: true } });
    expect(JSON.parse(process.env[PROBE_ENV]!)).toEqual({ driver: SWIFTSHADER_ICD, outcome });
    // The same answer as a probe of its own, without one.
    const started = Date.now();
    expect(probeAdapter()).toEqual((outcome as { adapter: unknown }).adapter);
    expect(Date.now() - started).toBeLessThan(50);
  });

  it('a left answer is used only under the driver setting it was asked under', () => {
    process.env['VK_ICD_FILENAMES'] = '/nonexistent/icd.json';
    process.env[PROBE_ENV] = fake('/nonexistent/icd.json');
    expect(probeAdapter().vendor).toBe('left-by-parent');
    process.env[PROBE_ENV] = fake('another driver list');
    // A real probe: no Vulkan driver at that path, so no adapter (never the left one).
    expect(() => probeAdapter()).toThrow(/adapter|probe/);
    process.env[PROBE_ENV] = 'not json';
    expect(() => probeAdapter()).toThrow(/adapter|probe/);
  });

  it("a trainer takes its parent's answer: the backend line says what the parent found", () => {
    const env = { ...process.env, [PROBE_ENV]: JSON.stringify({ driver: process.env['VK_ICD_FILENAMES'] ?? '', outcome: { error: 'the answer the parent left (test)' } }) };
    const result = spawnSync(process.execPath, [path.join(ROOT, 'bin/saccade.mjs'), 'bench', '--steps', '1', '--json'], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
    expect(result.status).toBe(0);
    const backend = JSON.parse(result.stdout.split('\n')[0]!) as { skipped: { name: string; error: string }[] };
    expect(backend.skipped).toContainEqual({ name: 'webgpu', error: 'the answer the parent left (test)' });
  });
});
