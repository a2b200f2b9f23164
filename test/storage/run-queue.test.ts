/**
 * The run queue's file (home/queue.json): order, moves, cancels, persistence across instances,
 * exclusive claims (two instances, two processes), recovery of a dead runner's entries, and an
 * unreadable file moved aside with a warning, never overwritten.
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueueRunnerInfo, QueuedTraining } from '../../src-main/shared/api';
import { RunQueue } from '../../src-main/storage/run-queue';
import { processStartTime } from '../../src-main/storage/run-lock';
import { presetConfig } from '../../src-main/core/config';
import { MAX_QUEUE } from '../../src-main/shared/api';
import { tempDir } from '../helpers/mnist-subset';
import { ROOT } from '../helpers/saccade-cli';

let home: string;
beforeEach(() => (home = tempDir('queue')));
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const job = (name: string): QueuedTraining => ({ kind: 'train', name, config: presetConfig('centered'), given: [], dataset: 'centered' });
const runner = (id: string, pid = process.pid, host = os.hostname(), heartbeatAt = new Date().toISOString()): QueueRunnerInfo => ({ id, pid, host, since: heartbeatAt, heartbeatAt });
const names = (q: RunQueue) => q.list().map((e) => `${e.state}:${e.job.name}:${e.position ?? '-'}`);

/** A pid that is not alive: a finished child's. */
async function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['-e', '0'], () => resolve(child.pid!));
  });
}

describe('RunQueue', () => {
  it('lists running first, then queued by position 1..n, then failed', () => {
    const q = new RunQueue(home);
    const [a, b, c, d] = q.add([job('a'), job('b'), job('c'), job('d')]);
    expect([a, b, c, d].map((e) => e!.position)).toEqual([1, 2, 3, 4]);
    expect(q.claimNext(runner('r'))!.id).toBe(a!.id);
    q.claim(c!.id, runner('r'));
    q.fail(c!.id, 'no such dataset');
    expect(names(q)).toEqual(['running:a:-', 'queued:b:1', 'queued:d:2', 'failed:c:-']);
    expect(q.list().find((e) => e.id === c!.id)!.error).toBe('no such dataset');
  });

  it('move puts a queued entry at a position; bad positions and unknown ids are refused clearly', () => {
    const q = new RunQueue(home);
    const [a, , c] = q.add([job('a'), job('b'), job('c')]);
    expect(q.move(c!.id, 1).map((e) => e.job.name)).toEqual(['c', 'a', 'b']);
    q.move(c!.id, 3);
    expect(names(q)).toEqual(['queued:a:1', 'queued:b:2', 'queued:c:3']);
    q.move(a!.id, 2);
    expect(q.list().map((e) => e.job.name)).toEqual(['b', 'a', 'c']);
    expect(() => q.move(a!.id, 4)).toThrow('position 4 is not in the queue: give 1 to 3');
    expect(() => q.move(a!.id, 0)).toThrow('give 1 to 3');
    expect(() => q.move('nope', 1)).toThrow("no queue entry 'nope'");
    q.claimNext(runner('r'));
    expect(() => q.move(q.list()[0]!.id, 1)).toThrow('only a queued entry can be moved');
  });

  it('cancel takes out queued and failed entries; a running one says to stop its run instead', () => {
    const q = new RunQueue(home);
    const [a, b, c] = q.add([job('a'), job('b'), job('c')]);
    q.cancel(b!.id);
    q.claimNext(runner('r'));
    q.setRunId(a!.id, 'run-a');
    expect(() => q.cancel(a!.id)).toThrow(`queue entry ${a!.id} is running (run run-a): stop its run instead`);
    q.claim(c!.id, runner('r'));
    q.fail(c!.id, 'bad');
    q.cancel(c!.id);
    expect(names(q)).toEqual(['running:a:-']);
    expect(() => q.cancel(b!.id)).toThrow(`no queue entry '${b!.id}'`);
  });

  it('a new RunQueue on the same home sees everything (the queue survives a restart)', () => {
    const first = new RunQueue(home);
    first.add([job('a'), job('b')], { projectId: 'p1' });
    first.claimNext(runner('r'));
    const again = new RunQueue(home);
    again.add([job('c')]);
    expect(names(again)).toEqual(['running:a:-', 'queued:b:1', 'queued:c:2']);
    expect(again.list()[0]!.projectId).toBe('p1');
    expect(JSON.parse(fs.readFileSync(path.join(home, 'queue.json'), 'utf8'))).toMatchObject({ version: 1 });
  });

  it('refuses more than MAX_QUEUE entries', () => {
    const q = new RunQueue(home);
    q.add(Array.from({ length: MAX_QUEUE }, (_, i) => job(`j${i}`)));
    expect(() => q.add([job('one too many')])).toThrow(`the queue holds at most ${MAX_QUEUE} entries`);
  });

  it('two instances never claim one entry; finish removes it', () => {
    const one = new RunQueue(home);
    const two = new RunQueue(home);
    one.add([job('a'), job('b')]);
    const x = one.claimNext(runner('r1'))!;
    const y = two.claimNext(runner('r2'))!;
    expect(x.id).not.toBe(y.id);
    expect(one.claimNext(runner('r1'))).toBeUndefined();
    expect(() => two.claim(x.id, runner('r2'))).toThrow('already running');
    one.finish(x.id);
    expect(two.list().map((e) => e.id)).toEqual([y.id]);
  });

  it('two processes racing claimNext claim each entry exactly once', async () => {
    const q = new RunQueue(home);
    const added = q.add(Array.from({ length: 200 }, (_, i) => job(`j${i}`)));
    const go = Date.now() + 2500;
    const claimIn = (id: string) =>
      new Promise<string[]>((resolve, reject) =>
        execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/claim-queue.ts'), home, id, String(go)], { cwd: ROOT }, (err, stdout) =>
          err ? reject(err) : resolve(JSON.parse(stdout) as string[]),
        ),
      );
    const [a, b] = await Promise.all([claimIn('p1'), claimIn('p2')]);
    expect([...a, ...b].sort()).toEqual(added.map((e) => e.id).sort());
    expect(new Set([...a, ...b]).size).toBe(200);
    const byRunner = new Map(q.list().map((e) => [e.id, e.runner!.id]));
    for (const id of a) expect(byRunner.get(id)).toBe('p1');
    for (const id of b) expect(byRunner.get(id)).toBe('p2');
  }, 60_000);

  it('recoverStale puts a dead runner\'s entries back at their place, one with a run as a resume of it', async () => {
    const q = new RunQueue(home);
    const [a, b, c] = q.add([job('a'), job('b'), job('c')], { projectId: 'p' });
    const dead = runner('dead', await deadPid());
    q.claim(a!.id, dead);
    q.setRunId(a!.id, 'run-a');
    q.claim(b!.id, dead);
    q.claim(c!.id, runner('alive'));
    const old = new Date(Date.now() - 3600_000).toISOString();
    const [d] = q.add([job('d')]);
    q.claim(d!.id, runner('far', 1, 'another-host', old));
    q.add([job('e')]);
    // A run still trained (its lock held) stays running.
    expect(q.recoverStale((runId) => runId === 'run-a').map((e) => e.job.name)).toEqual(['b', 'd']);
    const recovered = q.recoverStale(() => false);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.job).toEqual({ kind: 'resume', runId: 'run-a', name: 'a' });
    expect(names(q)).toEqual(['running:c:-', 'queued:a:1', 'queued:b:2', 'queued:d:3', 'queued:e:4']);
    expect(q.list().find((e) => e.id === a!.id)).toMatchObject({ projectId: 'p', state: 'queued' });
    expect(q.list().find((e) => e.id === a!.id)!.runner).toBeUndefined();
    expect(q.recoverStale(() => false)).toEqual([]);
  });

  it('a runner whose process is a zombie (dead, never reaped) counts as dead', async () => {
    // sh execs sleep, which never reaps the backgrounded child: that child stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 20'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (c: Buffer) => resolve(c.toString().trim()))));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fs.readFileSync(`/proc/${zombie}/stat`, 'utf8')).toMatch(/\) Z /);
      const q = new RunQueue(home);
      const [a] = q.add([job('a')]);
      q.claim(a!.id, runner('zombie', zombie));
      expect(q.recoverStale(() => false).map((e) => e.id)).toEqual([a!.id]);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('a runner whose pid now belongs to another process (a reboot, pid reuse) counts as dead', () => {
    const q = new RunQueue(home);
    const [a, b] = q.add([job('a'), job('b')]);
    // This test's own process is alive, but it is not the process that claimed `a`: it started at another time.
    q.claim(a!.id, { ...runner('before-reboot'), processStart: '1' });
    q.claim(b!.id, { ...runner('this-process'), processStart: processStartTime(process.pid) });
    expect(q.recoverStale(() => false).map((e) => e.id)).toEqual([a!.id]);
  });

  it('touch keeps a runner on another host alive', () => {
    const q = new RunQueue(home);
    const [a] = q.add([job('a')]);
    const old = new Date(Date.now() - 3600_000).toISOString();
    q.claim(a!.id, runner('far', 1, 'another-host', old));
    q.touch('far');
    expect(q.recoverStale(() => false)).toEqual([]);
  });

  it('an unreadable queue.json is moved aside with a warning, not overwritten', () => {
    const file = path.join(home, 'queue.json');
    fs.writeFileSync(file, '{"version": 1, "entries": [{"id": 3}]}');
    const warnings: string[] = [];
    const q = new RunQueue(home, (w) => warnings.push(w));
    expect(q.list()).toEqual([]);
    const aside = fs.readdirSync(home).filter((f) => f.startsWith('queue.json.bad-'));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(home, aside[0]!), 'utf8')).toBe('{"version": 1, "entries": [{"id": 3}]}');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`could not be read (entries.0.id`);
    expect(warnings[0]).toContain(aside[0]);
    expect(q.warning).toBe(warnings[0]);
    q.add([job('a')]);
    expect(names(new RunQueue(home))).toEqual(['queued:a:1']);
    fs.writeFileSync(file, 'not json {');
    expect(new RunQueue(home).list()).toEqual([]);
    expect(fs.readdirSync(home).filter((f) => f.startsWith('queue.json.bad-'))).toHaveLength(2);
  });
});
