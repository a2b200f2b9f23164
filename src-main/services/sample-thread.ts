/**
 * The datasets service's one sample worker (sample-worker.ts), started on the first page asked
 * for and kept warm. It holds the process open only while a page is pending; a worker that dies
 * fails its pending pages and is started afresh on the next.
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../trainer/worker-thread';
import type { SampleSourceSpec } from '../data/sample-pages';
import type { SamplePage, SamplePageRequest } from '../shared/api';
import type { SampleReply, SampleRequest } from './sample-worker-protocol';

type Pending = { resolve: (page: SamplePage) => void; reject: (err: Error) => void };

export class SampleThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  page(source: SampleSourceSpec, request: SamplePageRequest): Promise<SamplePage> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<SamplePage>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, source, request } satisfies SampleRequest);
    });
  }

  /** Stops the worker; pending pages fail. */
  close(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the studio is shutting down'));
    void worker?.terminate();
  }

  private start(): Worker {
    const worker = startWorkerThread('sample-worker', typeof __filename === 'string' ? __filename : undefined, 'src-main/services/sample-thread.ts');
    worker.unref();
    worker.on('message', (reply: SampleReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if ('page' in reply) p.resolve(reply.page);
      else p.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(err);
    };
    worker.on('error', (err) => fail(new Error(`sample thread crashed: ${err.message}`)));
    worker.on('exit', (code) => fail(new Error(`sample thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

