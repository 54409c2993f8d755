/**
 * What a run folder's result files hold, as zod schemas: summary.json (RunSummary), a fold's
 * metrics.json and history.json, and the paired comparison of two runs. The engine's types are
 * the types inferred here (engine/eval re-exports them), so what the engine writes, what the
 * contract carries and what the renderer reads cannot drift apart.
 *
 * Every file written since the first release must still parse: fields added later are optional,
 * and open-ended strings (a weights source, a mode) stay strings so that a run written by a newer
 * version still reads. Objects strip fields they do not name, so old readers ignore new fields.
 */
import { z } from 'zod';
import { crossCorpusResultSchema } from './cross-corpus';

/** A rate in [0, 1], or null where undefined (JSON has no NaN). */
const rate = z.number().nullable();
const count = z.number().int().nonnegative();

export const confusionMatrixSchema = z.object({
  /** Class names, in the order of rows and columns. */
  labels: z.array(z.string()),
  /** matrix[actual][predicted] = count. */
  matrix: z.array(z.array(count)),
});
export type ConfusionMatrix = z.infer<typeof confusionMatrixSchema>;

/**
 * Classification metrics of one fold or of predictions pooled over folds. A class with no test
 * utterance has no recall (null) and is left out of UAR and macro-F1.
 */
export const metricsSchema = z.object({
  /** Number of test utterances scored. */
  n: count,
  /** Recall per class; null when the class has no test utterance. */
  classAccuracy: z.record(z.string(), rate),
  /** Unweighted average recall (the paper's "average accuracy") over classes present; null if n = 0. */
  averageAccuracy: rate,
  /** Overall accuracy: correct / n (a.k.a. weighted accuracy); null if n = 0. */
  weightedAccuracy: rate,
  /** Mean F1 over classes present in the test set; a present class never predicted has F1 0. */
  macroF1: rate,
  /** Precision per class; null when the class was never predicted. */
  classPrecision: z.record(z.string(), rate),
  /** F1 per class; null when the class has no test utterance. */
  classF1: z.record(z.string(), rate),
  confusion: confusionMatrixSchema,
});
export type Metrics = z.infer<typeof metricsSchema>;

/** Mean and sample standard deviation of one metric across folds (folds where it is defined). */
export const meanSdSchema = z.object({
  mean: rate,
  /** Sample sd (n - 1); null with fewer than two folds. */
  sd: rate,
  /** Number of folds that contributed (a fold lacking a class does not count for that class). */
  n: count,
});
export type MeanSd = z.infer<typeof meanSdSchema>;

export const metricsMeanSdSchema = z.object({
  averageAccuracy: meanSdSchema,
  weightedAccuracy: meanSdSchema,
  macroF1: meanSdSchema,
  classAccuracy: z.record(z.string(), meanSdSchema),
});
export type MetricsMeanSd = z.infer<typeof metricsMeanSdSchema>;

// ---------------------------------------------------------------------------------------------
// Intervals and per-speaker statistics

/** A two-sided interval at `level` (0.95 for 95 %). */
export const intervalSchema = z.object({ level: z.number(), lo: rate, hi: rate });
export type Interval = z.infer<typeof intervalSchema>;

/** How the pooled-UAR interval was drawn: speakers resampled with replacement, `resamples` times. */
export const bootstrapIntervalSchema = intervalSchema.extend({
  method: z.literal('bootstrap-speakers'),
  /** The statistic on the original sample. */
  estimate: rate,
  resamples: count,
  seed: z.number(),
  /** Number of test speakers resampled. */
  speakers: count,
});
export type BootstrapInterval = z.infer<typeof bootstrapIntervalSchema>;

/** Mean ± sd over folds with the t-interval of the mean. */
export const foldIntervalSchema = intervalSchema.extend({
  method: z.literal('t-over-folds'),
  mean: rate,
  sd: rate,
  n: count,
});
export type FoldInterval = z.infer<typeof foldIntervalSchema>;

export const speakerResultSchema = z.object({
  speaker: z.string(),
  /** 'male' | 'female' | 'unknown', from the corpus index. */
  sex: z.string(),
  /** The fold (0-based) whose test set held the speaker. */
  fold: count,
  /** Test utterances of the speaker. */
  n: count,
  /** UAR over the classes the speaker has; null when none. */
  averageAccuracy: rate,
  weightedAccuracy: rate,
  confusion: confusionMatrixSchema,
});
export type SpeakerResult = z.infer<typeof speakerResultSchema>;

/** A fold's test speakers taken together (k-fold's speaker group), with their sexes. */
export const foldGroupResultSchema = z.object({
  fold: z.number().int(),
  speakers: z.array(z.string()),
  sexes: z.record(z.string(), count),
  n: count,
  averageAccuracy: rate,
});
export type FoldGroupResult = z.infer<typeof foldGroupResultSchema>;

export const runStatisticsSchema = z.object({
  perSpeaker: z.array(speakerResultSchema),
  foldGroups: z.array(foldGroupResultSchema),
  /** Bootstrap over test speakers of pooled UAR. */
  pooledAverageAccuracy: bootstrapIntervalSchema,
  /** Mean ± sd and t-interval of the folds' UAR. */
  foldAverageAccuracy: foldIntervalSchema,
});
export type RunStatistics = z.infer<typeof runStatisticsSchema>;

// ---------------------------------------------------------------------------------------------
// summary.json

export const summaryFoldSchema = z.object({
  /** Fold index as in folds.json (0-based). */
  index: count,
  testSpeakers: z.array(z.string()),
  metrics: metricsSchema,
});
export type SummaryFold = z.infer<typeof summaryFoldSchema>;

/** The sources this version writes; a summary may name another (written by a newer version). */
export const WEIGHTS_SOURCES = [
  'official-tfhub',
  'official-h5',
  'reconstructed',
  'user',
  'random',
  'none',
] as const;

/** Where the YAMNet weights came from, with their hashes. */
export const weightsProvenanceSchema = z.object({
  /** One of WEIGHTS_SOURCES ('none': no YAMNet was used, baseline features without +dl). */
  source: z.string(),
  files: z.array(z.object({ name: z.string(), sha256: z.string() })),
});
export type WeightsProvenanceRecord = z.infer<typeof weightsProvenanceSchema>;

/** What `summary.json` of a run holds: per-fold and pooled results plus what made them. */
export const runSummarySchema = z.object({
  version: z.literal(1),
  /** Class order used by every confusion matrix and index in the run. */
  classes: z.array(z.string()).min(1),
  folds: z.array(summaryFoldSchema),
  /** Metrics of all folds' test predictions pooled (sum of confusions). */
  pooled: metricsSchema,
  /** Mean ± sd across folds. */
  meanSd: metricsMeanSdSchema,
  /** Model of the run, e.g. 'yamnet-lstm' or a baseline 'mfcc+rf'. */
  model: z.string().optional(),
  /** 'fine-tune' (whole network trained) or 'frozen' (backbone fixed, head only). */
  mode: z.string(),
  /**
   * What the backbone started from: 'pretrained' weights or 'random' initialisation ('none' for a
   * baseline without YAMNet). Summaries written before it was named so call it `trainFrom`:
   * read them through upgradeRunSummary.
   */
  initialWeights: z.string(),
  weights: weightsProvenanceSchema,
  backend: z.object({ name: z.string(), reason: z.string() }),
  corpus: z.object({
    name: z.string(),
    /** CorpusIndex hash. */
    hash: z.string().optional(),
    utterances: count,
    speakers: count,
    /** Utterances per class. */
    classCounts: z.record(z.string(), count).optional(),
  }),
  scheme: z.object({
    kind: z.enum(['loso', 'kfold', 'cross-corpus']),
    k: z.number().int().positive().optional(),
    valFraction: z.number().min(0).max(1).optional(),
    folds: count,
  }),
  seed: z.number(),
  /** Epochs / learning rate etc. as run, for the protocol comparison; optional. */
  training: z
    .object({
      epochs: z.number().optional(),
      batchSize: z.number().optional(),
      learningRate: z.number().optional(),
      optimizer: z.string().optional(),
    })
    .optional(),
  /** The log-mel form and patch hop the run's features used (absent in runs before they were settings). */
  frontEnd: z.object({ form: z.string(), patchHopSec: z.number() }).optional(),
  createdAt: z.string(),
  /**
   * Per-speaker results and the intervals (bootstrap over test speakers, t over folds); written
   * by runs since they exist, computed from predictions.json when a report reads an older run.
   */
  statistics: runStatisticsSchema.optional(),
  /** A cross-corpus run: its corpora, shared classes and the trained-on × tested-on matrix. */
  crossCorpus: crossCorpusResultSchema.optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

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

/** summary.json as read from any version: upgraded, then checked. */
export const storedRunSummarySchema = z.preprocess(upgradeRunSummary, runSummarySchema);

// ---------------------------------------------------------------------------------------------
// table.json of a baseline grid run

/** One cell of a baseline grid as table.json lists it. */
export interface RunCellEntry {
  id: string;
  featureSet: string;
  classifier: string;
  /** The cell's model name as in its summary ('mfcc+dl+svm'). */
  model: string;
  /** The cell's folder, relative to the run folder. */
  dir: string;
  pooled: Metrics;
  meanSd: MetricsMeanSd;
}

/** table.json: every cell of a baseline run, feature sets outer, classifiers inner. */
export interface RunCellsTable {
  version: 1;
  /** The cell summary.json and folds/ mirror (the first cell). */
  primary: string;
  featureSets: string[];
  classifiers: string[];
  classes: string[];
  cells: RunCellEntry[];
}

// ---------------------------------------------------------------------------------------------
// A fold's metrics.json and history.json

/** folds/fold-NN/metrics.json: the fold's test metrics and how its model was chosen. */
export const foldMetricsSchema = metricsSchema.extend({
  /** 0-based fold index. */
  fold: count,
  testSpeakers: z.array(z.string()),
  /** YAMNet-LSTM folds: the epoch whose model was kept, its validation UAR, early stopping. */
  bestEpoch: z.number().optional(),
  bestValidationAverageAccuracy: rate.optional(),
  stoppedEarly: z.boolean().optional(),
  /** Baseline folds: the SVM's (C, gamma) chosen on validation, the MLP's epochs, fit time. */
  chosen: z.object({ C: z.number(), gamma: z.number(), validationUar: rate }).optional(),
  epochs: z.object({ trained: z.number(), best: z.number() }).optional(),
  trainSeconds: z.number().optional(),
});
export type FoldMetrics = z.infer<typeof foldMetricsSchema>;

/** One training epoch of a fold; losses are null where they were not finite. */
export const epochRecordSchema = z.object({
  /** 1-based. */
  epoch: z.number().int().positive(),
  trainLoss: z.number().nullable(),
  trainAccuracy: rate,
  valLoss: z.number().nullable(),
  valAccuracy: rate,
  valAverageAccuracy: rate,
  /** Wall time of the epoch. */
  seconds: z.number(),
  /** Of which the training steps and the validation pass (runs made before these were recorded lack them). */
  trainSeconds: z.number().optional(),
  validationSeconds: z.number().optional(),
});
export type EpochRecordJson = z.infer<typeof epochRecordSchema>;

/** folds/fold-NN/history.json: every epoch of the fold and the one whose model was kept. */
export const foldHistorySchema = z.object({
  bestEpoch: z.number(),
  epochs: z.array(epochRecordSchema),
});
export type FoldHistory = z.infer<typeof foldHistorySchema>;

// ---------------------------------------------------------------------------------------------
// Paired comparison of two runs (engine/eval/compare.ts)

export const wilcoxonResultSchema = z.object({
  /** min(W+, W−) over the non-zero differences (SciPy's two-sided statistic). */
  statistic: z.number().nullable(),
  /** Sum of ranks of the positive differences. */
  rPlus: z.number().nullable(),
  pValue: z.number().nullable(),
  /** 'exact' (null distribution enumerated) or 'normal' (approximation with tie correction). */
  method: z.enum(['exact', 'normal']),
  /** Non-zero differences used. */
  n: count,
  /** Zero differences, discarded (Wilcoxon's convention). */
  zeros: count,
  /** Why no p-value, when there is none. */
  reason: z.string().optional(),
});
export type WilcoxonResult = z.infer<typeof wilcoxonResultSchema>;

export const signFlipResultSchema = z.object({
  /** Mean of the paired differences. */
  meanDifference: z.number().nullable(),
  pValue: z.number().nullable(),
  /** 'exact': all 2^n sign patterns; 'monte-carlo': `resamples` random patterns (seeded). */
  method: z.enum(['exact', 'monte-carlo']),
  n: count,
  resamples: z.number().optional(),
  seed: z.number().optional(),
});
export type SignFlipResult = z.infer<typeof signFlipResultSchema>;

export const speakerDifferenceSchema = z.object({
  speaker: z.string(),
  sex: z.string(),
  fold: z.number(),
  a: rate,
  b: rate,
  /** a − b; null when either is undefined. */
  difference: z.number().nullable(),
});
export type SpeakerDifference = z.infer<typeof speakerDifferenceSchema>;

export const pairedComparisonSchema = z.object({
  a: z.string(),
  b: z.string(),
  classes: z.array(z.string()),
  speakers: z.array(speakerDifferenceSchema),
  pooled: z.object({
    a: rate,
    b: rate,
    difference: z.number().nullable(),
    /** Paired percentile bootstrap over speakers of pooled UAR(a) − UAR(b). */
    lo: z.number().nullable(),
    hi: z.number().nullable(),
    level: z.number(),
    resamples: count,
    seed: z.number(),
  }),
  /** Mean ± sd and t-interval of the per-speaker differences. */
  meanDifference: foldIntervalSchema,
  wilcoxon: wilcoxonResultSchema,
  signFlip: signFlipResultSchema,
  /** Both pooled confusion matrices and their cell-wise difference a − b. */
  confusion: z.object({
    a: confusionMatrixSchema,
    b: confusionMatrixSchema,
    delta: z.array(z.array(z.number().int())),
  }),
});
export type PairedComparison = z.infer<typeof pairedComparisonSchema>;

/** What results.compare answers: the paired comparison and the config settings that differ. */
export const runComparisonSchema = pairedComparisonSchema.extend({
  configDiff: z.array(z.object({ key: z.string(), a: z.string(), b: z.string() })),
});
export type RunComparison = z.infer<typeof runComparisonSchema>;
