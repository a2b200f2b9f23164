/**
 * Where a model looks over a whole test set: the glimpse centres of every image's trace counted
 * into grid x grid densities per step and in all, per true class and per outcome (right or wrong
 * with the chosen mode), with the mean image per class, the mean patch per step and scale, and
 * the mean distance moved per step. Traced batch by batch (ram.traceAsync), stoppable in between.
 */
import { imageSizeOf } from '../core/config';
import { Ram } from '../core/ram';
import type { DensityGrids, FixationsJob, FixationsSummary } from '../shared/jobs';
import type { GlimpseTrace } from '../shared/trace';
import { testImages } from './eval-job';
import type { JobContext } from './job-context';
import { loadModel } from './model-ref';

/** Images traced at a time. */
export const FIXATION_BATCH = 200;

/** What the accumulator needs of a trace. */
export type FixationTrace = Pick<GlimpseTrace, 'label' | 'prediction'> & { steps: Pick<GlimpseTrace['steps'][number], 'centerPx' | 'patches'>[] };

function emptyGrids(steps: number, cells: number): DensityGrids {
  return { perStep: Array.from({ length: steps }, () => new Array<number>(cells).fill(0)), all: new Array<number>(cells).fill(0), count: 0 };
}

/** Counts traces into FixationsSummary's grids, means and movements. */
export class FixationAccumulator {
  readonly all: DensityGrids;
  readonly perClass: DensityGrids[];
  readonly right: DensityGrids;
  readonly wrong: DensityGrids;
  private readonly imageSums: Float64Array[];
  private readonly patchSums: Float64Array[][] = [];
  private readonly moveSums: number[];
  private correct = 0;

  constructor(
    readonly imageSize: number,
    readonly channels: number,
    readonly grid: number,
    readonly steps: number,
    readonly classes: number,
  ) {
    const cells = grid * grid;
    this.all = emptyGrids(steps, cells);
    this.perClass = Array.from({ length: classes }, () => emptyGrids(steps, cells));
    this.right = emptyGrids(steps, cells);
    this.wrong = emptyGrids(steps, cells);
    this.imageSums = Array.from({ length: classes }, () => new Float64Array(imageSize * imageSize * channels));
    this.moveSums = new Array<number>(steps).fill(0);
  }

  /** The grid cell of a centre in pixels ([x, y]), clamped to the grid: row-major index. */
  cell(centerPx: readonly [number, number]): number {
    const g = this.grid;
    const clamp = (v: number) => Math.max(0, Math.min(g - 1, Math.floor((v * g) / this.imageSize)));
    return clamp(centerPx[1]) * g + clamp(centerPx[0]);
  }

  /** One image's trace; `image` (its interleaved bytes 0..255) counts into its class's mean image. */
  add(trace: FixationTrace, image?: ArrayLike<number>): void {
    const label = trace.label;
    const groups = [this.all, trace.prediction === label ? this.right : this.wrong];
    if (label >= 0 && label < this.classes) groups.push(this.perClass[label]!);
    if (trace.prediction === label) this.correct += 1;
    for (const g of groups) g.count += 1;
    trace.steps.forEach((step, t) => {
      if (t >= this.steps) return;
      const c = this.cell(step.centerPx);
      for (const g of groups) {
        g.perStep[t]![c]! += 1;
        g.all[c]! += 1;
      }
      if (t > 0) {
        const prev = trace.steps[t - 1]!.centerPx;
        this.moveSums[t]! += Math.hypot(step.centerPx[0] - prev[0], step.centerPx[1] - prev[1]);
      }
      const sums = (this.patchSums[t] ??= step.patches.map((p) => new Float64Array(p.length)));
      step.patches.forEach((p, s) => {
        const into = sums[s]!;
        for (let i = 0; i < p.length; i++) into[i]! += p[i]!;
      });
    });
    if (image && label >= 0 && label < this.classes) {
      const into = this.imageSums[label]!;
      for (let i = 0; i < into.length; i++) into[i]! += image[i]!;
    }
  }

  summary(extra: { mode: 'mean' | 'sampled'; classNames?: string[]; seconds: number }): FixationsSummary {
    const n = this.all.count;
    return {
      imageSize: this.imageSize,
      channels: this.channels,
      grid: this.grid,
      steps: this.steps,
      count: n,
      classes: this.classes,
      ...(extra.classNames ? { classNames: extra.classNames } : {}),
      mode: extra.mode,
      accuracy: n ? this.correct / n : 0,
      all: this.all,
      perClass: this.perClass,
      right: this.right,
      wrong: this.wrong,
      meanImages: this.imageSums.map((sum, k) => {
        const count = this.perClass[k]!.count;
        return Array.from(sum, (v) => (count ? v / count : 0));
      }),
      meanPatches: Array.from({ length: this.steps }, (_, t) => (this.patchSums[t] ?? []).map((sum) => Array.from(sum, (v) => (n ? v / n : 0)))),
      movement: this.moveSums.map((v, t) => (t === 0 || !n ? 0 : v / n)),
      seconds: extra.seconds,
    };
  }
}

export async function runFixationsJob(job: FixationsJob, ctx: JobContext): Promise<FixationsSummary> {
  const started = performance.now();
  const model = loadModel(job.model);
  const test = await testImages(model, job.dataDir);
  const { set } = test;
  const count = job.limit === undefined ? set.count : Math.max(0, Math.min(set.count, job.limit));
  const size = imageSizeOf(model.config);
  const grid = job.grid ?? size;
  if (!Number.isInteger(grid) || grid < 1 || grid > 1024) throw new RangeError(`grid ${grid} must be a whole number from 1 to 1024`);
  const C = set.channels;
  const plane = set.imageSize * set.imageSize;
  const acc = new FixationAccumulator(set.imageSize, C, grid, model.config.glimpses, model.config.classes);
  const ram = new Ram(model.config, model.weights);
  const images = new Float32Array(Math.min(FIXATION_BATCH, Math.max(1, count)) * plane * C);
  const bytes = new Uint8Array(plane * C);
  const none = new Uint8Array(0);
  try {
    ctx.emit({ type: 'log', message: `tracing ${count} test images of ${test.name} with ${model.label} (${job.mode} locations)` });
    ctx.emit({ type: 'evaluating', what: 'fixations', done: 0, total: count });
    for (let from = 0; from < count; from += FIXATION_BATCH) {
      const n = Math.min(FIXATION_BATCH, count - from);
      const idx = Array.from({ length: n }, (_, i) => from + i);
      const view = images.subarray(0, n * plane * C);
      set.render(idx, view);
      // No pixels in the traces: the mean images come from the rendered batch itself.
      const meta = idx.map((index) => ({ index, label: Number(set.labels[index]), pixels: none }));
      const traces = await ram.traceAsync(view, meta, job.mode, job.seed);
      traces.forEach((trace, i) => {
        const base = i * plane * C;
        for (let c = 0; c < C; c++) for (let p = 0; p < plane; p++) bytes[p * C + c] = Math.round(view[base + c * plane + p]! * 255);
        acc.add(trace, bytes);
      });
      ctx.emit({ type: 'evaluating', what: 'fixations', done: from + n, total: count });
      await ctx.checkpoint();
      if (ctx.stopRequested) {
        ctx.emit({ type: 'log', message: `stopped after ${from + n} of ${count} images: the maps count those` });
        break;
      }
    }
  } finally {
    ram.dispose();
  }
  const classNames = test.classNames;
  return acc.summary({ mode: job.mode, ...(classNames ? { classNames } : {}), seconds: (performance.now() - started) / 1000 });
}
