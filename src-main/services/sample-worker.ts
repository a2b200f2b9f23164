/**
 * The datasets service's worker thread: decodes MNIST and imported folders and renders sample
 * pages, so a page of up to 1,000 task images never blocks the main thread (Electron's, or the
 * server's). Its caches stay warm between calls; the pixels are transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { SamplePages } from '../data/sample-pages';
import type { SampleReply, SampleRequest } from './sample-worker-protocol';

const pages = new SamplePages();

parentPort!.on('message', ({ id, source, request }: SampleRequest) => {
  pages.page(source, request).then(
    (page) => parentPort!.postMessage({ id, page } satisfies SampleReply, [page.pixels.buffer as ArrayBuffer]),
    (err: unknown) => {
      const { name, message } = err instanceof Error ? err : new Error(String(err));
      parentPort!.postMessage({ id, error: { name, message } } satisfies SampleReply);
    },
  );
});
