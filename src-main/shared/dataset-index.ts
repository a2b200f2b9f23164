/** The index of an imported dataset (its dataset.json): what it holds and where it came from. */
import { z } from 'zod';

const count = z.number().int().min(0);
const splitSchema = z.object({ count, perClass: z.array(count) });

export const datasetIndexSchema = z.object({
  version: z.literal(1),
  name: z.string().min(1),
  slug: z.string().min(1),
  /** Where the images were imported from, and as what. */
  source: z.object({ path: z.string(), format: z.enum(['image-folder', 'idx']) }),
  imageSize: z.number().int().min(1),
  channels: z.union([z.literal(1), z.literal(3)]),
  classNames: z.array(z.string()),
  train: splitSchema,
  test: splitSchema,
  /** True when the source had its own test split (train/ and test/, or t10k files). */
  splitGiven: z.boolean(),
  /** The held-out fraction when it had none. */
  testFraction: z.number().optional(),
  /** Test images by their path in the source (class-folder trees), so the split is on record. */
  testFiles: z.array(z.string()).optional(),
  skipped: z.array(z.object({ file: z.string(), reason: z.string() })),
  ignored: count,
  resized: z.object({ sizes: z.string(), to: z.number().int() }).optional(),
  importedAt: z.string(),
});

export type DatasetIndex = z.infer<typeof datasetIndexSchema>;
