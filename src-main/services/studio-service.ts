/**
 * The studio's one implementation of the SaccadeApi contract, whatever the transport: a facade
 * that hands each call to the service owning it (datasets, configs, projects, runs, evaluation,
 * export, settings). They share the RunStore, the ProjectStore, the job launcher and the stream of
 * training events. tfjs is never loaded here; the backend is asked of a tiny probe job.
 */
import path from 'node:path';
import type {
  AppInfo,
  ConfigCheck,
  DatasetInfo,
  ExportRequest,
  ExportResult,
  FixationsRequest,
  ImageTraceRequest,
  ImportRequest,
  MetricSeries,
  PresetInfo,
  Project,
  QueueEntry,
  SweepPreview,
  SweepRequest,
  ResumeOptions,
  ResumeResult,
  RunRow,
  SaccadeApi,
  SamplePage,
  SamplePageRequest,
  SettingInfo,
  Settings,
  StartRunRequest,
  TraceRequest,
  TrainingEvent,
  Unsubscribe,
  UploadChunk,
  UploadLimits,
  UploadProgress,
} from '../shared/api';
import type { EvalSummary, FixationsSummary, Misclassified } from '../shared/jobs';
import type { GlimpseTrace } from '../shared/trace';
import { RunStore } from '../storage';
import { shareAdapterProbe } from '../trainer/webgpu-probe';
import { RunQueue } from '../storage/run-queue';
import { ConfigService } from './config-service';
import { DatasetService } from './dataset-service';
import { EvaluationService } from './evaluation-service';
import { installExampleRuns } from './example-runs';
import { ExportService } from './export-service';
import { ForkJobLauncher, type JobLauncher } from './job-launcher';
import { LimitedJobLauncher, type JobLimits } from './job-limits';
import { ProjectService } from './project-service';
import { ProjectStore, type KeyValueStore, type StudioState } from './project-store';
import { backendOf } from './backend-setting';
import { QueueRunner, queuedTrainJob, type StartedRun, type StartExtras } from './queue-runner';
import { QueueService } from './queue-service';
import { RunService } from './run-service';
import { SettingsService } from './settings-service';
import { TrainingEvents } from './training-events';
import { EngineService } from './training-service';

export interface StudioOptions {
  home: string;
  transport: AppInfo['transport'];
  version?: string;
  launcher?: JobLauncher;
  /** An electron-store instance (Electron); conf is used otherwise. */
  store?: KeyValueStore<StudioState>;
  /** Electron's folder picker; the browser mode has none. */
  pickFolder?: () => Promise<string | undefined>;
  /** Shipped trained models (resources/models), offered as example runs. */
  modelsDir?: string;
  /** How many trainer processes may run at once (defaults: DEFAULT_JOB_LIMITS). */
  jobLimits?: JobLimits;
  /** Electron's save dialog for exports; returns where the file went. */
  saveExport?: (result: ExportResult) => Promise<string | undefined>;
  /** Tighter upload bounds than UPLOAD_LIMITS (tests). */
  uploadLimits?: Partial<UploadLimits>;
}

export class StudioService implements SaccadeApi {
  static async create(options: StudioOptions): Promise<StudioService> {
    // Asked once, off the event loop, for every job this studio starts (each would take ~180 ms).
    void shareAdapterProbe();
    const projects = await ProjectStore.open(options.home, options.store);
    const service = new StudioService(options, projects);
    // A full or read-only disk must not keep the studio from opening (the user may need it to
    // delete runs): what could not be installed is reported and tried again next time.
    if (projects.warning) service.warnings.push(projects.warning);
    for (const run of service.runs.listRuns()) service.runs.removeStaleTempFiles(run.id);
    if (options.modelsDir) {
      const { error } = installExampleRuns(service.home, options.modelsDir, service.runs, projects);
      if (error) service.warnings.push(error);
    }
    service.startQueueRunner();
    return service;
  }

  readonly home: string;
  readonly runs: RunStore;
  /** Problems met while opening (e.g. examples not installed on a full disk), shown to the user. */
  private readonly launcher: LimitedJobLauncher;
  readonly warnings: string[] = [];
  private readonly events = new TrainingEvents();
  private readonly datasets: DatasetService;
  private readonly configs = new ConfigService();
  private readonly projectService: ProjectService;
  private readonly runService: RunService;
  private readonly evaluation: EvaluationService;
  private readonly exports: ExportService;
  private readonly settings: SettingsService;
  private readonly queue: RunQueue;
  private readonly queueService: QueueService;
  private queueRunner: QueueRunner | undefined;

  constructor(
    options: StudioOptions,
    readonly projects: ProjectStore,
  ) {
    this.home = path.resolve(options.home);
    this.runs = new RunStore(this.home);
    const launcher = (this.launcher = new LimitedJobLauncher(options.launcher ?? new ForkJobLauncher(), options.jobLimits));
    const engine = new EngineService(launcher);
    this.datasets = new DatasetService(this.home, projects, engine, this.events, options);
    this.runService = new RunService(this.home, this.runs, projects, engine, this.events, this.datasets);
    this.projectService = new ProjectService(projects, this.runService);
    this.evaluation = new EvaluationService(this.home, this.runs, projects, launcher, engine, this.events);
    this.exports = new ExportService(this.runs, engine, this.evaluation, options);
    this.settings = new SettingsService(this.home, projects, launcher, { version: options.version, transport: options.transport, warnings: this.warnings });
    this.queue = new RunQueue(this.home, (warning) => this.warnings.push(warning));
    this.queueService = new QueueService(this.queue, () => this.queueRunner, this.runs, projects, this.runService);
  }

  /** The queue runs in the process that owns training (this one), never in the UI. */
  private startQueueRunner(): void {
    this.queueRunner = new QueueRunner({
      home: this.home,
      queue: this.queue,
      start: (entry, extras) => this.startQueueEntry(entry, extras),
      concurrency: () => this.projects.getSettings().queueConcurrency ?? 1,
    });
    this.queueRunner.start();
  }

  getAppInfo(): Promise<AppInfo> {
    return this.settings.getAppInfo();
  }

  // ---- datasets ----

  listDatasets(): Promise<DatasetInfo[]> {
    return this.datasets.listDatasets();
  }
  getSamples(request: SamplePageRequest): Promise<SamplePage> {
    return this.datasets.getSamples(request);
  }
  importDataset(request: ImportRequest): Promise<DatasetInfo> {
    return this.datasets.importDataset(request);
  }
  uploadDatasetChunk(chunk: UploadChunk): Promise<UploadProgress> {
    return this.datasets.uploadDatasetChunk(chunk);
  }
  pickFolder(): Promise<string | undefined> {
    return this.datasets.pickFolder();
  }

  // ---- configs ----

  listPresets(): Promise<PresetInfo[]> {
    return this.configs.listPresets();
  }
  listSettings(): Promise<SettingInfo[]> {
    return this.configs.listSettings();
  }
  checkConfig(config: Record<string, unknown>): Promise<ConfigCheck> {
    return this.configs.checkConfig(config);
  }

  // ---- projects ----

  listProjects(): Promise<Project[]> {
    return this.projectService.listProjects();
  }
  createProject(name: string): Promise<Project> {
    return this.projectService.createProject(name);
  }
  renameProject(id: string, name: string): Promise<Project> {
    return this.projectService.renameProject(id, name);
  }
  deleteProject(id: string, options?: { deleteRuns?: boolean }): Promise<void> {
    return this.projectService.deleteProject(id, options);
  }

  // ---- runs ----

  listRuns(projectId: string): Promise<RunRow[]> {
    return this.runService.listRuns(projectId);
  }
  getMetrics(runId: string): Promise<MetricSeries> {
    return this.runService.getMetrics(runId);
  }
  renameRun(runId: string, name: string): Promise<RunRow> {
    return this.runService.renameRun(runId, name);
  }
  setRunNotes(runId: string, notes: string): Promise<RunRow> {
    return this.runService.setRunNotes(runId, notes);
  }
  deleteRun(runId: string): Promise<void> {
    return this.runService.deleteRun(runId);
  }
  listCheckpoints(runId: string): Promise<{ name: string; step: number; epoch: number }[]> {
    return this.runService.listCheckpoints(runId);
  }
  startRun(request: StartRunRequest): Promise<{ runId: string }> {
    return this.runService.startRun(request);
  }
  pauseRun(runId: string): Promise<void> {
    return this.runService.pauseRun(runId);
  }
  resumeRun(runId: string, options?: ResumeOptions): Promise<ResumeResult> {
    return this.runService.resumeRun(runId, options);
  }
  stopRun(runId: string): Promise<void> {
    return this.runService.stopRun(runId);
  }
  setRunTags(runId: string, tags: string[]): Promise<RunRow> {
    return this.runService.setRunTags(runId, tags);
  }

  // ---- the run queue and sweeps ----

  listQueue(): Promise<QueueEntry[]> {
    return this.queueService.listQueue();
  }
  queueRun(request: StartRunRequest): Promise<QueueEntry> {
    return this.queueService.queueRun(request);
  }
  requeueRun(runId: string, options?: ResumeOptions): Promise<QueueEntry> {
    return this.queueService.requeueRun(runId, options);
  }
  moveQueued(entryId: string, position: number): Promise<QueueEntry[]> {
    return this.queueService.moveQueued(entryId, position);
  }
  cancelQueued(entryId: string): Promise<void> {
    return this.queueService.cancelQueued(entryId);
  }
  startQueuedNow(entryId: string): Promise<void> {
    return this.queueService.startQueuedNow(entryId);
  }
  previewSweep(request: SweepRequest): Promise<SweepPreview> {
    return this.queueService.previewSweep(request);
  }
  queueSweep(request: SweepRequest): Promise<QueueEntry[]> {
    return this.queueService.queueSweep(request);
  }

  /** Starts a queue entry through RunService, so it trains, shows and stops as a started run does. */
  private async startQueueEntry(entry: QueueEntry, extras: StartExtras): Promise<StartedRun> {
    const job = entry.job;
    const dataDir = job.kind === 'train' && !job.dataDir && job.dataset.startsWith('import:') ? this.datasets.importRecord(job.dataset).folder : undefined;
    const backend = job.kind === 'train' ? backendOf(this.projects, job.backend) : undefined;
    const started = await this.runService.startQueued(queuedTrainJob(entry, dataDir, backend, extras));
    // An entry's project may have been deleted meanwhile: its run then joins the first project.
    if (entry.projectId && this.projects.listProjects().some((p) => p.id === entry.projectId)) this.projects.addRun(entry.projectId, started.runId);
    return started;
  }

  // ---- evaluation and export ----

  evaluateRun(runId: string, checkpoint?: string): Promise<EvalSummary> {
    return this.evaluation.evaluateRun(runId, checkpoint);
  }
  traceRun(request: TraceRequest): Promise<GlimpseTrace[]> {
    return this.evaluation.traceRun(request);
  }
  listMisclassified(runId: string, limit: number, checkpoint?: string): Promise<Misclassified[]> {
    return this.evaluation.listMisclassified(runId, limit, checkpoint);
  }
  exportAnimation(request: ExportRequest): Promise<ExportResult> {
    return this.exports.exportAnimation(request);
  }
  traceImage(request: ImageTraceRequest): Promise<GlimpseTrace> {
    return this.evaluation.traceImage(request);
  }
  getFixations(request: FixationsRequest): Promise<FixationsSummary> {
    return this.evaluation.getFixations(request);
  }
  cancelEvaluation(runId: string): Promise<void> {
    return this.evaluation.cancelEvaluation(runId);
  }

  // ---- settings and events ----

  getSettings(): Promise<Settings> {
    return this.settings.getSettings();
  }
  updateSettings(patch: Partial<Settings>): Promise<Settings> {
    return this.settings.updateSettings(patch);
  }

  onTrainingEvent(listener: (event: TrainingEvent) => void): Unsubscribe {
    return this.events.on(listener);
  }

  /** Runs being trained by this service right now. */
  liveRunIds(): string[] {
    return this.runService.liveRunIds();
  }

  /** Asks every live run to stop at its next step and waits for them (or `timeoutMs`). */
  async shutdown(timeoutMs = 20_000): Promise<void> {
    // No new job starts from here on; evaluations, traces and exports end now, trainings stop cleanly.
    // The queue takes no more work first; its runs, stopped below, go back to the queue as resumes.
    this.queueRunner?.stop();
    await this.queueRunner?.launched(timeoutMs);
    this.launcher.close();
    this.datasets.shutdown();
    await this.runService.shutdown(timeoutMs);
    await this.queueRunner?.drained(timeoutMs);
  }
}
