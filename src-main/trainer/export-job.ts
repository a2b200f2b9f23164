/**
 * The one export pipeline, for the CLI and the studio alike: check the animation's size against
 * ANIMATION_LIMITS before anything is traced or drawn, trace, draw each frame, encode, write the
 * file. It runs in the trainer process, so a large export never holds up a server's event loop.
 */
import path from 'node:path';
import { imageSizeOf } from '../core/config';
import { encodeApng, encodeGif } from '../shared/animation';
import { checkAnimationSize, type AnimationLayout } from '../shared/animation-limits';
import { drawTraceGridFrame, traceFrameCount, type IndexedFrame } from '../shared/frames';
import type { ExportJob, ExportSummary } from '../shared/jobs';
import { RunStore, writeFileAtomic } from '../storage';
import { describeInput, traceModel } from './eval-job';
import type { JobContext } from './job-context';
import { loadModel } from './model-ref';

// Its options were checked where they came in (the API's schema, the CLI's flags); the size of
// what they make is checked here, where the traces are.
export async function runExportJob(job: ExportJob, ctx: JobContext): Promise<ExportSummary> {
  const names = job.optionNames ?? 'fields';
  const model = loadModel(job.model);
  const layout: AnimationLayout = {
    images: job.imageFile ? 1 : job.indices.length,
    imageSize: imageSizeOf(model.config),
    scale: job.scale,
    columns: job.columns,
    frames: model.config.glimpses,
  };
  checkAnimationSize(layout, job.format, names);
  const traces = await traceModel(model, job);
  if (job.saveAs && model.runId) new RunStore(job.model.home).saveTrace(model.runId, job.saveAs, traces);
  // Again from the traces themselves, which are what gets drawn.
  const captions = traces.some((t) => t.classNames?.length);
  const size = checkAnimationSize({ ...layout, imageSize: traces[0]!.imageSize, frames: traceFrameCount(traces), captions }, job.format, names);
  const frames: IndexedFrame[] = [];
  for (let step = 0; step < size.frames; step++) {
    const frame = drawTraceGridFrame(traces, step, { scale: job.scale, columns: size.columns, showProbs: true, showTrail: true });
    if (frame.width !== size.width || frame.height !== size.height) {
      throw new Error(`internal: frame ${frame.width}x${frame.height} differs from the checked size ${size.width}x${size.height}`);
    }
    frames.push(frame);
    ctx.emit({ type: 'evaluating', what: 'drawing frames', done: step + 1, total: size.frames });
    await ctx.checkpoint();
  }
  // Hold the last frame longer so the final answer can be read.
  const delays = frames.map((_, i) => (i === frames.length - 1 ? job.delayMs * 3 : job.delayMs));
  const bytes = job.format === 'gif' ? encodeGif(frames, { delayMs: delays }) : encodeApng(frames, { delayMs: delays });
  const file = path.resolve(job.outFile);
  writeFileAtomic(file, bytes);
  ctx.emit({ type: 'log', message: `wrote ${file}: ${frames.length} frames of ${size.width}x${size.height} from ${model.label}${job.imageFile ? ` (${job.imageFile}${describeInput(job)})` : ''}` });
  return { file, format: job.format, frames: frames.length, width: size.width, height: size.height, bytes: bytes.length };
}
