/** How a job's events look on a terminal (a live bar), in a pipe (plain lines) or as JSON lines. */
import type { JobEvent, ProgressEvent } from '../shared/jobs';

export type OutputMode = 'tty' | 'plain' | 'json';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function progressLine(e: ProgressEvent): string {
  const pct = e.totalSteps > 0 ? (100 * e.step) / e.totalSteps : 0;
  return (
    `step ${e.step}/${e.totalSteps} (${pct.toFixed(1)}%) epoch ${e.epoch.toFixed(2)}/${e.epochs} ` +
    `loss ${e.metrics.loss.toFixed(3)} ce ${e.metrics.crossEntropy.toFixed(3)} acc ${(100 * e.epochTrainAccuracy).toFixed(1)}% ` +
    `lr ${e.metrics.learningRate.toExponential(2)} ${Math.round(e.imagesPerSecond)} img/s ETA ${formatDuration(e.etaSeconds)}`
  );
}

/**
 * The live progress line for a terminal `width` columns wide: the fields by importance (step, ETA,
 * loss, accuracy, images/s first), the least important dropped until the line fits, so it updates
 * in place instead of wrapping and scrolling.
 */
export function fitProgressLine(e: ProgressEvent, width: number): string {
  const pct = e.totalSteps > 0 ? (100 * e.step) / e.totalSteps : 0;
  // [text, rank]: a higher rank is dropped first.
  const fields: [string, number][] = [
    [bar(e.totalSteps ? e.step / e.totalSteps : 0, 16), 9],
    [`step ${e.step}/${e.totalSteps}`, 0],
    [`(${pct.toFixed(1)}%)`, 6],
    [`ep ${e.epoch.toFixed(2)}/${e.epochs}`, 5],
    [`loss ${e.metrics.loss.toFixed(3)}`, 2],
    [`ce ${e.metrics.crossEntropy.toFixed(3)}`, 8],
    [`acc ${(100 * e.epochTrainAccuracy).toFixed(1)}%`, 3],
    [`lr ${e.metrics.learningRate.toExponential(1)}`, 7],
    [`${Math.round(e.imagesPerSecond)} img/s`, 4],
    [`ETA ${formatDuration(e.etaSeconds)}`, 1],
  ];
  // One column spare: writing the last column makes some terminals wrap.
  const room = Math.max(20, width - 1);
  let kept = fields;
  const text = () => kept.map(([t]) => t).join(' ');
  while (text().length > room && kept.length > 1) {
    const worst = Math.max(...kept.map(([, rank]) => rank));
    kept = kept.filter(([, rank]) => rank !== worst);
  }
  return text().slice(0, room);
}

function bar(fraction: number, width = 24): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export class ProgressPrinter {
  private lastPlain = 0;
  private barShown = false;

  constructor(
    private readonly mode: OutputMode,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  private line(text: string): void {
    this.clearBar();
    this.out.write(`${text}\n`);
  }

  private clearBar(): void {
    if (this.barShown) {
      this.out.write('\r\x1b[2K');
      this.barShown = false;
    }
  }

  /** A bar on a terminal; in a pipe a line every 5 s and one at the end. */
  private decoding(what: string, done: number, total: number): void {
    const text = `decoding ${what}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
    if (this.mode === 'tty') {
      this.out.write(`\r\x1b[2K${bar(total ? done / total : 1, 24)} ${text}`);
      this.barShown = true;
      if (done >= total) this.clearBar();
      if (done >= total) this.out.write(`${text}\n`);
    } else if (done >= total || Date.now() - this.lastPlain > 5000) {
      this.lastPlain = Date.now();
      this.line(text);
    }
  }

  handle(event: JobEvent): void {
    if (this.mode === 'json') {
      if (event.type !== 'result' && event.type !== 'error') this.out.write(`${JSON.stringify(event)}\n`);
      return;
    }
    switch (event.type) {
      case 'backend':
        this.line(`backend: ${event.name}${event.adapter ? ` on ${event.adapter}` : ''} (${event.reason})`);
        for (const s of event.skipped) this.line(`  skipped ${s.name}: ${s.error}`);
        break;
      case 'run':
        this.line(`run ${event.runId}${event.resumedFrom ? ` resumed at step ${event.resumedFrom.step}, epoch ${event.resumedFrom.epoch}` : ''}`);
        this.line(`  folder ${event.runDir}`);
        break;
      case 'progress':
        if (this.mode === 'tty') {
          const columns = (this.out as { columns?: number }).columns;
          this.out.write(`\r\x1b[2K${fitProgressLine(event, columns && columns > 0 ? columns : 80)}`);
          this.barShown = true;
        } else if (Date.now() - this.lastPlain > 5000) {
          this.lastPlain = Date.now();
          this.line(progressLine(event));
        }
        break;
      case 'epoch':
        this.line(
          `epoch ${event.epoch}: ` +
            (event.validationAccuracy !== undefined
              ? `validation accuracy ${(100 * event.validationAccuracy).toFixed(2)}% (best ${(100 * (event.bestValidationAccuracy ?? event.validationAccuracy)).toFixed(2)}%), `
              : 'no validation set, ') +
            `train ${(100 * event.epochTrainAccuracy).toFixed(2)}%, ${event.seconds.toFixed(1)} s`,
        );
        break;
      case 'status':
        if (event.status !== 'running') this.line(`${event.status}...`);
        break;
      case 'evaluating':
        if (event.done === 0) this.line(`evaluating ${event.what} (${event.total} images)...`);
        break;
      case 'decoding':
        this.decoding(event.what, event.done, event.total);
        break;
      case 'log':
        if (!event.message.startsWith('backend:')) this.line(event.message);
        break;
      case 'result':
      case 'error':
        this.clearBar();
        break;
    }
  }

  done(): void {
    this.clearBar();
  }
}
