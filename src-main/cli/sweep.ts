/**
 * `saccade sweep`: the trials of a grid (--grid SETTING=V1,V2 ..., repeatable) or seeded random
 * search (--random SETTING=log:A..B ... --trials N [--seed S]) from a base config (a preset plus
 * the other flags), trained one after another as normal runs named "<sweep> #k <trial>" and
 * recorded with meta.sweep; optionally stopped early by patience or by the median of the
 * finished trials (--median-stop), then ranked by best validation accuracy.
 */
import type { RamConfig } from '../core/config';
import { gridTrials, medianTable, parseGridSpec, parseRandomSpec, randomTrials, SweepError, type Trial } from '../core/sweep';
import type { BackendRequest, TrainJob, TrainSummary } from '../shared/jobs';
import { RunStore, type RunMeta } from '../storage';
import { epochAccuracies, sweepNameUsed } from '../storage/sweep-history';
import { RunQueue } from '../storage/run-queue';
import { shareAdapterProbe } from '../trainer/webgpu-probe';
import type { QueuedTraining, SweepTrialInfo } from '../shared/api';
import { printQueued, projectIdOf } from './queue';
import { type Options, UsageError } from './args';
import type { OutputMode } from './progress';

/** The specs taken out of the command line: --grid and --random repeat, --median-stop is a flag. */
export interface SweepSpecs {
  grids: string[];
  randoms: string[];
  medianStop: boolean;
}

/**
 * Takes the repeatable --grid/--random specs and the --median-stop flag out of a sweep's argv
 * (the general parser keeps one value per option and knows no such flag); the rest is returned.
 */
export function splitSweepArgs(argv: string[]): { argv: string[]; specs: SweepSpecs } {
  const specs: SweepSpecs = { grids: [], randoms: [], medianStop: false };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--(grid|random|median-stop|medianStop)(?:=(.*))?$/.exec(arg);
    if (!m) {
      rest.push(arg);
      if (arg === '--') rest.push(...argv.slice(i + 1));
      if (arg === '--') break;
      continue;
    }
    const key = m[1] === 'medianStop' ? 'median-stop' : m[1]!;
    if (key === 'median-stop') {
      const v = m[2];
      if (v !== undefined && v !== 'true' && v !== 'false') throw new UsageError('--median-stop is a flag: give it no value');
      specs.medianStop = v !== 'false';
      continue;
    }
    let value = m[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${key} needs a value (e.g. ${key === 'grid' ? 'locationStd=0.1,0.17' : 'learningRate=log:1e-4..3e-3'})`);
      i += 1;
    }
    (key === 'grid' ? specs.grids : specs.randoms).push(value);
  }
  return { argv: rest, specs };
}

/** What the sweep needs from the CLI: its options, output and a way to follow one training job. */
export interface SweepHost {
  opts: Options;
  home: string;
  mode: OutputMode;
  print(line: string): void;
  printJson(value: unknown): void;
  warn(line: string): void;
  baseConfig(): { config: RamConfig; preset: string; given: string[] };
  dataOption(): string | undefined;
  backend(): BackendRequest | undefined;
  /** Runs one training job to its end, printing its progress; Ctrl-C stops it cleanly. */
  train(job: Omit<TrainJob, 'kind'>): Promise<TrainSummary>;
}

/** One trial's result, as the summary and the ranking show it. */
export interface TrialResult {
  rank?: number;
  trial: number;
  name: string;
  runId: string;
  settings: Record<string, unknown>;
  status: string;
  bestValidationAccuracy?: number;
  testAccuracy?: number;
  testAccuracyMC?: number;
  epochs: number;
  stopReason?: string;
  stopMessage?: string;
}

function pct(x: number | undefined): string {
  return x === undefined ? '-' : `${(100 * x).toFixed(2)}%`;
}

/** Best validation first; trials without one last, in their order. */
export function rankTrials<T extends { bestValidationAccuracy?: number; trial: number }>(trials: T[]): T[] {
  return [...trials].sort((a, b) => (b.bestValidationAccuracy ?? -1) - (a.bestValidationAccuracy ?? -1) || a.trial - b.trial);
}

function settingsText(settings: Record<string, unknown>): string {
  return Object.entries(settings).map(([k, v]) => `${k}=${String(v)}`).join(' ');
}

/** The ranking table of a sweep's trials (already ranked). */
export function rankingTable(rows: TrialResult[]): string[] {
  const head = ['rank', 'trial', 'settings', 'best val', 'test mean', 'test MC', 'epochs', 'stop', 'run'];
  const cells = rows.map((r, i) => [
    String(i + 1),
    `#${r.trial}`,
    settingsText(r.settings) || '-',
    pct(r.bestValidationAccuracy),
    pct(r.testAccuracy),
    pct(r.testAccuracyMC),
    String(r.epochs),
    r.stopReason ?? (r.status === 'completed' ? '-' : r.status),
    r.runId,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [head, ...cells].map((c) => c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** A recorded run as a trial result (for `saccade runs --sweep`). */
export function trialFromMeta(meta: RunMeta): TrialResult {
  return {
    trial: meta.sweep?.trial ?? 0,
    name: meta.name,
    runId: meta.id,
    settings: meta.sweep?.settings ?? {},
    status: meta.status,
    bestValidationAccuracy: meta.best?.validationAccuracy,
    testAccuracy: meta.test?.accuracy,
    testAccuracyMC: meta.test?.accuracyMC,
    epochs: meta.progress?.epoch ?? 0,
    stopReason: meta.stopReason?.reason,
    stopMessage: meta.stopReason?.message,
  };
}

function defaultSweepName(preset: string): string {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${preset}-sweep-${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
}

export async function runSweep(host: SweepHost, specs: SweepSpecs): Promise<number> {
  const { opts } = host;
  const trialsCount = opts.number('trials', { integer: true, min: 1, max: 10000 });
  // --seed is the seed of the random draws; as a setting it also seeds every trial's training.
  const seed = opts.number('seed', { integer: true, min: 0 });
  const { config, preset, given } = host.baseConfig();
  const sweepName = opts.string('name') ?? defaultSweepName(preset);
  const dataDir = host.dataOption();
  const maxSteps = opts.number('max-steps', { integer: true, min: 1 });
  const workers = opts.number('workers', { integer: true, min: 1, max: 64 });
  const patience = opts.number('patience', { integer: true, min: 1 });
  const backend = host.backend();
  const queue = opts.flag('queue');
  const project = opts.string('project');
  opts.rejectUnknown('sweep');
  if (project !== undefined && !queue) throw new UsageError('--project applies to --queue');
  if (workers !== undefined && queue) throw new UsageError('--workers cannot be queued (the queue runner chooses them)');

  if (!specs.grids.length && !specs.randoms.length) throw new UsageError('sweep needs --grid SETTING=V1,V2 (repeatable) or --random SETTING=log:A..B with --trials N');
  if (specs.grids.length && specs.randoms.length) throw new UsageError('give either --grid or --random specs, not both');
  if (specs.randoms.length && trialsCount === undefined) throw new UsageError('--random needs --trials N (how many draws)');
  if (specs.grids.length && trialsCount !== undefined) throw new UsageError('--trials applies to --random (a grid has one trial per combination)');
  if ((patience !== undefined || specs.medianStop) && config.validationSize === 0) {
    throw new UsageError(`${patience !== undefined ? `--patience ${patience}` : '--median-stop'} needs a validation set to watch: leave out --validation-size 0 (or give it above 0)`);
  }
  if (sweepNameUsed(new RunStore(host.home), new RunQueue(host.home), sweepName)) {
    throw new UsageError(`a sweep named '${sweepName}' exists already (saccade runs --sweep ${sweepName} lists it): give this one another --name`);
  }
  let trials: Trial[];
  try {
    trials = specs.grids.length
      ? gridTrials(config, specs.grids.map(parseGridSpec))
      : randomTrials(config, specs.randoms.map(parseRandomSpec), trialsCount!, seed ?? config.seed);
  } catch (err) {
    if (err instanceof SweepError || (err instanceof Error && err.name === 'ConfigError')) throw new UsageError(err.message);
    throw err;
  }

  if (queue) {
    const jobs = trials.map(
      (trial, k): QueuedTraining => ({
        kind: 'train',
        name: `${sweepName} #${k + 1} ${trial.name}`,
        config: { ...trial.config },
        given: [...new Set([...given, ...Object.keys(trial.values)])],
        dataset: config.task,
        ...(dataDir ? { dataDir } : {}),
        ...(backend ? { backend } : {}),
        ...(maxSteps !== undefined ? { maxSteps } : {}),
        ...(patience !== undefined ? { patience } : {}),
        ...(specs.medianStop ? { medianStop: true } : {}),
        sweep: { name: sweepName, trial: k + 1, settings: { ...trial.values } as SweepTrialInfo['settings'] },
      }),
    );
    const entries = new RunQueue(host.home).add(jobs, { projectId: projectIdOf(host.home, project) });
    if (host.mode !== 'json') host.print(`sweep '${sweepName}': ${trials.length} trial${trials.length === 1 ? '' : 's'} queued${specs.medianStop ? ', median stopping' : ''} (saccade queue run trains them)`);
    printQueued(host, entries);
    return 0;
  }

  const store = new RunStore(host.home);
  const results: TrialResult[] = [];
  // One WebGPU probe for all the trials, not one each.
  await shareAdapterProbe();
  let interrupted = false;
  // Between trials too, Ctrl-C ends the sweep (during one, the trial's own handler stops it cleanly).
  const onSigint = () => (interrupted = true);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  process.on('SIGHUP', onSigint);
  const json = host.mode === 'json';
  try {
    if (!json) host.print(`sweep '${sweepName}': ${trials.length} trial${trials.length === 1 ? '' : 's'} from preset ${preset}${specs.medianStop ? ', median stopping' : ''}${patience !== undefined ? `, patience ${patience}` : ''}`);
    for (let k = 0; k < trials.length && !interrupted; k++) {
      const trial = trials[k]!;
      const number = k + 1;
      const settings = { ...trial.values } as Record<string, unknown>;
      const runName = `${sweepName} #${number} ${trial.name}`;
      if (json) host.printJson({ type: 'trial', sweep: sweepName, trial: number, of: trials.length, name: runName, settings });
      else host.print(`trial ${number}/${trials.length}: ${trial.name}`);
      // The first trial has no table yet, but records that it is median-stopped (a resume recomputes it).
      const medianStop = specs.medianStop ? medianTable(results.map((r) => epochAccuracies(store, r.runId))) : undefined;
      const summary = await host.train({
        home: host.home,
        config: { ...trial.config },
        given: [...new Set([...given, ...Object.keys(trial.values)])],
        name: runName,
        dataDir,
        backend,
        maxSteps,
        workers,
        patience,
        ...(medianStop ? { medianStop } : {}),
        sweep: { name: sweepName, trial: number, settings },
      });
      const result: TrialResult = {
        trial: number,
        name: trial.name,
        runId: summary.runId,
        settings,
        status: summary.status,
        bestValidationAccuracy: summary.bestValidationAccuracy,
        testAccuracy: summary.test?.accuracy,
        testAccuracyMC: summary.test?.accuracyMC,
        epochs: summary.epochs,
        stopReason: summary.stopReason,
        stopMessage: summary.stopMessage,
      };
      results.push(result);
      if (summary.status === 'stopped') interrupted = true;
      if (!json) {
        host.print(
          `trial ${number}/${trials.length} ${summary.status}: run ${summary.runId}, ${summary.epochs} epochs, best validation ${pct(summary.bestValidationAccuracy)}, test ${pct(summary.test?.accuracy)}` +
            (summary.stopMessage ? ` (${summary.stopMessage})` : ''),
        );
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    process.off('SIGHUP', onSigint);
  }
  const ranked = rankTrials(results).map((r, i) => ({ ...r, rank: i + 1 }));
  const ran = results.map((r) => `#${r.trial}`).join(', ') || 'none';
  if (json) {
    host.printJson({ type: 'summary', sweep: sweepName, complete: !interrupted, ran: results.length, of: trials.length, trials: ranked });
    return 0;
  }
  if (interrupted) host.print(`sweep '${sweepName}' stopped: trials ${ran} of ${trials.length} ran${results.length < trials.length ? `; ${trials.length - results.length} not started` : ''}`);
  host.print('');
  host.print(`sweep '${sweepName}' ranked by best validation accuracy:`);
  for (const line of rankingTable(ranked)) host.print(line);
  return 0;
}

/** `saccade runs --sweep NAME`: that sweep's runs, ranked by best validation accuracy. */
export function listSweepRuns(host: Pick<SweepHost, 'home' | 'mode' | 'print' | 'printJson'>, name: string): number {
  const store = new RunStore(host.home);
  const runs = store.listRuns().filter((r) => r.sweep?.name === name);
  const ranked = rankTrials(runs.map(trialFromMeta)).map((r, i) => ({ ...r, rank: i + 1 }));
  if (host.mode === 'json') {
    host.printJson({ type: 'runs', home: host.home, sweep: name, runs: ranked });
    return 0;
  }
  if (!ranked.length) {
    host.print(`no runs of a sweep named '${name}' in ${host.home}`);
    return 0;
  }
  host.print(`sweep '${name}' ranked by best validation accuracy:`);
  for (const line of rankingTable(ranked)) host.print(line);
  return 0;
}
