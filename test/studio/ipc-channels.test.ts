/** Electron cannot load here: the IPC wiring is checked through its pure parts and the sources. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiChannels, TRAINING_EVENT_CHANNEL } from '../../src-main/electron/channels';
import { API_METHODS } from '../../src-main/shared/api';
import { StudioService } from '../../src-main/services/studio-service';

const root = path.resolve(__dirname, '../..');

describe('Electron IPC wiring', () => {
  it('one channel per API method, named api:<method>', () => {
    expect(apiChannels().map((c) => c.method)).toEqual([...API_METHODS]);
    expect(new Set(apiChannels().map((c) => c.channel)).size).toBe(API_METHODS.length);
    for (const { method, channel } of apiChannels()) expect(channel).toBe(`api:${method}`);
    expect(TRAINING_EVENT_CHANNEL).toBe('api:training-event');
  });

  it('the preload and ipc.ts both derive their lists from apiChannels()', () => {
    const preload = fs.readFileSync(path.join(root, 'src-preload/index.ts'), 'utf8');
    const ipc = fs.readFileSync(path.join(root, 'src-main/electron/ipc.ts'), 'utf8');
    expect(preload).toMatch(/for \(const \{ method, channel \} of apiChannels\(\)\)/);
    expect(preload).toMatch(/exposeInMainWorld\('saccade', buildPreloadApi\(\)\)/);
    expect(ipc).toMatch(/const channels = apiChannels\(\);[\s\S]*for \(const \{ method, channel \} of channels\)[\s\S]*ipcMain\.handle\(channel/);
    expect(ipc).toMatch(/assertTrustedSender\(event\)/);
  });

  it('the built preload exposes exactly API_METHODS plus onTrainingEvent', () => {
    const built = path.join(root, 'out/preload/index.js');
    // test/global-setup.ts builds the app before the suite, so the bundle must be there.
    expect(fs.existsSync(built), built).toBe(true);
    const exposed: Record<string, unknown> = {};
    const handlers: string[] = [];
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (name: string, api: Record<string, unknown>) => (exposed[name] = api) },
      ipcRenderer: { invoke: (channel: string, ...args: unknown[]) => handlers.push(`${channel}:${args.length}`), on() {}, removeListener() {} },
    };
    const source = fs.readFileSync(built, 'utf8');
    const module = { exports: {} as Record<string, unknown> };
    new Function('require', 'module', 'exports', source)((id: string) => (id === 'electron' ? fakeElectron : require(id)), module, module.exports);
    const api = exposed['saccade'] as Record<string, (...a: unknown[]) => unknown>;
    expect(Object.keys(api).sort()).toEqual([...API_METHODS, 'onTrainingEvent'].sort());
    api['getSamples']({ dataset: 'centered' });
    expect(handlers).toEqual(['api:getSamples:1']);
    expect(typeof api['onTrainingEvent'](() => {})).toBe('function');
  });

  it('StudioService implements every API method', () => {
    for (const method of API_METHODS) expect(typeof StudioService.prototype[method]).toBe('function');
    expect(typeof StudioService.prototype.onTrainingEvent).toBe('function');
  });
});
