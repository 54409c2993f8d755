/**
 * The run-level statistics (per-speaker results, bootstrap and fold intervals) from a run folder's
 * files: each fold's predictions.json and the speakers' sex from index.json. The runner stores
 * them in summary.json; reports compute them the same way for runs written before they existed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runStatistics, speakerResults, type RunStatistics, type SpeakerPrediction } from '../eval';
import type { RunSummary } from '../eval/types';
import { readJson } from '../util/atomic';
import { foldDir } from './store';

/** Bootstrap resamples of the pooled-UAR interval (2000: the percentile ends move < 0.005). */
export const STATISTICS_RESAMPLES = 2000;

/** Speaker → sex from a corpus index's utterances ('unknown' where not known). */
export function sexLookup(
  utterances: readonly { speaker: string; sex?: string }[],
): (speaker: string) => string {
  const map = new Map(utterances.map((u) => [u.speaker, u.sex ?? 'unknown']));
  return (speaker) => map.get(speaker) ?? 'unknown';
}

/**
 * Statistics of one model's folds; `foldDirOf(i)` is the folder holding fold i's predictions.json.
 * Null when a fold has no predictions file (an unfinished or foreign run folder).
 */
export function computeRunStatistics(
  summary: Pick<RunSummary, 'classes' | 'folds' | 'seed'>,
  foldDirOf: (fold: number) => string,
  sexOf: (speaker: string) => string,
): RunStatistics | null {
  const folds: { fold: number; predictions: SpeakerPrediction[] }[] = [];
  for (const f of summary.folds) {
    const file = path.join(foldDirOf(f.index), 'predictions.json');
    if (!fs.existsSync(file)) return null;
    folds.push({ fold: f.index, predictions: readJson<SpeakerPrediction[]>(file) });
  }
  return runStatistics(
    speakerResults(summary.classes, folds, sexOf),
    summary.folds.map((f) => f.metrics.averageAccuracy),
    { seed: summary.seed, resamples: STATISTICS_RESAMPLES },
  );
}

/**
 * The summary with its statistics: as stored, or computed from the run folder (`modelDir` is the
 * run folder or a baseline cell's folder) when an older run lacks them.
 */
export function withStatistics(runDir: string, summary: RunSummary, modelDir = runDir): RunSummary {
  if (summary.statistics) return summary;
  const indexFile = path.join(runDir, 'index.json');
  const utterances = fs.existsSync(indexFile)
    ? (readJson<{ utterances?: { speaker: string; sex?: string }[] }>(indexFile).utterances ?? [])
    : [];
  const statistics = computeRunStatistics(summary, (i) => foldDir(modelDir, i), sexLookup(utterances));
  return statistics ? { ...summary, statistics } : summary;
}
