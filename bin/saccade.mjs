#!/usr/bin/env node
// Runs the TypeScript CLI straight from source through tsx: nothing to build before first use.
// The package is CommonJS, so the sources load through tsx's require hook.
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
// A closed pipe (`saccade runs | head -1`) or terminal ends the output, not the command: a
// training command still waits for its trainer to checkpoint.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE' && err.code !== 'EIO') throw err;
  });
}
const require = createRequire(import.meta.url);
const { main } = require('../src-main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
