/** IPC handlers for the renderer; every call checks that it comes from our own page. */
import { app, ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { pathToFileURL } from 'node:url';
import type { SaccadeApi } from '../shared/api';
import { callApi } from '../transports/call-api';
import { errorPayload } from '../transports/ws-protocol';
import { apiChannels, TRAINING_EVENT_CHANNEL } from './channels';
import { rendererFile } from './paths';

/** Origins our page may load from: the built index.html, or the dev server in development. */
export function isTrustedUrl(url: string, devServerUrl = process.env['ELECTRON_RENDERER_URL']): boolean {
  if (!url) return false;
  const fileUrl = pathToFileURL(rendererFile()).href;
  if (url === fileUrl || url.startsWith(`${fileUrl}#`) || url.startsWith(`${fileUrl}?`)) return true;
  if (devServerUrl && !app.isPackaged) {
    const dev = new URL(devServerUrl);
    try {
      return new URL(url).origin === dev.origin;
    } catch {
      return false;
    }
  }
  return false;
}

function assertTrustedSender(event: IpcMainInvokeEvent): void {
  const url = event.senderFrame?.url ?? '';
  if (!isTrustedUrl(url)) throw new Error(`IPC refused: untrusted sender '${url}'`);
}

let registered: (() => void) | undefined;

/**
 * Registers one validated handler per API method, calling `api`, and pushes training events to
 * `win`. Errors cross as plain {name, message} (Electron would otherwise keep only the message).
 * Returns the function that undoes it all.
 */
export function registerIpc(win: BrowserWindow, api: SaccadeApi): () => void {
  if (registered) return registered;
  const channels = apiChannels();
  for (const { method, channel } of channels) {
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      assertTrustedSender(event);
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
  const unsubscribe = api.onTrainingEvent((payload) => {
    if (!win.isDestroyed()) win.webContents.send(TRAINING_EVENT_CHANNEL, payload);
  });
  registered = () => {
    unsubscribe();
    for (const { channel } of channels) ipcMain.removeHandler(channel);
    registered = undefined;
  };
  return registered;
}
