/**
 * Electron cannot load here: the IPC wiring is checked through its pure parts, the preload's
 * source and its built bundle (ipc.ts's handlers are exercised with stand-ins in test/electron).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiChannels, MENU_ACTION_CHANNEL, TRAINING_EVENT_CHANNEL } from '../../src-main/electron/channels';
import { API_METHODS } from '../../src-main/shared/api';
import { StudioService } from '../../src-main/services/studio-service';

const root = path.resolve(__dirname, '../..');

describe('Electron IPC wiring', () => {
  it('one channel per API method, named api:<method>', () => {
    expect(apiChannels().map((c) => c.method)).toEqual([...API_METHODS]);
    expect(new Set(apiChannels().map((c) => c.channel)).size).toBe(API_METHODS.length);
    for (const { method, channel } of apiChannels()) expect(channel).toBe(`api:${method}`);
    expect(TRAINING_EVENT_CHANNEL).toBe('api:training-event');
    expect(MENU_ACTION_CHANNEL).toBe('saccade:menu');
  });

  it('the preload and ipc.ts both derive their lists from apiChannels()', () => {
    const preload = fs.readFileSync(path.join(root, 'src-preload/index.ts'), 'utf8');
    const ipc = fs.readFileSync(path.join(root, 'src-main/electron/ipc.ts'), 'utf8');
    expect(preload).toMatch(/for \(const \{ method, channel \} of apiChannels\(\)\)/);
    expect(preload).toMatch(/exposeInMainWorld\('saccade', buildPreloadApi\(\)\)/);
    expect(ipc).toMatch(/const channels = apiChannels\(\);[\s\S]*for \(const \{ method, channel \} of channels\)[\s\S]*ipcMain\.handle\(channel/);
    expect(ipc).toMatch(/assertTrustedSender\(event, isTrusted\)/);
  });

  it('the built preload exposes exactly API_METHODS plus onTrainingEvent, and saccadeShell.onMenuAction', () => {
    const built = path.join(root, 'out/preload/index.js');
    // test/global-setup.ts builds the app before the suite, so the bundle must be there.
    expect(fs.existsSync(built), built).toBe(true);
    const exposed: Record<string, unknown> = {};
    const handlers: string[] = [];
    const pushListeners = new Map<string, (event: unknown, payload: unknown) => void>();
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (name: string, api: Record<string, unknown>) => (exposed[name] = api) },
      ipcRenderer: {
        invoke: (channel: string, ...args: unknown[]) => handlers.push(`${channel}:${args.length}`),
        on: (channel: string, l: (event: unknown, payload: unknown) => void) => pushListeners.set(channel, l),
        removeListener: (channel: string) => pushListeners.delete(channel),
      },
    };
    const source = fs.readFileSync(built, 'utf8');
    const module = { exports: {} as Record<string, unknown> };
    new Function('require', 'module', 'exports', source)((id: string) => (id === 'electron' ? fakeElectron : require(id)), module, module.exports);
    const api = exposed['saccade'] as Record<string, (...a: unknown[]) => unknown>;
    expect(Object.keys(api).sort()).toEqual([...API_METHODS, 'onTrainingEvent'].sort());
    api['getSamples']({ dataset: 'centered' });
    expect(handlers).toEqual(['api:getSamples:1']);
    expect(typeof api['onTrainingEvent'](() => {})).toBe('function');

    expect(Object.keys(exposed).sort()).toEqual(['saccade', 'saccadeShell']);
    const shell = exposed['saccadeShell'] as Record<string, (...a: unknown[]) => unknown>;
    expect(Object.keys(shell)).toEqual(['onMenuAction']);
    const actions: unknown[] = [];
    const stop = shell['onMenuAction']((a: unknown) => actions.push(a)) as () => void;
    // Only named actions pass; anything else pushed on the channel is dropped.
    pushListeners.get(MENU_ACTION_CHANNEL)!({}, 'new-project');
    pushListeners.get(MENU_ACTION_CHANNEL)!({}, 'rm -rf');
    expect(actions).toEqual(['new-project']);
    stop();
    expect(pushListeners.has(MENU_ACTION_CHANNEL)).toBe(false);
  });

  it('StudioService implements every API method', () => {
    for (const method of API_METHODS) expect(typeof StudioService.prototype[method]).toBe('function');
    expect(typeof StudioService.prototype.onTrainingEvent).toBe('function');
  });
});
