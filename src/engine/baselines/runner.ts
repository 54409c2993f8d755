/**
 * The baselines over cross-validation folds: features once per utterance, then for every fold and
 * every (feature set, classifier) pair a model fitted on the fold's training speakers, tuned on
 * its validation speakers where the classifier has something to tune, and scored on its test
 * speakers. One call covers several feature sets and classifiers, so they share folds and
 * features and land in one table.
 *
 * Seeds: the classifier of fold f gets `seed + 1000·f`, so folds differ and a rerun is identical.
 */
import { computeMetrics, poolMetrics, type Metrics } from '../eval/metrics';
import { metricsMeanSd } from '../eval/summary';
import type { MetricsMeanSd } from '../eval/types';
import type { CorpusIndex, Utterance } from '../corpora/types';
import { UserError } from '../util/errors';
import { trainAndPredict } from './classifiers';
import { extractFeatureSets, type YamnetForFeatures } from './features';
import type { BaselineFeatureCache } from './feature-cache';
import type { BaselineFeatureSet, ClassifierKind, ClassifierResult, LabelledSet } from './types';

/** What the runner needs of a fold (H2's `Fold` fits): speaker IDs per partition. */
export interface FoldSpeakers {
  index: number;
  train: string[];
  validation: string[];
  test: string[];
}

/** One (feature set, classifier) result on one fold. */
export interface BaselineCell {
  featureSet: BaselineFeatureSet;
  classifier: ClassifierKind;
  /** Test utterance IDs (CorpusIndex `id`), in the order of the arrays below. */
  ids: string[];
  yTrue: number[];
  predictions: number[];
  probabilities: number[][];
  metrics: Metrics;
  chosen?: ClassifierResult['chosen'];
  epochs?: ClassifierResult['epochs'];
  /** SVM: the decision values its labels follow from (see ClassifierResult). */
  decision?: ClassifierResult['decision'];
  trainSeconds: number;
}

export interface BaselineFold {
  index: number;
  testSpeakers: string[];
  cells: BaselineCell[];
}

/** One row of the results table: a (feature set, classifier) pair over all folds. */
export interface BaselineTableRow {
  featureSet: BaselineFeatureSet;
  classifier: ClassifierKind;
  /** Metrics of all folds' test predictions together (sum of confusions). */
  pooled: Metrics;
  /** Mean ± sd across folds. */
  meanSd: MetricsMeanSd;
  trainSeconds: number;
}

export interface BaselineRunResult {
  classes: string[];
  featureSets: BaselineFeatureSet[];
  classifiers: ClassifierKind[];
  folds: BaselineFold[];
  table: BaselineTableRow[];
  featureSeconds: number;
}

export type BaselineEvent =
  | { type: 'features'; done: number; total: number; file: string }
  | {
      type: 'cell';
      fold: number;
      featureSet: BaselineFeatureSet;
      classifier: ClassifierKind;
      cell: BaselineCell;
    }
  | { type: 'fold'; fold: BaselineFold };

export interface BaselineRunOptions {
  featureSets: BaselineFeatureSet[];
  classifiers: ClassifierKind[];
  seed: number;
  /** YAMNet weights path for the DL features (default: the resolved weights source). */
  weights?: string;
  /** An already loaded YAMNet (saves loading it again). */
  yamnet?: YamnetForFeatures;
  cache?: boolean | BaselineFeatureCache;
  onEvent?: (e: BaselineEvent) => void;
  signal?: AbortSignal;
}

/** Per-utterance vectors of each feature set, keyed by utterance ID. */
export type FeatureTable = Map<BaselineFeatureSet, Map<string, Float32Array>>;

function checkCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new Error('cancelled');
}

/** Features of every utterance of the index for the given sets (keyed by utterance ID). */
export async function baselineFeatures(
  index: CorpusIndex,
  opts: Pick<BaselineRunOptions, 'featureSets' | 'weights' | 'yamnet' | 'cache' | 'onEvent' | 'signal'>,
): Promise<FeatureTable> {
  const byPath = await extractFeatureSets(
    index.utterances.map((u) => u.path),
    opts.featureSets,
    {
      cache: opts.cache,
      yamnet: opts.yamnet,
      weights: opts.weights,
      signal: opts.signal,
      // The index decided which files may have their NaN/Inf samples zeroed (and listed them).
      repairNonFinite: (index.repaired?.length ?? 0) > 0,
      onProgress: (done, total, file) => opts.onEvent?.({ type: 'features', done, total, file }),
    },
  );
  const table: FeatureTable = new Map();
  for (const [set, vectors] of byPath) {
    table.set(set, new Map(index.utterances.map((u) => [u.id, vectors.get(u.path)!])));
  }
  return table;
}

function partition(utterances: Utterance[], speakers: string[]): Utterance[] {
  const wanted = new Set(speakers);
  return utterances.filter((u) => wanted.has(u.speaker));
}

/** One fold: every (feature set, classifier) pair trained and scored. */
export async function runBaselineFold(
  index: CorpusIndex,
  fold: FoldSpeakers,
  features: FeatureTable,
  opts: Pick<BaselineRunOptions, 'featureSets' | 'classifiers' | 'seed' | 'onEvent' | 'signal'>,
): Promise<BaselineFold> {
  const classes = index.classes as string[];
  const labelOf = (u: Utterance) => {
    const c = classes.indexOf(u.label);
    if (c < 0) throw new Error(`utterance ${u.id} has label '${u.label}', not one of the index classes`);
    return c;
  };
  const [train, validation, test] = [fold.train, fold.validation, fold.test].map((s) =>
    partition(index.utterances, s),
  );
  if (train.length === 0) throw new UserError(`fold ${fold.index}: no training utterances`);
  const cells: BaselineCell[] = [];
  for (const featureSet of opts.featureSets) {
    const vectors = features.get(featureSet);
    if (!vectors) throw new Error(`runBaselineFold: no features for '${featureSet}'`);
    const set = (us: Utterance[]): LabelledSet => ({
      x: us.map((u) => vectors.get(u.id)!),
      y: us.map(labelOf),
    });
    const data = { train: set(train), validation: set(validation), test: set(test) };
    for (const classifier of opts.classifiers) {
      checkCancelled(opts.signal);
      const started = performance.now();
      const r = await trainAndPredict(classifier, data, {
        seed: opts.seed + 1000 * fold.index,
        numClasses: classes.length,
      });
      const cell: BaselineCell = {
        featureSet,
        classifier,
        ids: test.map((u) => u.id),
        yTrue: data.test.y,
        predictions: r.predictions,
        probabilities: r.probabilities,
        metrics: computeMetrics(classes, data.test.y, r.predictions),
        ...(r.chosen ? { chosen: r.chosen } : {}),
        ...(r.epochs ? { epochs: r.epochs } : {}),
        ...(r.decision ? { decision: r.decision } : {}),
        trainSeconds: (performance.now() - started) / 1000,
      };
      cells.push(cell);
      opts.onEvent?.({ type: 'cell', fold: fold.index, featureSet, classifier, cell });
    }
  }
  const result = { index: fold.index, testSpeakers: [...fold.test], cells };
  opts.onEvent?.({ type: 'fold', fold: result });
  return result;
}

/** The results table from per-fold results: pooled metrics and mean ± sd per pair. */
export function baselineTable(classes: string[], folds: BaselineFold[]): BaselineTableRow[] {
  const rows: BaselineTableRow[] = [];
  const pairs = folds[0]?.cells.map((c) => [c.featureSet, c.classifier] as const) ?? [];
  for (const [featureSet, classifier] of pairs) {
    const cells = folds.map((f) =>
      f.cells.find((c) => c.featureSet === featureSet && c.classifier === classifier)!,
    );
    const perFold = cells.map((c) => c.metrics);
    rows.push({
      featureSet,
      classifier,
      pooled: poolMetrics(perFold),
      meanSd: metricsMeanSd(classes, perFold),
      trainSeconds: cells.reduce((s, c) => s + c.trainSeconds, 0),
    });
  }
  return rows;
}

/** Every fold, every feature set, every classifier: the baselines' part of Table II. */
export async function runBaselines(
  index: CorpusIndex,
  folds: FoldSpeakers[],
  opts: BaselineRunOptions,
): Promise<BaselineRunResult> {
  if (opts.featureSets.length === 0 || opts.classifiers.length === 0) {
    throw new UserError('baselines: at least one feature set and one classifier are needed');
  }
  if (folds.length === 0) throw new UserError('baselines: no folds');
  const started = performance.now();
  const features = await baselineFeatures(index, opts);
  const featureSeconds = (performance.now() - started) / 1000;
  const results: BaselineFold[] = [];
  for (const fold of folds) results.push(await runBaselineFold(index, fold, features, opts));
  return {
    classes: [...index.classes],
    featureSets: [...opts.featureSets],
    classifiers: [...opts.classifiers],
    folds: results,
    table: baselineTable(index.classes, results),
    featureSeconds,
  };
}
