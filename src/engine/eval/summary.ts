import { metricsFromConfusion, sumConfusions, type Metrics } from './metrics';
import type { FoldResult, MeanSd, MetricsMeanSd, RunMetadata, RunSummary } from './types';

/** Mean and sample sd of the defined values (nulls and NaN skipped). */
export function meanSd(values: (number | null | undefined)[]): MeanSd {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: null, sd: null, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, sd: null, n };
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, sd: Math.sqrt(variance), n };
}

/** Mean ± sd across folds of every scalar metric and every class accuracy. */
export function metricsMeanSd(classes: string[], perFold: Metrics[]): MetricsMeanSd {
  const classAccuracy: Record<string, MeanSd> = {};
  for (const c of classes) classAccuracy[c] = meanSd(perFold.map((m) => m.classAccuracy[c]));
  return {
    averageAccuracy: meanSd(perFold.map((m) => m.averageAccuracy)),
    weightedAccuracy: meanSd(perFold.map((m) => m.weightedAccuracy)),
    macroF1: meanSd(perFold.map((m) => m.macroF1)),
    classAccuracy,
  };
}

/**
 * The results part of a RunSummary. `pooled` defaults to the metrics of the summed per-fold
 * confusion matrices, which is what pooling all test predictions gives.
 */
export function summarizeRun(
  folds: FoldResult[],
  pooled?: Metrics,
): Pick<RunSummary, 'classes' | 'folds' | 'pooled' | 'meanSd'> {
  if (folds.length === 0) throw new Error('summarizeRun: no folds');
  const classes = folds[0].metrics.confusion.labels;
  const sorted = [...folds].sort((a, b) => a.index - b.index);
  const perFold = sorted.map((f) => f.metrics);
  return {
    classes: [...classes],
    folds: sorted,
    pooled: pooled ?? metricsFromConfusion(sumConfusions(perFold.map((m) => m.confusion))),
    meanSd: metricsMeanSd(classes, perFold),
  };
}

/** A complete RunSummary: results from the folds plus the runner's metadata. */
export function buildRunSummary(folds: FoldResult[], meta: RunMetadata, pooled?: Metrics): RunSummary {
  return { version: 1, ...summarizeRun(folds, pooled), ...meta };
}
