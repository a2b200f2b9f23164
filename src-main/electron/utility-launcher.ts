/**
 * Trainer processes as Electron utility processes (out/main/trainer.js): the one launcher
 * (startJobOverPort) over utility-port.ts; the trainer answers through process.parentPort.
 */
import { utilityProcess } from 'electron';
import path from 'node:path';
import { startJobOverPort, type JobHandle, type JobLauncher } from '../services/job-launcher';
import type { Job, JobEvent } from '../shared/jobs';
import { utilityProcessPort } from './utility-port';

/** The built trainer entry next to the built main. */
export function trainerFile(): string {
  return path.join(__dirname, 'trainer.js');
}

export class UtilityJobLauncher implements JobLauncher {
  constructor(private readonly entry: string = trainerFile()) {}

  start(job: Job, onEvent: (event: JobEvent) => void): JobHandle {
    const child = utilityProcess.fork(this.entry, [], { serviceName: `Saccade ${job.kind}`, stdio: ['ignore', 'inherit', 'pipe'] });
    return startJobOverPort(utilityProcessPort(child), job, onEvent);
  }
}
