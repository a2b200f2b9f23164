/** What the preload exposes to the renderer as `window.saccade`: the SaccadeApi contract. */
import type { SaccadeApi } from '../src-main/shared/api';

export type { SaccadeApi };

declare global {
  interface Window {
    /** Present in Electron only; the browser mode talks over a WebSocket instead. */
    saccade?: SaccadeApi;
  }
}
