import { describe, expect, it } from 'vitest';
import { ConfigError, configProblems, DEFAULT_CONFIG, IMAGE_SIZE, PRESETS, presetConfig, validateConfig } from '../../src-main/core/config';
import { learningRateAt } from '../../src-main/core/adam';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('presets', () => {
  it('centered: the reference table 1 network, with the std and random first glimpse that trained the shipped model', () => {
    const c = presetConfig('centered');
    expect(c).toMatchObject({
      task: 'centered',
      glimpses: 6,
      glimpseSize: 8,
      scales: 1,
      locationStd: 0.17,
      unitPixels: 12,
      batchSize: 128,
      learningRate: 1e-3,
      lrDecay: 0.97,
      lrDecaySteps: 3000,
      lrMin: 1e-4,
      firstLocation: 'random',
      glimpseHidden: 128,
      locationHidden: 128,
      glimpseFeatures: 256,
      coreHidden: 256,
      classes: 10,
      reinforceIntoCore: false,
    });
    expect(IMAGE_SIZE[c.task]).toBe(28);
  });

  it('translated: the reference table 2 network (60x60, 12 px, 3 scales, 26 px per unit), std 0.11', () => {
    const c = presetConfig('translated');
    expect(c).toMatchObject({ task: 'translated', glimpses: 6, glimpseSize: 12, scales: 3, locationStd: 0.11, unitPixels: 26, batchSize: 128, firstLocation: 'center' });
    expect(IMAGE_SIZE[c.task]).toBe(60);
  });

  it('cluttered presets follow the paper (8 glimpses of 12 px; 3 scales on 60, 4 on 100)', () => {
    expect(presetConfig('cluttered60')).toMatchObject({ task: 'cluttered60', glimpses: 8, glimpseSize: 12, scales: 3, unitPixels: 26 });
    expect(presetConfig('cluttered100')).toMatchObject({ task: 'cluttered100', glimpses: 8, glimpseSize: 12, scales: 4, unitPixels: 46 });
    expect(IMAGE_SIZE.cluttered100).toBe(100);
  });

  it('every preset validates and overrides go on top', () => {
    for (const name of Object.keys(PRESETS)) expect(() => presetConfig(name)).not.toThrow();
    const c = presetConfig('translated', { glimpses: 4, batchSize: 32 });
    expect(c.glimpses).toBe(4);
    expect(c.batchSize).toBe(32);
    expect(c.scales).toBe(3);
    // presetConfig returns a copy: the defaults are not touched
    c.glimpses = 99;
    expect(DEFAULT_CONFIG.glimpses).toBe(6);
  });
});

describe('validateConfig rejects what cannot work', () => {
  it('an unknown preset, naming the choices', () => {
    expect(configError(() => presetConfig('nope')).message).toBe(
      "unknown preset 'nope' (choose one of: centered, translated, cluttered60, cluttered100)",
    );
  });

  it('negative and zero sizes', () => {
    expect(configError(() => validateConfig({ glimpseSize: -3 })).message).toBe('glimpseSize = -3 is out of range (1 to 256)');
    expect(configError(() => validateConfig({ batchSize: 0 })).message).toBe('batchSize = 0 is out of range (1 to 65536)');
    expect(configError(() => validateConfig({ coreHidden: -1 })).message).toBe('coreHidden = -1 is out of range (1 to 8192)');
  });

  it('a glimpse bigger than the image', () => {
    expect(configError(() => validateConfig({ task: 'centered', glimpseSize: 40 })).message).toBe('glimpseSize 40 is larger than the 28x28 image');
    // 40 fits the 60x60 translated image
    expect(validateConfig({ task: 'translated', glimpseSize: 40, scales: 1 }).glimpseSize).toBe(40);
  });

  it('a widest scale over 4 times the image', () => {
    // 8 * 2^4 = 128 > 4 * 28 = 112
    expect(configError(() => validateConfig({ task: 'centered', glimpseSize: 8, scales: 5 })).message).toBe(
      'the widest scale (128 px) is over 4 times the 28 px image: use fewer scales',
    );
  });

  it('non-integer and non-number counts', () => {
    expect(configError(() => validateConfig({ glimpses: 2.5 })).message).toBe('glimpses must be a whole number, not 2.5');
    expect(configError(() => validateConfig({ glimpses: '6' })).message).toBe("glimpses must be a number, not '6'");
    expect(configError(() => validateConfig({ learningRate: NaN })).message).toBe("learningRate must be a number, not 'NaN'");
  });

  it('an unknown setting key', () => {
    expect(configError(() => validateConfig({ glimpsez: 6 })).message).toBe("unknown setting 'glimpsez'");
  });

  it('lrMin above the learning rate', () => {
    expect(configError(() => validateConfig({ learningRate: 1e-3, lrMin: 0.01 })).message).toBe('lrMin 0.01 is above the learning rate 0.001');
  });

  it('bad enums', () => {
    expect(configError(() => validateConfig({ task: 'mnist' })).message).toMatch(/^unknown task 'mnist'/);
    expect(configError(() => validateConfig({ firstLocation: 'left' })).message).toBe("firstLocation must be 'center' or 'random', not 'left'");
    expect(configError(() => validateConfig({ reinforceIntoCore: 'yes' })).message).toBe('reinforceIntoCore must be true or false');
  });
});

describe('configProblems: every field-level problem at once', () => {
  it('names each bad field, in the order validateConfig reports them', () => {
    const input = { bogus: 1, glimpses: 0, batchSize: 1.5, learningRate: 'fast', validationSize: -1 };
    expect(configProblems(input)).toEqual([
      { field: 'bogus', message: "unknown setting 'bogus'" },
      { field: 'glimpses', message: 'glimpses = 0 is out of range (1 to 64)' },
      { field: 'batchSize', message: 'batchSize must be a whole number, not 1.5' },
      { field: 'learningRate', message: "learningRate must be a number, not 'fast'" },
      { field: 'validationSize', message: "validationSize must be 'auto' or a whole number from 0 to 1000000000, not '-1'" },
    ]);
    const err = configError(() => validateConfig(input));
    expect(err.message).toBe("unknown setting 'bogus'");
    expect(err.problems).toEqual(configProblems(input));
  });

  it('blames combinations on one field, and only between fields that passed on their own', () => {
    expect(configProblems({ task: 'centered', glimpseSize: 40 })).toEqual([{ field: 'glimpseSize', message: 'glimpseSize 40 is larger than the 28x28 image' }]);
    expect(configProblems({ task: 'centered', scales: 8 }).map((p) => p.field)).toEqual(['scales']);
    expect(configProblems({ lrMin: 1 }).map((p) => p.field)).toEqual(['lrMin']);
    expect(configProblems({ lrMin: 1, learningRate: 'x' }).map((p) => p.field)).toEqual(['learningRate']);
    expect(configProblems({ task: 'squares', glimpseSize: 200 }).map((p) => p.field)).toEqual(['task']);
    expect(configProblems(PRESETS.cluttered100.config)).toEqual([]);
  });
});

describe('learningRateAt: staircase decay with a floor', () => {
  const at = (step: number) => learningRateAt(step, 1e-3, 0.97, 500, 1e-4);
  it('holds, steps down every 500 steps, and stops at the floor', () => {
    expect(at(0)).toBe(1e-3);
    expect(at(499)).toBe(1e-3); // floor(499/500) = 0
    expect(at(500)).toBeCloseTo(9.7e-4, 12); // 1e-3 * 0.97
    expect(at(999)).toBeCloseTo(9.7e-4, 12);
    expect(at(1000)).toBeCloseTo(9.409e-4, 12); // 1e-3 * 0.97^2 = 1e-3 * 0.9409
    // 0.97^75 = exp(75 * ln 0.97) = exp(75 * -0.0304592) = exp(-2.28444) = 0.101831 -> above the floor
    expect(at(75 * 500)).toBeCloseTo(1.01831e-4, 8);
    // 0.97^76 = 0.0987764 -> 9.88e-5 < 1e-4, floored
    expect(at(76 * 500)).toBe(1e-4);
    expect(at(1e9)).toBe(1e-4);
  });
});
