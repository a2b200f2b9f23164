/** Class names where a label shows: the data's name for a label, or the label number without one. */
import type { DatasetInfo } from '../../../src-main/shared/api';

/** The name of class `label`: its entry in `names` when there is a non-empty one, else the number. */
export function className(names: readonly string[] | undefined, label: number): string {
  const name = names?.[label];
  return name !== undefined && name.trim() !== '' ? name : String(label);
}

/** True when the names say no more than the numbers ('0', '1', ... in order, as the digits'). */
export function namesAreNumbers(names: readonly string[] | undefined): boolean {
  return !names || names.every((n, i) => n === String(i));
}

/**
 * A label for lists where the number matters too (a filter, a confusion row): 'cat' alone is
 * ambiguous across datasets, so named classes read '2 · cat'; numbered ones just '2'.
 */
export function classTitle(names: readonly string[] | undefined, label: number): string {
  const name = className(names, label);
  return name === String(label) ? name : `${label} · ${name}`;
}

/** Labels 0 .. classes - 1 with their names (at least as many as there are names). */
export function classList(classes: number, names?: readonly string[]): { label: number; name: string }[] {
  const n = Math.max(0, Math.floor(classes), names?.length ?? 0);
  return Array.from({ length: n }, (_, label) => ({ label, name: className(names, label) }));
}

export interface ClassCount {
  label: number;
  name: string;
  train: number;
  test: number;
}

/** Per class: its name and images in the train and test splits (zeros where the dataset has no counts). */
export function classCounts(info: Pick<DatasetInfo, 'classes' | 'classNames' | 'perClass'>): ClassCount[] {
  const classes = Math.max(info.classes, info.perClass?.train.length ?? 0, info.perClass?.test.length ?? 0);
  return classList(classes, info.classNames).map(({ label, name }) => ({
    label,
    name,
    train: info.perClass?.train[label] ?? 0,
    test: info.perClass?.test[label] ?? 0,
  }));
}

/** '32×32 colour' or '28×28 grey'. */
export function imageKind(info: Pick<DatasetInfo, 'imageSize' | 'channels'>): string {
  return `${info.imageSize}×${info.imageSize} ${info.channels === 3 ? 'colour' : 'grey'}`;
}

/** How the test split came about, in words (undefined when the dataset does not say). */
export function splitText(split: DatasetInfo['split']): string | undefined {
  if (split === 'given') return 'test split given by the source';
  if (split === 'held-out') return 'test split: 10% of each class held out (fixed seed)';
  return undefined;
}

/** What an import left out or changed, one phrase each ('3 bad images skipped', ...); empty when nothing. */
export function importNotes(info: Pick<DatasetInfo, 'skipped' | 'ignored' | 'resized'>): string[] {
  const out: string[] = [];
  const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
  if (info.skipped) out.push(`${plural(info.skipped, 'bad image', 'bad images')} skipped`);
  if (info.ignored) out.push(`${plural(info.ignored, 'file', 'files')} ignored (not images)`);
  if (info.resized) out.push(`resized: ${info.resized}`);
  return out;
}
