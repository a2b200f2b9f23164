/** ConfigService: presets, the settings' bounds and choices, and every field-level problem of a config. */
import { describe, expect, it } from 'vitest';
import { checkConfig, ConfigService } from '../../src-main/services/config-service';

const configs = new ConfigService();

describe('ConfigService', () => {
  it('a good config passes with the preset filled in', async () => {
    const check = await configs.checkConfig({ task: 'translated', glimpses: 4 });
    expect(check.ok).toBe(true);
    expect(check.config).toMatchObject({ task: 'translated', glimpses: 4, glimpseSize: 12, scales: 3 });
  });

  it('reports every bad field, each under its setting name', async () => {
    const check = await configs.checkConfig({ task: 'centered', glimpses: 0, batchSize: 1.5, learningRate: 'fast', bogus: 1 });
    expect(check.ok).toBe(false);
    expect(check.errors.map((e) => e.field).sort()).toEqual(['batchSize', 'bogus', 'glimpses', 'learningRate']);
    expect(check.errors.find((e) => e.field === 'glimpses')!.message).toMatch(/glimpses = 0 is out of range/);
  });

  it('names the setting of combination errors', () => {
    expect(checkConfig({ task: 'centered', glimpseSize: 40 }).errors[0].field).toBe('glimpseSize');
    expect(checkConfig({ task: 'centered', scales: 8 }).errors[0].field).toBe('scales');
    expect(checkConfig({ task: 'centered', lrMin: 1 }).errors[0].field).toBe('lrMin');
    expect(checkConfig({ task: 'squares' }).errors[0].field).toBe('task');
    expect(checkConfig({ task: 'centered', firstLocation: 'left' }).errors[0].field).toBe('firstLocation');
  });

  it('lists presets and settings with bounds and choices', async () => {
    expect((await configs.listPresets()).map((p) => p.name)).toEqual(['centered', 'translated', 'cluttered60', 'cluttered100']);
    const settings = await configs.listSettings();
    expect(settings.find((s) => s.key === 'glimpses')).toMatchObject({ kind: 'integer', min: 1, max: 64, default: 6 });
    expect(settings.find((s) => s.key === 'task')?.choices).toContain('cluttered100');
    expect(settings.find((s) => s.key === 'reinforceIntoCore')?.kind).toBe('boolean');
  });
});
