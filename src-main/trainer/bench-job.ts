/** Throughput of training and evaluation per preset, measured on real data (`saccade bench`). */
import { presetConfig } from '../core/config';
import { evaluateAsync } from '../core/evaluate';
import { retinaSpecOf } from '../core/model';
import { Ram } from '../core/ram';
import { extractGlimpses, integralImages, retinaLength } from '../core/retina';
import { Rng } from '../core/rng';
import { renderBatch } from '../data/tasks';
import type { BenchJob, BenchResult } from '../shared/jobs';
import type { BackendChoice } from './backend';
import type { JobContext } from './job-context';
import { DataParallelTrainer, defaultWorkers } from './data-parallel';
import { loadSourceData, prepareRunData, type SourceData } from './run-data';

const WARMUP_STEPS = 5;

/** The batch sizes tried on a GPU when none are given: a GPU is fed, not waited on, by larger batches. */
export const GPU_BENCH_BATCHES = [128, 256, 512, 1024];

function isGpu(name: string): boolean {
  return name === 'webgpu' || name === 'tensorflow-gpu';
}

export async function runBenchJob(job: BenchJob, backend: BackendChoice, ctx: JobContext): Promise<BenchResult[]> {
  const source = await loadSourceData();
  const results: BenchResult[] = [];
  for (const preset of job.presets) {
    const batchSizes = job.batchSizes ?? (isGpu(backend.name) ? GPU_BENCH_BATCHES : [presetConfig(preset).batchSize]);
    const rows: BenchResult[] = [];
    let evalSeconds10k = 0;
    let evalImagesPerSecond = 0;
    for (const [n, B] of batchSizes.entries()) {
      const row = await benchOne(preset, B, job, backend, ctx, source, n === 0);
      if (n === 0) ({ evalSeconds10k, evalImagesPerSecond } = row);
      rows.push({ ...row, evalSeconds10k, evalImagesPerSecond });
    }
    const fastest = rows.reduce((a, b) => (b.trainImagesPerSecond > a.trainImagesPerSecond ? b : a));
    for (const r of rows) results.push(rows.length > 1 ? { ...r, fastest: r === fastest } : r);
  }
  return results;
}

/** Training speed of one preset at batch size B; the test set's evaluation too when `evaluateTest`. */
async function benchOne(
  preset: string,
  B: number,
  job: BenchJob,
  backend: BackendChoice,
  ctx: JobContext,
  source: SourceData,
  evaluateTest: boolean,
): Promise<BenchResult> {
  {
    const config = presetConfig(preset, { batchSize: B });
    const data = prepareRunData(config, source);
    const images = data.trainImages(0);
    const px = data.validation.imageSize ** 2 * data.validation.channels;
    const batch = new Float32Array(B * px);
    const idx = new Uint32Array(B);
    const labels = new Int32Array(B);
    const rng = new Rng(7);
    const fill = () => {
      for (let i = 0; i < B; i++) {
        idx[i] = data.trainIndices[rng.int(data.trainIndices.length)];
        labels[i] = source.train.labels[idx[i]];
      }
      renderBatch(images, idx, batch);
    };
    const ram = new Ram(config);
    const workers = job.workers ?? defaultWorkers(backend.name);
    const trainer = await DataParallelTrainer.start(ram, config, backend.name, workers, (await ram.readStateAsync()).weights);
    try {
      for (let s = 0; s < WARMUP_STEPS; s++) {
        fill();
        await trainer.trainBatch(batch, labels, s);
      }
      let dataMs = 0;
      const t0 = performance.now();
      for (let s = 0; s < job.steps; s++) {
        const d0 = performance.now();
        fill();
        dataMs += performance.now() - d0;
        await trainer.trainBatch(batch, labels, s);
        if (s % 10 === 9) {
          ctx.emit({ type: 'log', message: `${preset}: ${s + 1}/${job.steps} steps` });
          await ctx.checkpoint();
        }
      }
      const trainMs = performance.now() - t0;

      // The retina alone, for one step's glimpses of every image in the batch.
      const spec = retinaSpecOf(config);
      const locs = new Float32Array(B * 2).map(() => rng.next() * 2 - 1);
      const patches = new Float32Array(B * retinaLength(spec));
      const g0 = performance.now();
      const reps = 20;
      for (let r = 0; r < reps; r++) {
        const sat = integralImages(batch, B * spec.channels, spec.imageSize);
        for (let t = 0; t < config.glimpses; t++) extractGlimpses(spec, batch, sat, B, locs, patches);
      }
      const glimpseMs = (performance.now() - g0) / reps;

      let ev = { seconds: 0 };
      if (evaluateTest) {
        ctx.emit({ type: 'log', message: `${preset}: evaluating ${data.test.count} test images` });
        ev = await evaluateAsync(ram, data.test, 'mean');
      }
      const result: BenchResult = {
        preset,
        backend: backend.name,
        workers: trainer.workers,
        batchSize: B,
        trainImagesPerSecond: (job.steps * B) / (trainMs / 1000),
        stepMs: trainMs / job.steps,
        glimpseMsPerStep: glimpseMs,
        dataMsPerBatch: dataMs / job.steps,
        evalSeconds10k: ev.seconds * (10000 / data.test.count),
        evalImagesPerSecond: ev.seconds > 0 ? data.test.count / ev.seconds : 0,
      };
      ctx.emit({ type: 'log', message: `${preset} at batch ${B}: ${result.trainImagesPerSecond.toFixed(0)} training images/s${evaluateTest ? `, test set in ${result.evalSeconds10k.toFixed(2)} s` : ''}` });
      return result;
    } finally {
      await trainer.close();
      ram.dispose();
    }
  }
}
