/** What the preload exposes to the renderer: `window.saccade` (the SaccadeApi contract) and `window.saccadeShell`. */
import type { SaccadeApi } from '../src-main/shared/api';
import type { ShellEvents } from '../src-main/shared/menu-actions';

export type { SaccadeApi, ShellEvents };

declare global {
  interface Window {
    /** Present in Electron only; the browser mode talks over a WebSocket instead. */
    saccade?: SaccadeApi;
    /** Present in Electron only: the application menu's actions. */
    saccadeShell?: ShellEvents;
  }
}
