/**
 * The trials of a hyperparameter sweep, from specs as a user types them: a grid
 * (`locationStd=0.1,0.17`: every value, the cartesian product of all grids) or random draws
 * (`learningRate=log:1e-4..3e-3`, `uniform:a..b`, `int:a..b`; seeded, so the same specs and seed
 * give the same trials). Pure: no I/O; every trial is a validated RamConfig with a readable name.
 */
import { ConfigError, DEFAULT_CONFIG, validateConfig, type RamConfig } from './config';
import { Rng } from './rng';

export type SweepValue = number | string | boolean;

/** One grid setting: the values it takes, in the order given. */
export interface GridSpec {
  setting: keyof RamConfig;
  values: SweepValue[];
  /** The spec as given, for error messages. */
  spec: string;
}

export type RandomDistribution = 'log' | 'uniform' | 'int';

/** One random setting: uniform (in log space for 'log') over [min, max], or a whole number from min to max. */
export interface RandomSpec {
  setting: keyof RamConfig;
  distribution: RandomDistribution;
  min: number;
  max: number;
  spec: string;
}

export interface Trial {
  /** E.g. "locationStd=0.1 learningRate=0.001" (values of random trials to 3 significant digits). */
  name: string;
  /** The settings the sweep gave this trial, in the order of the specs. */
  values: Partial<Record<keyof RamConfig, SweepValue>>;
  config: RamConfig;
}

/**
 * Trials a grid may make (as many as the run queue holds). Its product is checked before any
 * combination is made: a few long value lists would otherwise make billions. (A random sweep's
 * count is the number asked for, bounded where it is asked: --trials, the API's schema.)
 */
export const MAX_TRIALS = 1000;

function checkTrialCount(count: number, what: string): void {
  if (count > MAX_TRIALS) throw new SweepError(`${what} makes ${count.toLocaleString('en-US')} trials, more than a sweep may have (${MAX_TRIALS.toLocaleString('en-US')}): give fewer values`);
}

export class SweepError extends Error {
  override name = 'SweepError';
}

/** The base config the trials start from: a RamConfig or any part of one (the rest: defaults). */
export type SweepBase = Partial<RamConfig> | Record<string, unknown>;

const DISTRIBUTIONS: readonly RandomDistribution[] = ['log', 'uniform', 'int'];

/** 'location-std' and 'locationStd' name the same setting. */
function settingName(raw: string, spec: string): keyof RamConfig {
  const name = raw.trim().replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  if (!name) throw new SweepError(`'${spec}' names no setting: write SETTING=VALUES, e.g. locationStd=0.1,0.17`);
  if (!Object.prototype.hasOwnProperty.call(DEFAULT_CONFIG, name)) {
    throw new SweepError(`unknown setting '${raw.trim()}' in '${spec}' (saccade presets lists the settings)`);
  }
  return name as keyof RamConfig;
}

function splitSpec(text: string, example: string): { setting: keyof RamConfig; rest: string; spec: string } {
  const spec = text.trim();
  const eq = spec.indexOf('=');
  if (eq < 0) throw new SweepError(`'${spec}' is not SETTING=VALUES (e.g. ${example})`);
  return { setting: settingName(spec.slice(0, eq), spec), rest: spec.slice(eq + 1).trim(), spec };
}

function parseNumberIn(raw: string, setting: string, spec: string): number {
  const t = raw.trim();
  const v = Number(t);
  if (t === '' || !Number.isFinite(v)) throw new SweepError(`${setting}: '${t}' is not a number (in '${spec}')`);
  return v;
}

/** A grid value as the setting takes it: a number, true/false, text, or 'auto' where allowed. */
function parseValue(raw: string, setting: keyof RamConfig, spec: string): SweepValue {
  const t = raw.trim();
  if (t === '') throw new SweepError(`${setting}: an empty value in '${spec}'`);
  const def = DEFAULT_CONFIG[setting];
  if (typeof def === 'boolean') {
    if (t === 'true') return true;
    if (t === 'false') return false;
    throw new SweepError(`${setting}: '${t}' is not true or false (in '${spec}')`);
  }
  if (setting === 'imageSize' || setting === 'validationSize') return t === 'auto' ? t : parseNumberIn(t, setting, spec);
  if (typeof def === 'number') return parseNumberIn(t, setting, spec);
  return t;
}

/** `locationStd=0.1,0.17`: a setting and the values it takes, in the order given. */
export function parseGridSpec(text: string): GridSpec {
  const { setting, rest, spec } = splitSpec(text, 'locationStd=0.1,0.17');
  if (rest === '') throw new SweepError(`'${spec}' gives ${setting} no values (e.g. ${setting}=A,B)`);
  const values = rest.split(',').map((v) => parseValue(v, setting, spec));
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(String(v))) throw new SweepError(`${setting}: the value ${String(v)} is given twice in '${spec}'`);
    seen.add(String(v));
  }
  return { setting, values, spec };
}

/** `learningRate=log:1e-4..3e-3`, `locationStd=uniform:0.05..0.2`, `glimpses=int:4..8`. */
export function parseRandomSpec(text: string): RandomSpec {
  const { setting, rest, spec } = splitSpec(text, 'learningRate=log:1e-4..3e-3');
  const m = /^([a-z]+)\s*:\s*(.+?)\s*\.\.\s*(.+)$/i.exec(rest);
  if (!m) throw new SweepError(`'${spec}' is not SETTING=DIST:MIN..MAX with DIST log, uniform or int (e.g. learningRate=log:1e-4..3e-3)`);
  const distribution = m[1]!.toLowerCase() as RandomDistribution;
  if (!DISTRIBUTIONS.includes(distribution)) throw new SweepError(`unknown distribution '${m[1]}' in '${spec}' (choose log, uniform or int)`);
  if (typeof DEFAULT_CONFIG[setting] !== 'number' && setting !== 'validationSize' && setting !== 'imageSize') {
    throw new SweepError(`${setting} is not a number: give its values as a grid (${setting}=A,B), not a range (in '${spec}')`);
  }
  const min = parseNumberIn(m[2]!, setting, spec);
  const max = parseNumberIn(m[3]!, setting, spec);
  if (min > max) throw new SweepError(`${setting}: the range ${min}..${max} is empty, its low end is above its high end (in '${spec}')`);
  if (distribution === 'log' && min <= 0) throw new SweepError(`${setting}: a log range needs both ends above 0, not ${min}..${max} (in '${spec}')`);
  if (distribution === 'int' && (!Number.isInteger(min) || !Number.isInteger(max))) {
    throw new SweepError(`${setting}: an int range needs whole numbers at both ends, not ${min}..${max} (in '${spec}')`);
  }
  return { setting, distribution, min, max, spec };
}

/** One draw of a random spec. */
function draw(spec: RandomSpec, rng: Rng): number {
  const u = rng.next();
  switch (spec.distribution) {
    case 'int':
      return spec.min + Math.min(spec.max - spec.min, Math.floor(u * (spec.max - spec.min + 1)));
    case 'log': {
      const lo = Math.log(spec.min);
      return Math.exp(lo + u * (Math.log(spec.max) - lo));
    }
    case 'uniform':
      return spec.min + u * (spec.max - spec.min);
  }
}

/** A value for a trial's name: drawn numbers to 3 significant digits (all of a whole part's). */
function formatValue(v: SweepValue, rounded: boolean): string {
  if (typeof v !== 'number' || !rounded || Number.isInteger(v) || v === 0) return String(v);
  return String(Number(v.toPrecision(Math.min(21, Math.max(3, Math.floor(Math.log10(Math.abs(v))) + 1)))));
}

function checkDistinct(settings: (keyof RamConfig)[], specs: { setting: keyof RamConfig; spec: string }[]): void {
  const seen = new Map<string, string>();
  for (const [i, s] of settings.entries()) {
    const before = seen.get(s);
    if (before !== undefined) throw new SweepError(`${s} is swept twice ('${before}' and '${specs[i]!.spec}')`);
    seen.set(s, specs[i]!.spec);
  }
}

/** A trial's config, validated: a bad value names the setting and the spec that gave it. */
function makeTrial(base: SweepBase, values: Partial<Record<keyof RamConfig, SweepValue>>, specs: { setting: keyof RamConfig; spec: string }[], rounded: boolean): Trial {
  const name = Object.entries(values)
    .map(([k, v]) => `${k}=${formatValue(v as SweepValue, rounded)}`)
    .join(' ');
  let config: RamConfig;
  try {
    config = validateConfig({ ...(base as Record<string, unknown>), ...values });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const problem = err.problems.find((p) => specs.some((s) => s.setting === p.field)) ?? err.problems[0]!;
    const from = specs.find((s) => s.setting === problem.field);
    // A combination (lrMin above the learning rate) is blamed on the base with the specs swept.
    const where = from ? `${problem.field}, from '${from.spec}'` : `${problem.field || 'the base config'} of the base, with ${specs.map((s) => `'${s.spec}'`).join(', ')}`;
    throw new SweepError(`trial '${name}': ${problem.message} (${where})`);
  }
  return { name, values, config };
}

/**
 * Every combination of the grids' values (the first grid varies slowest, as nested loops in the
 * order given), each on top of `base`. No grids: the base alone.
 */
export function gridTrials(base: SweepBase, grids: GridSpec[]): Trial[] {
  checkDistinct(grids.map((g) => g.setting), grids);
  for (const g of grids) if (!g.values.length) throw new SweepError(`'${g.spec}' gives ${g.setting} no values`);
  checkTrialCount(grids.reduce((n, g) => n * g.values.length, 1), 'this grid');
  let combos: Partial<Record<keyof RamConfig, SweepValue>>[] = [{}];
  for (const g of grids) combos = combos.flatMap((c) => g.values.map((v) => ({ ...c, [g.setting]: v })));
  return combos.map((values) => makeTrial(base, values, grids, false));
}

/**
 * `trials` random trials on top of `base`: each spec drawn independently per trial from a
 * generator seeded by `seed` (the same specs, count and seed give the same trials).
 */
export function randomTrials(base: SweepBase, specs: RandomSpec[], trials: number, seed: number): Trial[] {
  if (!Number.isInteger(trials) || trials < 1) throw new SweepError(`the number of trials must be a whole number, 1 or more, not ${trials}`);
  if (!Number.isInteger(seed) || seed < 0) throw new SweepError(`the sweep's seed must be a whole number, 0 or more, not ${seed}`);
  if (!specs.length) throw new SweepError('a random sweep needs at least one SETTING=DIST:MIN..MAX');
  checkDistinct(specs.map((s) => s.setting), specs);
  const rng = new Rng(seed);
  const out: Trial[] = [];
  for (let t = 0; t < trials; t++) {
    const values: Partial<Record<keyof RamConfig, SweepValue>> = {};
    for (const s of specs) values[s.setting] = draw(s, rng);
    out.push(makeTrial(base, values, specs, true));
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Median stopping's table from the finished trials' per-epoch validation accuracies (history
 * entry e-1: epoch e): entry e-1 is their median at epoch e, null where none reached it.
 */
export function medianTable(histories: number[][]): (number | null)[] {
  const longest = Math.max(0, ...histories.map((h) => h.length));
  const table: (number | null)[] = [];
  for (let e = 0; e < longest; e++) {
    const at = histories.map((h) => h[e]).filter((v): v is number => typeof v === 'number');
    table.push(at.length ? median(at) : null);
  }
  return table;
}
