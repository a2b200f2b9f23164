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
    `loss ${e.loss.toFixed(3)} ce ${e.crossEntropy.toFixed(3)} acc ${(100 * e.trainAccuracy).toFixed(1)}% ` +
    `lr ${e.learningRate.toExponential(2)} ${Math.round(e.imagesPerSecond)} img/s ETA ${formatDuration(e.etaSeconds)}`
  );
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

  handle(event: JobEvent): void {
    if (this.mode === 'json') {
      if (event.type !== 'result' && event.type !== 'error') this.out.write(`${JSON.stringify(event)}\n`);
      return;
    }
    switch (event.type) {
      case 'backend':
        this.line(`backend: ${event.name} (${event.reason})`);
        for (const s of event.skipped) this.line(`  skipped ${s.name}: ${s.error}`);
        break;
      case 'run':
        this.line(`run ${event.runId}${event.resumedFrom ? ` resumed at step ${event.resumedFrom.step}, epoch ${event.resumedFrom.epoch}` : ''}`);
        this.line(`  folder ${event.runDir}`);
        break;
      case 'progress':
        if (this.mode === 'tty') {
          const frac = event.totalSteps ? event.step / event.totalSteps : 0;
          this.out.write(`\r\x1b[2K${bar(frac)} ${progressLine(event)}`);
          this.barShown = true;
        } else if (Date.now() - this.lastPlain > 5000) {
          this.lastPlain = Date.now();
          this.line(progressLine(event));
        }
        break;
      case 'epoch':
        this.line(
          `epoch ${event.epoch}: validation accuracy ${(100 * event.validationAccuracy).toFixed(2)}% ` +
            `(best ${(100 * event.bestValidationAccuracy).toFixed(2)}%), train ${(100 * event.trainAccuracy).toFixed(2)}%, ${event.seconds.toFixed(1)} s`,
        );
        break;
      case 'status':
        if (event.status !== 'running') this.line(`${event.status}...`);
        break;
      case 'evaluating':
        if (event.done === 0) this.line(`evaluating ${event.what} (${event.total} images)...`);
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
