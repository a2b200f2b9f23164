/**
 * Checkpoint folders: checkpoint.json (step, epoch, config, extra and a manifest of tensors)
 * beside weights.bin (every Float32 array concatenated, little-endian).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDir } from './atomic';
import { StorageError, toStorageError } from './errors';
import type { CheckpointData, Tensor } from './types';

export const CHECKPOINT_JSON = 'checkpoint.json';
export const WEIGHTS_BIN = 'weights.bin';
const FORMAT = 'saccade-checkpoint';
const VERSION = 1;

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset of the first byte in weights.bin. */
  byteOffset: number;
  /** Number of float32 values. */
  length: number;
}

export interface CheckpointFile {
  format: typeof FORMAT;
  version: number;
  savedAt: string;
  step: number;
  epoch: number;
  config: Record<string, unknown>;
  extra?: Record<string, unknown>;
  weightsFile: string;
  /** Size weights.bin must have. */
  byteLength: number;
  tensors: { weights: TensorEntry[]; optimizer?: TensorEntry[] };
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function tensorBytes(data: Float32Array): Uint8Array {
  if (littleEndianHost) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** Writes a complete checkpoint into `dir` (which must not exist yet) and fsyncs it. */
export function writeCheckpointDir(dir: string, ckpt: CheckpointData): CheckpointFile {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const manifest = (group: Record<string, Tensor>, label: string): TensorEntry[] =>
    Object.entries(group).map(([name, t]) => {
      if (!(t.data instanceof Float32Array)) throw new TypeError(`checkpoint ${label} '${name}': data is not a Float32Array`);
      if (product(t.shape) !== t.data.length) {
        throw new TypeError(`checkpoint ${label} '${name}': shape [${t.shape}] does not hold ${t.data.length} values`);
      }
      const entry = { name, shape: [...t.shape], byteOffset: offset, length: t.data.length };
      chunks.push(tensorBytes(t.data));
      offset += t.data.byteLength;
      return entry;
    });
  const weights = manifest(ckpt.weights, 'weight');
  const optimizer = ckpt.optimizer ? manifest(ckpt.optimizer, 'optimizer tensor') : undefined;
  const file: CheckpointFile = {
    format: FORMAT,
    version: VERSION,
    savedAt: new Date().toISOString(),
    step: ckpt.step,
    epoch: ckpt.epoch,
    config: ckpt.config,
    ...(ckpt.extra ? { extra: ckpt.extra } : {}),
    weightsFile: WEIGHTS_BIN,
    byteLength: offset,
    tensors: optimizer ? { weights, optimizer } : { weights },
  };
  try {
    fs.mkdirSync(dir, { recursive: false });
    writeSynced(path.join(dir, WEIGHTS_BIN), chunks);
    writeSynced(path.join(dir, CHECKPOINT_JSON), [Buffer.from(JSON.stringify(file, null, 1) + '\n', 'utf8')]);
    fsyncDir(dir);
  } catch (err) {
    throw toStorageError(err, 'write checkpoint', dir);
  }
  return file;
}

function writeSynced(file: string, chunks: Uint8Array[]): void {
  const fd = fs.openSync(file, 'wx', 0o644);
  try {
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.byteLength) done += fs.writeSync(fd, chunk, done, chunk.byteLength - done);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads the manifest only (cheap: for listings). */
export function readCheckpointManifest(dir: string): CheckpointFile {
  const jsonPath = path.join(dir, CHECKPOINT_JSON);
  let text: string;
  try {
    text = fs.readFileSync(jsonPath, 'utf8');
  } catch (err) {
    throw toStorageError(err, 'read checkpoint', jsonPath);
  }
  let file: CheckpointFile;
  try {
    file = JSON.parse(text) as CheckpointFile;
  } catch {
    throw new StorageError(`checkpoint ${jsonPath} is corrupt: not valid JSON (truncated write?)`, jsonPath, { code: 'ECORRUPT' });
  }
  if (file?.format !== FORMAT || !file.tensors || !Array.isArray(file.tensors.weights)) {
    throw new StorageError(`checkpoint ${jsonPath} is corrupt: not a Saccade checkpoint manifest`, jsonPath, { code: 'ECORRUPT' });
  }
  if (file.version > VERSION) {
    throw new StorageError(`checkpoint ${jsonPath} has format version ${file.version}; this Saccade reads up to ${VERSION}`, jsonPath);
  }
  return file;
}

/**
 * The weights file's path: the manifest may name only a plain file inside the checkpoint folder,
 * so an edited or hostile checkpoint.json cannot make us read `../../etc/passwd`.
 */
function weightsPath(dir: string, file: CheckpointFile): string {
  const name: unknown = file.weightsFile || WEIGHTS_BIN;
  const jsonPath = path.join(dir, CHECKPOINT_JSON);
  const plain =
    typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[\\/\0]/.test(name) && !path.isAbsolute(name);
  const folder = path.resolve(dir);
  const resolved = plain ? path.resolve(folder, name) : '';
  if (!plain || path.dirname(resolved) !== folder) {
    throw new StorageError(
      `checkpoint ${jsonPath} is corrupt: weightsFile ${JSON.stringify(name)} is not a plain file name inside the checkpoint folder`,
      jsonPath,
      { code: 'ECORRUPT' },
    );
  }
  return path.join(dir, name);
}

export function readCheckpointDir(dir: string): CheckpointData {
  const file = readCheckpointManifest(dir);
  const binPath = weightsPath(dir, file);
  let bin: Buffer;
  try {
    bin = fs.readFileSync(binPath);
  } catch (err) {
    throw toStorageError(err, 'read checkpoint weights', binPath);
  }
  if (bin.length !== file.byteLength) {
    throw new StorageError(
      `checkpoint ${binPath} is ${bin.length < file.byteLength ? 'truncated' : 'corrupt'}: expected ${file.byteLength} bytes, found ${bin.length}`,
      binPath,
      { code: 'ECORRUPT' },
    );
  }
  const unpack = (entries: TensorEntry[]): Record<string, Tensor> => {
    const out: Record<string, Tensor> = {};
    for (const e of entries) {
      const bytes = e.length * 4;
      if (!Number.isInteger(e.byteOffset) || e.byteOffset < 0 || e.byteOffset + bytes > bin.length || product(e.shape) !== e.length) {
        throw new StorageError(`checkpoint ${binPath} is corrupt: tensor '${e.name}' does not fit the file`, binPath, { code: 'ECORRUPT' });
      }
      const data = new Float32Array(e.length);
      if (littleEndianHost) {
        new Uint8Array(data.buffer).set(bin.subarray(e.byteOffset, e.byteOffset + bytes));
      } else {
        const view = new DataView(bin.buffer, bin.byteOffset + e.byteOffset, bytes);
        for (let i = 0; i < e.length; i++) data[i] = view.getFloat32(i * 4, true);
      }
      out[e.name] = { shape: [...e.shape], data };
    }
    return out;
  };
  return {
    step: file.step,
    epoch: file.epoch,
    config: file.config,
    weights: unpack(file.tensors.weights),
    ...(file.tensors.optimizer ? { optimizer: unpack(file.tensors.optimizer) } : {}),
    ...(file.extra ? { extra: file.extra } : {}),
  };
}

/**
 * Writes a model folder (a checkpoint without optimizer state) at `dir`, replacing an earlier one
 * only once the new one is complete: temp folder, then rename.
 */
export function writeModelDir(dir: string, ckpt: CheckpointData): CheckpointFile {
  const parent = path.dirname(dir);
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const tmp = path.join(parent, `.${path.basename(dir)}.tmp-${tag}`);
  const old = path.join(parent, `.${path.basename(dir)}.old-${tag}`);
  try {
    fs.mkdirSync(parent, { recursive: true });
    const file = writeCheckpointDir(tmp, { ...ckpt, optimizer: undefined });
    if (fs.existsSync(dir)) {
      if (!fs.existsSync(path.join(dir, CHECKPOINT_JSON))) throw new StorageError(`${dir} exists and is not a model folder: not replacing it`, dir);
      fs.renameSync(dir, old);
    }
    fs.renameSync(tmp, dir);
    fs.rmSync(old, { recursive: true, force: true });
    fsyncDir(parent);
    return file;
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (fs.existsSync(old) && !fs.existsSync(dir)) fs.renameSync(old, dir);
    throw err instanceof StorageError ? err : toStorageError(err, 'write model folder', dir);
  }
}
