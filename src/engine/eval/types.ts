/**
 * The types of a run's results. They are the shared schemas' inferred types
 * (src/shared/run-results.ts), so summary.json as the engine writes it, as the contract carries it
 * and as the renderer reads it is one type.
 */
import type { RunSummary, WEIGHTS_SOURCES, WeightsProvenanceRecord } from '@shared/run-results';

export type { Metrics, ConfusionMatrix } from './metrics';
export type {
  MeanSd,
  MetricsMeanSd,
  SummaryFold as FoldResult,
  RunSummary,
  FoldMetrics,
  FoldHistory,
} from '@shared/run-results';

/**
 * Where the YAMNet weights came from, with their hashes, as this version writes it (a summary
 * read back may name a source of a newer version: RunSummary['weights'] is any string).
 */
export interface WeightsProvenance extends WeightsProvenanceRecord {
  /** 'none': no YAMNet was used (baseline features without +dl). */
  source: (typeof WEIGHTS_SOURCES)[number];
}

export type TrainMode = 'fine-tune' | 'frozen' | (string & {});

/** The metadata a runner supplies; results come from summarizeRun. */
export type RunMetadata = Omit<
  RunSummary,
  'version' | 'classes' | 'folds' | 'pooled' | 'meanSd' | 'statistics' | 'crossCorpus'
>;
