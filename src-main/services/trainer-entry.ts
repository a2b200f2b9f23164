/**
 * Where the trainer process's entry is. In a build (out/main: the `saccade` command, Electron's
 * main) it is the compiled trainer.js beside this code. From source (vitest, tsx) it is the
 * build's out/main/trainer.js while that is newer than every file under src-main, else
 * trainer-process.ts, which the launcher runs through tsx (development only).
 */
import fs from 'node:fs';
import path from 'node:path';

const thisFile = (): string => (typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'src-main', 'services', 'trainer-entry.ts'));

/** The trainer's TypeScript source, run through tsx. */
export function sourceTrainerEntry(here: string = thisFile()): string {
  return path.join(path.dirname(here), '..', 'trainer', 'trainer-process.ts');
}

/** The newest modification time of the files under `dir` (0 when it does not exist). */
export function newestMtime(dir: string): number {
  let newest = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else {
      try {
        newest = Math.max(newest, fs.statSync(p).mtimeMs);
      } catch {
        // Removed while we looked: it no longer counts.
      }
    }
  }
  return newest;
}

/** The entry ForkJobLauncher forks: compiled JavaScript whenever there is a fresh build. */
export function trainerEntry(here: string = thisFile()): string {
  if (!here.endsWith('.ts')) {
    // In out/main: beside this bundle, or one folder up when this code landed in a chunk folder.
    const candidates = [path.join(path.dirname(here), 'trainer.js'), path.join(path.dirname(path.dirname(here)), 'trainer.js')];
    return candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
  }
  const srcMain = path.join(path.dirname(here), '..');
  const built = path.join(srcMain, '..', 'out', 'main', 'trainer.js');
  let builtAt = 0;
  try {
    builtAt = fs.statSync(built).mtimeMs;
  } catch {
    // Not built: run the source.
  }
  return builtAt > 0 && newestMtime(srcMain) <= builtAt ? path.normalize(built) : sourceTrainerEntry(here);
}
