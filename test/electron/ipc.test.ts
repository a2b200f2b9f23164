/**
 * The IPC registration and its sender check, with stand-ins for ipcMain, the window and the API
 * (Electron cannot run here): one handler per API method, refusals for other pages, errors that
 * keep their name, training events pushed while the window lives, and a clean unregister.
 */
import { describe, expect, it } from 'vitest';
import { apiChannels, TRAINING_EVENT_CHANNEL } from '../../src-main/electron/channels';
import { isTrustedUrl, pushTo, registerIpc, type InvokeEventLike, type IpcMainLike, type PushWindow } from '../../src-main/electron/ipc';
import type { SaccadeApi, TrainingEvent } from '../../src-main/shared/api';

const PAGE = 'file:///opt/Saccade/resources/app/out/renderer/index.html';
const trusted = (url: string) => isTrustedUrl(url, { rendererFileUrl: PAGE, packaged: true });

/** A stand-in for ipcMain: keeps the handlers so the test can invoke them as a page would. */
class StandInIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, fromUrl: string, ...args: unknown[]): Promise<unknown> {
    return this.handlers.get(channel)!({ senderFrame: { url: fromUrl } }, ...args);
  }
}

/** A stand-in BrowserWindow: records what its page was sent. */
class StandInWindow implements PushWindow {
  destroyed = false;
  sent: [string, unknown][] = [];
  readonly webContents = { send: (channel: string, payload: unknown) => void this.sent.push([channel, payload]) };
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

/** A stand-in API: two methods that answer, one that throws, and a training-event subscription. */
function standInApi() {
  const listeners = new Set<(e: TrainingEvent) => void>();
  const api = {
    getAppInfo: async () => ({ version: '9.9.9' }),
    createProject: async (name: string) => ({ id: 'p1', name }),
    deleteProject: async () => {
      throw Object.assign(new Error('no such project'), { name: 'NotFoundError' });
    },
    onTrainingEvent: (l: (e: TrainingEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { api: api as unknown as SaccadeApi, listeners, emit: (e: TrainingEvent) => listeners.forEach((l) => l(e)) };
}

describe('isTrustedUrl', () => {
  it('trusts the built page, with a hash or query, and nothing else', () => {
    expect(trusted(PAGE)).toBe(true);
    expect(trusted(`${PAGE}#/runs`)).toBe(true);
    expect(trusted(`${PAGE}?x=1`)).toBe(true);
    expect(trusted('')).toBe(false);
    expect(trusted(`${PAGE}.evil.html`)).toBe(false);
    expect(trusted('file:///tmp/index.html')).toBe(false);
    expect(trusted('https://example.com/')).toBe(false);
  });

  it('trusts the dev server origin only in an unpackaged app', () => {
    const dev = { rendererFileUrl: PAGE, devServerUrl: 'http://localhost:5173/' };
    expect(isTrustedUrl('http://localhost:5173/src/main.ts', { ...dev, packaged: false })).toBe(true);
    expect(isTrustedUrl('http://localhost:5174/', { ...dev, packaged: false })).toBe(false);
    expect(isTrustedUrl('not a url', { ...dev, packaged: false })).toBe(false);
    expect(isTrustedUrl('http://localhost:5173/', { ...dev, packaged: true })).toBe(false);
  });
});

describe('registerIpc', () => {
  it('one handler per API method; calls from our page reach the API with checked parameters', async () => {
    const ipc = new StandInIpcMain();
    const { api } = standInApi();
    registerIpc(ipc, new StandInWindow(), api, trusted);
    expect([...ipc.handlers.keys()]).toEqual(apiChannels().map((c) => c.channel));
    await expect(ipc.invoke('api:getAppInfo', PAGE)).resolves.toEqual({ version: '9.9.9' });
    await expect(ipc.invoke('api:createProject', PAGE, 'Digits')).resolves.toEqual({ id: 'p1', name: 'Digits' });
    await expect(ipc.invoke('api:createProject', PAGE, 42)).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('refuses any other sender, and one without a frame', async () => {
    const ipc = new StandInIpcMain();
    registerIpc(ipc, new StandInWindow(), standInApi().api, trusted);
    await expect(ipc.invoke('api:getAppInfo', 'https://evil.example/')).rejects.toThrow("IPC refused: untrusted sender 'https://evil.example/'");
    await expect(ipc.handlers.get('api:getAppInfo')!({ senderFrame: null })).rejects.toThrow("IPC refused: untrusted sender ''");
  });

  it('errors cross with their name and message', async () => {
    const ipc = new StandInIpcMain();
    registerIpc(ipc, new StandInWindow(), standInApi().api, trusted);
    await expect(ipc.invoke('api:deleteProject', PAGE, 'p9')).rejects.toMatchObject({ name: 'NotFoundError', message: 'no such project' });
  });

  it('pushes training events to the window while it lives; unregister undoes everything once', () => {
    const ipc = new StandInIpcMain();
    const win = new StandInWindow();
    const { api, listeners, emit } = standInApi();
    const unregister = registerIpc(ipc, win, api, trusted);
    // A second window reuses the registration instead of handling every channel twice.
    expect(registerIpc(ipc, new StandInWindow(), api, trusted)).toBe(unregister);
    const event = { type: 'progress', runId: 'r1' } as unknown as TrainingEvent;
    emit(event);
    win.destroyed = true;
    emit(event);
    expect(win.sent).toEqual([[TRAINING_EVENT_CHANNEL, event]]);
    unregister();
    expect(ipc.handlers.size).toBe(0);
    expect(listeners.size).toBe(0);
    // Registering again after unregister works (a window reopened on macOS).
    registerIpc(ipc, win, api, trusted);
    expect(ipc.handlers.size).toBe(apiChannels().length);
  });

  it('pushTo sends nothing without a live window', () => {
    const win = new StandInWindow();
    pushTo(undefined, 'saccade:menu', 'new-project');
    pushTo(win, 'saccade:menu', 'new-project');
    win.destroyed = true;
    pushTo(win, 'saccade:menu', 'import-folder');
    expect(win.sent).toEqual([['saccade:menu', 'new-project']]);
  });
});
