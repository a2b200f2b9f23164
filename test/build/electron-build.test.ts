/**
 * The Electron shell cannot start here (no binary), so CI checks what can be: every tsconfig
 * type-checks strictly, and electron-vite's build (made by test/global-setup.ts) has the
 * bundles the shell needs, wired as the security checklist wants.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const out = (p: string) => path.join(root, 'out', p);
const bin = (pkg: string, file: string) => path.join(root, 'node_modules', pkg, file);

function run(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe('type checking (strict in every tsconfig)', () => {
  it('main, preload, CLI and tests type-check', () => {
    const r = run([bin('typescript', 'bin/tsc'), '--noEmit', '-p', 'tsconfig.node.json']);
    expect(r.output.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('the Svelte renderer type-checks without warnings', () => {
    const r = run([bin('svelte-check', 'bin/svelte-check'), '--tsconfig', 'tsconfig.web.json', '--fail-on-warnings', '--output', 'machine']);
    expect(r.output).toMatch(/COMPLETED .* 0 ERRORS 0 WARNINGS/);
    expect(r.status).toBe(0);
  });

  it('every tsconfig is strict', () => {
    for (const file of ['tsconfig.node.json', 'tsconfig.web.json']) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      expect(text, file).toMatch(/"strict":\s*true/);
      expect(text, file).not.toMatch(/"noImplicitAny":\s*false/);
    }
  });
});

describe('electron-vite build', () => {
  it('emits main, the trainer process, its gradient thread, preload and renderer', () => {
    for (const f of ['main/index.js', 'main/trainer.js', 'main/grad-worker.js', 'preload/index.js', 'renderer/index.html']) {
      expect(fs.existsSync(out(f)), f).toBe(true);
    }
  });

  it('bundles electron-store and conf into main, and never loads tfjs in the main process', () => {
    const main = fs.readFileSync(out('main/index.js'), 'utf8');
    expect(main).not.toMatch(/require\("electron-store"\)/);
    expect(main).not.toMatch(/require\("conf"\)/);
    expect(main).not.toMatch(/@tensorflow/);
    // Training runs in a utilityProcess started from the trainer bundle.
    expect(main).toMatch(/utilityProcess/);
    expect(main).toMatch(/trainer\.js/);
  });

  it('the preload is one self-contained file (a sandboxed preload cannot require packages)', () => {
    const preload = fs.readFileSync(out('preload/index.js'), 'utf8');
    const requires = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
  });

  it('the window is created with isolation and sandbox on, node integration off, navigation blocked', () => {
    const main = fs.readFileSync(out('main/index.js'), 'utf8');
    expect(main).toMatch(/contextIsolation:\s*(true|!0)/);
    expect(main).toMatch(/sandbox:\s*(true|!0)/);
    expect(main).toMatch(/nodeIntegration:\s*(false|!1)/);
    expect(main).toMatch(/will-navigate/);
    expect(main).toMatch(/setWindowOpenHandler/);
  });

  it('the renderer page carries a strict Content-Security-Policy', () => {
    const html = fs.readFileSync(out('renderer/index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval/);
    // No plugins, and no <base> that could repoint the page's relative script URLs.
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).toMatch(/base-uri 'none'/);
  });
});
