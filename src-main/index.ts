/** Electron main process: one secure window; all work goes through the typed SaccadeApi over IPC. */
import { app, BrowserWindow, dialog, ipcMain, Menu, shell } from 'electron';
import Store from 'electron-store';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MENU_ACTION_CHANNEL } from './electron/channels';
import { pickFolder, saveExport, type FolderDialog, type SaveDialog } from './electron/dialogs';
import { isTrustedUrl, pushTo, registerIpc, type TrustedOrigins } from './electron/ipc';
import { aboutMessage, menuTemplate } from './electron/menu';
import { denyPermissions, guardNavigation } from './electron/navigation';
import { preloadFile, rendererFile } from './electron/paths';
import { quitGuard } from './electron/quit';
import { UtilityJobLauncher } from './electron/utility-launcher';
import { mainWindowOptions, pageUrl } from './electron/window';
import { studioStoreOptions, type KeyValueStore, type StudioState } from './services/project-store';
import { StudioService } from './services/studio-service';
import { defaultHome } from './storage';

let mainWindow: BrowserWindow | undefined;

/** Our own page: the built renderer, or the dev server in development. */
function ownOrigins(): TrustedOrigins {
  return { rendererFileUrl: pathToFileURL(rendererFile()).href, devServerUrl: process.env['ELECTRON_RENDERER_URL'], packaged: app.isPackaged };
}
const isOwnPage = (url: string) => isTrustedUrl(url, ownOrigins());

/** The dialogs, attached to the window when there is one. */
const folderDialog: FolderDialog = {
  showOpenDialog: (options) => (mainWindow ? dialog.showOpenDialog(mainWindow, options) : dialog.showOpenDialog(options)),
};
const saveDialog = (): SaveDialog => ({
  showSaveDialog: (options) => (mainWindow ? dialog.showSaveDialog(mainWindow, options) : dialog.showSaveDialog(options)),
  writeFile: (file, bytes) => fs.promises.writeFile(file, bytes),
  downloadsDir: app.getPath('downloads'),
});

async function createStudio(): Promise<StudioService> {
  const home = defaultHome();
  let store: Store<StudioState> | undefined;
  try {
    store = new Store<StudioState>(studioStoreOptions(home) as ConstructorParameters<typeof Store<StudioState>>[0]);
  } catch {
    // A full or read-only disk: the project store opens the file itself and, if it cannot be
    // written, keeps projects in memory with a warning, so the studio still opens.
    store = undefined;
  }
  return StudioService.create({
    home,
    transport: 'electron',
    version: app.getVersion(),
    launcher: new UtilityJobLauncher(),
    modelsDir: path.join(app.getAppPath(), 'resources', 'models'),
    store: store as unknown as KeyValueStore<StudioState> | undefined,
    pickFolder: () => pickFolder(folderDialog),
    saveExport: (result) => saveExport(saveDialog(), result),
  });
}

function createWindow(api: StudioService): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preloadFile()));
  win.once('ready-to-show', () => win.show());

  guardNavigation(win.webContents, isOwnPage, (url) => shell.openExternal(url));
  const unregister = registerIpc(ipcMain, win, api, isOwnPage);
  win.on('closed', () => {
    unregister();
    if (mainWindow === win) mainWindow = undefined;
  });

  void win.loadURL(pageUrl(ownOrigins()));
  return win;
}

function buildMenu(api: StudioService): Menu {
  const template = menuTemplate(
    {
      // The renderer performs the action through its API client and UI state, as its buttons do.
      sendAction: (action) => pushTo(mainWindow, MENU_ACTION_CHANNEL, action),
      showAbout: () => void dialog.showMessageBox(aboutMessage(app.getVersion(), api.home)),
    },
    { developerItems: !app.isPackaged },
  );
  return Menu.buildFromTemplate(template);
}

// Deny permission requests (camera, notifications, ...) the app never needs.
app.on('web-contents-created', (_event, contents) => denyPermissions(contents.session));

let beforeQuit: ((event: Electron.Event) => void) | undefined;

void app.whenReady().then(async () => {
  let api: StudioService;
  try {
    api = await createStudio();
  } catch (err) {
    // Without a window nothing would say why the app did not open, and it would never quit.
    dialog.showErrorBox('Saccade cannot start', err instanceof Error ? err.message : String(err));
    app.quit();
    return;
  }
  beforeQuit = quitGuard(api, () => app.quit());
  Menu.setApplicationMenu(buildMenu(api));
  mainWindow = createWindow(api);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow(api);
  });
});

app.on('before-quit', (event) => beforeQuit?.(event));

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
