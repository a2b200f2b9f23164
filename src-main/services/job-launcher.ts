/**
 * Starts jobs in their own trainer process and turns its messages back into events and a result.
 * A trainer that dies is reported as an error with its exit code or signal, never taken down with.
 * One launcher (startJobOverPort) serves Node's fork and Electron's utilityProcess through a ProcessPort.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Job, JobEvent } from '../shared/jobs';
import { trainerEntry } from './trainer-entry';
import { childProcessPort } from './child-process-port';
import { appendStderrTail, crashMessage, oomKillCount } from './crash-report';
import type { ProcessPort } from './process-port';

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
    return startJobOverPort(childProcessPort(child), job, onEvent);
  }
}

/**
 * The one launcher's logic over any ProcessPort: sends the job, turns messages into events,
 * settles on the result or error message, and reports a process that died without either.
 */
export function startJobOverPort(port: ProcessPort, job: Job, onEvent: (event: JobEvent) => void): JobHandle {
  let stderr = '';
  let killRequested = false;
  const oomKillsBefore = oomKillCount();
  port.onStderr((chunk) => {
    stderr = appendStderrTail(stderr, chunk);
  });
  const done = new Promise<JobResult>((resolve, reject) => {
    let settled = false;
    port.onMessage((message) => {
      const event = message as JobEvent;
      if (event.type === 'result') {
        settled = true;
        resolve(event.result);
        port.release();
      } else if (event.type === 'error') {
        settled = true;
        reject(new JobError(event.message, event.code));
        port.release();
      }
      onEvent(event);
    });
    port.onError((err) => {
      if (settled) return;
      settled = true;
      reject(new JobError(`could not start the trainer process: ${err.message}`, 'crash'));
    });
    port.onExit((code, signal) => {
      if (settled) return;
      settled = true;
      reject(new JobError(crashMessage({ code, signal, killRequested, oomKillsBefore, stderr }), 'crash'));
    });
  });
  port.send({ type: 'start', job });
  return {
    pause: () => port.send({ type: 'pause' }),
    resume: () => port.send({ type: 'resume' }),
    stop: () => port.send({ type: 'stop' }),
    kill: () => {
      killRequested = true;
      port.kill();
    },
    get pid() {
      return port.pid;
    },
    done,
  };
}
