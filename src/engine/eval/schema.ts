import { z } from 'zod';
import type { RunSummary } from './types';
import { crossCorpusResultSchema } from '../../shared/cross-corpus';

/** Validates summary.json when it is read back (reports, the UI); unknown fields are kept. */

const rate = z.number().nullable();
const confusion = z.object({
  labels: z.array(z.string()),
  matrix: z.array(z.array(z.number().int().nonnegative())),
});

export const metricsSchema = z.looseObject({
  n: z.number().int().nonnegative(),
  classAccuracy: z.record(z.string(), rate),
  averageAccuracy: rate,
  weightedAccuracy: rate,
  macroF1: rate,
  classPrecision: z.record(z.string(), rate),
  classF1: z.record(z.string(), rate),
  confusion,
});

const interval = z.looseObject({ level: z.number(), lo: rate, hi: rate });

const statistics = z.looseObject({
  perSpeaker: z.array(
    z.looseObject({
      speaker: z.string(),
      sex: z.string(),
      fold: z.number().int().nonnegative(),
      n: z.number().int().nonnegative(),
      averageAccuracy: rate,
      weightedAccuracy: rate,
      confusion,
    }),
  ),
  foldGroups: z.array(z.looseObject({ fold: z.number().int(), speakers: z.array(z.string()) })),
  pooledAverageAccuracy: interval.extend({ estimate: rate, resamples: z.number(), seed: z.number() }),
  foldAverageAccuracy: interval.extend({ mean: rate, sd: rate, n: z.number() }),
});

const meanSd = z.object({ mean: rate, sd: rate, n: z.number().int().nonnegative() });

export const runSummarySchema = z.looseObject({
  version: z.literal(1),
  classes: z.array(z.string()).min(1),
  folds: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      testSpeakers: z.array(z.string()),
      metrics: metricsSchema,
    }),
  ),
  pooled: metricsSchema,
  meanSd: z.object({
    averageAccuracy: meanSd,
    weightedAccuracy: meanSd,
    macroF1: meanSd,
    classAccuracy: z.record(z.string(), meanSd),
  }),
  model: z.string().optional(),
  mode: z.string(),
  initialWeights: z.string(),
  weights: z.object({
    // Any string: a run written by a newer version with another source must still be readable.
    source: z.string(),
    files: z.array(z.object({ name: z.string(), sha256: z.string() })),
  }),
  backend: z.object({ name: z.string(), reason: z.string() }),
  corpus: z.looseObject({
    name: z.string(),
    hash: z.string().optional(),
    utterances: z.number().int().nonnegative(),
    speakers: z.number().int().nonnegative(),
    classCounts: z.record(z.string(), z.number().int().nonnegative()).optional(),
  }),
  scheme: z.looseObject({
    kind: z.enum(['loso', 'kfold', 'cross-corpus']),
    k: z.number().int().positive().optional(),
    valFraction: z.number().min(0).max(1).optional(),
    folds: z.number().int().nonnegative(),
  }),
  seed: z.number(),
  training: z
    .looseObject({
      epochs: z.number().optional(),
      batchSize: z.number().optional(),
      learningRate: z.number().optional(),
      optimizer: z.string().optional(),
    })
    .optional(),
  createdAt: z.string(),
  statistics: statistics.optional(),
  crossCorpus: crossCorpusResultSchema.optional(),
});

/**
 * A summary as this version names its fields. Older versions wrote the weight initialisation as
 * `trainFrom` (a word config files use for the first trained block): read as `initialWeights`.
 * Anything else is returned as it is, for the schema to judge.
 */
export function upgradeRunSummary<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { trainFrom, ...rest } = value as Record<string, unknown>;
  if (trainFrom === undefined || 'initialWeights' in rest) return value;
  return { ...rest, initialWeights: trainFrom } as T;
}

/** Parses an unknown value as a RunSummary; throws zod's error listing every bad field. */
export function parseRunSummary(value: unknown): RunSummary {
  return runSummarySchema.parse(upgradeRunSummary(value)) as RunSummary;
}
