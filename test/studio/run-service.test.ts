/**
 * RunService: run deletion is by exact id (through the StudioService facade), and the run
 * lifecycle with its live-job map, on a scripted launcher (no trainer processes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobError, type JobHandle, type JobLauncher } from '../../src-main/services/job-launcher';
import { StudioService } from '../../src-main/services/studio-service';
import type { TrainingEvent } from '../../src-main/shared/api';
import type { Job, JobEvent } from '../../src-main/shared/jobs';

let home: string;
let studio: StudioService;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-runs-'));
  studio = await StudioService.create({ home, transport: 'websocket', version: '9.9.9' });
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('RunService', () => {
  it('deleteRun needs the exact id: a prefix deletes nothing', async () => {
    const meta = studio.runs.createRun({ task: 'centered', config: {}, dataset: { source: 'x', train: 0, validation: 0, test: 0 }, seed: 1 });
    const dir = path.join(home, 'runs', meta.id);
    await expect(studio.deleteRun(meta.id.slice(0, 8))).rejects.toThrow(/exact run id/);
    await expect(studio.deleteRun(` ${meta.id}`)).rejects.toThrow(/exact run id/);
    expect(fs.existsSync(dir)).toBe(true);
    await studio.deleteRun(meta.id);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it("a run stopped early shows why in the Runs table's rows", async () => {
    const meta = studio.runs.createRun({ task: 'centered', config: {}, dataset: { source: 'x', train: 0, validation: 0, test: 0 }, seed: 1, status: 'completed' });
    const message = 'stopped early: validation accuracy did not improve for 2 epochs (best 97.10% at epoch 1)';
    studio.runs.updateMeta(meta.id, { stopReason: { reason: 'patience', message } });
    const project = (await studio.listProjects())[0]!;
    const row = (await studio.listRuns(project.id)).find((r) => r.id === meta.id);
    expect(row?.stopReason).toBe(message);
  });

});

/** A launcher whose jobs are driven by the test: it sends their events and ends them. */
class ScriptedLauncher implements JobLauncher {
  readonly jobs: { job: Job; emit: (e: JobEvent) => void; finish: () => void; crash: () => void; calls: string[] }[] = [];
  start(job: Job, onEvent: (event: JobEvent) => void): JobHandle {
    let finish!: () => void;
    let crash!: () => void;
    const done = new Promise<never>((resolve, reject) => {
      finish = () => resolve({} as never);
      crash = () => reject(new JobError('trainer died', 'crash'));
    });
    const calls: string[] = [];
    this.jobs.push({ job, emit: onEvent, finish, crash, calls });
    return { pause: () => calls.push('pause'), resume: () => calls.push('resume'), stop: () => calls.push('stop'), kill: () => calls.push('kill'), pid: 1, done };
  }
}

describe('RunService lifecycle', () => {
  let own: string;
  let s: StudioService;
  const launcher = new ScriptedLauncher();
  const events: TrainingEvent[] = [];
  const trainJobs = () => launcher.jobs.filter((j) => j.job.kind === 'train');

  beforeAll(async () => {
    own = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-lifecycle-'));
    s = await StudioService.create({ home: own, transport: 'websocket', launcher });
    s.onTrainingEvent((e) => events.push(e));
  });
  afterAll(() => fs.rmSync(own, { recursive: true, force: true }));

  it('startRun resolves with the announced run id, forwards earlier events once it is known, and files the run', async () => {
    const projectId = (await s.listProjects())[0]!.id;
    const started = s.startRun({ projectId, config: { task: 'centered', glimpses: 3 }, maxSteps: 5 });
    const train = trainJobs()[0]!;
    expect(train.job).toMatchObject({ kind: 'train', config: { task: 'centered', glimpses: 3 }, maxSteps: 5, name: 'centered' });
    const meta = s.runs.createRun({ task: 'centered', config: {}, dataset: { source: 'x', train: 0, validation: 0, test: 0 }, seed: 1 });
    train.emit({ type: 'log', message: 'early' });
    train.emit({ type: 'run', runId: meta.id, runDir: path.join(own, 'runs', meta.id) });
    expect(await started).toEqual({ runId: meta.id });
    expect(events.map((e) => [e.runId, e.event.type])).toEqual([[meta.id, 'log'], [meta.id, 'run']]);
    expect(s.liveRunIds()).toEqual([meta.id]);
    expect(s.projects.projectOfRun(meta.id)).toBe(projectId);

    await s.pauseRun(meta.id);
    expect(await s.resumeRun(meta.id)).toEqual({ runId: meta.id, from: 'paused' });
    await expect(s.resumeRun(meta.id, { maxSteps: 9 })).rejects.toThrow(/is training: stop it before giving it a new step limit/);
    await expect(s.deleteRun(meta.id)).rejects.toThrow(/is training: stop it before deleting it/);
    await expect(s.deleteProject(projectId, { deleteRuns: true })).rejects.toThrow(`stop run ${meta.id} before deleting its project`);
    await s.stopRun(meta.id);
    expect(train.calls).toEqual(['pause', 'resume', 'stop']);
    train.finish();
    await new Promise((r) => setTimeout(r, 0));
    expect(s.liveRunIds()).toEqual([]);
    await expect(s.pauseRun(meta.id)).rejects.toThrow(/is not training \(resume it instead\)/);
  });

  it('two resumes at once start one trainer; a crash after the announcement is reported as an error event', async () => {
    const meta = s.runs.createRun({ task: 'centered', config: {}, dataset: { source: 'x', train: 0, validation: 0, test: 0 }, seed: 1 });
    const before = trainJobs().length;
    const a = s.resumeRun(meta.id);
    const b = s.resumeRun(meta.id);
    expect(trainJobs().length).toBe(before + 1);
    const train = trainJobs().at(-1)!;
    expect(train.job).toMatchObject({ kind: 'train', resume: meta.id });
    train.emit({ type: 'run', runId: meta.id, runDir: '', resumedFrom: { step: 4, epoch: 1 } });
    expect(await a).toEqual({ runId: meta.id, from: 'checkpoint', resumedFrom: { step: 4, epoch: 1 } });
    expect(await b).toEqual(await a);
    train.crash();
    await new Promise((r) => setTimeout(r, 0));
    expect(events.at(-1)).toEqual({ runId: meta.id, event: { type: 'error', message: 'trainer died', code: 'crash' } });
    expect(s.liveRunIds()).toEqual([]);
  });

  it('startRun passes patience to the train job; patience without a validation set is refused first', async () => {
    const projectId = (await s.listProjects())[0]!.id;
    const before = trainJobs().length;
    await expect(s.startRun({ projectId, config: { task: 'centered', validationSize: 0 }, patience: 3 })).rejects.toThrow('patience 3 needs a validation set');
    expect(trainJobs().length).toBe(before);
    void s.startRun({ projectId, config: { task: 'centered' }, patience: 3 }).catch(() => undefined);
    const train = trainJobs().at(-1)!;
    expect(train.job).toMatchObject({ kind: 'train', patience: 3 });
    train.crash();
  });

  it('a job that fails before announcing its run rejects startRun with the trainer\'s message', async () => {
    const projectId = (await s.listProjects())[0]!.id;
    const started = s.startRun({ projectId, config: { task: 'translated' } });
    trainJobs().at(-1)!.crash();
    await expect(started).rejects.toMatchObject({ name: 'ApiError', message: 'trainer died' });
  });
});
