/**
 * Paired comparison of two runs over the same test speakers: per-speaker UAR differences, the
 * Wilcoxon signed-rank and the exact sign-flip test over speakers, the interval of the mean
 * difference, and a paired bootstrap of the pooled-UAR difference (the same resampled speakers
 * for both runs). A pairing only means something when both runs tested each speaker with a model
 * that never saw them in the same fold structure, so runs whose folds differ are refused.
 */
import { metricsFromConfusion, sumConfusions, type ConfusionMatrix } from './metrics';
import type { SpeakerResult } from './speakers';
import { bootstrapPercentile, foldInterval, signFlipTest, wilcoxonSignedRank } from './stats';
import type { PairedComparison, SpeakerDifference } from '@shared/run-results';

/** What the comparison needs of one run. */
export interface ComparableRun {
  label: string;
  classes: string[];
  corpusHash?: string;
  corpusName: string;
  /** Test speakers per fold, by fold index. */
  folds: { index: number; testSpeakers: string[] }[];
  perSpeaker: SpeakerResult[];
  pooledConfusion: ConfusionMatrix;
}

export class ComparisonRefused extends Error {
  constructor(reason: string) {
    super(`runs cannot be compared pairwise: ${reason}`);
    this.name = 'ComparisonRefused';
  }
}

export type { SpeakerDifference, PairedComparison };

/** Why two runs cannot be paired, or null when they can. */
export function pairingProblem(a: ComparableRun, b: ComparableRun): string | null {
  if (a.classes.join() !== b.classes.join()) {
    return `classes differ (${a.label}: ${a.classes.join(', ')}; ${b.label}: ${b.classes.join(', ')})`;
  }
  if (a.corpusHash && b.corpusHash && a.corpusHash !== b.corpusHash) {
    return `corpus indexes differ (${a.label}: ${a.corpusName} ${a.corpusHash.slice(0, 12)}; ${b.label}: ${b.corpusName} ${b.corpusHash.slice(0, 12)})`;
  }
  if (a.folds.length !== b.folds.length) {
    return `number of folds differs (${a.label}: ${a.folds.length}; ${b.label}: ${b.folds.length})`;
  }
  const bFolds = new Map(b.folds.map((f) => [f.index, f.testSpeakers]));
  for (const f of a.folds) {
    const other = bFolds.get(f.index);
    const sa = [...f.testSpeakers].sort().join(',');
    const sb = other ? [...other].sort().join(',') : '(missing)';
    if (sa !== sb) {
      return `fold ${f.index + 1} tests speakers ${sa} in ${a.label} but ${sb} in ${b.label}`;
    }
  }
  return null;
}

const uar = (cms: ConfusionMatrix[]) => metricsFromConfusion(sumConfusions(cms)).averageAccuracy;

/** Compares run `a` with run `b` (differences are a − b); throws ComparisonRefused when folds differ. */
export function comparePairedRuns(
  a: ComparableRun,
  b: ComparableRun,
  opts: { seed?: number; resamples?: number; level?: number } = {},
): PairedComparison {
  const problem = pairingProblem(a, b);
  if (problem) throw new ComparisonRefused(problem);
  const seed = opts.seed ?? 0;
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const bBySpeaker = new Map(b.perSpeaker.map((s) => [s.speaker, s]));
  const pairs = a.perSpeaker.map((sa) => {
    const sb = bBySpeaker.get(sa.speaker);
    if (!sb)
      throw new ComparisonRefused(`speaker ${sa.speaker} has results in ${a.label} but not in ${b.label}`);
    return { sa, sb };
  });
  if (pairs.length !== b.perSpeaker.length) {
    throw new ComparisonRefused(`${b.label} has speakers ${a.label} lacks`);
  }
  const speakers: SpeakerDifference[] = pairs.map(({ sa, sb }) => ({
    speaker: sa.speaker,
    sex: sa.sex,
    fold: sa.fold,
    a: sa.averageAccuracy,
    b: sb.averageAccuracy,
    difference:
      sa.averageAccuracy === null || sb.averageAccuracy === null
        ? null
        : sa.averageAccuracy - sb.averageAccuracy,
  }));
  const diffs = speakers.map((s) => s.difference).filter((d): d is number => d !== null);
  const pooledA = uar(pairs.map((p) => p.sa.confusion));
  const pooledB = uar(pairs.map((p) => p.sb.confusion));
  const boot = bootstrapPercentile(
    pairs,
    (sample) => {
      const ua = uar(sample.map((p) => p.sa.confusion));
      const ub = uar(sample.map((p) => p.sb.confusion));
      return ua === null || ub === null ? null : ua - ub;
    },
    { seed, resamples, level },
  );
  const ca = a.pooledConfusion;
  const cb = b.pooledConfusion;
  return {
    a: a.label,
    b: b.label,
    classes: a.classes,
    speakers,
    pooled: {
      a: pooledA,
      b: pooledB,
      difference: pooledA === null || pooledB === null ? null : pooledA - pooledB,
      lo: boot.lo,
      hi: boot.hi,
      level,
      resamples,
      seed,
    },
    meanDifference: foldInterval(diffs, level),
    wilcoxon: wilcoxonSignedRank(diffs),
    signFlip: signFlipTest(diffs, { seed }),
    confusion: { a: ca, b: cb, delta: ca.matrix.map((row, i) => row.map((v, j) => v - cb.matrix[i][j])) },
  };
}
