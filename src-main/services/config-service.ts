/** Presets, the settings a run takes (with bounds and help), and the config check the form relies on. */
import { CONFIG_HELP, configProblems, DEFAULT_CONFIG, IMAGE_SIZE, MAX_IMAGE_SIZE, MIN_IMAGE_SIZE, NUMBER_BOUNDS, PRESETS, isPresetName, presetConfig, validateConfig, type RamConfig } from '../core/config';
import type { ConfigCheck, PresetInfo, SettingInfo } from '../shared/api';

export class ConfigService {
  async listPresets(): Promise<PresetInfo[]> {
    return Object.entries(PRESETS).map(([name, p]) => ({ name, description: p.description, config: presetConfig(name) }));
  }

  async listSettings(): Promise<SettingInfo[]> {
    return (Object.keys(DEFAULT_CONFIG) as (keyof RamConfig)[]).map((key): SettingInfo => {
      const base = { key, help: CONFIG_HELP[key], default: DEFAULT_CONFIG[key] };
      if (key === 'task') return { ...base, kind: 'choice', choices: Object.keys(IMAGE_SIZE) };
      if (key === 'firstLocation') return { ...base, kind: 'choice', choices: ['center', 'random'] };
      if (key === 'reinforceIntoCore') return { ...base, kind: 'boolean' };
      if (key === 'validationSize') return { ...base, kind: 'integer', min: 0, auto: true };
      if (key === 'imageSize') return { ...base, kind: 'integer', min: MIN_IMAGE_SIZE, max: MAX_IMAGE_SIZE, auto: true };
      if (key === 'channels') return { ...base, kind: 'integer', min: 1, max: 3 };
      const [min, max, integer] = NUMBER_BOUNDS[key as keyof typeof NUMBER_BOUNDS];
      return { ...base, kind: integer ? 'integer' : 'number', min, max };
    });
  }

  async checkConfig(config: Record<string, unknown>): Promise<ConfigCheck> {
    return checkConfig(config);
  }
}

/** Every field-level problem of a config, not just the first; missing settings come from the task's preset. */
export function checkConfig(input: Record<string, unknown>): ConfigCheck {
  const task = input['task'] ?? 'centered';
  const base = { ...DEFAULT_CONFIG, ...(typeof task === 'string' && isPresetName(task) ? PRESETS[task].config : {}) };
  const working: Record<string, unknown> = { ...base, ...input };
  const errors = configProblems(working);
  return errors.length ? { ok: false, errors } : { ok: true, errors, config: validateConfig(working) };
}
