/**
 * Issue #8 case 16: `saccade serve` opens the browser without putting the token in a command line
 * (other local users can read every process's argv). A real `saccade serve` opens $BROWSER, here
 * a script that records the arguments it was started with and what they point to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/saccade-cli';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-open-test-'));
let server: ChildProcess | undefined;

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGKILL');
    await new Promise((resolve) => server!.once('exit', resolve));
  }
  fs.rmSync(temp, { recursive: true, force: true });
});

async function until<T>(what: string, get: () => T | undefined, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(process.platform === 'win32')('saccade serve opens the browser', () => {
  it('on a private redirect file: the token is in no command line, and the file goes when the server stops', async () => {
    const record = path.join(temp, 'record');
    fs.mkdirSync(record);
    const browser = path.join(temp, 'browser.sh');
    fs.writeFileSync(
      browser,
      [
        '#!/bin/sh',
        `out='${record}'`,
        'for a in "$@"; do printf "%s\\n" "$a"; done > "$out/argv.tmp"',
        'last=""; for a in "$@"; do last="$a"; done',
        'if [ -f "$last" ]; then stat -c %a "$last" > "$out/mode"; stat -c %a "$(dirname "$last")" > "$out/dirmode"; cat "$last" > "$out/page"; fi',
        'mv "$out/argv.tmp" "$out/argv"',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    server = spawn(process.execPath, [path.join(ROOT, 'bin/saccade.mjs'), 'serve', '--port', '0', '--home', path.join(temp, 'home')], {
      cwd: ROOT,
      env: { ...process.env, BROWSER: browser },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    server.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    server.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const url = await until('the URL', () => /Saccade studio: (\S+)/.exec(out)?.[1]);
    const token = new URL(url).searchParams.get('token')!;
    const argv = await until('the browser to start', () => (fs.existsSync(path.join(record, 'argv')) ? fs.readFileSync(path.join(record, 'argv'), 'utf8') : undefined));

    expect(argv).not.toContain(token);
    const opened = argv.trim().split('\n').pop()!;
    expect(path.isAbsolute(opened)).toBe(true);
    // Readable by this user only, in a folder of its own, and it leads to the studio's URL.
    expect(fs.readFileSync(path.join(record, 'mode'), 'utf8').trim()).toBe('600');
    expect(fs.readFileSync(path.join(record, 'dirmode'), 'utf8').trim()).toBe('700');
    expect(fs.readFileSync(path.join(record, 'page'), 'utf8')).toContain(url);
    expect(fs.existsSync(opened)).toBe(true);

    server.kill('SIGINT');
    await new Promise((resolve) => server!.once('exit', resolve));
    expect(fs.existsSync(opened)).toBe(false);
    expect(fs.existsSync(path.dirname(opened))).toBe(false);
  });
});
