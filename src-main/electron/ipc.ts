/** IPC handlers for the renderer; every call checks that it comes from our own page. */
import { app, ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { pathToFileURL } from 'node:url';
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

/** Registers a handler that validates its sender first. */
function handle<A extends unknown[], R>(channel: string, fn: (...args: A) => R | Promise<R>): void {
  ipcMain.handle(channel, (event, ...args) => {
    assertTrustedSender(event);
    return fn(...(args as A));
  });
}

let registered = false;

/** Registers the app's IPC handlers once; `win` is the main window (for future push events). */
export function registerIpc(win: BrowserWindow): void {
  void win;
  if (registered) return;
  registered = true;
  handle('app:version', () => app.getVersion());
}
