import { describe, expect, it } from 'vitest';
import { comparePairedRuns, ComparisonRefused, type ComparableRun } from './compare';
import { sumConfusions } from './metrics';
import { foldGroupResults, runStatistics, speakerResults, type SpeakerPrediction } from './speakers';
import { signFlipTest, wilcoxonSignedRank } from './stats';

const classes = ['angry', 'sad'];
const sex: Record<string, string> = { s1: 'female', s2: 'male', s3: 'female', s4: 'male' };

/** Predictions of speaker `sp`: `right[c]` of 4 utterances of class c predicted correctly. */
function speaker(sp: string, right: [number, number]): SpeakerPrediction[] {
  return classes.flatMap((c, ci) =>
    [0, 1, 2, 3].map((k) => ({ speaker: sp, true: c, predicted: k < right[ci] ? c : classes[1 - ci] })),
  );
}

function run(
  label: string,
  perSpeakerRight: [number, number][],
  testSpeakers = [['s1'], ['s2'], ['s3'], ['s4']],
): ComparableRun {
  const folds = testSpeakers.map((t, i) => ({ index: i, testSpeakers: t }));
  const perSpeaker = speakerResults(
    classes,
    folds.map((f) => ({
      fold: f.index,
      predictions: f.testSpeakers.flatMap((s) => speaker(s, perSpeakerRight[Number(s.slice(1)) - 1])),
    })),
    (s) => sex[s],
  );
  return {
    label,
    classes,
    corpusName: 'toy',
    corpusHash: 'h',
    folds,
    perSpeaker,
    pooledConfusion: sumConfusions(perSpeaker.map((s) => s.confusion)),
  };
}

describe('per-speaker results', () => {
  it('gives each speaker their UAR, sex and fold, and the fold groups their sex counts', () => {
    const r = run(
      'a',
      [
        [4, 2],
        [3, 3],
        [1, 4],
        [2, 2],
      ],
      [
        ['s1', 's2'],
        ['s3', 's4'],
      ],
    );
    expect(r.perSpeaker.map((s) => [s.speaker, s.sex, s.fold, s.n, s.averageAccuracy])).toEqual([
      ['s1', 'female', 0, 8, 0.75],
      ['s2', 'male', 0, 8, 0.75],
      ['s3', 'female', 1, 8, 0.625],
      ['s4', 'male', 1, 8, 0.5],
    ]);
    const groups = foldGroupResults(r.perSpeaker);
    expect(groups[1]).toEqual({
      fold: 1,
      speakers: ['s3', 's4'],
      sexes: { female: 1, male: 1 },
      n: 16,
      averageAccuracy: 0.5625,
    });
    const stats = runStatistics(r.perSpeaker, [0.75, 0.5625], { seed: 1, resamples: 200 });
    expect(stats.pooledAverageAccuracy.estimate).toBeCloseTo((4 + 3 + 1 + 2 + 2 + 3 + 4 + 2) / 32, 12);
    expect(stats.foldAverageAccuracy.mean).toBeCloseTo(0.65625, 12);
  });

  it('names the fold and speaker of a prediction whose class is not in the run', () => {
    expect(() =>
      speakerResults(
        classes,
        [{ fold: 2, predictions: [{ speaker: 'x', true: 'happy', predicted: 'sad' }] }],
        () => 'unknown',
      ),
    ).toThrow(/fold 3, speaker x: true class 'happy'/);
  });
});

describe('paired comparison of two runs', () => {
  const a = run('A', [
    [4, 4],
    [3, 3],
    [4, 2],
    [2, 3],
  ]);
  const b = run('B', [
    [2, 3],
    [3, 1],
    [2, 2],
    [2, 2],
  ]);

  it('pairs speakers, and its tests are the stats module’s on the per-speaker differences', () => {
    const c = comparePairedRuns(a, b, { seed: 4, resamples: 500 });
    expect(c.speakers.map((s) => s.difference)).toEqual([0.375, 0.25, 0.25, 0.125]);
    expect(c.pooled.a).toBeCloseTo(25 / 32, 12);
    expect(c.pooled.b).toBeCloseTo(17 / 32, 12);
    expect(c.pooled.difference).toBeCloseTo(0.25, 12);
    expect(c.pooled.lo!).toBeLessThanOrEqual(0.25);
    expect(c.pooled.hi!).toBeGreaterThanOrEqual(0.25);
    expect(c.wilcoxon).toEqual(wilcoxonSignedRank([0.375, 0.25, 0.25, 0.125]));
    // All four differences positive: the sign-flip p is 2/16.
    expect(c.signFlip).toEqual(signFlipTest([0.375, 0.25, 0.25, 0.125]));
    expect(c.signFlip.pValue).toBeCloseTo(0.125, 12);
    expect(c.confusion.delta).toEqual([
      [13 - 9, 3 - 7],
      [4 - 8, 12 - 8],
    ]);
  });

  it('refuses runs whose folds differ, saying which fold and speakers', () => {
    const other = run(
      'C',
      [
        [4, 4],
        [3, 3],
        [4, 2],
        [2, 3],
      ],
      [['s1'], ['s3'], ['s2'], ['s4']],
    );
    expect(() => comparePairedRuns(a, other)).toThrow(ComparisonRefused);
    expect(() => comparePairedRuns(a, other)).toThrow(/fold 2 tests speakers s2 in A but s3 in C/);
    expect(() => comparePairedRuns(a, { ...b, classes: ['angry', 'happy'] })).toThrow(/classes differ/);
    expect(() => comparePairedRuns(a, { ...b, corpusHash: 'other' })).toThrow(/corpus indexes differ/);
  });
});
