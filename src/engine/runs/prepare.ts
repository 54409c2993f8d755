/**
 * What a new run checks before its folder exists: the corpus index of the config's classes and
 * the folds. Every mistake found here (a class the corpus lacks, too few speakers for k folds)
 * is a user error with nothing written, so a refused run leaves no failed run folder behind.
 * The runner, the server's `runs.start` and the form's fold preview all go through it.
 */
import { isDeepStrictEqual } from 'node:util';
import { indexCorpus } from '../corpora';
import type { CorpusIndex } from '../corpora/types';
import { makeFolds, type Fold, type FoldOptions } from '../folds';
import type { CrossCorpusRecord } from '../folds/export';
import { formatPath } from '../config/issues';
import { parseConfig, type ExperimentConfig } from '../config/schema';
import { UserError } from '../util/errors';
import { prepareCrossCorpus } from './prepare-cross-corpus';

export interface PreparedCorpus {
  index: CorpusIndex;
  foldOptions: FoldOptions;
  folds: Fold[];
  /** A cross-corpus run: its corpora and shared classes (recorded in folds.json). */
  crossCorpus?: CrossCorpusRecord;
}

/**
 * Each asked-for class must have utterances: otherwise the model would train a softmax class no
 * example ever reaches. The error lists the classes the corpus does have.
 */
async function checkClassesPresent(config: ExperimentConfig, dataDir: string, index: CorpusIndex) {
  if (config.data.classes === 'all') return;
  const found = new Set(index.utterances.map((u) => u.label));
  const missing = config.data.classes.filter((c) => !found.has(c));
  if (missing.length === 0) return;
  // Only on this error path: every class the corpus has, to say what could be asked for instead.
  const everything = await indexCorpus(dataDir, { corpus: config.data.corpus, classes: 'all' });
  const has = everything.classes.length ? everything.classes.join(', ') : 'none (no labelled audio found)';
  const list = missing.map((c) => `'${c}'`).join(', ');
  throw new UserError(
    `data.classes: ${list} ${missing.length > 1 ? 'are' : 'is'} not in the corpus ${dataDir} (its classes: ${has})`,
  );
}

export async function prepareCorpus(
  config: ExperimentConfig,
  dataDir: string,
  log: (message: string) => void = () => undefined,
  indexing: { repairNonFinite?: boolean; onWarning?: (message: string) => void } = {},
): Promise<PreparedCorpus> {
  const cv = config.crossValidation;
  const foldOptions: FoldOptions = {
    scheme: cv.scheme,
    ...(cv.k !== undefined ? { k: cv.k } : {}),
    valFraction: cv.valFraction,
    seed: config.seed,
  };
  if (cv.scheme === 'cross-corpus') {
    const { index, folds, record } = await prepareCrossCorpus(config, dataDir, log, indexing);
    return { index, foldOptions, folds, crossCorpus: record };
  }
  log(`indexing ${dataDir}`);
  const index = await indexCorpus(dataDir, {
    corpus: config.data.corpus,
    classes: config.data.classes,
    repairNonFinite: config.data.repairNonFinite || indexing.repairNonFinite,
    onWarning: indexing.onWarning,
  });
  if (index.utterances.length === 0) {
    throw new UserError(`${dataDir}: no utterances of the classes ${String(config.data.classes)} found`);
  }
  await checkClassesPresent(config, dataDir, index);
  let folds: Fold[];
  try {
    folds = makeFolds(index.utterances, foldOptions);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`crossValidation: ${err.message} in ${dataDir}`);
    throw err;
  }
  return { index, foldOptions, folds };
}

/** Paths where two JSON values differ (`training.epochs`), at most `limit` of them. */
function differences(a: unknown, b: unknown, at: (string | number)[] = [], out: string[] = []): string[] {
  if (isDeepStrictEqual(a, b)) return out;
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      differences(a[k], b[k], [...at, Array.isArray(a) ? Number(k) : k], out);
    }
    return out;
  }
  out.push(
    `${formatPath(at)}: the run has ${JSON.stringify(a) ?? 'nothing'}, the config ${JSON.stringify(b) ?? 'nothing'}`,
  );
  return out;
}

/**
 * A config given with `--resume` must be the run's own: a resumed run keeps its recorded config,
 * so any other would be silently ignored. Equal after defaults are filled is accepted.
 */
export function checkResumeConfig(runDir: string, recorded: unknown, given: ExperimentConfig): void {
  const theirs = parseConfig(recorded, `${runDir}/config.json`);
  const diff = differences(theirs, given);
  if (diff.length === 0) return;
  throw new UserError(
    `the config differs from the run's in ${runDir}; a resumed run keeps its own config ` +
      `(leave the config out to resume, or start a new run):\n  ${diff.slice(0, 20).join('\n  ')}`,
  );
}
