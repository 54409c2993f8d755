import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/tf';
import { trainAndPredict } from './classifiers';
import { voteOf } from './svm-decision';
import { applyStandardizer, fitStandardizer } from './standardize';
import { mulberry32 } from '../util/random';
import { CLASSIFIER_KINDS, type LabelledSet } from './types';

/** Gaussian blobs: class c centred at 3·e_c in the first dims, plus noise dims. */
function blobs(perClass: number, numClasses: number, dim: number, seed: number): LabelledSet {
  const rng = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const x: Float32Array[] = [];
  const y: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    for (let i = 0; i < perClass; i++) {
      const v = Float32Array.from({ length: dim }, (_, d) => (d === c ? 3 : 0) + 0.5 * gauss() + 10);
      x.push(v);
      y.push(c);
    }
  }
  return { x, y };
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('standardisation', () => {
  it('uses the training rows only', () => {
    const train = [Float32Array.of(1, 10), Float32Array.of(3, 10)];
    const s = fitStandardizer(train);
    expect(Array.from(s.mean)).toEqual([2, 10]);
    expect(Array.from(s.sd)).toEqual([1, 1]); // constant feature → sd 1
    expect(applyStandardizer(s, [Float32Array.of(100, 12)])).toEqual([[98, 2]]);
  });
});

describe.each(CLASSIFIER_KINDS)('%s', (kind) => {
  it('separates well-separated classes', async () => {
    const numClasses = 4;
    const data = {
      train: blobs(20, numClasses, 12, 1),
      validation: blobs(6, numClasses, 12, 2),
      test: blobs(10, numClasses, 12, 3),
    };
    const r = await trainAndPredict(kind, data, { seed: 7, numClasses });
    expect(r.predictions).toHaveLength(40);
    expect(r.probabilities).toHaveLength(40);
    for (const p of r.probabilities) {
      expect(p).toHaveLength(numClasses);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    const correct = r.predictions.filter((p, i) => p === data.test.y[i]).length;
    expect(correct / 40).toBeGreaterThanOrEqual(0.95);
    if (kind === 'svm') expect(r.chosen?.validationUar).toBeGreaterThan(0.9);
  });

  it('predicts what its stored probabilities (RF, MLP) or decision values (SVM) say, also on close calls', async () => {
    // Close calls are where libsvm's one-vs-one vote and its Platt probabilities disagree.
    const numClasses = 4;
    const noisy = (set: LabelledSet): LabelledSet => ({
      x: set.x.map((v, i) => v.map((x, d) => x + (d < numClasses ? 2.5 * Math.sin(i * 7.1 + d) : 0))),
      y: set.y,
    });
    const data = {
      train: noisy(blobs(15, numClasses, 8, 11)),
      validation: noisy(blobs(5, numClasses, 8, 12)),
      test: noisy(blobs(16, numClasses, 8, 13)),
    };
    const r = await trainAndPredict(kind, data, { seed: 3, numClasses });
    const argmax = (p: number[]) => p.indexOf(Math.max(...p));
    if (kind === 'svm') {
      // The SVM's label is the vote over its stored decision values (and libsvm's own vote).
      const d = r.decision!;
      expect(d.rule).toMatch(/one-vs-one vote/);
      expect(r.predictions).toEqual(d.pairs.map((p) => voteOf(p, d.labelOrder)));
      expect(d.pairs[0]).toHaveLength((numClasses * (numClasses - 1)) / 2);
    } else {
      expect(r.predictions).toEqual(r.probabilities.map(argmax));
    }
    // The data are hard enough that some test predictions are wrong (close calls exist).
    expect(r.predictions.some((p, i) => p !== data.test.y[i])).toBe(true);
  });

  it('predicts each test vector independently of the other test vectors (no test statistics leak)', async () => {
    // If the scaler (or anything else) were fitted with test vectors, adding far-away test
    // vectors would move the others' standardised values and change their predictions.
    const numClasses = 3;
    const train = blobs(15, numClasses, 6, 11);
    const validation = blobs(5, numClasses, 6, 12);
    const test = blobs(8, numClasses, 6, 13);
    const outliers = Array.from({ length: 30 }, (_, i) => Float32Array.from({ length: 6 }, () => 1000 + i));
    const a = await trainAndPredict(kind, { train, validation, test }, { seed: 3, numClasses });
    const b = await trainAndPredict(
      kind,
      { train, validation, test: { x: [...test.x, ...outliers] } },
      { seed: 3, numClasses },
    );
    expect(b.predictions.slice(0, test.x.length)).toEqual(a.predictions);
    b.probabilities.slice(0, test.x.length).forEach((p, i) => {
      p.forEach((v, c) => expect(v).toBeCloseTo(a.probabilities[i][c], 5));
    });
  });
});

describe('random forest', () => {
  it('learns an axis-aligned XOR, which needs splits on two features in sequence', async () => {
    const rng = mulberry32(21);
    const make = (n: number): LabelledSet => {
      const x: Float32Array[] = [];
      const y: number[] = [];
      for (let i = 0; i < n; i++) {
        const a = rng() - 0.5;
        const b = rng() - 0.5;
        x.push(Float32Array.of(a, b, rng(), rng()));
        y.push(a > 0 !== b > 0 ? 1 : 0);
      }
      return { x, y };
    };
    const test = make(100);
    const r = await trainAndPredict(
      'rf',
      { train: make(300), validation: make(0), test },
      { seed: 1, numClasses: 2 },
    );
    const correct = r.predictions.filter((p, i) => p === test.y[i]).length;
    expect(correct).toBeGreaterThanOrEqual(90);
  });
});

describe('svm', () => {
  it('leaves no process-wide unhandledRejection handler behind (libsvm-js installs one that exits)', async () => {
    const before = process.listeners('unhandledRejection').length;
    const data = { train: blobs(5, 2, 3, 31), validation: blobs(2, 2, 3, 32), test: blobs(2, 2, 3, 33) };
    await trainAndPredict('svm', data, { seed: 1, numClasses: 2 });
    expect(process.listeners('unhandledRejection').length).toBe(before);
  });
});
