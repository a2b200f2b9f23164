/**
 * Trainer processes as Electron utility processes (out/main/trainer.js): the same messages as
 * ForkJobLauncher's Node children, through process.parentPort on the trainer's side.
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import path from 'node:path';
import { JobError, type JobHandle, type JobLauncher, type JobResult } from '../services/job-launcher';
import type { Job, JobControl, JobEvent } from '../shared/jobs';

/** The built trainer entry next to the built main. */
export function trainerFile(): string {
  return path.join(__dirname, 'trainer.js');
}

export class UtilityJobLauncher implements JobLauncher {
  constructor(private readonly entry: string = trainerFile()) {}

  start(job: Job, onEvent: (event: JobEvent) => void): JobHandle {
    const child: UtilityProcess = utilityProcess.fork(this.entry, [], { serviceName: `Saccade ${job.kind}`, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let exited = false;
    const send = (m: JobControl) => {
      if (!exited) child.postMessage(m);
    };
    const done = new Promise<JobResult>((resolve, reject) => {
      let settled = false;
      child.on('message', (message: unknown) => {
        const event = message as JobEvent;
        if (event.type === 'result') {
          settled = true;
          resolve(event.result);
        } else if (event.type === 'error') {
          settled = true;
          reject(new JobError(event.message, event.code));
        }
        onEvent(event);
        // The parent port keeps a utility process alive: end it once it has said its last word.
        if (settled) setTimeout(() => child.kill(), 500);
      });
      child.on('exit', (code: number) => {
        exited = true;
        if (settled) return;
        settled = true;
        const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
        const detail = (lines.reverse().find((l) => /error/i.test(l)) ?? lines[0] ?? '').slice(0, 300);
        reject(new JobError(`the trainer process exited with code ${code}${detail ? `: ${detail}` : ''}`, 'crash'));
      });
    });
    child.postMessage({ type: 'start', job });
    return {
      pause: () => send({ type: 'pause' }),
      resume: () => send({ type: 'resume' }),
      stop: () => send({ type: 'stop' }),
      kill: () => {
        child.kill();
      },
      get pid() {
        return child.pid;
      },
      done,
    };
  }
}
