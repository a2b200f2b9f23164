/** Loads a trained model from a run (a named checkpoint, best by default) or a model folder. */
import fs from 'node:fs';
import path from 'node:path';
import { validateConfig, type RamConfig } from '../core/config';
import type { PlainTensors } from '../core/params';
import type { ModelRef } from '../shared/jobs';
import { RunStore, readCheckpointDir, StorageError } from '../storage';

export interface LoadedModel {
  config: RamConfig;
  weights: PlainTensors;
  /** "run 2026...-centered-ab12 / best" or the folder. */
  label: string;
  runId?: string;
  checkpoint: string;
  /** The data folder the run was trained on, if not the bundled MNIST. */
  dataDir?: string;
  /** The class names of the data it was trained on, when it had them. */
  classNames?: string[];
}

function namesOf(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

export function loadModel(ref: ModelRef): LoadedModel {
  if (ref.modelDir) {
    const dir = path.resolve(ref.modelDir);
    if (!fs.existsSync(dir)) throw new StorageError(`no model folder at ${dir}`, dir);
    const ckpt = readCheckpointDir(dir);
    const classNames = namesOf(ckpt.extra?.['classNames']);
    return { config: validateConfig(ckpt.config), weights: ckpt.weights, label: dir, checkpoint: dir, ...(classNames ? { classNames } : {}) };
  }
  if (!ref.run) throw new StorageError('name a run or a model folder', ref.home);
  const store = new RunStore(ref.home);
  const meta = store.getRun(ref.run);
  const name = ref.checkpoint ?? (store.listCheckpoints(meta.id).some((c) => c.name === 'best') ? 'best' : 'latest');
  const ckpt = store.loadCheckpoint(meta.id, name);
  const source = meta.dataset.source;
  return {
    config: validateConfig(ckpt.config),
    weights: ckpt.weights,
    label: `run ${meta.id} / ${name}`,
    runId: meta.id,
    checkpoint: name,
    dataDir: source && !source.startsWith('bundled:') ? source : undefined,
    ...(meta.dataset.classNames ? { classNames: meta.dataset.classNames } : {}),
  };
}
