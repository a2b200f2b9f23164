/**
 * Issue #10: how the launcher finds the trainer. A build forks the compiled trainer.js beside
 * it; from source, the build's out/main/trainer.js while it is newer than every source file,
 * else trainer-process.ts (through tsx, development only).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceTrainerEntry, trainerEntry } from '../../src-main/services/trainer-entry';

let root: string;
const at = (p: string) => path.join(root, p);
function write(p: string, seconds: number): void {
  fs.mkdirSync(path.dirname(at(p)), { recursive: true });
  fs.writeFileSync(at(p), '//\n');
  fs.utimesSync(at(p), seconds, seconds);
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-entry-'));
  write('src-main/services/trainer-entry.ts', 1000);
  write('src-main/trainer/trainer-process.ts', 1000);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('the trainer entry', () => {
  it('in a build is trainer.js beside the bundle, or one folder up from a chunk', () => {
    write('out/main/trainer.js', 2000);
    expect(trainerEntry(at('out/main/cli.js'))).toBe(at('out/main/trainer.js'));
    expect(trainerEntry(at('out/main/chunks/job-launcher-abc.js'))).toBe(at('out/main/trainer.js'));
  });

  it('from source is the compiled trainer while the build is fresh', () => {
    write('out/main/trainer.js', 2000);
    expect(trainerEntry(at('src-main/services/trainer-entry.ts'))).toBe(at('out/main/trainer.js'));
  });

  it('from source is trainer-process.ts when a source file is newer than the build, or there is none', () => {
    const here = at('src-main/services/trainer-entry.ts');
    expect(path.normalize(trainerEntry(here))).toBe(at('src-main/trainer/trainer-process.ts'));
    write('out/main/trainer.js', 2000);
    write('src-main/core/deep/edited.ts', 3000);
    expect(path.normalize(trainerEntry(here))).toBe(at('src-main/trainer/trainer-process.ts'));
    expect(path.normalize(sourceTrainerEntry(here))).toBe(at('src-main/trainer/trainer-process.ts'));
  });

  it('from this checkout names a file that exists', () => {
    expect(fs.existsSync(trainerEntry())).toBe(true);
  });
});
