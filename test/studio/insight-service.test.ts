/**
 * The studio's insight calls on the shipped centered model (real trainer processes): traceImage
 * traces a PNG's bytes and leaves no temporary file behind; getFixations forwards its progress as
 * the run's 'evaluating' events; cancelEvaluation stops an evaluation in flight with 'cancelled';
 * the schemas bound the picture to 8 MiB and the enums.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import UPNG from 'upng-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundledMnist } from '../../src-main/data/dataset-files';
import { StudioService } from '../../src-main/services/studio-service';
import { TrainingEvents } from '../../src-main/services/training-events';
import type { TrainingEvent } from '../../src-main/shared/api';
import { checkParams } from '../../src-main/transports/api-params';
import { ROOT } from '../helpers/saccade-cli';

let home: string;
let studio: StudioService;
let runId: string;

/** Test image i of the bundled MNIST as a black-on-white PNG. */
async function digitPng(i: number): Promise<Uint8Array> {
  const mnist = await loadBundledMnist();
  const rgba = new Uint8Array(28 * 28 * 4);
  for (let p = 0; p < 28 * 28; p++) {
    const v = 255 - mnist.test.images[i * 784 + p]!;
    rgba.set([v, v, v, 255], p * 4);
  }
  return new Uint8Array(UPNG.encode([rgba.buffer], 28, 28, 0));
}

const tempImages = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('saccade-image-'));

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-insight-'));
  const modelsDir = path.join(home, 'models');
  fs.cpSync(path.join(ROOT, 'resources/models/centered'), path.join(modelsDir, 'centered'), { recursive: true });
  studio = await StudioService.create({ home: path.join(home, 'studio'), transport: 'websocket', version: '9.9.9', modelsDir });
  runId = studio.runs.listRuns()[0]!.id;
});
afterAll(async () => {
  await studio.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('insight calls', () => {
  it('traceImage traces a picture (index -1, label -1) and removes its temporary file', async () => {
    const before = tempImages();
    const trace = await studio.traceImage({ runId, image: await digitPng(0), invert: 'auto', mode: 'mean' });
    expect(trace.index).toBe(-1);
    expect(trace.label).toBe(-1);
    expect(trace.prediction).toBe(7); // test image 0 is a 7, inverted back to white on black
    expect(trace.pixels).toHaveLength(28 * 28);
    expect(tempImages()).toEqual(before);
  });

  it('getFixations reports progress as the run’s evaluating events', async () => {
    const events: TrainingEvent[] = [];
    const off = studio.onTrainingEvent((e) => events.push(e));
    const summary = await studio.getFixations({ runId, mode: 'mean' });
    off();
    expect(summary.count).toBeGreaterThan(0);
    expect(summary.all.perStep).toHaveLength(summary.steps);
    expect(events.some((e) => e.runId === runId && e.event.type === 'evaluating')).toBe(true);
  });

  it('cancelEvaluation stops an evaluation in flight: it rejects with cancelled', async () => {
    const evaluation = studio.evaluateRun(runId);
    const outcome = evaluation.then(() => 'finished', (err: Error) => err.message);
    await new Promise((r) => setTimeout(r, 1500));
    await studio.cancelEvaluation(runId);
    expect(await outcome).toBe('cancelled');
    // Nothing in flight: a cancel is a no-op.
    await studio.cancelEvaluation(runId);
  });
});

describe('schemas and events', () => {
  it('bounds the picture and checks the enums', () => {
    const ok = { runId: 'r', image: new Uint8Array(10), invert: 'auto', mode: 'mean' };
    expect(checkParams('traceImage', [ok])[0].image.byteLength).toBe(10);
    expect(() => checkParams('traceImage', [{ ...ok, image: new Uint8Array(8 * 1024 * 1024 + 1) }])).toThrow(/traceImage: image/);
    expect(() => checkParams('traceImage', [{ ...ok, invert: 'maybe' }])).toThrow(/invert: expected "auto" or "on" or "off"/);
    expect(() => checkParams('getFixations', [{ runId: 'r', mode: 'greedy' }])).toThrow(/mode/);
    expect(checkParams('cancelEvaluation', ['r'])).toEqual(['r']);
  });

  it('forwards a job’s glimpses and evaluating events, not its logs', () => {
    const events = new TrainingEvents();
    const seen: string[] = [];
    events.on((e) => seen.push(e.event.type));
    events.forwardProgress('r', { type: 'glimpses', runId: 'r', step: 1, epoch: 1, traces: [] });
    events.forwardProgress('r', { type: 'evaluating', what: 'test', done: 1, total: 2 });
    events.forwardProgress('r', { type: 'log', message: 'x' });
    expect(seen).toEqual(['glimpses', 'evaluating']);
  });
});
