/** Electron main process: one secure window; all work goes through typed IPC services. */
import { app, BrowserWindow, shell } from 'electron';
import { pathToFileURL } from 'node:url';
import { isTrustedUrl, registerIpc } from './electron/ipc';
import { preloadFile, rendererFile } from './electron/paths';

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    title: 'Saccade',
    show: false,
    webPreferences: {
      preload: preloadFile(),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });

  win.once('ready-to-show', () => win.show());

  // The page never navigates away from itself; external links open in the system browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (!isTrustedUrl(url)) {
      event.preventDefault();
      if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    }
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });

  registerIpc(win);

  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  if (devUrl && !app.isPackaged) void win.loadURL(devUrl);
  else void win.loadURL(pathToFileURL(rendererFile()).href);
  return win;
}

// Deny permission requests (camera, notifications, ...) the app never needs.
app.on('web-contents-created', (_event, contents) => {
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
});

void app.whenReady().then(() => {
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
