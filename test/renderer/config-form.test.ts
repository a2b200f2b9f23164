import { describe, expect, it } from 'vitest';
import type { SettingInfo } from '../../src-main/shared/api';
import { boundsHint, parseOptionalPositiveInt, toRaw, validateField, validateForm } from '../../src-renderer/src/lib/config-form';

const glimpses: SettingInfo = { key: 'glimpses', help: 'number of glimpses', default: 6, kind: 'integer', min: 1, max: 64 };
const lr: SettingInfo = { key: 'learningRate', help: 'lr', default: 0.001, kind: 'number', min: 1e-12, max: 10 };
const intoCore: SettingInfo = { key: 'reinforceIntoCore', help: 'x', default: false, kind: 'boolean' };
const task: SettingInfo = { key: 'task', help: 't', default: 'centered', kind: 'choice', choices: ['centered', 'translated'] };

describe('config form validation', () => {
  it('accepts integers in bounds and rejects fractions and out-of-range values', () => {
    expect(validateField(glimpses, '8')).toEqual({ ok: true, value: 8 });
    expect(validateField(glimpses, '2.5')).toEqual({ ok: false, error: 'must be a whole number' });
    expect(validateField(glimpses, '0')).toEqual({ ok: false, error: 'must be at least 1' });
    expect(validateField(glimpses, '65')).toEqual({ ok: false, error: 'must be at most 64' });
    expect(validateField(glimpses, '')).toEqual({ ok: false, error: 'required' });
    expect(validateField(glimpses, 'abc')).toEqual({ ok: false, error: 'must be a number' });
  });

  it('accepts real numbers in exponent notation', () => {
    expect(validateField(lr, '1e-3')).toEqual({ ok: true, value: 0.001 });
    expect(validateField(lr, '11').ok).toBe(false);
  });

  it('checks booleans and choices', () => {
    expect(validateField(intoCore, true)).toEqual({ ok: true, value: true });
    expect(validateField(intoCore, 'false')).toEqual({ ok: true, value: false });
    expect(validateField(intoCore, 'maybe').ok).toBe(false);
    expect(validateField(task, 'translated')).toEqual({ ok: true, value: 'translated' });
    expect(validateField(task, 'other').ok).toBe(false);
  });

  it('validates a whole form, marking only the wrong fields', () => {
    const settings = [glimpses, lr, intoCore, task];
    const raw = { glimpses: '100', learningRate: '0.01', reinforceIntoCore: true, task: 'centered' };
    const r = validateForm(settings, raw);
    expect(r.ok).toBe(false);
    expect(Object.keys(r.errors)).toEqual(['glimpses']);
    expect(r.config).toEqual({ learningRate: 0.01, reinforceIntoCore: true, task: 'centered' });
    const good = validateForm(settings, { ...raw, glimpses: '6' });
    expect(good.ok).toBe(true);
  });

  it('uses the default where the form has no value, and renders raw values', () => {
    expect(validateForm([glimpses], {}).config).toEqual({ glimpses: 6 });
    expect(toRaw(glimpses, 6)).toBe('6');
    expect(toRaw(intoCore, true)).toBe(true);
    expect(boundsHint(glimpses)).toBe('integer, 1 to 64');
  });

  it('parses an optional positive step limit', () => {
    expect(parseOptionalPositiveInt('')).toEqual({ ok: true, value: undefined });
    expect(parseOptionalPositiveInt('150')).toEqual({ ok: true, value: 150 });
    expect(parseOptionalPositiveInt('0').ok).toBe(false);
    expect(parseOptionalPositiveInt('1.5').ok).toBe(false);
  });
});
