/**
 * The renderer's way to the engine: Electron's preload (window.saccade) when there is one, else
 * the browser mode's WebSocket. Both give the same SaccadeApi; views never know which.
 */
import type { SaccadeApi } from '../../../src-main/shared/api';
import { WsApiClient, apiUrlFor } from './ws-client';

export type { SaccadeApi };

let instance: SaccadeApi | undefined;

export function getApi(): SaccadeApi {
  if (instance) return instance;
  const preload = (globalThis as { saccade?: SaccadeApi }).saccade;
  instance = preload ?? new WsApiClient({ url: apiUrlFor(window.location) }).api();
  return instance;
}
