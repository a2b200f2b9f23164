/**
 * IPC handlers for the renderer; every call checks that it comes from our own page. Pure: it uses
 * Electron's objects only through the small interfaces below, so tests pass stand-ins.
 */
import type { SaccadeApi } from '../shared/api';
import { callApi } from '../transports/call-api';
import { errorPayload } from '../transports/ws-protocol';
import { apiChannels, TRAINING_EVENT_CHANNEL } from './channels';

/** Where our page may load from: the built index.html, or the dev server in development. */
export interface TrustedOrigins {
  /** The file: URL of the built renderer's index.html. */
  rendererFileUrl: string;
  devServerUrl?: string | undefined;
  /** A packaged app never trusts a dev server. */
  packaged: boolean;
}

export function isTrustedUrl(url: string, origins: TrustedOrigins): boolean {
  if (!url) return false;
  const fileUrl = origins.rendererFileUrl;
  if (url === fileUrl || url.startsWith(`${fileUrl}#`) || url.startsWith(`${fileUrl}?`)) return true;
  if (origins.devServerUrl && !origins.packaged) {
    const dev = new URL(origins.devServerUrl);
    try {
      return new URL(url).origin === dev.origin;
    } catch {
      return false;
    }
  }
  return false;
}

/** What a handler sees of Electron's IpcMainInvokeEvent. */
export interface InvokeEventLike {
  readonly senderFrame?: { readonly url: string } | null;
}

/** The members of Electron's ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The members of a BrowserWindow used to push messages to its page. */
export interface PushWindow {
  isDestroyed(): boolean;
  readonly webContents: { send(channel: string, ...args: unknown[]): void };
}

/** Sends to the window's page unless the window has gone. */
export function pushTo(win: PushWindow | undefined, channel: string, payload: unknown): void {
  if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
}

function assertTrustedSender(event: InvokeEventLike, isTrusted: (url: string) => boolean): void {
  const url = event.senderFrame?.url ?? '';
  if (!isTrusted(url)) throw new Error(`IPC refused: untrusted sender '${url}'`);
}

/** One registration per ipcMain: a second window reuses it rather than handling twice. */
const registrations = new WeakMap<IpcMainLike, () => void>();

/**
 * Registers one validated handler per API method, calling `api`, and pushes training events to
 * `win`. Errors cross as plain {name, message} (Electron would otherwise keep only the message).
 * Returns the function that undoes it all.
 */
export function registerIpc(ipcMain: IpcMainLike, win: PushWindow, api: SaccadeApi, isTrusted: (url: string) => boolean): () => void {
  const existing = registrations.get(ipcMain);
  if (existing) return existing;
  const channels = apiChannels();
  for (const { method, channel } of channels) {
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      assertTrustedSender(event, isTrusted);
      try {
        return await callApi(api, method, args);
      } catch (err) {
        const { name, message } = errorPayload(err);
        const crossed = new Error(message);
        crossed.name = name;
        throw crossed;
      }
    });
  }
  // The trainer already throttles progress (<= 4 events/s): forward every event as it comes.
  const unsubscribe = api.onTrainingEvent((payload) => pushTo(win, TRAINING_EVENT_CHANNEL, payload));
  const unregister = () => {
    unsubscribe();
    for (const { channel } of channels) ipcMain.removeHandler(channel);
    registrations.delete(ipcMain);
  };
  registrations.set(ipcMain, unregister);
  return unregister;
}
