/**
 * The New run form's sweep mode: which swept settings go to a grid and which to a random search,
 * the problems the form can see by itself, and where the server's problems belong. The trials
 * themselves come from the server (previewSweep); this only sorts and checks what was typed.
 */
import type { SettingInfo, SweepRequest } from '../../../src-main/shared/api';

export type SweepMethod = 'grid' | 'random';

export interface SweepForm {
  name: string;
  method: SweepMethod;
  /** Setting key -> what was typed for it ('0.1,0.17' or 'log:1e-4..3e-3'), for the swept settings only. */
  specs: Record<string, string>;
  trials: string;
  seed: string;
  medianStop: boolean;
}

export interface SweepCheck {
  grid: Record<string, string>;
  random: Record<string, string>;
  trials?: number;
  seed?: number;
  /** Setting key (or 'name', 'trials', 'seed', '_' for the whole sweep) -> message. */
  errors: Record<string, string>;
  ok: boolean;
}

/** 'log:1e-4..3e-3', 'uniform:0.05..0.2', 'int:4..8' (a distribution, then a range). */
export function isRangeSpec(spec: string): boolean {
  return /^[a-z]+\s*:.*\.\./i.test(spec.trim());
}

const isNumeric = (s: SettingInfo): boolean => s.kind === 'number' || s.kind === 'integer';

function wholeNumber(raw: string, min: number): number | undefined {
  const v = Number(raw.trim());
  return raw.trim() !== '' && Number.isSafeInteger(v) && v >= min ? v : undefined;
}

/**
 * Sorts the swept settings into grid values and random ranges and checks what the form can:
 * something swept, no empty spec, ranges only for numbers and only in a random search, a random
 * search over ranges only (it draws numbers), whole trials and seed. The values themselves the
 * server checks.
 */
export function checkSweep(settings: readonly SettingInfo[], form: SweepForm): SweepCheck {
  const grid: Record<string, string> = {};
  const random: Record<string, string> = {};
  const errors: Record<string, string> = {};
  if (!form.name.trim()) errors.name = 'name the sweep (its runs are called "<name> #k ...")';
  // In the order the settings were marked: a grid's first setting varies slowest, as on the command line.
  for (const [key, raw] of Object.entries(form.specs)) {
    const s = settings.find((x) => x.key === key);
    if (!s) continue;
    const spec = raw.trim();
    if (spec === '') {
      errors[s.key] = form.method === 'random' && isNumeric(s) ? 'give a range, e.g. log:1e-4..3e-3' : 'give the values to try, e.g. A,B';
    } else if (isRangeSpec(spec)) {
      if (!isNumeric(s)) errors[s.key] = 'a range needs a number: list the values to try instead (A,B)';
      else if (form.method === 'grid') errors[s.key] = 'a range is drawn from in a random search: choose Random, or list values';
      else random[s.key] = spec;
    } else if (form.method === 'random') {
      errors[s.key] = isNumeric(s) ? 'a random search draws from a range: log:A..B, uniform:A..B or int:A..B' : 'a random search draws numbers only: sweep this setting in a grid';
    } else {
      grid[s.key] = spec;
    }
  }
  if (Object.keys(form.specs).length === 0) errors._ = 'mark at least one setting as swept';
  let trials: number | undefined;
  let seed: number | undefined;
  if (form.method === 'random') {
    trials = wholeNumber(form.trials, 1);
    if (trials === undefined) errors.trials = 'a whole number of trials, 1 or more';
    if (form.seed.trim() !== '') {
      seed = wholeNumber(form.seed, 0);
      if (seed === undefined) errors.seed = 'a whole number, 0 or more';
    }
  }
  return { grid, random, trials, seed, errors, ok: Object.keys(errors).length === 0 };
}

/** The request, from the single-run fields the form shares and the sweep's own. */
export function sweepRequest(base: Omit<SweepRequest, 'name' | 'grid' | 'random' | 'trials' | 'seed' | 'medianStop'>, form: SweepForm, check: SweepCheck): SweepRequest {
  const request: SweepRequest = { ...base, name: form.name.trim(), medianStop: form.medianStop || undefined };
  if (Object.keys(check.grid).length) request.grid = check.grid;
  if (form.method === 'random') {
    request.random = check.random;
    request.trials = check.trials;
    if (check.seed !== undefined) request.seed = check.seed;
  }
  return request;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The swept setting a server message is about, so the form shows it against that field: the one
 * it says the problem came from ("from 'glimpses=0,1'"), else the one it starts with
 * ("learningRate: ..."), else the first it names; undefined when it names none.
 */
export function errorField(message: string, keys: readonly string[]): string | undefined {
  const patterns = [(k: string) => `from '${k}=`, (k: string) => `^${k}:`, (k: string) => `'${k}=`, (k: string) => `\\b${k}\\b`];
  for (const pattern of patterns) {
    const hit = keys.find((k) => new RegExp(pattern(escape(k))).test(message));
    if (hit) return hit;
  }
  return undefined;
}

/** "1 trial", "4 trials". */
export function trialCount(n: number): string {
  return `${n} trial${n === 1 ? '' : 's'}`;
}
