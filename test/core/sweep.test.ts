/** Sweep trials from grid and random specs: order, counts, repeatability, ranges and errors. */
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../src-main/core/config';
import { gridTrials, MAX_TRIALS, parseGridSpec, parseRandomSpec, randomTrials, SweepError } from '../../src-main/core/sweep';

const base = presetConfig('centered');

describe('grid specs', () => {
  it('parses a setting and its values, numbers as numbers, in the order given', () => {
    expect(parseGridSpec('locationStd=0.1,0.17')).toEqual({ setting: 'locationStd', values: [0.1, 0.17], spec: 'locationStd=0.1,0.17' });
    expect(parseGridSpec('first-location=center,random').values).toEqual(['center', 'random']);
    expect(parseGridSpec('reinforceIntoCore=true,false').values).toEqual([true, false]);
    expect(parseGridSpec('validationSize=auto,100').values).toEqual(['auto', 100]);
  });

  it('2 x 2 grids give 4 trials, the first grid varying slowest, named by their values', () => {
    const trials = gridTrials(base, [parseGridSpec('locationStd=0.1,0.17'), parseGridSpec('learningRate=0.001,0.003')]);
    expect(trials).toHaveLength(4);
    expect(trials.map((t) => t.name)).toEqual([
      'locationStd=0.1 learningRate=0.001',
      'locationStd=0.1 learningRate=0.003',
      'locationStd=0.17 learningRate=0.001',
      'locationStd=0.17 learningRate=0.003',
    ]);
    expect(trials[2]!.config).toEqual({ ...base, locationStd: 0.17, learningRate: 0.001 });
    expect(trials[2]!.values).toEqual({ locationStd: 0.17, learningRate: 0.001 });
  });

  it('2 x 3 x 1 grids give 6 trials; no grids give the base alone', () => {
    const trials = gridTrials(base, [parseGridSpec('glimpses=4,6'), parseGridSpec('scales=1,2,3'), parseGridSpec('seed=7')]);
    expect(trials).toHaveLength(6);
    expect(new Set(trials.map((t) => t.name)).size).toBe(6);
    expect(trials.every((t) => t.config.seed === 7)).toBe(true);
    expect(gridTrials(base, [])).toEqual([{ name: '', values: {}, config: base }]);
  });
});

describe('bounds', () => {
  it(`a grid of more than MAX_TRIALS (${MAX_TRIALS}) trials is refused at once, saying how many it would be`, () => {
    // 6 settings of 100 values each: 10^12 combinations, refused before any is made.
    const hundred = (setting: string, from: number) => parseGridSpec(`${setting}=${Array.from({ length: 100 }, (_, i) => from + i).join(',')}`);
    const grids = [hundred('glimpses', 1), hundred('glimpseHidden', 1), hundred('locationHidden', 1), hundred('glimpseFeatures', 1), hundred('coreHidden', 1), hundred('seed', 0)];
    const started = Date.now();
    expect(() => gridTrials(base, grids)).toThrow(`this grid makes 1,000,000,000,000 trials, more than a sweep may have (${MAX_TRIALS.toLocaleString('en-US')})`);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(gridTrials(base, [hundred('seed', 0), parseGridSpec('locationStd=0.1,0.2')])).toHaveLength(200);
  });
});

describe('random specs', () => {
  const specs = () => [parseRandomSpec('learningRate=log:1e-4..3e-3'), parseRandomSpec('locationStd=uniform:0.05..0.2'), parseRandomSpec('glimpses=int:4..8')];

  it('parses log, uniform and int ranges', () => {
    expect(parseRandomSpec('learningRate=log:1e-4..3e-3')).toEqual({ setting: 'learningRate', distribution: 'log', min: 1e-4, max: 3e-3, spec: 'learningRate=log:1e-4..3e-3' });
    expect(parseRandomSpec('location-std=uniform:0.05..0.2')).toMatchObject({ setting: 'locationStd', distribution: 'uniform', min: 0.05, max: 0.2 });
    expect(parseRandomSpec('glimpses=int:4..8')).toMatchObject({ setting: 'glimpses', distribution: 'int', min: 4, max: 8 });
  });

  it('the same specs and seed give the same trials; another seed others', () => {
    const base1 = { ...base, lrMin: 0 };
    const a = randomTrials(base1, specs(), 20, 42);
    const b = randomTrials(base1, specs(), 20, 42);
    expect(a).toEqual(b);
    expect(a).toHaveLength(20);
    const c = randomTrials(base1, specs(), 20, 43);
    expect(c.map((t) => t.name)).not.toEqual(a.map((t) => t.name));
  });

  it('draws stay in their ranges, ints are whole and reach both ends, names show 3 significant digits', () => {
    const trials = randomTrials({ ...base, lrMin: 0 }, specs(), 300, 1);
    for (const t of trials) {
      expect(t.config.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(t.config.learningRate).toBeLessThanOrEqual(3e-3);
      expect(t.config.locationStd).toBeGreaterThanOrEqual(0.05);
      expect(t.config.locationStd).toBeLessThanOrEqual(0.2);
      expect(Number.isInteger(t.config.glimpses)).toBe(true);
      expect(t.name).toMatch(/^learningRate=[\d.e-]+ locationStd=[\d.]+ glimpses=\d$/);
      const lr = /learningRate=([^ ]+)/.exec(t.name)![1]!;
      expect(Number(lr)).toBe(Number(t.config.learningRate.toPrecision(3)));
    }
    expect(new Set(trials.map((t) => t.config.glimpses))).toEqual(new Set([4, 5, 6, 7, 8]));
  });

  it('a log range is uniform in log space: the median is near the geometric mean', () => {
    const trials = randomTrials({ ...base, lrMin: 0 }, [parseRandomSpec('learningRate=log:1e-5..1e-1')], 4001, 9);
    const lrs = trials.map((t) => t.config.learningRate).sort((x, y) => x - y);
    const median = lrs[2000]!;
    // Geometric mean 1e-3; the arithmetic midpoint (5e-2) would be far off.
    expect(Math.log10(median)).toBeCloseTo(-3, 0);
    expect(Math.abs(Math.log10(median) + 3)).toBeLessThan(0.15);
    // Four decades, each with a quarter of the draws: below 1e-4 about 25%.
    const below = lrs.filter((v) => v < 1e-4).length / lrs.length;
    expect(below).toBeGreaterThan(0.22);
    expect(below).toBeLessThan(0.28);
  });
});

describe('errors', () => {
  it('unknown settings are named with the spec', () => {
    expect(() => parseGridSpec('locationStdd=0.1,0.2')).toThrow(new SweepError("unknown setting 'locationStdd' in 'locationStdd=0.1,0.2' (saccade presets lists the settings)"));
    expect(() => parseRandomSpec('rate=log:1e-4..1e-3')).toThrow(/unknown setting 'rate' in 'rate=log:1e-4\.\.1e-3'/);
  });

  it('malformed specs say what is wrong', () => {
    expect(() => parseGridSpec('locationStd')).toThrow(/'locationStd' is not SETTING=VALUES/);
    expect(() => parseGridSpec('locationStd=')).toThrow(/gives locationStd no values/);
    expect(() => parseGridSpec('locationStd=0.1,,0.2')).toThrow(/locationStd: an empty value in 'locationStd=0.1,,0.2'/);
    expect(() => parseGridSpec('locationStd=0.1,abc')).toThrow(/locationStd: 'abc' is not a number \(in 'locationStd=0.1,abc'\)/);
    expect(() => parseGridSpec('locationStd=0.1,0.1')).toThrow(/given twice/);
    expect(() => parseGridSpec('=1,2')).toThrow(/names no setting/);
    expect(() => parseGridSpec('reinforceIntoCore=yes')).toThrow(/not true or false/);
    expect(() => parseRandomSpec('learningRate=1e-4..1e-3')).toThrow(/is not SETTING=DIST:MIN\.\.MAX/);
    expect(() => parseRandomSpec('learningRate=normal:1e-4..1e-3')).toThrow(/unknown distribution 'normal'/);
    expect(() => parseRandomSpec('learningRate=log:1e-3..1e-4')).toThrow(/range 0.001..0.0001 is empty/);
    expect(() => parseRandomSpec('learningRate=log:0..1e-3')).toThrow(/log range needs both ends above 0/);
    expect(() => parseRandomSpec('glimpses=int:2.5..6')).toThrow(/int range needs whole numbers/);
    expect(() => parseRandomSpec('learningRate=uniform:x..1')).toThrow(/'x' is not a number/);
    expect(() => parseRandomSpec('firstLocation=uniform:0..1')).toThrow(/firstLocation is not a number/);
  });

  it('a trial with a bad value names the setting and the spec', () => {
    expect(() => gridTrials(base, [parseGridSpec('locationStd=0.1,-1')])).toThrow(
      new SweepError("trial 'locationStd=-1': locationStd = -1 is out of range (0.0001 to 10) (locationStd, from 'locationStd=0.1,-1')"),
    );
    expect(() => gridTrials(base, [parseGridSpec('glimpses=2,2.5')])).toThrow(/glimpses must be a whole number, not 2\.5 \(glimpses, from 'glimpses=2,2\.5'\)/);
    // Below the base's lrMin (1e-4): the combination is blamed on the spec.
    expect(() => randomTrials(base, [parseRandomSpec('learningRate=log:1e-6..1e-5')], 3, 1)).toThrow(/lrMin .* is above the learning rate .*\(lrMin of the base, with 'learningRate=log:1e-6\.\.1e-5'\)$/);
    expect(() => gridTrials(base, [parseGridSpec('locationStd=0.1'), parseGridSpec('locationStd=0.2')])).toThrow(/locationStd is swept twice/);
    expect(() => randomTrials(base, [parseRandomSpec('glimpses=int:2..4')], 0, 1)).toThrow(/number of trials/);
  });
});
