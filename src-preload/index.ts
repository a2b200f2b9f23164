import { contextBridge, ipcRenderer } from 'electron';
import type { SaccadeApi } from './api';

// A narrow, typed surface: the renderer never touches ipcRenderer itself.
const api: SaccadeApi = {
  version: () => ipcRenderer.invoke('app:version') as Promise<string>,
};

contextBridge.exposeInMainWorld('saccade', api);
