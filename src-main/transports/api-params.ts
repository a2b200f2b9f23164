/**
 * The schema of every API call's parameters, checked at each transport (Electron IPC, the browser
 * mode's WebSocket) before a service sees them. The compiler holds the schemas to SaccadeApi: each
 * method needs one, and what a schema lets through must be what the method's parameters declare.
 */
import { z } from 'zod';
import { DEFAULT_CONFIG, IMAGE_SIZE, NUMBER_BOUNDS, type RamConfig } from '../core/config';
import type { ApiMethod, SaccadeApi } from '../shared/api';
import { MAX_QUEUE, UPLOAD_LIMITS } from '../shared/api';
import { UPLOAD_PATH_LIMITS } from '../shared/mnist-files';
import { BACKEND_NAMES } from '../shared/backends';

const MAX_ID = 200;
const MAX_TEXT = 100_000;
const MAX_PATH = 4096;
/** Tags of a run: a few dozen short labels. */
const MAX_TAG = 100;
const MAX_TAGS = 50;
const MAX_SPEC = 2000;
const MAX_SWEPT = 32;
/** traceImage's picture: at most 8 MiB (evaluation-service's MAX_IMAGE_BYTES). */
const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

const id = z.string().min(1).max(MAX_ID);
const name = z.string().max(MAX_ID);
/** Marks integer schemas, so "expected an integer" can be said whatever was given instead. */
const INTEGER = 'integer';
const whole = z.int({ error: INTEGER });
const count = whole.min(0);

/** Each setting by its kind; ranges and combinations are the config check's (it names the field). */
const configSchema = z.strictObject({
  ...(Object.fromEntries(
    (Object.keys(NUMBER_BOUNDS) as (keyof typeof NUMBER_BOUNDS)[]).map((key) => [key, (NUMBER_BOUNDS[key][2] ? whole : z.number()).optional()]),
  ) as Record<keyof typeof NUMBER_BOUNDS, z.ZodOptional<z.ZodNumber>>),
  task: z.enum(Object.keys(IMAGE_SIZE) as [RamConfig['task'], ...RamConfig['task'][]]),
  firstLocation: z.enum(['center', 'random']).optional(),
  reinforceIntoCore: z.boolean().optional(),
  validationSize: z.union([z.literal('auto'), count]).optional(),
  imageSize: z.union([z.literal('auto'), whole]).optional(),
  channels: whole.optional(),
});
// Every setting has a schema entry (a new setting without one fails here, at compile time).
const _allSettings: Record<keyof RamConfig, unknown> = configSchema.shape;
void _allSettings;

const traceRequest = z.strictObject({
  runId: id,
  checkpoint: id.optional(),
  indices: z.array(count).min(1).max(256),
  mode: z.enum(['mean', 'sampled']),
  seed: count.optional(),
});

const startRunRequest = z.strictObject({
  projectId: id,
  name: name.optional(),
  config: configSchema,
  dataset: id.optional(),
  backend: z.enum(BACKEND_NAMES).optional(),
  maxSteps: whole.min(1).optional(),
  patience: whole.min(1).max(10_000).optional(),
});

/** A sweep's specs: at most a few dozen settings, each spec as short as a command line's. */
const sweepSpecs = z.record(z.string().min(1).max(MAX_ID), z.string().min(1).max(MAX_SPEC)).refine((r) => Object.keys(r).length <= MAX_SWEPT, `at most ${MAX_SWEPT} swept settings`);
const sweepRequest = z.strictObject({
  projectId: id,
  name: z.string().min(1).max(MAX_ID),
  config: configSchema,
  dataset: id.optional(),
  backend: z.enum(BACKEND_NAMES).optional(),
  maxSteps: whole.min(1).optional(),
  grid: sweepSpecs.optional(),
  random: sweepSpecs.optional(),
  trials: whole.min(1).max(MAX_QUEUE).optional(),
  seed: count.optional(),
  patience: whole.min(1).max(10_000).optional(),
  medianStop: z.boolean().optional(),
});

/** Named parameters: a problem is reported as "<method>: <param>.<field>: ...". */
function params<T extends [] | [z.ZodType, ...z.ZodType[]]>(names: { [K in keyof T]: string }, items: T): { names: string[]; schema: z.ZodTuple<T, null> } {
  return { names: names as string[], schema: z.tuple(items as [z.ZodType]) as unknown as z.ZodTuple<T, null> };
}

const none = params([], []);

export const API_PARAMS = {
  getAppInfo: none,
  listDatasets: none,
  getSamples: params(['request'], [z.strictObject({
      dataset: id,
      split: z.enum(['train', 'test']),
      offset: count.max(1e9),
      limit: count.max(1000),
      label: whole.min(0).max(255).optional(),
    })]),
  importDataset: params(['request'], [z.strictObject({
      name: z.string().min(1).max(MAX_ID),
      folder: z.string().min(1).max(MAX_PATH).optional(),
      upload: id.optional(),
      imageSize: whole.min(4).max(1024).optional(),
      channels: z.union([z.literal(1), z.literal(3)]).optional(),
      skipBad: z.boolean().optional(),
    })]),
  // The file's path is checked in full by the uploads service (segments, '..', control characters).
  uploadDatasetChunk: params(['chunk'], [z.strictObject({ upload: id.optional(), file: z.string().min(1).max(UPLOAD_PATH_LIMITS.chars), offset: count, bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength <= UPLOAD_LIMITS.chunkBytes, `at most ${UPLOAD_LIMITS.chunkBytes} bytes a chunk`) })]),
  pickFolder: none,
  listPresets: none,
  listSettings: none,
  checkConfig: params(['config'], [z.record(z.string().max(MAX_ID), z.unknown()).refine((c) => Object.keys(c).length <= Object.keys(DEFAULT_CONFIG).length + 8, 'too many settings')]),
  listProjects: none,
  createProject: params(['name'], [name]),
  renameProject: params(['id', 'name'], [id, name]),
  deleteProject: params(['id', 'options'], [id, z.strictObject({ deleteRuns: z.boolean().optional() }).optional()]),
  listRuns: params(['projectId'], [id]),
  getMetrics: params(['runId'], [id]),
  renameRun: params(['runId', 'name'], [id, name]),
  setRunNotes: params(['runId', 'notes'], [id, z.string().max(MAX_TEXT)]),
  deleteRun: params(['runId'], [id]),
  listCheckpoints: params(['runId'], [id]),
  startRun: params(['request'], [startRunRequest]),
  pauseRun: params(['runId'], [id]),
  resumeRun: params(['runId', 'options'], [id, z.strictObject({ maxSteps: whole.min(1).optional() }).optional()]),
  stopRun: params(['runId'], [id]),
  setRunTags: params(['runId', 'tags'], [id, z.array(z.string().max(MAX_TAG)).max(MAX_TAGS)]),
  listQueue: none,
  queueRun: params(['request'], [startRunRequest]),
  requeueRun: params(['runId', 'options'], [id, z.strictObject({ maxSteps: whole.min(1).optional() }).optional()]),
  moveQueued: params(['entryId', 'position'], [id, whole.min(1).max(MAX_QUEUE)]),
  cancelQueued: params(['entryId'], [id]),
  startQueuedNow: params(['entryId'], [id]),
  previewSweep: params(['request'], [sweepRequest]),
  queueSweep: params(['request'], [sweepRequest]),
  evaluateRun: params(['runId', 'checkpoint'], [id, id.optional()]),
  traceRun: params(['request'], [traceRequest]),
  listMisclassified: params(['runId', 'limit', 'checkpoint'], [id, count.max(10_000), id.optional()]),
  exportAnimation: params(['request'], [traceRequest.extend({ format: z.enum(['gif', 'apng']), scale: whole.min(1).max(32), delayMs: whole.min(10).max(60_000), columns: whole.min(1).max(64).optional() })]),
  traceImage: params(['request'], [z.strictObject({
      runId: id,
      checkpoint: id.optional(),
      image: z.instanceof(Uint8Array).refine((b) => b.byteLength > 0 && b.byteLength <= MAX_IMAGE_BYTES, `1 to ${MAX_IMAGE_BYTES} bytes (8 MiB)`),
      invert: z.enum(['auto', 'on', 'off']),
      mode: z.enum(['mean', 'sampled']),
      seed: count.optional(),
    })]),
  getFixations: params(['request'], [z.strictObject({ runId: id, checkpoint: id.optional(), mode: z.enum(['mean', 'sampled']) })]),
  cancelEvaluation: params(['runId'], [id]),
  getSettings: none,
  updateSettings: params(['patch'], [z.strictObject({
      currentProjectId: z.string().max(MAX_ID).optional(),
      // '' clears the setting (the best backend that loads).
      backend: z.union([z.literal(''), z.enum(BACKEND_NAMES)]).optional(),
      smoothing: z.number().min(0).max(0.999).optional(),
      xAxis: z.enum(['step', 'epoch', 'time']).optional(),
      queueConcurrency: whole.min(1).max(8).optional(),
    })]),
} satisfies Record<ApiMethod, { names: string[]; schema: z.ZodTuple }>;

/** What a checked call hands the service: exactly the parameters the method declares. */
type Checked<M extends ApiMethod> = Parameters<SaccadeApi[M]>;
type SchemaOutput<M extends ApiMethod> = z.output<(typeof API_PARAMS)[M]['schema']>;
/** The methods whose schema lets through something their parameters do not declare: none. */
type Drifted = { [M in ApiMethod]: SchemaOutput<M> extends Checked<M> ? never : M }[ApiMethod];
const noDrift: [Drifted] extends [never] ? true : Drifted = true;
void noDrift;

export class ValidationError extends Error {
  override name = 'ValidationError';
}

/** The parameters of a call, checked; ValidationError naming the method and the field otherwise. */
export function checkParams<M extends ApiMethod>(method: M, raw: unknown[]): Checked<M> {
  const { names, schema } = API_PARAMS[method];
  // Trailing undefined optionals (JSON drops them, IPC keeps them) are the same call.
  const given = [...raw];
  while (given.length > 0 && given[given.length - 1] === undefined) given.pop();
  const parsed = schema.safeParse(given, { reportInput: true });
  if (parsed.success) return parsed.data as unknown as Checked<M>;
  throw new ValidationError(`${method}: ${describeIssue(parsed.error.issues[0]!, names, given.length)}`);
}

function describeIssue(issue: z.core.$ZodIssue, names: string[], given: number): string {
  const [first, ...rest] = issue.path;
  if (first === undefined && issue.code === 'too_small') return `${names[given] ?? `parameter ${given + 1}`} is missing`;
  if (first === undefined) {
    const wanted = names.length ? `${names.length === 1 ? 'one parameter' : `up to ${names.length} parameters`} (${names.join(', ')})` : 'no parameters';
    return `takes ${wanted}`;
  }
  const param = typeof first === 'number' ? (names[first] ?? `parameter ${first + 1}`) : String(first);
  // A single request object is the call itself: name its fields, not "request.".
  const at = [...(param === 'request' && rest.length ? [] : [param]), ...rest.map(String)].join('.');
  const input = 'input' in issue ? (issue as { input?: unknown }).input : undefined;
  switch (issue.code) {
    case 'invalid_type':
      return `${at}: expected ${issue.message === INTEGER ? 'an integer' : article(issue.expected)}, got ${shown(input)}`;
    case 'unrecognized_keys':
      return `${at ? `${at}: ` : ''}unknown ${issue.keys.length === 1 ? 'field' : 'fields'} ${shownKeys(issue.keys)}`;
    case 'invalid_value':
      return `${at}: expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${shown(input)}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`;
      const what = issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : '';
      return `${at}: must be ${bound}${what}, got ${issue.origin === 'number' ? shown(input) : `${sizeOf(input)}${what}`}`;
    }
    default:
      return `${at}: ${issue.message}`;
  }
}

/** A few of the keys, each shortened: a call with thousands of them gets a short answer. */
function shownKeys(keys: string[]): string {
  const shown = keys.slice(0, 3).map((k) => `'${k.slice(0, 40)}'`).join(', ');
  return keys.length > 3 ? `${shown} and ${keys.length - 3} more` : shown;
}

function article(expected: string): string {
  if (expected === 'undefined') return 'nothing';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function sizeOf(input: unknown): number | string {
  if (typeof input === 'string' || Array.isArray(input)) return input.length;
  return shown(input);
}

function shown(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input instanceof Uint8Array) return `${input.byteLength} bytes`;
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
