/**
 * What the one job launcher needs of a trainer process, whichever runtime started it: Node's
 * child_process (child-process-port.ts) or Electron's utilityProcess (electron/utility-port.ts).
 */
import type { JobControl, StartMessage } from '../shared/jobs';

export interface ProcessPort {
  readonly pid: number | undefined;
  /** Delivers a message while the process can still take one; dropped once it has gone. */
  send(message: StartMessage | JobControl): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The process could not be started or reached (Node's 'error' event). */
  onError(listener: (err: Error) => void): void;
  /** `signal` is null where the runtime reports only an exit code (utilityProcess). */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  onStderr(listener: (chunk: string) => void): void;
  /** The job has said its last word: let the process end (close the channel, or end it soon). */
  release(): void;
  /** Ends the process at once. */
  kill(): void;
}
