/** SettingsService, through the StudioService facade: only known settings with valid values are stored. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../src-main/services/studio-service';
import { callApi } from '../../src-main/transports/call-api';

let home: string;
let studio: StudioService;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-settings-'));
  studio = await StudioService.create({ home, transport: 'websocket', version: '9.9.9' });
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('SettingsService', () => {
  it('smoothing must be in range and the backend a known one; an empty backend clears it', async () => {
    await expect(callApi(studio, 'updateSettings', [{ smoothing: 2 }])).rejects.toThrow(/smoothing/);
    await expect(studio.updateSettings({ backend: 'quantum' })).rejects.toThrow(/unknown backend/);
    expect((await studio.updateSettings({ backend: 'cpu' })).backend).toBe('cpu');
    expect((await studio.updateSettings({ backend: '' })).backend).toBeUndefined();
  });

  it('updateSettings accepts only the known settings with valid values; nothing else is stored', async () => {
    const storeFile = path.join(home, 'studio.json');
    const before = fs.readFileSync(storeFile, 'utf8');
    // Calls come through a transport, which checks them against the schema first (callApi).
    const update = (patch: unknown) => callApi(studio, 'updateSettings', [patch]);
    await expect(update({ bogus: 1 })).rejects.toThrow("updateSettings: patch: unknown field 'bogus'");
    const many = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, 'x'.repeat(20)]));
    await expect(update(many)).rejects.toThrow(/^updateSettings: patch: unknown fields 'k0', 'k1', 'k2' and 1997 more$/);
    await expect(update({ currentProjectId: 5 })).rejects.toThrow(/currentProjectId/);
    await expect(update({ xAxis: 'step', smoothing: '0.5' })).rejects.toThrow(/smoothing/);
    await expect(update({ xAxis: 'sideways' })).rejects.toThrow(/xAxis/);
    await expect(update(null)).rejects.toThrow('updateSettings: patch: expected an object, got null');
    await expect(update(['xAxis'])).rejects.toThrow(/^updateSettings: patch: expected an object/);
    expect(fs.readFileSync(storeFile, 'utf8')).toBe(before);
    expect(Object.keys(await studio.updateSettings({ xAxis: 'epoch' })).sort()).toEqual(['currentProjectId', 'queueConcurrency', 'smoothing', 'xAxis']);
  });
});
