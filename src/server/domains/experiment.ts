/** The experiment form: the config schema as JSON Schema with its defaults, validation, fold preview. */
import { z } from 'zod';
import { ExperimentConfigSchema, defaultConfig, parseConfig } from '../../engine/config/schema';
import type { ConfigIssue, FoldsPreview } from '../../shared/contract';
import type { CorpusIndex } from '../../engine/corpora/types';
import { UserError } from '../../engine/util/errors';
import { speakerRows } from './datasets';

export function configSchema(): { jsonSchema: unknown; defaults: unknown } {
  return {
    jsonSchema: z.toJSONSchema(ExperimentConfigSchema, { io: 'input', unrepresentable: 'any' }),
    defaults: defaultConfig(),
  };
}

export function validateConfig(config: unknown): { ok: boolean; issues: ConfigIssue[]; config: unknown } {
  const result = ExperimentConfigSchema.safeParse(config);
  if (result.success) return { ok: true, issues: [], config: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      message: i.message,
    })),
    config: null,
  };
}

/** Utterances per role and class of one fold. */
export function roleCounts(
  index: Pick<CorpusIndex, 'utterances' | 'classes'>,
  roles: Record<string, string[]>,
): Record<string, Record<string, number>> {
  const roleOf = new Map<string, string>();
  for (const [role, speakers] of Object.entries(roles)) for (const s of speakers) roleOf.set(s, role);
  const out: Record<string, Record<string, number>> = {};
  for (const role of Object.keys(roles)) out[role] = Object.fromEntries(index.classes.map((c) => [c, 0]));
  for (const u of index.utterances) {
    const role = roleOf.get(u.speaker);
    if (role) out[role][u.label] = (out[role][u.label] ?? 0) + 1;
  }
  return out;
}

export async function previewFolds(
  configInput: unknown,
  checkPath: (dir: string) => string,
): Promise<FoldsPreview> {
  const config = parseConfig(configInput);
  if (!config.data.dir) throw new UserError('data.dir: choose a corpus folder first');
  const dir = checkPath(config.data.dir);
  const { indexCorpus } = await import('../../engine/corpora');
  const { makeFolds } = await import('../../engine/folds');
  const index = await indexCorpus(dir, { corpus: config.data.corpus, classes: config.data.classes });
  const cv = config.crossValidation;
  const folds = makeFolds(index.utterances, {
    scheme: cv.scheme,
    ...(cv.k !== undefined ? { k: cv.k } : {}),
    valFraction: cv.valFraction,
    seed: config.seed,
  });
  return {
    scheme: cv.scheme,
    classes: index.classes,
    speakers: speakerRows(index),
    folds: folds.map((f) => ({
      index: f.index,
      test: f.test,
      validation: f.validation,
      train: f.train,
      counts: roleCounts(index, { train: f.train, validation: f.validation, test: f.test }),
    })),
  };
}
