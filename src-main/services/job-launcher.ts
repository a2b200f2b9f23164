/**
 * Starts jobs in their own trainer process and turns its messages back into events and a result.
 * A trainer that dies is reported as an error with its exit code or signal, never taken down with.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Job, JobControl, JobEvent } from '../shared/jobs';
import { trainerEntry } from './trainer-entry';

export type JobResult = Extract<JobEvent, { type: 'result' }>['result'];

export class JobError extends Error {
  constructor(
    message: string,
    /** 'crash' when the process died; otherwise the error's name from the trainer. */
    readonly code: string = 'JobError',
  ) {
    super(message);
    this.name = 'JobError';
  }
}

export interface JobHandle {
  pause(): void;
  resume(): void;
  stop(): void;
  /** Ends the process at once (SIGKILL), as a crash would. */
  kill(): void;
  readonly pid: number | undefined;
  readonly done: Promise<JobResult>;
}

export interface JobLauncher {
  start(job: Job, onEvent: (event: JobEvent) => void): JobHandle;
}

const requireHere = createRequire(typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'noop.js'));

// Where the trainer's entry is (compiled trainer.js, or the TypeScript source in development).
export { sourceTrainerEntry, trainerEntry } from './trainer-entry';

/** Node child processes (the CLI, the browser mode, tests). */
export class ForkJobLauncher implements JobLauncher {
  constructor(
    private readonly entry: string = trainerEntry(),
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  start(job: Job, onEvent: (event: JobEvent) => void): JobHandle {
    const execArgv = this.entry.endsWith('.ts') ? ['--import', pathToFileURL(requireHere.resolve('tsx')).href] : [];
    const child: ChildProcess = fork(this.entry, [], { execArgv, env: this.env, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    let stderr = '';
    let killRequested = false;
    const oomKillsBefore = oomKillCount();
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const send = (m: JobControl) => {
      if (child.connected) child.send(m);
    };
    const done = new Promise<JobResult>((resolve, reject) => {
      let settled = false;
      child.on('message', (message) => {
        const event = message as JobEvent;
        if (event.type === 'result') {
          settled = true;
          resolve(event.result);
          if (child.connected) child.disconnect();
        } else if (event.type === 'error') {
          settled = true;
          reject(new JobError(event.message, event.code));
          if (child.connected) child.disconnect();
        }
        onEvent(event);
      });
      child.on('error', (err) => {
        if (!settled) {
          settled = true;
          reject(new JobError(`could not start the trainer process: ${err.message}`, 'crash'));
        }
      });
      child.on('exit', (code, signal) => {
        if (settled) return;
        settled = true;
        const how = signal ? `was killed (${signal})${signal === 'SIGKILL' && !killRequested ? outOfMemoryNote(oomKillsBefore) : ''}` : `exited with code ${code}`;
        const detail = lastErrorLine(stderr);
        reject(new JobError(`the trainer process ${how}${detail ? `: ${detail}` : ''}`, 'crash'));
      });
    });
    child.send({ type: 'start', job });
    return {
      pause: () => send({ type: 'pause' }),
      resume: () => send({ type: 'resume' }),
      stop: () => send({ type: 'stop' }),
      kill: () => {
        killRequested = true;
        child.kill('SIGKILL');
      },
      get pid() {
        return child.pid;
      },
      done,
    };
  }
}

/** The OOM killer's count for this cgroup (Linux cgroup v2), to tell an out-of-memory kill apart. */
export function oomKillCount(): number | undefined {
  try {
    const m = /^oom_kill (\d+)$/m.exec(fs.readFileSync('/sys/fs/cgroup/memory.events', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Why a SIGKILL nobody here asked for most likely came: the OOM killer, counted where it can be. */
function outOfMemoryNote(before: number | undefined): string {
  const after = oomKillCount();
  if (before !== undefined && after !== undefined && after > before) return ': out of memory (the system\'s out-of-memory killer ended it); use a smaller batchSize or network';
  return ': by another process or, most often, by the system when it ran out of memory';
}

function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const error = lines.reverse().find((l) => /error/i.test(l));
  return (error ?? lines[0] ?? '').slice(0, 300);
}
