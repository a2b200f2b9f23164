/**
 * Exposes exactly the SaccadeApi contract as window.saccade: one function per API method, each an
 * invoke on its own channel, plus onTrainingEvent; and window.saccadeShell, the menu's actions.
 * The renderer never touches ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { apiChannels, MENU_ACTION_CHANNEL, TRAINING_EVENT_CHANNEL } from '../src-main/electron/channels';
import type { SaccadeApi, TrainingEvent } from '../src-main/shared/api';
import { isMenuAction, type MenuAction, type ShellEvents } from '../src-main/shared/menu-actions';

export function buildPreloadApi(): SaccadeApi {
  const api: Record<string, unknown> = {};
  for (const { method, channel } of apiChannels()) {
    api[method] = (...args: unknown[]) => ipcRenderer.invoke(channel, ...args);
  }
  api['onTrainingEvent'] = (listener: (event: TrainingEvent) => void) => {
    const wrapped = (_event: IpcRendererEvent, payload: TrainingEvent) => listener(payload);
    ipcRenderer.on(TRAINING_EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(TRAINING_EVENT_CHANNEL, wrapped);
    };
  };
  return api as unknown as SaccadeApi;
}

export function buildShellEvents(): ShellEvents {
  return {
    onMenuAction: (listener: (action: MenuAction) => void) => {
      // Only the named actions reach the page.
      const wrapped = (_event: IpcRendererEvent, action: unknown) => {
        if (isMenuAction(action)) listener(action);
      };
      ipcRenderer.on(MENU_ACTION_CHANNEL, wrapped);
      return () => {
        ipcRenderer.removeListener(MENU_ACTION_CHANNEL, wrapped);
      };
    },
  };
}

contextBridge.exposeInMainWorld('saccade', buildPreloadApi());
contextBridge.exposeInMainWorld('saccadeShell', buildShellEvents());
