#!/usr/bin/env node
// Runs the compiled CLI, out/main/cli.js: `npm ci` builds it (the `prepare` script, `npm run
// build`), and a checkout without it is built here on first use. SACCADE_FROM_SOURCE=1 runs the
// TypeScript sources through tsx instead (development only: tsx is a dev dependency).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(root, 'out', 'main', 'cli.js');
const require = createRequire(import.meta.url);

// A closed pipe (`saccade runs | head -1`) or terminal ends the output, not the command: a
// training command still waits for its trainer to checkpoint.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE' && err.code !== 'EIO') throw err;
  });
}

/** Builds out/ with the project's own build (electron-vite) when the command has never been built. */
function buildOnFirstUse() {
  const electronVite = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  if (!fs.existsSync(electronVite)) {
    process.stderr.write(`saccade: error: the command is not built (${compiled} is missing) and electron-vite is not installed to build it: run \`npm ci\` in ${root}\n`);
    process.exit(1);
  }
  process.stderr.write(`saccade: building the command into ${path.join(root, 'out')} (once; \`npm run build\` does the same) ...\n`);
  const r = spawnSync(process.execPath, [electronVite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0 || !fs.existsSync(compiled)) {
    process.stderr.write(`saccade: error: the build failed (${r.error ? r.error.message : `exit code ${r.status}`}); run \`npm run build\` in ${root} to see why\n`);
    process.exit(1);
  }
}

let main;
if (process.env.SACCADE_FROM_SOURCE === '1') {
  const { register } = await import('tsx/cjs/api');
  register();
  ({ main } = require('../src-main/cli/main.ts'));
} else {
  if (!fs.existsSync(compiled)) buildOnFirstUse();
  ({ main } = require(compiled));
}
process.exitCode = await main(process.argv.slice(2));
