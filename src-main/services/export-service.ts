/** Glimpse animations (GIF or APNG) of a trace, drawn and encoded by an export job in a trainer process. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExportRequest, ExportResult } from '../shared/api';
import type { ExportSummary } from '../shared/jobs';
import type { RunStore } from '../storage';
import { ApiError } from './api-error';
import type { EvaluationService } from './evaluation-service';
import { JobError } from './job-launcher';
import type { EngineService } from './training-service';

export interface ExportOptions {
  /** Electron's save dialog for exports; returns where the file went. */
  saveExport?: (result: ExportResult) => Promise<string | undefined>;
}

export class ExportService {
  constructor(
    private readonly runs: RunStore,
    private readonly engine: EngineService,
    private readonly evaluation: EvaluationService,
    private readonly options: ExportOptions = {},
  ) {}

  async exportAnimation(request: ExportRequest): Promise<ExportResult> {
    const { scale, delayMs, columns } = request;
    const trace = this.evaluation.traceJob(request);
    const extension = request.format === 'gif' ? 'gif' : 'png';
    // Bounded, drawn and encoded by an export job in a trainer process (the CLI's pipeline too),
    // so a large animation never blocks this event loop; the finished file is read back.
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'saccade-export-'));
    let summary: ExportSummary;
    let bytes: Uint8Array;
    try {
      const job = { ...trace, format: request.format, scale, delayMs, columns, outFile: path.join(dir, `glimpses.${extension}`), optionNames: 'fields' as const };
      summary = await this.engine.export(job, () => {}).result;
      bytes = new Uint8Array(await fs.promises.readFile(summary.file));
    } catch (err) {
      if (err instanceof JobError && err.code === 'AnimationLimitError') throw new ApiError(err.message);
      throw err;
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
    const result: ExportResult = {
      fileName: `${this.runs.resolveId(request.runId)}-glimpses.${extension}`,
      mimeType: request.format === 'gif' ? 'image/gif' : 'image/apng',
      bytes,
      frames: summary.frames,
      width: summary.width,
      height: summary.height,
    };
    if (this.options.saveExport) {
      const savedTo = await this.options.saveExport(result);
      if (savedTo) result.savedTo = savedTo;
    }
    return result;
  }
}
