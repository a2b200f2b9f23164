/**
 * A ProcessPort over an Electron utilityProcess. Pure: it takes the process as the few members it
 * uses (UtilityProcessLike), so tests drive it with a stand-in; only utility-launcher.ts forks.
 */
import type { ProcessPort } from '../services/process-port';

/** The members of Electron's UtilityProcess this port uses. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  readonly stderr: { on(event: 'data', listener: (chunk: Buffer) => void): unknown } | null;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/** How long a settled trainer may take to flush before it is ended. */
export const RELEASE_GRACE_MS = 500;

/** Ends a process at once, as a crash would (utilityProcess.kill() sends only SIGTERM). */
function sigkill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export function utilityProcessPort(child: UtilityProcessLike, killHard: (pid: number) => void = sigkill): ProcessPort {
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (message) => {
      if (!exited) child.postMessage(message);
    },
    onMessage: (listener) => void child.on('message', listener),
    // A utilityProcess that cannot start reports it as an exit, never as an 'error' event.
    onError: () => {},
    // utilityProcess reports an exit code only, never the signal.
    onExit: (listener) => void child.on('exit', (code: number) => listener(code, null)),
    onStderr: (listener) => void child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString())),
    // The parent port keeps a utility process alive: end it once it has said its last word.
    release: () => {
      setTimeout(() => {
        if (!exited) child.kill();
      }, RELEASE_GRACE_MS);
    },
    // utilityProcess.kill() sends SIGTERM, which a training trainer takes as "stop cleanly":
    // a kill must be SIGKILL, as a crash would be.
    kill: () => {
      if (!exited && child.pid !== undefined) killHard(child.pid);
    },
  };
}
