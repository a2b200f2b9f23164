/**
 * `saccade`: the headless way to use every engine service. Jobs run in a trainer process; this
 * process only parses, prints and writes files. Errors are one line and a non-zero exit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_HELP, DEFAULT_CONFIG, MAX_IMAGE_SIZE, MIN_IMAGE_SIZE, PRESETS, presetConfig, type RamConfig } from '../core/config';
import { findDatasetCache, listDatasetCaches } from '../data/dataset-cache';
import { EngineService, type Running } from '../services/training-service';
import { JobError } from '../services/job-launcher';
import type { BackendRequest, BenchJob, BenchResult, EvalSummary, ExportSummary, FixationsSummary, InvertMode, JobEvent, ModelRef, TraceJob } from '../shared/jobs';
import { RunStore, defaultHome, writeFileAtomic, writeModelDir } from '../storage';
import { camel, kebab, Options, parseArgs, parseIndexList, parseNumber, UsageError } from './args';
import { ProgressPrinter, formatDuration, type OutputMode } from './progress';
import { serve } from './serve';
import { writeFixationMaps } from './fixation-maps';
import { USAGE, COMMAND_HELP } from './usage';
import { listSweepRuns, runSweep, splitSweepArgs, type SweepSpecs } from './sweep';
import { printQueued, projectIdOf, runQueueCommand, type QueueHost } from './queue';
import { RunQueue } from '../storage/run-queue';
import type { QueuedTraining } from '../shared/api';

/** The reference implementation's flag names, accepted as aliases. */
const REFERENCE_ALIASES: Record<string, keyof RamConfig> = {
  step: 'glimpses',
  glimpse: 'glimpseSize',
  scale: 'scales',
  std: 'locationStd',
  pixel: 'unitPixels',
  batch: 'batchSize',
  epoch: 'epochs',
  lr: 'learningRate',
};

interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
}

export async function main(argv: string[], io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  // The browser mode has flags of its own (--no-open, --host).
  if (argv[0] === 'serve') return serve(argv.slice(1), io);
  let parsed;
  let sweepSpecs: SweepSpecs | undefined;
  try {
    // A sweep's --grid/--random repeat and --median-stop is a flag: taken out before the general parser.
    if (argv[0] === 'sweep') ({ argv, specs: sweepSpecs } = splitSweepArgs(argv));
    parsed = parseArgs(argv);
  } catch (err) {
    return fail(io, err);
  }
  const command = parsed.command;
  if (!command || command === 'help' || (command === '--help')) {
    io.out.write(USAGE);
    return 0;
  }
  const opts = new Options(parsed);
  if (opts.flag('help') || opts.flag('h')) {
    io.out.write(COMMAND_HELP[command] ?? USAGE);
    return 0;
  }
  const json = opts.flag('json');
  const mode: OutputMode = json ? 'json' : io.out.isTTY ? 'tty' : 'plain';
  const home = path.resolve(opts.string('home') ?? defaultHome());
  const cli = new Cli(io, opts, parsed.positionals, home, mode);
  try {
    switch (command) {
      case 'train':
        return await cli.train();
      case 'resume':
        return await cli.resume();
      case 'eval':
      case 'evaluate':
        return await cli.evaluate();
      case 'trace':
        return await cli.trace();
      case 'export':
        return await cli.export();
      case 'fixations':
        return await cli.fixations();
      case 'runs':
        return cli.runs();
      case 'sweep':
        return await cli.sweep(sweepSpecs!);
      case 'presets':
        return cli.presets();
      case 'bench':
        return await cli.bench();
      case 'save-model':
        return cli.saveModel();
      case 'import':
        return await cli.importDataset();
      case 'datasets':
        return cli.datasets();
      case 'queue':
        return await cli.queue();
      default:
        throw new UsageError(`unknown command '${command}' (try: train, resume, eval, trace, export, runs, import, datasets, presets, bench, fixations, sweep, queue, serve)`);
    }
  } catch (err) {
    return fail(io, err);
  }
}

function fail(io: Io, err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  io.err.write(`saccade: error: ${message.split('\n')[0]}\n`);
  return err instanceof UsageError ? 2 : 1;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

class Cli {
  private readonly engine = new EngineService();

  constructor(
    private readonly io: Io,
    private readonly opts: Options,
    private readonly positionals: string[],
    private readonly home: string,
    private readonly mode: OutputMode,
  ) {}

  private print(line: string): void {
    this.io.out.write(`${line}\n`);
  }

  private printJson(value: unknown): void {
    this.io.out.write(`${JSON.stringify(value)}\n`);
  }

  private backend(): BackendRequest | undefined {
    return this.opts.string('backend') as BackendRequest | undefined;
  }

  /** Runs a job with progress printed, Ctrl-C asking the trainer to stop cleanly. */
  private async follow<T>(start: (onEvent: (e: JobEvent) => void) => Running<T>): Promise<T> {
    const printer = new ProgressPrinter(this.mode, this.io.out, this.io.err);
    const running = start((e) => printer.handle(e));
    let interrupts = 0;
    const onSigint = () => {
      interrupts += 1;
      if (interrupts === 1) {
        this.io.err.write('\nstopping after this step (Ctrl-C again to kill)...\n');
        running.handle.stop();
      } else running.handle.kill();
    };
    // A service manager's SIGTERM or a closed terminal's SIGHUP: the same clean stop, never a kill.
    const onTerminate = () => running.handle.stop();
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onTerminate);
    process.on('SIGHUP', onTerminate);
    try {
      return await running.result;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onTerminate);
      process.off('SIGHUP', onTerminate);
      printer.done();
    }
  }

  private configFromOptions(): { config: RamConfig; preset: string; given: string[] } {
    const preset = this.opts.string('preset') ?? 'centered';
    const overrides: Record<string, unknown> = {};
    for (const key of this.opts.keys()) {
      const name = REFERENCE_ALIASES[key] ?? camel(key);
      if (!(name in DEFAULT_CONFIG)) continue;
      const def = DEFAULT_CONFIG[name as keyof RamConfig];
      if (typeof def === 'number') overrides[name] = this.opts.number(key);
      else if (typeof def === 'boolean') overrides[name] = this.opts.flag(key);
      else overrides[name] = this.opts.string(key);
    }
    return { config: presetConfig(preset, overrides as Partial<RamConfig>), preset, given: Object.keys(overrides) };
  }

  /** --data NAME|DIR: a folder (IDX or class folders), else an imported dataset's name. */
  private dataOption(): string | undefined {
    const ref = this.opts.string('data');
    if (ref === undefined) return undefined;
    if (fs.existsSync(ref)) {
      if (!fs.statSync(ref).isDirectory()) throw new UsageError(`--data ${ref}: not a folder`);
      return path.resolve(ref);
    }
    const found = findDatasetCache(this.home, ref);
    if (found) return found.folder;
    throw new UsageError(`--data ${ref}: no such folder or imported dataset ('saccade datasets' lists the imports)`);
  }

  async importDataset(): Promise<number> {
    const folder = this.positionals[0];
    const name = this.opts.string('name') ?? (folder ? path.basename(path.resolve(folder)) : undefined);
    const imageSize = this.opts.number('image-size', { integer: true, min: MIN_IMAGE_SIZE, max: MAX_IMAGE_SIZE });
    const channelsNumber = this.opts.number('channels', { integer: true, min: 1, max: 3 });
    const skipBad = this.opts.flag('skip-bad');
    const namesText = this.opts.string('class-names');
    const classNames = namesText?.split(',').map((n) => n.trim());
    if (classNames?.some((n) => !n)) throw new UsageError('--class-names takes names separated by commas, none empty');
    this.opts.rejectUnknown('import');
    if (!folder) throw new UsageError('import needs a folder: saccade import DIR --name NAME');
    if (this.positionals.length > 1) throw new UsageError(`import takes one folder (got '${this.positionals[1]}' too)`);
    if (channelsNumber !== undefined && channelsNumber !== 1 && channelsNumber !== 3) throw new UsageError(`--channels must be 1 (grey) or 3 (colour), not ${channelsNumber}`);
    const channels = channelsNumber as 1 | 3 | undefined;
    const summary = await this.follow((on) =>
      this.engine.importDataset({ home: this.home, folder: path.resolve(folder), name: name!, imageSize, channels, skipBad, classNames }, on),
    );
    const { index } = summary;
    if (this.mode === 'json') {
      this.printJson({ type: 'summary', folder: summary.folder, ...index });
      return 0;
    }
    const colour = index.channels === 1 ? 'grey' : 'colour';
    const split = index.splitGiven ? 'its own test split' : `${Math.round((index.testFraction ?? 0.1) * 100)}% held out for testing, the same every time`;
    this.print(`imported '${index.name}': ${index.train.count.toLocaleString('en-US')} training and ${index.test.count.toLocaleString('en-US')} test images (${split}), ${index.imageSize}x${index.imageSize} ${colour}`);
    this.print(`${index.classNames.length} classes: ${index.classNames.map((c, i) => `${c} (${index.train.perClass[i]}+${index.test.perClass[i]})`).join(', ')}`);
    if (index.resized) this.print(`images had several sizes (${index.resized.sizes}): all resized to ${index.resized.to}x${index.resized.to}`);
    if (index.ignored) this.print(`ignored ${index.ignored} ${index.ignored === 1 ? 'file that is not an image' : 'files that are not images'}`);
    if (index.skipped.length) {
      const first = index.skipped.slice(0, 3).map((s) => `${s.file} (${s.reason})`).join(', ');
      this.print(`skipped ${index.skipped.length} bad image${index.skipped.length === 1 ? '' : 's'}: ${first}${index.skipped.length > 3 ? ', ...' : ''}`);
    }
    this.print(`train on it with: npx saccade train --data ${/^[\w.-]+$/.test(index.name) ? index.name : JSON.stringify(index.name)} --preset centered`);
    return 0;
  }

  datasets(): number {
    this.opts.rejectUnknown('datasets');
    const all = listDatasetCaches(this.home);
    if (this.mode === 'json') {
      this.printJson({ type: 'summary', datasets: all.map(({ folder, index }) => ({ folder, ...index })) });
      return 0;
    }
    if (!all.length) {
      this.print(`no imported datasets in ${this.home} (saccade import DIR --name NAME adds one)`);
      return 0;
    }
    const rows = all.map(({ index }) => [
      index.name,
      `${index.imageSize}x${index.imageSize} ${index.channels === 1 ? 'grey' : 'colour'}`,
      String(index.classNames.length),
      index.train.count.toLocaleString('en-US'),
      index.test.count.toLocaleString('en-US'),
      index.source.path,
    ]);
    const head = ['name', 'images', 'classes', 'train', 'test', 'imported from'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [head, ...rows]) this.print(row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
    return 0;
  }

  async train(): Promise<number> {
    const { config, preset, given } = this.configFromOptions();
    const name = this.opts.string('name') ?? preset;
    const dataDir = this.dataOption();
    const maxSteps = this.opts.number('max-steps', { integer: true, min: 1 });
    const workers = this.opts.number('workers', { integer: true, min: 1, max: 64 });
    const patience = this.opts.number('patience', { integer: true, min: 1 });
    const backend = this.backend();
    const queue = this.opts.flag('queue');
    const project = this.opts.string('project');
    this.opts.rejectUnknown('train');
    if (this.positionals.length) throw new UsageError(`train takes no positional arguments (got '${this.positionals[0]}')`);
    if (patience !== undefined && config.validationSize === 0) {
      throw new UsageError(`--patience ${patience} needs a validation set to watch: leave out --validation-size 0 (or give it above 0)`);
    }
    if (project !== undefined && !queue) throw new UsageError('--project applies to --queue (a run trained now joins the studio\'s first project)');
    if (workers !== undefined && queue) throw new UsageError('--workers cannot be queued (the queue runner chooses them)');
    if (queue) {
      const job: QueuedTraining = {
        kind: 'train',
        name,
        config: { ...config },
        given,
        dataset: config.task,
        ...(dataDir ? { dataDir } : {}),
        ...(backend ? { backend } : {}),
        ...(maxSteps !== undefined ? { maxSteps } : {}),
        ...(patience !== undefined ? { patience } : {}),
      };
      printQueued(this.queueHost(), new RunQueue(this.home).add([job], { projectId: projectIdOf(this.home, project) }));
      return 0;
    }
    const summary = await this.follow((on) => this.engine.train({ home: this.home, config: { ...config }, given, name, dataDir, backend, maxSteps, workers, patience }, on));
    return this.reportTrain(summary);
  }

  async resume(): Promise<number> {
    const run = this.positionals[0] ?? this.opts.string('run');
    const backend = this.backend();
    const maxSteps = this.opts.number('max-steps', { integer: true, min: 1 });
    const workers = this.opts.number('workers', { integer: true, min: 1, max: 64 });
    const patience = this.opts.number('patience', { integer: true, min: 1 });
    this.opts.rejectUnknown('resume');
    if (!run) throw new UsageError('resume needs a run id (see saccade runs)');
    new RunStore(this.home).getRun(run);
    const summary = await this.follow((on) => this.engine.train({ home: this.home, resume: run, backend, maxSteps, workers, patience }, on));
    return this.reportTrain(summary);
  }

  private reportTrain(summary: Awaited<ReturnType<EngineService['train']>['result']>): number {
    if (this.mode === 'json') {
      this.printJson({ type: 'summary', ...summary, testAccuracy: summary.test?.accuracy, testAccuracyMC: summary.test?.accuracyMC });
      return 0;
    }
    this.print(`run ${summary.runId} ${summary.status} after ${summary.steps} steps (${summary.epochs} epochs) in ${formatDuration(summary.trainSeconds)}`);
    if (summary.stopMessage) this.print(summary.stopMessage);
    if (summary.bestValidationAccuracy !== undefined) this.print(`best validation accuracy: ${pct(summary.bestValidationAccuracy)}`);
    if (summary.test) this.printEval(summary.test);
    else this.print(`resume with: npx saccade resume ${summary.runId}`);
    return 0;
  }

  private printEval(s: EvalSummary): void {
    this.print(`test accuracy (mean locations): ${pct(s.accuracy)}  error ${pct(s.error)}  [${s.count} images, ${s.dataset}]`);
    this.print(`test accuracy (${s.mcSamples} Monte-Carlo samples): ${pct(s.accuracyMC)}  error ${pct(s.errorMC)}`);
  }

  private modelRef(): ModelRef {
    const modelDir = this.opts.string('model');
    const run = this.opts.string('run') ?? (modelDir ? undefined : this.positionals[0]);
    const checkpoint = this.opts.string('checkpoint');
    if (!modelDir && !run) throw new UsageError('name a run (saccade runs lists them) or --model DIR');
    if (modelDir && run) throw new UsageError('give either a run or --model, not both');
    if (modelDir && checkpoint) throw new UsageError('--checkpoint applies to runs, not to --model');
    if (run) new RunStore(this.home).getRun(run);
    return { home: this.home, run, checkpoint, modelDir: modelDir && path.resolve(modelDir) };
  }

  async evaluate(): Promise<number> {
    const model = this.modelRef();
    const dataDir = this.dataOption();
    const mcSamples = this.opts.number('mc', { integer: true, min: 1, max: 1000 });
    const limit = this.opts.number('limit', { integer: true, min: 1 });
    const seed = this.opts.number('seed', { integer: true, min: 0 });
    const backend = this.backend();
    this.opts.rejectUnknown('eval');
    const summary = await this.follow((on) =>
      // Only the model's own draws are recorded as its test result: another seed is an experiment.
      this.engine.evaluate({ model, dataDir, mcSamples, limit, seed, backend, record: seed === undefined }, on),
    );
    if (this.mode === 'json') this.printJson({ type: 'summary', ...summary });
    else {
      this.printEval(summary);
      const names = summary.classNames;
      const named = (c: number) => (names?.[c] !== undefined ? `${c} ${names[c]}` : String(c));
      this.print(`per class: ${summary.perClass.map((a, c) => `${names?.[c] ?? c}:${a === null ? '-' : (100 * a).toFixed(1)}`).join(' ')}`);
      this.print('confusion (rows: label, columns: prediction, mean locations):');
      const width = Math.max(4, ...summary.confusion.flat().map((n) => String(n).length + 1));
      const rowHead = Math.max(2, ...summary.confusion.map((_, c) => named(c).length));
      this.print(`${' '.repeat(rowHead + 3)}${summary.confusion.map((_, c) => String(c).padStart(width)).join('')}`);
      summary.confusion.forEach((row, label) => this.print(`  ${named(label).padEnd(rowHead)} ${row.map((n) => String(n).padStart(width)).join('')}`));
      const wrong = summary.misclassified.slice(0, 8);
      if (wrong.length) {
        const list = wrong.map((w) => `${w.index} (label ${named(w.label)}, predicted ${named(w.prediction)})`).join(', ');
        this.print(`first misclassified (mean locations; saccade trace --images I shows one): ${list}${summary.misclassified.length > wrong.length ? ', ...' : ''}`);
      }
      this.print(`evaluated in ${summary.seconds.toFixed(2)} s`);
    }
    if (summary.recordError) {
      this.io.err.write(`saccade: error: ${summary.recordError}\n`);
      return 1;
    }
    return 0;
  }

  /** The options trace and export share, then the command's own (`extra`), all checked. */
  private traceOptions(command: string, extra: () => void): Omit<TraceJob, 'kind'> {
    const model = this.modelRef();
    const imageFile = this.opts.string('image');
    const imagesText = this.opts.string('images');
    if (imageFile !== undefined && imagesText !== undefined) throw new UsageError('give either --images (test images) or --image FILE (your picture), not both');
    const indices = imageFile !== undefined ? [] : parseIndexList('--images', imagesText ?? '0');
    const invertText = this.opts.string('invert');
    if (invertText !== undefined && invertText !== 'auto' && invertText !== 'on' && invertText !== 'off') throw new UsageError(`--invert must be auto, on or off, not '${invertText}'`);
    if (invertText !== undefined && imageFile === undefined) throw new UsageError('--invert applies to --image FILE');
    if (imageFile !== undefined && !fs.existsSync(imageFile)) throw new UsageError(`--image ${imageFile}: no such file`);
    if (imageFile !== undefined && fs.statSync(imageFile).isDirectory()) throw new UsageError(`--image ${imageFile}: a folder, not a picture`);
    const modeName = this.opts.string('mode') ?? 'mean';
    if (modeName !== 'mean' && modeName !== 'sampled') throw new UsageError(`--mode must be 'mean' or 'sampled', not '${modeName}'`);
    const dataDir = this.dataOption();
    const seed = this.opts.number('seed', { integer: true, min: 0 });
    const backend = this.backend();
    const saveAs = this.opts.string('save-as');
    extra();
    this.opts.rejectUnknown(command);
    const picture = imageFile !== undefined ? { imageFile: path.resolve(imageFile), invert: (invertText ?? 'auto') as InvertMode } : {};
    return { model, indices, mode: modeName, dataDir, seed, backend, saveAs, ...picture };
  }

  async trace(): Promise<number> {
    let out: string | undefined;
    const job = this.traceOptions('trace', () => (out = this.opts.string('out')));
    // Whether the picture was inverted: the job's log line says so.
    let inverted = false;
    const traces = await this.follow((on) =>
      this.engine.trace(job, (e) => {
        if (e.type === 'log' && job.imageFile && e.message.startsWith('traced ')) inverted = e.message.includes(', inverted');
        on(e);
      }),
    );
    if (out) {
      writeFileAtomic(path.resolve(out), JSON.stringify(traces));
      if (this.mode !== 'json') this.print(`wrote ${traces.length} traces to ${out}`);
    }
    if (this.mode === 'json') this.printJson({ type: 'summary', traces, ...(job.imageFile ? { image: job.imageFile, inverted } : {}) });
    else if (!out) {
      for (const t of traces) {
        const named = (c: number) => (t.classNames?.[c] !== undefined ? `${c} (${t.classNames[c]})` : String(c));
        const p = t.steps[t.steps.length - 1]?.probs[t.prediction] ?? 0;
        if (t.index < 0) this.print(`picture ${job.imageFile}: predicted ${named(t.prediction)} with p=${p.toFixed(3)} (${t.mode} locations; ${inverted ? 'inverted to light on dark' : 'not inverted'})`);
        else this.print(`image ${t.index}: label ${named(t.label)}, predicted ${named(t.prediction)} (${t.mode} locations)`);
        t.steps.forEach((s, i) => {
          const p = Math.max(...s.probs);
          this.print(
            `  step ${i + 1}: loc (${s.loc[0].toFixed(3)}, ${s.loc[1].toFixed(3)}) centre px (${s.centerPx[0].toFixed(1)}, ${s.centerPx[1].toFixed(1)}) ` +
              `boxes ${s.boxes.map((b) => `${b.size}@${b.x},${b.y}`).join(' ')}  p(${s.probs.indexOf(p)})=${p.toFixed(3)}`,
          );
        });
      }
    }
    return 0;
  }

  async export(): Promise<number> {
    let out = '';
    let format: 'gif' | 'apng' = 'gif';
    let scale = 4;
    let delay = 600;
    let columns: number | undefined;
    const trace = this.traceOptions('export', () => {
      const name = this.opts.string('format') ?? 'gif';
      scale = this.opts.number('scale', { integer: true, min: 1, max: 32 }) ?? 4;
      delay = this.opts.number('delay', { integer: true, min: 10, max: 60000 }) ?? 600;
      columns = this.opts.number('columns', { integer: true, min: 1, max: 64 });
      out = this.opts.string('out') ?? '';
      if (name !== 'gif' && name !== 'apng') throw new UsageError(`--format must be gif or apng, not '${name}'`);
      format = name;
    });
    const file = path.resolve(out || `glimpses.${format === 'gif' ? 'gif' : 'png'}`);
    // Traced, bounded, drawn and written by the export job, the studio's own pipeline.
    let summary: ExportSummary;
    try {
      summary = await this.follow((on) =>
        this.engine.export({ ...trace, format, scale, delayMs: delay, columns, outFile: file, optionNames: 'flags' }, on),
      );
    } catch (err) {
      // Too large an animation is a matter of the options given, as other bad values are.
      if (err instanceof JobError && err.code === 'AnimationLimitError') throw new UsageError(err.message);
      throw err;
    }
    const size = `${summary.width}x${summary.height}`;
    if (this.mode === 'json') this.printJson({ type: 'summary', file, format, frames: summary.frames, size, bytes: summary.bytes });
    else this.print(`wrote ${file} (${format}, ${summary.frames} frames, ${size}, ${summary.bytes} bytes)`);
    return 0;
  }

  /** Where a model looks over the test set: fixations.json and heat maps in --out DIR. */
  async fixations(): Promise<number> {
    const model = this.modelRef();
    const out = this.opts.string('out');
    const modeName = this.opts.string('mode') ?? 'mean';
    if (modeName !== 'mean' && modeName !== 'sampled') throw new UsageError(`--mode must be 'mean' or 'sampled', not '${modeName}'`);
    const limit = this.opts.number('limit', { integer: true, min: 1 });
    const grid = this.opts.number('grid', { integer: true, min: 1, max: 1024 });
    const seed = this.opts.number('seed', { integer: true, min: 0 });
    const dataDir = this.dataOption();
    const backend = this.backend();
    this.opts.rejectUnknown('fixations');
    if (!out) throw new UsageError('fixations needs --out DIR (for fixations.json and the heat maps)');
    if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UsageError(`--out ${out}: a file, not a folder`);
    const summary: FixationsSummary = await this.follow((on) => this.engine.fixations({ model, dataDir, backend, mode: modeName, limit, grid, seed }, on));
    const dir = path.resolve(out);
    const files = await writeFixationMaps(dir, summary);
    if (this.mode === 'json') {
      this.printJson({ type: 'summary', dir, files, count: summary.count, accuracy: summary.accuracy, steps: summary.steps, grid: summary.grid, movement: summary.movement, seconds: summary.seconds });
      return 0;
    }
    this.print(`traced ${summary.count} test images (${summary.mode} locations) in ${summary.seconds.toFixed(1)} s: accuracy ${pct(summary.accuracy)}, ${summary.wrong.count} wrong`);
    this.print(`mean movement per step (px): ${summary.movement.slice(1).map((m) => m.toFixed(1)).join(', ')}`);
    this.print(`wrote ${files.length} files to ${dir} (fixations.json, all.png, all-step1.png ..., class-K-all.png, right-all.png, wrong-all.png, mean-patches.png)`);
    return 0;
  }

  private queueHost(): QueueHost {
    return {
      opts: this.opts,
      positionals: this.positionals,
      home: this.home,
      mode: this.mode,
      engine: this.engine,
      print: (line) => this.print(line),
      printJson: (value) => this.printJson(value),
      warn: (line) => this.io.err.write(`${line}\n`),
    };
  }

  /** saccade queue ...: the run queue (see queue.ts). */
  queue(): Promise<number> {
    return runQueueCommand(this.queueHost());
  }

  /** saccade sweep: trials of a grid or random search, one run each, ranked (see sweep.ts). */
  async sweep(specs: SweepSpecs): Promise<number> {
    if (this.positionals.length) throw new UsageError(`sweep takes no positional arguments (got '${this.positionals[0]}')`);
    return runSweep(
      {
        opts: this.opts,
        home: this.home,
        mode: this.mode,
        print: (line) => this.print(line),
        printJson: (value) => this.printJson(value),
        warn: (line) => this.io.err.write(`${line}\n`),
        baseConfig: () => this.configFromOptions(),
        dataOption: () => this.dataOption(),
        backend: () => this.backend(),
        train: (job) => this.follow((on) => this.engine.train(job, on)),
      },
      specs,
    );
  }

  runs(): number {
    const sweepName = this.opts.string('sweep');
    this.opts.rejectUnknown('runs');
    if (sweepName !== undefined) return listSweepRuns({ home: this.home, mode: this.mode, print: (l) => this.print(l), printJson: (v) => this.printJson(v) }, sweepName);
    const store = new RunStore(this.home);
    const runs = store.listRuns();
    const broken = store.listBrokenRuns();
    if (this.mode === 'json') {
      this.printJson({ type: 'runs', home: this.home, runs, unreadable: broken });
      return 0;
    }
    if (runs.length === 0 && broken.length === 0) {
      this.print(`no runs yet in ${this.home} (start one with: npx saccade train)`);
      return 0;
    }
    const rows = runs.map((r) => [
      r.id,
      r.task,
      r.status,
      r.progress ? `${r.progress.epoch}` : '0',
      r.best ? pct(r.best.validationAccuracy) : '-',
      r.last?.validationAccuracy !== undefined ? pct(r.last.validationAccuracy) : '-',
      r.test ? pct(r.test.accuracy) : '-',
      r.test?.accuracyMC !== undefined ? pct(r.test.accuracyMC) : '-',
      r.backend?.name ?? '-',
    ]);
    // One bad meta.json is listed as unreadable with its reason; the other runs show as usual.
    for (const b of broken) rows.push([b.id, '-', 'unreadable', '-', '-', '-', '-', '-', b.reason]);
    const header = ['run', 'task', 'status', 'epochs', 'best val', 'last val', 'test mean', 'test MC', 'backend'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.slice(0, runs.length).map((r) => r[i].length)));
    const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
    this.print(fmt(header));
    for (const row of rows) this.print(fmt(row));
    return 0;
  }

  presets(): number {
    this.opts.rejectUnknown('presets');
    if (this.mode === 'json') {
      this.printJson(Object.fromEntries(Object.keys(PRESETS).map((p) => [p, { ...PRESETS[p as keyof typeof PRESETS], full: presetConfig(p) }])));
      return 0;
    }
    for (const [name, p] of Object.entries(PRESETS)) {
      this.print(`${name}: ${p.description}`);
      this.print(`  ${Object.entries(p.config).map(([k, v]) => `--${kebab(k)} ${v}`).join(' ')}`);
    }
    this.print('\nsettings (all presets start from these defaults):');
    for (const [key, help] of Object.entries(CONFIG_HELP)) {
      this.print(`  --${kebab(key).padEnd(20)} ${help} (default ${String(DEFAULT_CONFIG[key as keyof RamConfig])})`);
    }
    return 0;
  }

  /** A run's checkpoint as a model folder (weights, config and the run's results; no optimizer). */
  saveModel(): number {
    const run = this.positionals[0] ?? this.opts.string('run');
    const checkpoint = this.opts.string('checkpoint') ?? 'best';
    const out = this.opts.string('out');
    this.opts.rejectUnknown('save-model');
    if (!run) throw new UsageError('save-model needs a run id (see saccade runs)');
    if (!out) throw new UsageError('save-model needs --out DIR');
    const store = new RunStore(this.home);
    const meta = store.getRun(run);
    const ckpt = store.loadCheckpoint(meta.id, checkpoint);
    const tested = meta.test && meta.test.checkpoint === checkpoint ? meta.test : undefined;
    const dir = path.resolve(out);
    writeModelDir(dir, {
      ...ckpt,
      extra: {
        sourceRun: meta.id,
        sourceCheckpoint: checkpoint,
        task: meta.task,
        ...(meta.dataset.classNames ? { classNames: meta.dataset.classNames } : {}),
        epochs: ckpt.epoch,
        steps: ckpt.step,
        bestValidationAccuracy: meta.best?.validationAccuracy,
        testAccuracy: tested?.accuracy,
        testAccuracyMC: tested?.accuracyMC,
        mcSamples: tested?.mcSamples,
        trainSeconds: meta.timings?.trainSeconds,
        backend: meta.backend,
        versions: meta.versions,
        savedAt: new Date().toISOString(),
      },
    });
    if (this.mode === 'json') this.printJson({ type: 'summary', dir, run: meta.id, checkpoint });
    else this.print(`saved ${meta.id} / ${checkpoint} as a model in ${dir} (use: saccade eval --model ${out})`);
    return 0;
  }

  async bench(): Promise<number> {
    const presets = (this.opts.string('presets') ?? this.opts.string('preset') ?? 'centered').split(',').map((p) => p.trim());
    for (const p of presets) presetConfig(p);
    const steps = this.opts.number('steps', { integer: true, min: 1, max: 100000 }) ?? 60;
    const workers = this.opts.number('workers', { integer: true, min: 1, max: 64 });
    const backend = this.backend();
    const batchText = this.opts.string('batch-sizes');
    const batchSizes = batchText?.split(',').map((b) => parseNumber('--batch-sizes', b.trim(), { integer: true, min: 1, max: 65536 }));
    const concurrent = this.opts.number('concurrent', { integer: true, min: 2, max: 16 });
    this.opts.rejectUnknown('bench');
    if (concurrent !== undefined) return this.benchConcurrent({ presets, steps, backend, workers, batchSizes }, concurrent);
    const results = await this.follow((on) => this.engine.bench({ presets, steps, backend, workers, batchSizes }, on));
    if (this.mode === 'json') {
      this.printJson({ type: 'summary', results });
      return 0;
    }
    this.print('preset        backend  workers  batch  train img/s  step ms  retina ms/step  data ms/batch  eval 10k s');
    for (const r of results) {
      this.print(
        `${r.preset.padEnd(13)} ${r.backend.padEnd(8)} ${String(r.workers).padStart(7)}  ${String(r.batchSize).padStart(5)}  ${r.trainImagesPerSecond.toFixed(0).padStart(11)}  ` +
          `${r.stepMs.toFixed(1).padStart(7)}  ${r.glimpseMsPerStep.toFixed(2).padStart(14)}  ${r.dataMsPerBatch.toFixed(2).padStart(13)}  ${r.evalSeconds10k.toFixed(2).padStart(10)}` +
          (r.fastest ? '  <- fastest batch' : ''),
      );
    }
    return 0;
  }

  /**
   * The queue's concurrency question, measured: the same bench alone, then `n` copies at once
   * (separate trainer processes, as a queue runner with concurrency n starts them). Figures are
   * ratios to the lone run of the same invocation.
   */
  private async benchConcurrent(job: Omit<BenchJob, 'kind'>, n: number): Promise<number> {
    const speed = (results: BenchResult[]) => results.reduce((sum, r) => sum + r.trainImagesPerSecond, 0) / Math.max(1, results.length);
    const alone = speed(await this.follow((on) => this.engine.bench(job, on)));
    const runs = Array.from({ length: n }, () => this.engine.bench(job, () => undefined));
    const stopAll = () => runs.forEach((r) => r.handle.stop());
    process.once('SIGINT', stopAll);
    let each: number[];
    try {
      each = (await Promise.all(runs.map((r) => r.result))).map(speed);
    } finally {
      process.off('SIGINT', stopAll);
    }
    const total = each.reduce((a, b) => a + b, 0);
    const summary = { alone, each, total, totalRatio: total / alone, eachSlowdown: alone / (total / n) };
    if (this.mode === 'json') {
      this.printJson({ type: 'summary', concurrent: n, ...summary });
      return 0;
    }
    this.print(`one training alone: ${alone.toFixed(0)} train img/s`);
    this.print(`${n} at once: ${each.map((x) => x.toFixed(0)).join(' + ')} = ${total.toFixed(0)} img/s in all`);
    this.print(`=> ${summary.totalRatio.toFixed(2)}x the images per second of one alone; each run ${summary.eachSlowdown.toFixed(2)}x slower`);
    return 0;
  }
}
