/**
 * Starts a worker thread on a sibling entry (`grad-worker`, `sample-worker`): the compiled .js
 * beside the running bundle (or one folder up, when the caller landed in a shared chunk), or from
 * source the .ts with tsx's require hook installed in the thread first.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** `callerFile` is the caller's __filename (its bundle when built); `sourceFile` stands in without one. */
export function startWorkerThread(entryName: string, callerFile: string | undefined, sourceFile: string): Worker {
  const here = callerFile || path.join(process.cwd(), sourceFile);
  const name = `${entryName}${here.endsWith('.ts') ? '.ts' : '.js'}`;
  const candidates = [path.join(path.dirname(here), name), path.join(path.dirname(path.dirname(here)), name)];
  const entry = candidates.find((c) => fs.existsSync(c)) ?? candidates[0]!;
  if (!entry.endsWith('.ts')) return new Worker(entry);
  const tsx = createRequire(here).resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`, { eval: true });
}
