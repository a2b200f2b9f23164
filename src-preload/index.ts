/**
 * Exposes exactly the SaccadeApi contract as window.saccade: one function per API method, each an
 * invoke on its own channel, plus onTrainingEvent. The renderer never touches ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { apiChannels, TRAINING_EVENT_CHANNEL } from '../src-main/electron/channels';
import type { SaccadeApi, TrainingEvent } from '../src-main/shared/api';

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

contextBridge.exposeInMainWorld('saccade', buildPreloadApi());
