/**
 * Issue #10: `saccade` runs compiled JavaScript (out/main/cli.js, made by the electron-vite build
 * that `npm ci` runs as `prepare`, and test/global-setup.ts here), never tsx. With tsx made
 * unresolvable in the command, its trainer processes and their gradient threads, `--help`, a
 * short `train` and `serve` still work.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMnistSubset } from '../helpers/mnist-subset';
import { ROOT } from '../helpers/saccade-cli';

const BIN = path.join(ROOT, 'bin/saccade.mjs');
let temp: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-compiled-'));
  // A preload (NODE_OPTIONS reaches every child process and thread) that hides tsx from require.
  const blocker = path.join(temp, 'no-tsx.cjs');
  fs.writeFileSync(
    blocker,
    `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'tsx' || request.startsWith('tsx/')) {
    const err = new Error("Cannot find module '" + request + "' (hidden: saccade must not need tsx)");
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return resolve.call(this, request, ...rest);
};
`,
  );
  env = { ...process.env, SACCADE_FROM_SOURCE: '', NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --require ${blocker}`.trim(), SACCADE_HOME: path.join(temp, 'home') };
});
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('the compiled saccade command', () => {
  it('is one CommonJS bundle that loads neither tsx, electron nor tfjs', () => {
    const cli = fs.readFileSync(path.join(ROOT, 'out/main/cli.js'), 'utf8');
    const requires = [...cli.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(requires.length).toBeGreaterThan(0);
    for (const r of requires) expect(r, r).not.toMatch(/^(tsx|electron|@tensorflow)/);
    expect(fs.readFileSync(BIN, 'utf8')).not.toMatch(/^import .*tsx/m);
  });

  it('prints its help without tsx', async () => {
    const r = await run(['--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^saccade: train and inspect Recurrent Attention Models/);
  });

  it('trains without tsx: the trainer process and its gradient threads are compiled too', async () => {
    const data = await writeMnistSubset(path.join(temp, 'data'), 600, 100);
    const r = await run(['train', '--data', data, '--epochs', '1', '--max-steps', '3', '--batch-size', '64', '--validation-size', '100', '--mc-samples', '1', '--workers', '2', '--json']);
    expect(r.stderr).not.toMatch(/tsx/);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { type: string; testAccuracy?: number };
    expect(summary.type).toBe('summary');
    expect(typeof summary.testAccuracy).toBe('number');
  });

  it('serves the built studio without tsx (and without vite)', async () => {
    const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--no-open'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stderr = '';
      server.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const url = await new Promise<URL>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const line = out.split('\n').find((l) => l.startsWith('Saccade studio: '));
          if (line) resolve(new URL(line.slice('Saccade studio: '.length).trim()));
        });
        server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      const page = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get(url, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on('error', reject);
      });
      expect(page.status).toBe(200);
      expect(page.body).toMatch(/<title>Saccade<\/title>/);
      expect(stderr).not.toMatch(/building|tsx/);
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGINT');
      await exited;
    }
  });
});
