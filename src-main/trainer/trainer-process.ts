/**
 * The trainer process: a Node child (fork) or an Electron utilityProcess. It runs one job and
 * reports by messages, so training never blocks a UI or the caller's event loop, and a crash here
 * is reported by the parent instead of taking it down.
 */
import type { JobControl, JobEvent, StartMessage } from '../shared/jobs';
import { MessageJobContext } from './job-context';
import { errorMessage, runJob } from './run-job';

interface ParentPort {
  on(event: 'message', listener: (message: unknown) => void): void;
  postMessage(message: unknown): void;
}

/** Electron's utilityProcess exposes process.parentPort; a Node fork has process.send. */
function connect(): { send(event: JobEvent): void; onMessage(listener: (message: unknown) => void): void } {
  const electronPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (electronPort) {
    return {
      send: (event) => electronPort.postMessage(event),
      onMessage: (listener) => electronPort.on('message', (e) => listener((e as { data: unknown }).data)),
    };
  }
  if (!process.send) throw new Error('trainer-process must be started with an IPC channel (fork or utilityProcess)');
  return {
    // The callback takes the EPIPE of a parent that just died, which would otherwise be thrown
    // as an uncaught 'error' and end the trainer before it checkpoints.
    send: (event) => process.send!(event, undefined, {}, () => {}),
    onMessage: (listener) => process.on('message', listener),
  };
}

const port = connect();
const ctx = new MessageJobContext((event) => {
  // After the parent is gone there is nobody to tell; the run's files still record everything.
  if (process.connected === false) return;
  try {
    port.send(event);
  } catch {
    // The channel closed between the check and the send: same as above.
  }
});
let started = false;
/** A training job under way: a signal then means "stop cleanly", otherwise "end now". */
let training = false;

// Ctrl-C in a terminal reaches the whole process group: the parent decides (it asks us to stop,
// which saves a checkpoint), so the trainer does not die mid-write on the signal itself.
process.on('SIGINT', () => {});
// A service manager stopping us (SIGTERM) or a closed terminal (SIGHUP): a training run stops at
// the next step, checkpoints and is marked stopped, as a stop request does. Any other job, or a
// job that has finished (Electron ends a done utility process with SIGTERM), just ends: its
// writes are atomic, so nothing is half-written.
const terminate = () => (training ? ctx.stop() : process.exit(0));
process.on('SIGTERM', terminate);
process.on('SIGHUP', terminate);
// A parent that exits without a word (a closed server, a killed CLI) still gets a clean stop.
process.on('disconnect', () => ctx.stop());
process.on('error', () => ctx.stop());
// A closed terminal or pipe on our inherited stdout/stderr must not end the run either.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

port.onMessage((message) => {
  const m = message as StartMessage | JobControl;
  if (m.type === 'start' && !started) {
    started = true;
    training = m.job.kind === 'train';
    runJob(m.job, ctx)
      .catch((err: unknown) => port.send({ type: 'error', message: errorMessage(err), code: (err as { name?: string }).name }))
      .finally(() => {
        training = false;
        // The parent disconnects once it has the last message; leave anyway if it never does.
        setTimeout(() => process.exit(0), 10_000).unref();
      });
  } else if (m.type === 'pause') ctx.pause();
  else if (m.type === 'resume') ctx.resume();
  else if (m.type === 'stop') ctx.stop();
});
