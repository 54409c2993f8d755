/**
 * Results per test speaker, and the run-level statistics built on them: the bootstrap interval of
 * pooled UAR over speakers and the t-interval over folds. Inputs are the folds' per-utterance
 * predictions (predictions.json) and each speaker's sex from the corpus index.
 */
import { confusionMatrix, metricsFromConfusion } from './metrics';
import { bootstrapPooledUar, foldInterval } from './stats';
import type { FoldGroupResult, RunStatistics, SpeakerResult } from '@shared/run-results';

/** What a prediction row must hold (the runner's PredictionRow fits). */
export interface SpeakerPrediction {
  speaker: string;
  true: string;
  predicted: string;
}

export type { SpeakerResult, FoldGroupResult, RunStatistics };

/** Per speaker of every fold: the confusion matrix and UAR of their test utterances. */
export function speakerResults(
  classes: readonly string[],
  folds: readonly { fold: number; predictions: readonly SpeakerPrediction[] }[],
  sexOf: (speaker: string) => string,
): SpeakerResult[] {
  const index = new Map(classes.map((c, i) => [c, i]));
  const out: SpeakerResult[] = [];
  for (const { fold, predictions } of folds) {
    const bySpeaker = new Map<string, SpeakerPrediction[]>();
    for (const p of predictions) {
      if (!bySpeaker.has(p.speaker)) bySpeaker.set(p.speaker, []);
      bySpeaker.get(p.speaker)!.push(p);
    }
    for (const [speaker, rows] of bySpeaker) {
      const at = (label: string, what: string) => {
        const i = index.get(label);
        if (i === undefined) {
          throw new Error(
            `fold ${fold + 1}, speaker ${speaker}: ${what} class '${label}' is not one of ${classes.join(', ')}`,
          );
        }
        return i;
      };
      const cm = confusionMatrix(
        [...classes],
        rows.map((r) => at(r.true, 'true')),
        rows.map((r) => at(r.predicted, 'predicted')),
      );
      const m = metricsFromConfusion(cm);
      out.push({
        speaker,
        sex: sexOf(speaker),
        fold,
        n: m.n,
        averageAccuracy: m.averageAccuracy,
        weightedAccuracy: m.weightedAccuracy,
        confusion: cm,
      });
    }
  }
  return out.sort((a, b) => a.fold - b.fold || a.speaker.localeCompare(b.speaker, 'en', { numeric: true }));
}

/** Per fold: its speakers (with a count per sex) and the UAR of their utterances together. */
export function foldGroupResults(perSpeaker: readonly SpeakerResult[]): FoldGroupResult[] {
  const byFold = new Map<number, SpeakerResult[]>();
  for (const s of perSpeaker) {
    if (!byFold.has(s.fold)) byFold.set(s.fold, []);
    byFold.get(s.fold)!.push(s);
  }
  return [...byFold.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([fold, rows]) => {
      const sexes: Record<string, number> = {};
      for (const r of rows) sexes[r.sex] = (sexes[r.sex] ?? 0) + 1;
      const m = metricsFromConfusion({
        labels: rows[0].confusion.labels,
        matrix: rows[0].confusion.labels.map((_, i) =>
          rows[0].confusion.labels.map((__, j) => rows.reduce((a, r) => a + r.confusion.matrix[i][j], 0)),
        ),
      });
      return {
        fold,
        speakers: rows.map((r) => r.speaker),
        sexes,
        n: m.n,
        averageAccuracy: m.averageAccuracy,
      };
    });
}

/**
 * The statistics a run's summary carries: per-speaker and per-fold-group results, the 95 %
 * bootstrap interval of pooled UAR over test speakers (seeded by the run's seed), and the
 * t-interval of the mean fold UAR.
 */
export function runStatistics(
  perSpeaker: SpeakerResult[],
  foldUars: readonly (number | null)[],
  opts: { seed: number; resamples?: number; level?: number },
): RunStatistics {
  return {
    perSpeaker,
    foldGroups: foldGroupResults(perSpeaker),
    pooledAverageAccuracy: bootstrapPooledUar(
      perSpeaker.map((s) => s.confusion),
      opts,
    ),
    foldAverageAccuracy: foldInterval(foldUars, opts.level),
  };
}
