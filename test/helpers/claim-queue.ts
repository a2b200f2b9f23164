/** A child process for the queue's claim race: claims entries of HOME's queue until none is left, printing each id. */
import * as os from 'node:os';
import { RunQueue } from '../../src-main/storage/run-queue';

const [home, runnerId] = process.argv.slice(2) as [string, string];
const queue = new RunQueue(home);
const now = new Date().toISOString();
// Start together: wait for the go file's moment so both processes race from the first claim.
const go = Number(process.argv[4] ?? 0);
while (Date.now() < go) {
  /* spin until the agreed start */
}
const claimed: string[] = [];
for (;;) {
  const entry = queue.claimNext({ id: runnerId, pid: process.pid, host: os.hostname(), since: now, heartbeatAt: now });
  if (!entry) break;
  claimed.push(entry.id);
}
process.stdout.write(JSON.stringify(claimed));
