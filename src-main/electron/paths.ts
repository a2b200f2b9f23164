import { join } from 'node:path';

/** The built renderer's index.html (out/renderer next to out/main). */
export function rendererFile(): string {
  return join(__dirname, '../renderer/index.html');
}

/** The built preload script. */
export function preloadFile(): string {
  return join(__dirname, '../preload/index.js');
}
