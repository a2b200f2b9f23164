/**
 * The live progress line on a terminal of 80 and 120 columns: one line updated in place (no
 * newline between updates, never wider than the terminal), with step, loss, accuracy, images/s
 * and ETA always there; the less important fields go first.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressPrinter } from '../../src-main/cli/progress';
import type { ProgressEvent } from '../../src-main/shared/jobs';

class Terminal extends Writable {
  isTTY = true;
  text = '';
  constructor(readonly columns: number) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const event = (step: number): ProgressEvent => ({
  type: 'progress',
  runId: 'r',
  step,
  totalSteps: 171600,
  epoch: step / 429,
  epochs: 400,
  metrics: { loss: 2.30123, crossEntropy: 2.2901, reinforce: 0.01, baselineLoss: 0.2, reward: 0.12, baseline: 0.1, trainAccuracy: 0.12, gradNorm: 1.5, learningRate: 0.001 },
  epochTrainAccuracy: 0.125,
  imagesPerSecond: 2550.4,
  etaSeconds: 20880,
  elapsedSeconds: 60,
});

describe('progress bar width', () => {
  for (const columns of [80, 120]) {
    it(`fits ${columns} columns, one line updated in place, with the key fields`, async () => {
      const tty = new Terminal(columns);
      const printer = new ProgressPrinter('tty', tty, tty);
      for (const step of [148, 149, 150, 12345]) printer.handle(event(step));
      await new Promise((r) => setImmediate(r));
      expect(tty.text).not.toContain('\n');
      const updates = tty.text.split('\r\x1b[2K').filter(Boolean);
      expect(updates).toHaveLength(4);
      for (const line of updates) {
        expect(line.length).toBeLessThan(columns);
        for (const field of [/step \d+\/171600/, /loss 2\.301/, /acc 12\.5%/, /2550 img\/s/, /ETA 5:48:00/]) expect(line).toMatch(field);
      }
      if (columns === 120) expect(updates[0]).toMatch(/ep 0\.34\/400/);
    });
  }
});
