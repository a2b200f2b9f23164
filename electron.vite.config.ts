import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';

const root = __dirname;

export default defineConfig({
  main: {
    build: {
      // electron-store is ESM-only and imports electron: bundle it; keep every other dep external.
      externalizeDeps: { exclude: ['electron-store', 'conf'] },
      lib: {
        entry: {
          index: resolve(root, 'src-main/index.ts'),
          // The `saccade` command (bin/saccade.mjs loads it); it forks trainer.js beside it.
          cli: resolve(root, 'src-main/cli/main.ts'),
          trainer: resolve(root, 'src-main/trainer/trainer-process.ts'),
          'grad-worker': resolve(root, 'src-main/trainer/grad-worker.ts'),
          'sample-worker': resolve(root, 'src-main/services/sample-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require node_modules: bundle everything into one file.
      externalizeDeps: false,
      lib: { entry: { index: resolve(root, 'src-preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.mjs') })],
    build: {
      rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
