/** Electron main process: one secure window; all work goes through the typed SaccadeApi over IPC. */
import { app, BrowserWindow, dialog, ipcMain, Menu, shell } from 'electron';
import Store from 'electron-store';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MENU_ACTION_CHANNEL } from './electron/channels';
import { isTrustedUrl, pushTo, registerIpc } from './electron/ipc';
import { aboutMessage, menuTemplate } from './electron/menu';
import { denyPermissions, guardNavigation } from './electron/navigation';
import { preloadFile, rendererFile } from './electron/paths';
import { UtilityJobLauncher } from './electron/utility-launcher';
import { studioStoreOptions, type KeyValueStore, type StudioState } from './services/project-store';
import { StudioService } from './services/studio-service';
import type { ExportResult } from './shared/api';
import { defaultHome } from './storage';

let studio: StudioService | undefined;
let mainWindow: BrowserWindow | undefined;

/** Our own page: the built renderer, or the dev server in development. */
function isOwnPage(url: string): boolean {
  return isTrustedUrl(url, { rendererFileUrl: pathToFileURL(rendererFile()).href, devServerUrl: process.env['ELECTRON_RENDERER_URL'], packaged: app.isPackaged });
}

async function pickFolder(): Promise<string | undefined> {
  const options: Electron.OpenDialogOptions = { title: 'Choose a folder of MNIST-layout IDX files', properties: ['openDirectory'] };
  const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return result.canceled ? undefined : result.filePaths[0];
}

async function saveExport(result: ExportResult): Promise<string | undefined> {
  const ext = path.extname(result.fileName).slice(1);
  const options: Electron.SaveDialogOptions = {
    title: 'Save the glimpse animation',
    defaultPath: path.join(app.getPath('downloads'), result.fileName),
    filters: [{ name: ext === 'gif' ? 'GIF animation' : 'Animated PNG', extensions: [ext] }],
  };
  const choice = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
  if (choice.canceled || !choice.filePath) return undefined;
  await fs.promises.writeFile(choice.filePath, result.bytes);
  return choice.filePath;
}

async function createStudio(): Promise<StudioService> {
  const home = defaultHome();
  const store = new Store<StudioState>(studioStoreOptions(home) as ConstructorParameters<typeof Store<StudioState>>[0]);
  return StudioService.create({
    home,
    transport: 'electron',
    version: app.getVersion(),
    launcher: new UtilityJobLauncher(),
    modelsDir: path.join(app.getAppPath(), 'resources', 'models'),
    store: store as unknown as KeyValueStore<StudioState>,
    pickFolder,
    saveExport,
  });
}

function createWindow(api: StudioService): BrowserWindow {
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

  guardNavigation(win.webContents, isOwnPage, (url) => shell.openExternal(url));
  const unregister = registerIpc(ipcMain, win, api, isOwnPage);
  win.on('closed', () => {
    unregister();
    if (mainWindow === win) mainWindow = undefined;
  });

  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  if (devUrl && !app.isPackaged) void win.loadURL(devUrl);
  else void win.loadURL(pathToFileURL(rendererFile()).href);
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

void app.whenReady().then(async () => {
  studio = await createStudio();
  const api = studio;
  Menu.setApplicationMenu(buildMenu(api));
  mainWindow = createWindow(api);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow(api);
  });
});

app.on('before-quit', (event) => {
  // Live runs stop at their next step and keep a checkpoint; quit once they have.
  if (studio && studio.liveRunIds().length > 0) {
    event.preventDefault();
    const s = studio;
    studio = undefined;
    void s.shutdown(10_000).finally(() => app.quit());
  }
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
