/**
 * What a run's meta.json must hold to be used. A file edited by hand, written by an older version
 * or cut short is refused with the file and the field named, instead of failing later elsewhere.
 */
import { z } from 'zod';
import type { RunMeta } from './types';

const finite = z.number().refine(Number.isFinite, 'not a finite number');
const count = z.number().int().nonnegative();

const runMetaSchema = z.looseObject({
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: z.enum(['created', 'running', 'paused', 'stopped', 'completed', 'failed', 'interrupted']),
  task: z.string(),
  config: z.record(z.string(), z.unknown()),
  dataset: z.looseObject({ source: z.string(), train: count, validation: count, test: count }),
  seed: finite,
  backend: z.looseObject({ name: z.string(), reason: z.string().optional(), workers: count.optional() }).optional(),
  versions: z.record(z.string(), z.string()).optional(),
  timings: z.looseObject({ startedAt: z.string().optional(), endedAt: z.string().optional(), trainSeconds: finite.optional() }).optional(),
  progress: z.looseObject({ step: count, epoch: finite, totalSteps: count }).optional(),
  limits: z.looseObject({ maxSteps: count.optional(), backend: z.string().optional(), workers: count.optional(), patience: count.optional(), medianStop: z.boolean().optional() }).optional(),
  best: z.looseObject({ validationAccuracy: finite, epoch: finite, step: count }).optional(),
  last: z.looseObject({ validationAccuracy: finite.optional(), trainAccuracy: finite.optional(), epoch: finite, step: count }).optional(),
  test: z.looseObject({ accuracy: finite, accuracyMC: finite.optional(), mcSamples: count.optional(), checkpoint: z.string() }).optional(),
  error: z.string().optional(),
  stopReason: z.looseObject({ reason: z.string(), message: z.string() }).optional(),
  sweep: z.looseObject({ name: z.string(), trial: count, settings: z.record(z.string(), z.unknown()) }).optional(),
  notes: z.string().optional(),
  tags: z.array(z.string()).optional(),
  example: z.string().optional(),
});

/** The meta, or a one-line reason naming the first bad field. */
export function checkRunMeta(value: unknown): { ok: true; meta: Omit<RunMeta, 'id'> } | { ok: false; reason: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'not a JSON object' };
  const parsed = runMetaSchema.safeParse(value);
  if (parsed.success) return { ok: true, meta: parsed.data as Omit<RunMeta, 'id'> };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.');
  const missing = issue.code === 'invalid_type' && readPath(value, issue.path) === undefined;
  return { ok: false, reason: `field '${field}' ${missing ? 'is missing' : `is invalid (${issue.message})`}` };
}

function readPath(value: unknown, at: PropertyKey[]): unknown {
  let v: unknown = value;
  for (const key of at) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}
