/** Electron main process: one secure window; all work goes through the typed SaccadeApi over IPC. */
import { app, BrowserWindow, dialog, Menu, shell, type MenuItemConstructorOptions } from 'electron';
import Store from 'electron-store';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isTrustedUrl, registerIpc } from './electron/ipc';
import { preloadFile, rendererFile } from './electron/paths';
import { UtilityJobLauncher } from './electron/utility-launcher';
import { studioStoreOptions, type KeyValueStore, type StudioState } from './services/project-store';
import { StudioService } from './services/studio-service';
import type { ExportResult } from './shared/api';
import { defaultHome } from './storage';

let studio: StudioService | undefined;
let mainWindow: BrowserWindow | undefined;
const isDev = !app.isPackaged && Boolean(process.env['ELECTRON_RENDERER_URL']);

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

  const unregister = registerIpc(win, api);
  win.on('closed', () => {
    unregister();
    if (mainWindow === win) mainWindow = undefined;
  });

  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  if (devUrl && !app.isPackaged) void win.loadURL(devUrl);
  else void win.loadURL(pathToFileURL(rendererFile()).href);
  return win;
}

/** Menu commands change the studio's state, then reload the page so every view shows it. */
async function newProject(api: StudioService): Promise<void> {
  const count = (await api.listProjects()).length;
  const project = await api.createProject(`Project ${count + 1}`);
  await api.updateSettings({ currentProjectId: project.id });
  mainWindow?.webContents.reload();
}

async function importFolder(api: StudioService): Promise<void> {
  const folder = await pickFolder();
  if (!folder) return;
  try {
    const info = await api.importDataset({ name: path.basename(folder), folder });
    await dialog.showMessageBox({ type: 'info', message: `Imported ${info.name}`, detail: info.description });
    mainWindow?.webContents.reload();
  } catch (err) {
    dialog.showErrorBox('Import failed', (err as Error).message);
  }
}

function buildMenu(api: StudioService): Menu {
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'New project', accelerator: 'CmdOrCtrl+N', click: () => void newProject(api) },
        { label: 'Import IDX folder...', accelerator: 'CmdOrCtrl+I', click: () => void importFolder(api) },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    ...(isDev || !app.isPackaged
      ? ([{ label: 'View', submenu: [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }] }] as MenuItemConstructorOptions[])
      : []),
    {
      label: 'Help',
      submenu: [
        {
          label: 'About Saccade',
          click: () =>
            void dialog.showMessageBox({
              type: 'info',
              message: `Saccade ${app.getVersion()}`,
              detail: `A studio for Recurrent Attention Models (Mnih et al., NIPS 2014).\nRuns are kept in ${api.home}`,
            }),
        },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}

// Deny permission requests (camera, notifications, ...) the app never needs.
app.on('web-contents-created', (_event, contents) => {
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
});

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
