/** Client-side checks of the new-run form, from the server's SettingInfo list. */
import type { SettingInfo } from '../../../src-main/shared/api';

/** What the form holds per field: text for numbers and choices, a flag for booleans. */
export type RawValue = string | boolean;

export type FieldResult = { ok: true; value: unknown } | { ok: false; error: string };

/** The raw form value of a config value. */
export function toRaw(info: SettingInfo, value: unknown): RawValue {
  if (info.kind === 'boolean') return value === true;
  return value === undefined || value === null ? '' : String(value);
}

/** Parses and checks one field against its kind and bounds. */
export function validateField(info: SettingInfo, raw: RawValue): FieldResult {
  switch (info.kind) {
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (raw === 'true' || raw === 'false') return { ok: true, value: raw === 'true' };
      return { ok: false, error: 'must be true or false' };
    case 'choice': {
      const s = String(raw).trim();
      if (info.choices && !info.choices.includes(s)) return { ok: false, error: `choose one of: ${info.choices.join(', ')}` };
      return { ok: true, value: s };
    }
    case 'integer':
    case 'number': {
      const s = String(raw).trim();
      if (info.auto && (s === 'auto' || s === '')) return { ok: true, value: 'auto' };
      if (s === '') return { ok: false, error: 'required' };
      const v = Number(s);
      if (!Number.isFinite(v)) return { ok: false, error: 'must be a number' };
      if (info.kind === 'integer' && !Number.isInteger(v)) return { ok: false, error: 'must be a whole number' };
      if (info.min !== undefined && v < info.min) return { ok: false, error: `must be at least ${info.min}` };
      if (info.max !== undefined && v > info.max) return { ok: false, error: `must be at most ${info.max}` };
      return { ok: true, value: v };
    }
  }
}

export interface FormCheck {
  config: Record<string, unknown>;
  /** Field key -> message, for every field that does not parse or is out of bounds. */
  errors: Record<string, string>;
  ok: boolean;
}

/** Checks every field; the config holds the fields that parsed. */
export function validateForm(settings: readonly SettingInfo[], raw: Record<string, RawValue>): FormCheck {
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const info of settings) {
    const r = validateField(info, raw[info.key] ?? toRaw(info, info.default));
    if (r.ok) config[info.key] = r.value;
    else errors[info.key] = r.error;
  }
  return { config, errors, ok: Object.keys(errors).length === 0 };
}

/** An optional positive whole number (e.g. max steps): empty means none. */
export function parseOptionalPositiveInt(raw: string): { ok: true; value: number | undefined } | { ok: false; error: string } {
  const s = raw.trim();
  if (s === '') return { ok: true, value: undefined };
  const v = Number(s);
  if (!Number.isInteger(v) || v < 1) return { ok: false, error: 'must be a whole number of at least 1' };
  return { ok: true, value: v };
}

/** The bounds as a hint: "integer, 1 to 64". */
export function boundsHint(info: SettingInfo): string {
  const kind = info.kind === 'integer' ? 'integer' : info.kind === 'number' ? 'number' : info.kind;
  const auto = info.auto ? ' or auto' : '';
  if (info.min !== undefined && info.max !== undefined) return `${kind}, ${info.min} to ${info.max}${auto}`;
  if (info.min !== undefined) return `${kind}, at least ${info.min}${auto}`;
  if (info.max !== undefined) return `${kind}, at most ${info.max}`;
  return kind;
}
