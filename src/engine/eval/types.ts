import type { Metrics } from './metrics';
import type { RunStatistics } from './speakers';
import type { CrossCorpusResult } from '../../shared/cross-corpus';

export type { Metrics, ConfusionMatrix } from './metrics';

/** Mean and sample standard deviation of one metric across folds (folds where it is defined). */
export interface MeanSd {
  mean: number | null;
  /** Sample sd (n - 1); null with fewer than two folds. */
  sd: number | null;
  /** Number of folds that contributed (a fold lacking a class does not count for that class). */
  n: number;
}

export interface MetricsMeanSd {
  averageAccuracy: MeanSd;
  weightedAccuracy: MeanSd;
  macroF1: MeanSd;
  classAccuracy: Record<string, MeanSd>;
}

export interface FoldResult {
  /** Fold index as in folds.json (0-based). */
  index: number;
  testSpeakers: string[];
  metrics: Metrics;
}

/** Where the YAMNet weights came from, with their hashes (H3's WeightsProvenance). */
export interface WeightsProvenance {
  /** 'none': no YAMNet was used (baseline features without +dl). */
  source: 'official-tfhub' | 'official-h5' | 'reconstructed' | 'user' | 'random' | 'none';
  files: { name: string; sha256: string }[];
}

export type TrainMode = 'fine-tune' | 'frozen' | (string & {});

/** What `summary.json` of a run holds: per-fold and pooled results plus what made them. */
export interface RunSummary {
  version: 1;
  /** Class order used by every confusion matrix and index in the run. */
  classes: string[];
  folds: FoldResult[];
  /** Metrics of all folds' test predictions pooled (sum of confusions). */
  pooled: Metrics;
  /** Mean ± sd across folds. */
  meanSd: MetricsMeanSd;

  /** Model of the run, e.g. 'yamnet-lstm' or a baseline 'mfcc+rf'. */
  model?: string;
  /** 'fine-tune' (whole network trained) or 'frozen' (backbone fixed, head only). */
  mode: TrainMode;
  /**
   * What the backbone started from: 'pretrained' weights or 'random' initialisation ('none' for
   * a baseline without YAMNet). Summaries written before it was named so call it `trainFrom`;
   * readers go through upgradeRunSummary (eval/schema.ts).
   */
  initialWeights: 'pretrained' | 'random' | (string & {});
  weights: WeightsProvenance;
  backend: { name: string; reason: string };
  corpus: {
    name: string;
    /** CorpusIndex hash. */
    hash?: string;
    utterances: number;
    speakers: number;
    /** Utterances per class. */
    classCounts?: Record<string, number>;
  };
  scheme: { kind: 'loso' | 'kfold' | 'cross-corpus'; k?: number; valFraction?: number; folds: number };
  seed: number;
  /** Epochs / learning rate etc. as run, for the protocol comparison; optional. */
  training?: { epochs?: number; batchSize?: number; learningRate?: number; optimizer?: string };
  /** The log-mel form and patch hop the run's features used (absent in runs before they were settings). */
  frontEnd?: { form: string; patchHopSec: number };
  createdAt: string;
  /**
   * Per-speaker results and the intervals (bootstrap over test speakers, t over folds); written
   * by runs since they exist, computed from predictions.json when a report reads an older run.
   */
  statistics?: RunStatistics;
  /** A cross-corpus run: its corpora, shared classes and the trained-on × tested-on matrix. */
  crossCorpus?: CrossCorpusResult;
}

/** The metadata a runner supplies; results come from summarizeRun. */
export type RunMetadata = Omit<
  RunSummary,
  'version' | 'classes' | 'folds' | 'pooled' | 'meanSd' | 'statistics' | 'crossCorpus'
>;
