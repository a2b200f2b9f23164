/**
 * `saccade queue`: the home's run queue from the command line. `queue` lists it; `queue run`
 * is a headless runner (until nothing is queued, or for good with --watch) that trains entries in
 * order, Ctrl-C or SIGTERM putting the ones it trains back as resumes; `queue move ID POS`,
 * `queue cancel ID` and `queue requeue RUN` change it. The studio's runner shares the same file.
 */
import { findDatasetCache } from '../data/dataset-cache';
import { readStudioState } from '../services/project-store';
import { QueueRunner, queuedTrainJob, type StartedRun, type StartExtras } from '../services/queue-runner';
import { queueResume } from '../services/queue-service';
import type { EngineService } from '../services/training-service';
import type { QueueEntry } from '../shared/api';
import type { BackendRequest } from '../shared/jobs';
import { RunStore } from '../storage';
import { RunQueue } from '../storage/run-queue';
import { shareAdapterProbe } from '../trainer/webgpu-probe';
import { type Options, parseNumber, UsageError } from './args';
import type { OutputMode } from './progress';

export interface QueueHost {
  opts: Options;
  positionals: string[];
  home: string;
  mode: OutputMode;
  engine: EngineService;
  print(line: string): void;
  printJson(value: unknown): void;
  warn(line: string): void;
}

/** --project NAME: the studio project an entry's run joins (read from the studio's store, never written). */
export function projectIdOf(home: string, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const projects = readStudioState(home).projects ?? [];
  const found = projects.find((p) => p.name === name) ?? projects.find((p) => p.id === name);
  if (!found) throw new UsageError(`--project ${name}: no studio project of that name in ${home} (${projects.length ? `there are: ${projects.map((p) => p.name).join(', ')}` : 'the studio has made none yet'})`);
  return found.id;
}

function settingsText(entry: QueueEntry): string {
  const job = entry.job;
  if (job.kind === 'resume') return `resume${job.maxSteps !== undefined ? ` to step ${job.maxSteps}` : ''}`;
  if (job.sweep) return Object.entries(job.sweep.settings).map(([k, v]) => `${k}=${String(v)}`).join(' ');
  return job.given.filter((k) => k in job.config).map((k) => `${k}=${String((job.config as unknown as Record<string, unknown>)[k])}`).join(' ');
}

/** How an added entry is reported: its id and position. */
export function printQueued(host: Pick<QueueHost, 'mode' | 'print' | 'printJson'>, entries: QueueEntry[]): void {
  for (const e of entries) {
    if (host.mode === 'json') host.printJson({ type: 'queued', entry: e });
    else host.print(`queued ${e.id} at position ${e.position}: ${e.job.name}`);
  }
}

export async function runQueueCommand(host: QueueHost): Promise<number> {
  const [sub, ...rest] = host.positionals;
  const queue = new RunQueue(host.home, (w) => host.warn(`saccade: warning: ${w}`));
  const store = new RunStore(host.home);
  switch (sub) {
    case undefined:
    case 'list': {
      host.opts.rejectUnknown('queue');
      return listQueue(host, queue);
    }
    case 'move': {
      host.opts.rejectUnknown('queue');
      const [id, pos] = rest;
      if (!id || pos === undefined) throw new UsageError('queue move needs an entry id and a position: saccade queue move ID POS');
      const position = parseNumber('position', pos, { integer: true, min: 1 });
      queue.move(id, position);
      return listQueue(host, queue);
    }
    case 'cancel': {
      host.opts.rejectUnknown('queue');
      const [id] = rest;
      if (!id) throw new UsageError('queue cancel needs an entry id (saccade queue lists them)');
      queue.cancel(id);
      if (host.mode === 'json') host.printJson({ type: 'cancelled', id });
      else host.print(`cancelled ${id}`);
      return 0;
    }
    case 'requeue': {
      const maxSteps = host.opts.number('max-steps', { integer: true, min: 1 });
      const projectId = projectIdOf(host.home, host.opts.string('project'));
      host.opts.rejectUnknown('queue');
      const [run] = rest;
      if (!run) throw new UsageError('queue requeue needs a run id (saccade runs lists them)');
      const entry = queueResume(queue, store, run, maxSteps !== undefined ? { maxSteps } : {}, (id) => store.liveOwner(id) !== undefined, () => projectId);
      printQueued(host, [entry]);
      return 0;
    }
    case 'run':
      return runQueue(host, queue);
    default:
      throw new UsageError(`unknown queue command '${sub}' (try: saccade queue, queue run, queue move ID POS, queue cancel ID, queue requeue RUN)`);
  }
}

function listQueue(host: QueueHost, queue: RunQueue): number {
  const entries = queue.list();
  if (host.mode === 'json') {
    host.printJson({ type: 'queue', home: host.home, entries });
    return 0;
  }
  if (!entries.length) {
    host.print(`the queue is empty in ${host.home} (saccade train --queue adds a run)`);
    return 0;
  }
  const head = ['pos', 'entry', 'state', 'name', 'run', 'settings'];
  const rows = entries.map((e) => [e.position !== undefined ? String(e.position) : '-', e.id, e.state, e.job.name, e.runId ?? (e.job.kind === 'resume' ? e.job.runId : '-'), settingsText(e) + (e.error ? ` (${e.error})` : '')]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [head, ...rows]) host.print(row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  return 0;
}

/** The headless runner: trains queue entries through trainer processes, printing each start and end. */
async function runQueue(host: QueueHost, queue: RunQueue): Promise<number> {
  const concurrency = host.opts.number('concurrency', { integer: true, min: 1, max: 8 }) ?? 1;
  const watch = host.opts.flag('watch');
  host.opts.rejectUnknown('queue');
  const json = host.mode === 'json';
  const say = (value: Record<string, unknown>, line: string) => (json ? host.printJson(value) : host.print(line));

  const start = (entry: QueueEntry, extras: StartExtras): Promise<StartedRun> => {
    const job = entry.job;
    let dataDir: string | undefined;
    if (job.kind === 'train' && !job.dataDir && job.dataset.startsWith('import:')) {
      const slug = job.dataset.slice('import:'.length);
      dataDir = findDatasetCache(host.home, slug)?.folder;
      if (!dataDir) return Promise.reject(new Error(`no imported dataset '${job.dataset}' in ${host.home}`));
    }
    const backend = job.kind === 'train' ? (job.backend as BackendRequest | undefined) : undefined;
    return new Promise<StartedRun>((resolve, reject) => {
      let runId: string | undefined;
      const running = host.engine.train({ home: host.home, ...queuedTrainJob(entry, dataDir, backend, extras) }, (e) => {
        if (e.type === 'run' && !runId) {
          runId = e.runId;
          resolve({ runId, done: running.result, stop: () => running.handle.stop() });
        } else if (e.type === 'epoch' && runId) {
          const val = e.validationAccuracy !== undefined ? `, validation ${(100 * e.validationAccuracy).toFixed(2)}%` : '';
          say({ type: 'epoch', entry: entry.id, runId, epoch: e.epoch, step: e.step, validationAccuracy: e.validationAccuracy }, `run ${runId} epoch ${e.epoch} (step ${e.step})${val}`);
        } else if (e.type === 'log' && /^(resuming|stopped early|\S+ has no checkpoint yet)/.test(e.message)) {
          say({ type: 'log', entry: entry.id, runId: runId ?? (job.kind === 'resume' ? job.runId : undefined), message: e.message }, e.message);
        }
      });
      running.result.catch((err: unknown) => {
        if (!runId) reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  };

  const runner = new QueueRunner({
    home: host.home,
    queue,
    start,
    keepAlive: true,
    concurrency: () => concurrency,
    onChange: (c) => {
      if (c.type === 'error') return host.warn(`saccade: warning: ${c.message}`);
      const name = c.entry.job.name;
      if (c.type === 'started') say({ type: 'started', entry: c.entry.id, runId: c.runId, name }, `started ${c.entry.id}: run ${c.runId} ${name}`);
      else if (c.type === 'ended') say({ type: 'ended', entry: c.entry.id, runId: c.runId, name, status: c.message }, `ended ${c.entry.id}: run ${c.runId} ${c.message ?? ''} (${name})`);
      else if (c.type === 'failed') say({ type: 'failed', entry: c.entry.id, name, error: c.message }, `failed ${c.entry.id}: ${name}: ${c.message}`);
      else if (c.type === 'recovered') say({ type: 'recovered', entry: c.entry.id, name }, `recovered ${c.entry.id} (its runner had died): ${name}, queued again${c.entry.job.kind === 'resume' ? ` to resume run ${c.entry.job.runId}` : ''}`);
      else if (c.type === 'put-back') say({ type: 'put-back', entry: c.entry.id, runId: c.runId, name }, `put back ${c.entry.id}: run ${c.runId} resumes when a runner takes it again`);
    },
  });

  let stopping: Promise<void> | undefined;
  let resolveSignal: () => void = () => undefined;
  const signalled = new Promise<void>((resolve) => (resolveSignal = resolve));
  const onSignal = () => {
    if (stopping) return;
    host.warn('\nstopping the queue runner: its runs stop after this step and go back to the queue...');
    stopping = runner.stopAndWait();
    void stopping.then(resolveSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    // One WebGPU probe for all the trainings this runner starts, not one each.
    await shareAdapterProbe();
    say({ type: 'runner', id: runner.info.id, concurrency, watch }, `queue runner ${runner.info.id} on ${host.home}: ${concurrency} at a time${watch ? ', waiting for more when the queue is empty (Ctrl-C ends)' : ''}`);
    runner.start();
    if (watch) await signalled;
    else await Promise.race([runner.idle(), signalled]);
    runner.stop();
    if (stopping) await stopping;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
  say({ type: 'summary', stopped: stopping !== undefined, queued: queue.list().filter((e) => e.state === 'queued').length }, stopping ? 'queue runner stopped' : 'queue runner done: nothing left queued');
  return 0;
}
