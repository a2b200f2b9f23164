/** A ProcessPort over a Node child process started with an IPC channel (fork). */
import type { ChildProcess } from 'node:child_process';
import type { ProcessPort } from './process-port';

export function childProcessPort(child: ChildProcess): ProcessPort {
  return {
    get pid() {
      return child.pid;
    },
    send: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => void child.on('message', listener),
    onError: (listener) => void child.on('error', listener),
    onExit: (listener) => void child.on('exit', listener),
    onStderr: (listener) => void child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString())),
    // Closing the channel lets a trainer that has finished exit on its own.
    release: () => {
      if (child.connected) child.disconnect();
    },
    kill: () => void child.kill('SIGKILL'),
  };
}
