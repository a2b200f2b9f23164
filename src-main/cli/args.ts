/** A small argument parser: positionals, --key value, --key=value and boolean --flags. */

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  command: string | undefined;
  positionals: string[];
  options: Map<string, string | true>;
}

/** Flags that never take a value. */
const BOOLEAN_FLAGS = new Set(['json', 'help', 'h', 'sampled', 'reinforce-into-core', 'no-progress', 'record', 'skip-bad', 'queue', 'watch']);

export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') || (arg.startsWith('-') && arg.length === 2 && !/^-\d/.test(arg))) {
      const body = arg.replace(/^--?/, '');
      const eq = body.indexOf('=');
      const key = kebab(eq >= 0 ? body.slice(0, eq) : body);
      if (eq >= 0) options.set(key, body.slice(eq + 1));
      else if (BOOLEAN_FLAGS.has(key)) options.set(key, true);
      else {
        const value = argv[i + 1];
        if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`--${key} needs a value`);
        options.set(key, value);
        i += 1;
      }
    } else positionals.push(arg);
  }
  return { command: positionals.shift(), positionals, options };
}

/** glimpseSize -> glimpse-size, so both spellings work. */
export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export class Options {
  private readonly used = new Set<string>();
  constructor(private readonly parsed: ParsedArgs) {}

  string(name: string): string | undefined {
    this.used.add(name);
    const v = this.parsed.options.get(name);
    if (v === true) throw new UsageError(`--${name} needs a value`);
    return v;
  }

  flag(name: string): boolean {
    this.used.add(name);
    const v = this.parsed.options.get(name);
    if (v === undefined) return false;
    if (v === true || v === 'true') return true;
    if (v === 'false') return false;
    throw new UsageError(`--${name} is a flag: give it no value`);
  }

  number(name: string, opts: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    return parseNumber(`--${name}`, raw, opts);
  }

  /** Every option the command did not ask for: a typo should fail, not be ignored. */
  rejectUnknown(command: string): void {
    const unknown = [...this.parsed.options.keys()].filter((k) => !this.used.has(k));
    if (unknown.length) throw new UsageError(`unknown option ${unknown.map((k) => `--${k}`).join(', ')} for '${command}' (see saccade ${command} --help)`);
  }

  keys(): string[] {
    return [...this.parsed.options.keys()];
  }
}

export function parseNumber(what: string, raw: string, opts: { integer?: boolean; min?: number; max?: number } = {}): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${what} expects a number, not '${raw}'`);
  if (opts.integer && !Number.isInteger(v)) throw new UsageError(`${what} expects a whole number, not '${raw}'`);
  if (opts.min !== undefined && v < opts.min) throw new UsageError(`${what} must be at least ${opts.min}, not ${raw}`);
  if (opts.max !== undefined && v > opts.max) throw new UsageError(`${what} must be at most ${opts.max}, not ${raw}`);
  return v;
}

/** "0,3,7-9" -> [0, 3, 7, 8, 9] */
export function parseIndexList(what: string, raw: string): number[] {
  const out: number[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a || b - a > 10000) throw new UsageError(`${what}: bad range '${part}'`);
      for (let i = a; i <= b; i++) out.push(i);
    } else out.push(parseNumber(what, part, { integer: true, min: 0 }));
  }
  if (out.length === 0) throw new UsageError(`${what} names no images`);
  return out;
}
