import { describe, expect, it } from 'vitest';
import { computeMetrics, confusionMatrix, poolMetrics, sumConfusions } from './metrics';
import { meanSd, summarizeRun } from './summary';
import { lcg32 } from '../util/random';

const classes = ['angry', 'happy', 'sad', 'neutral'];

describe('computeMetrics', () => {
  it('matches a hand-computed example', () => {
    // angry: 3 utterances, 2 right, 1 called happy; happy: 2, 1 right, 1 called sad;
    // sad: 1, right; neutral: 2, both called sad.
    const yTrue = [0, 0, 0, 1, 1, 2, 3, 3];
    const yPred = [0, 0, 1, 1, 2, 2, 2, 2];
    const m = computeMetrics(classes, yTrue, yPred);
    expect(m.n).toBe(8);
    expect(m.confusion.matrix).toEqual([
      [2, 1, 0, 0],
      [0, 1, 1, 0],
      [0, 0, 1, 0],
      [0, 0, 2, 0],
    ]);
    expect(m.classAccuracy).toEqual({ angry: 2 / 3, happy: 0.5, sad: 1, neutral: 0 });
    expect(m.averageAccuracy).toBeCloseTo((2 / 3 + 0.5 + 1 + 0) / 4, 12);
    expect(m.weightedAccuracy).toBeCloseTo(4 / 8, 12);
    // F1 = 2tp/(actual + predicted): angry 4/5, happy 2/4, sad 2/(1+4), neutral 0 (never predicted)
    expect(m.classF1.angry).toBeCloseTo(0.8, 12);
    expect(m.classF1.happy).toBeCloseTo(0.5, 12);
    expect(m.classF1.sad).toBeCloseTo(0.4, 12);
    expect(m.classF1.neutral).toBe(0);
    expect(m.macroF1).toBeCloseTo((0.8 + 0.5 + 0.4 + 0) / 4, 12);
    expect(m.classPrecision.neutral).toBeNull();
    expect(m.classPrecision.sad).toBeCloseTo(1 / 4, 12);
  });

  it('gives 1 for a perfect classifier', () => {
    const y = [0, 1, 2, 3, 3, 2, 1, 0, 0];
    const m = computeMetrics(classes, y, y);
    expect(m.averageAccuracy).toBe(1);
    expect(m.weightedAccuracy).toBe(1);
    expect(m.macroF1).toBe(1);
    for (const c of classes) expect(m.classAccuracy[c]).toBe(1);
  });

  it('is invariant to the order of the utterances', () => {
    const rand = lcg32(7);
    const yTrue = Array.from({ length: 200 }, () => Math.floor(rand() * 4));
    const yPred = yTrue.map((t) => (rand() < 0.6 ? t : Math.floor(rand() * 4)));
    const order = yTrue.map((_, i) => i).sort(() => rand() - 0.5);
    const a = computeMetrics(classes, yTrue, yPred);
    const b = computeMetrics(
      classes,
      order.map((i) => yTrue[i]),
      order.map((i) => yPred[i]),
    );
    expect(b).toEqual(a);
  });

  it('is equivariant to renaming the classes', () => {
    const rand = lcg32(11);
    const yTrue = Array.from({ length: 100 }, () => Math.floor(rand() * 4));
    const yPred = yTrue.map((t) => (rand() < 0.5 ? t : Math.floor(rand() * 4)));
    const perm = [2, 0, 3, 1]; // old class i becomes new index perm[i]
    const renamed: string[] = [];
    perm.forEach((p, i) => (renamed[p] = classes[i]));
    const a = computeMetrics(classes, yTrue, yPred);
    const b = computeMetrics(
      renamed,
      yTrue.map((t) => perm[t]),
      yPred.map((p) => perm[p]),
    );
    expect(b.averageAccuracy).toBeCloseTo(a.averageAccuracy!, 12);
    expect(b.weightedAccuracy).toBeCloseTo(a.weightedAccuracy!, 12);
    expect(b.macroF1).toBeCloseTo(a.macroF1!, 12);
    for (const c of classes) expect(b.classAccuracy[c]).toBeCloseTo(a.classAccuracy[c]!, 12);
  });

  it('separates UAR from weighted accuracy on imbalanced data', () => {
    // 90 angry all right, 10 sad all called angry: overall 0.9, UAR (1 + 0) / 2 = 0.5.
    const yTrue = [...Array(90).fill(0), ...Array(10).fill(1)];
    const yPred = Array(100).fill(0);
    const m = computeMetrics(['angry', 'sad'], yTrue, yPred);
    expect(m.weightedAccuracy).toBeCloseTo(0.9, 12);
    expect(m.averageAccuracy).toBeCloseTo(0.5, 12);
  });

  it('reports a class absent from the test set as null and leaves it out of the averages', () => {
    const m = computeMetrics(classes, [0, 0, 1, 2], [0, 1, 1, 3]);
    expect(m.classAccuracy.neutral).toBeNull();
    expect(m.classF1.neutral).toBeNull();
    expect(m.averageAccuracy).toBeCloseTo((0.5 + 1 + 0) / 3, 12);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it('has null averages for an empty test set and rejects bad indices', () => {
    const m = computeMetrics(classes, [], []);
    expect(m.n).toBe(0);
    expect(m.averageAccuracy).toBeNull();
    expect(m.weightedAccuracy).toBeNull();
    expect(() => computeMetrics(classes, [4], [0])).toThrow(/out of range/);
    expect(() => computeMetrics(classes, [0, 1], [0])).toThrow(/predictions/);
  });
});

describe('pooling and fold summaries', () => {
  it('pooled confusion equals the sum of per-fold confusions and equals metrics of all predictions', () => {
    const rand = lcg32(3);
    const allTrue: number[] = [];
    const allPred: number[] = [];
    const perFold = [0, 1, 2, 3, 4].map(() => {
      const yTrue = Array.from({ length: 20 + Math.floor(rand() * 30) }, () => Math.floor(rand() * 4));
      const yPred = yTrue.map((t) => (rand() < 0.7 ? t : Math.floor(rand() * 4)));
      allTrue.push(...yTrue);
      allPred.push(...yPred);
      return computeMetrics(classes, yTrue, yPred);
    });
    const pooled = poolMetrics(perFold);
    expect(pooled.confusion).toEqual(sumConfusions(perFold.map((m) => m.confusion)));
    expect(pooled).toEqual(computeMetrics(classes, allTrue, allPred));
    expect(pooled.n).toBe(perFold.reduce((a, m) => a + m.n, 0));
  });

  it('mean ± sd uses the sample sd and skips folds where a value is undefined', () => {
    expect(meanSd([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3), n: 4 });
    expect(meanSd([0.5, null, NaN])).toEqual({ mean: 0.5, sd: null, n: 1 });
    expect(meanSd([])).toEqual({ mean: null, sd: null, n: 0 });
  });

  it('summarizeRun gives per-class mean ± sd over the folds that have the class', () => {
    const f0 = computeMetrics(classes, [0, 1, 2, 3], [0, 1, 2, 3]);
    const f1 = computeMetrics(classes, [0, 1, 2], [1, 1, 2]);
    const s = summarizeRun([
      { index: 1, testSpeakers: ['s2'], metrics: f1 },
      { index: 0, testSpeakers: ['s1'], metrics: f0 },
    ]);
    expect(s.folds.map((f) => f.index)).toEqual([0, 1]);
    expect(s.meanSd.classAccuracy.neutral).toEqual({ mean: 1, sd: null, n: 1 });
    expect(s.meanSd.classAccuracy.angry.mean).toBe(0.5);
    expect(s.meanSd.averageAccuracy.mean).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(s.pooled.confusion.matrix[0]).toEqual([1, 1, 0, 0]);
    expect(confusionMatrix(classes, [3], [3]).matrix[3][3]).toBe(1);
  });
});
