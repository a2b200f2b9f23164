import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_JSON, readCheckpointDir, writeCheckpointDir } from '../../src-main/storage/checkpoint';
import { StorageError } from '../../src-main/storage/errors';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-checkpoint-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const sample = {
  step: 3,
  epoch: 1,
  config: { a: 1 },
  weights: { w: { shape: [2], data: new Float32Array([1.5, -2]) } },
};

/** Writes a real checkpoint, then points its manifest's weightsFile at `weightsFile`. */
function checkpointWithWeightsFile(weightsFile: string): { ckptDir: string; jsonPath: string } {
  const ckptDir = path.join(dir, 'runs', 'r1', 'checkpoints', 'epoch-0001');
  fs.mkdirSync(path.dirname(ckptDir), { recursive: true });
  writeCheckpointDir(ckptDir, sample);
  const jsonPath = path.join(ckptDir, CHECKPOINT_JSON);
  const manifest = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(jsonPath, JSON.stringify({ ...manifest, weightsFile }));
  return { ckptDir, jsonPath };
}

describe('readCheckpointDir', () => {
  it('round-trips a checkpoint', () => {
    const ckptDir = path.join(dir, 'c');
    writeCheckpointDir(ckptDir, sample);
    const back = readCheckpointDir(ckptDir);
    expect(back.step).toBe(3);
    expect([...back.weights.w.data]).toEqual([1.5, -2]);
  });

  it('reads a weights file of another plain name inside the folder', () => {
    const { ckptDir } = checkpointWithWeightsFile('other.bin');
    fs.renameSync(path.join(ckptDir, 'weights.bin'), path.join(ckptDir, 'other.bin'));
    expect([...readCheckpointDir(ckptDir).weights.w.data]).toEqual([1.5, -2]);
  });

  // The bytes the escape would read: a file outside the checkpoint folder with exactly the
  // manifest's byteLength, so nothing but the confinement check can stop the read.
  for (const escape of ['../../../../outside.bin', '../outside.bin', 'sub/weights.bin', '/abs/outside.bin', '..', '.', 'a\\b.bin']) {
    it(`refuses weightsFile ${JSON.stringify(escape)}, naming the checkpoint.json`, () => {
      fs.writeFileSync(path.join(dir, 'outside.bin'), Buffer.alloc(8));
      const { ckptDir, jsonPath } = checkpointWithWeightsFile(escape);
      fs.writeFileSync(path.join(ckptDir, '..', 'outside.bin'), Buffer.alloc(8));
      let caught: unknown;
      try {
        readCheckpointDir(ckptDir);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(StorageError);
      const error = caught as StorageError;
      expect(error.path).toBe(jsonPath);
      expect(error.message).toContain(jsonPath);
      expect(error.message).toContain('weightsFile');
    });
  }
});
