/** SettingsService, through the StudioService facade: only known settings with valid values are stored. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../src-main/services/studio-service';

let home: string;
let studio: StudioService;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-settings-'));
  studio = await StudioService.create({ home, transport: 'websocket', version: '9.9.9' });
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('SettingsService', () => {
  it('smoothing must be in range and the backend a known one; an empty backend clears it', async () => {
    await expect(studio.updateSettings({ smoothing: 2 })).rejects.toThrow(/smoothing/);
    await expect(studio.updateSettings({ backend: 'quantum' })).rejects.toThrow(/unknown backend/);
    expect((await studio.updateSettings({ backend: 'cpu' })).backend).toBe('cpu');
    expect((await studio.updateSettings({ backend: '' })).backend).toBeUndefined();
  });

  it('updateSettings accepts only the known settings with valid values; nothing else is stored', async () => {
    const storeFile = path.join(home, 'studio.json');
    const before = fs.readFileSync(storeFile, 'utf8');
    await expect(studio.updateSettings({ bogus: 1 } as never)).rejects.toThrow(/unknown setting 'bogus'/);
    const many = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, 'x'.repeat(20)]));
    await expect(studio.updateSettings(many as never)).rejects.toThrow(/unknown settings 'k0', 'k1', 'k2'/);
    await expect(studio.updateSettings({ currentProjectId: 5 } as never)).rejects.toThrow(/currentProjectId/);
    await expect(studio.updateSettings({ xAxis: 'step', smoothing: '0.5' } as never)).rejects.toThrow(/smoothing/);
    await expect(studio.updateSettings(null as never)).rejects.toThrow(/settings must be an object/);
    await expect(studio.updateSettings(['xAxis'] as never)).rejects.toThrow(/settings must be an object/);
    expect(fs.readFileSync(storeFile, 'utf8')).toBe(before);
    expect(Object.keys(await studio.updateSettings({ xAxis: 'epoch' })).sort()).toEqual(['currentProjectId', 'smoothing', 'xAxis']);
  });
});
