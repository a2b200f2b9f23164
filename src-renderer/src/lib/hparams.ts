/** The hyperparameters that differ between runs, for the compare table. */

export interface HparamRow {
  key: string;
  /** One value per run, in the runs' order (undefined where a run lacks the key). */
  values: unknown[];
}

function same(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) || JSON.stringify(a) === JSON.stringify(b);
}

/** Keys (sorted) whose value is not the same in every run; nothing for fewer than two runs. */
export function differingHparams(configs: readonly Record<string, unknown>[]): HparamRow[] {
  if (configs.length < 2) return [];
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))].sort();
  const rows: HparamRow[] = [];
  for (const key of keys) {
    const values = configs.map((c) => c[key]);
    if (!values.every((v) => same(v, values[0]))) rows.push({ key, values });
  }
  return rows;
}
