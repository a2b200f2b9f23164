/**
 * Builds the app once before any test (`npm run build`, as `npm ci` does): the CLI tests run the
 * compiled command (bin/saccade.mjs loads out/main/cli.js, which forks out/main/trainer.js), the
 * browser-mode tests serve out/renderer and the build test inspects out/main and out/preload.
 * One build up front avoids parallel builds racing.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  // For a quick run of tests that need no compiled app (core, data): SACCADE_SKIP_BUILD=1.
  if (process.env.SACCADE_SKIP_BUILD === '1') return;
  const root = path.resolve(__dirname, '..');
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`electron-vite build failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}
