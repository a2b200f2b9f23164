/** Messages between the datasets service and its sample worker thread. */
import type { SampleSourceSpec } from '../data/sample-pages';
import type { SamplePage, SamplePageRequest } from '../shared/api';

export interface SampleRequest {
  id: number;
  source: SampleSourceSpec;
  request: SamplePageRequest;
}

export type SampleReply = { id: number; page: SamplePage } | { id: number; error: { name: string; message: string } };
