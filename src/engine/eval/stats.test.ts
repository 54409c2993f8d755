import { describe, expect, it } from 'vitest';
import { normalSf, studentTQuantile } from './distributions';
import { metricsFromConfusion, sumConfusions, type ConfusionMatrix } from './metrics';
import { bootstrapPooledUar, foldInterval, lowerQuantile, signFlipTest, wilcoxonSignedRank } from './stats';

// Reference numbers computed with SciPy 1.10.1 (Debian's python3-scipy) for these exact inputs:
//   stats.wilcoxon(d), stats.wilcoxon(d, method='approx'),
//   stats.permutation_test((d,), np.mean, permutation_type='samples', n_resamples=np.inf),
//   stats.t.interval(0.95, n-1, loc=mean, scale=sd/sqrt(n)), stats.t.ppf, stats.norm.sf.
const D10 = [0.12, -0.05, 0.31, 0.08, -0.21, 0.17, 0.26, 0.03, -0.11, 0.22];
const D16 = [
  0.083, 0.125, -0.042, 0.167, 0.208, -0.25, 0.292, 0.333, 0.375, -0.417, 0.458, 0.5, 0.021, -0.063, 0.104,
  0.146,
];
const D24 = [...D16, ...[-0.188, 0.229, 0.271, 0.313, -0.354, 0.396, 0.438, 0.479]];
/** Ties and zeros: SciPy's normal approximation. */
const DTIES = [0.25, 0.25, -0.125, 0, 0.5, 0.125, -0.25, 0.375, 0, 0.125, 0.25, -0.125];

describe('distributions', () => {
  it('match SciPy: t quantiles and the normal tail', () => {
    expect(studentTQuantile(0.975, 23)).toBeCloseTo(2.0686576104190406, 10);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302652729911275, 8);
    expect(normalSf(1.5)).toBeCloseTo(0.06680720126885807, 12);
  });
});

describe('Wilcoxon signed-rank (against SciPy)', () => {
  it('exact null distribution without ties or zeros', () => {
    const r10 = wilcoxonSignedRank(D10);
    expect(r10.method).toBe('exact');
    expect(r10.statistic).toBe(13);
    expect(r10.pValue).toBeCloseTo(0.16015625, 12);
    const r16 = wilcoxonSignedRank(D16);
    expect(r16.statistic).toBe(29);
    expect(r16.pValue).toBeCloseTo(0.0443115234375, 12);
    const r24 = wilcoxonSignedRank(D24);
    expect(r24.statistic).toBe(63);
    expect(r24.pValue).toBeCloseTo(0.011516094207763672, 12);
  });

  it('normal approximation with the tie correction when differences tie or are zero', () => {
    const r = wilcoxonSignedRank(DTIES);
    expect(r.method).toBe('normal');
    expect(r.zeros).toBe(2);
    expect(r.n).toBe(10);
    expect(r.statistic).toBe(11.5);
    expect(r.pValue).toBeCloseTo(0.09843818632677816, 10);
  });

  it('has no p-value when every difference is zero, and says why', () => {
    const r = wilcoxonSignedRank([0, 0, 0]);
    expect(r.pValue).toBeNull();
    expect(r.reason).toMatch(/zero/);
  });
});

describe('sign-flip permutation test (against SciPy)', () => {
  it('enumerates every sign pattern and gives SciPy’s exact p-values', () => {
    const a = signFlipTest(D10);
    expect(a.method).toBe('exact');
    expect(a.meanDifference).toBeCloseTo(0.082, 12);
    expect(a.pValue).toBeCloseTo(0.162109375, 12);
    const b = signFlipTest(DTIES);
    expect(b.meanDifference).toBeCloseTo(0.11458333333333333, 12);
    expect(b.pValue).toBeCloseTo(0.140625, 12);
    const c = signFlipTest(D16);
    expect(c.meanDifference).toBeCloseTo(0.1275, 12);
    expect(c.pValue).toBeCloseTo(0.05950927734375, 12);
  });

  it('agrees with a brute-force enumeration for 24 differences, and its Monte-Carlo form is seeded', () => {
    // Brute force: 2^24 sums in a Gray-code walk, compared with the meet-in-the-middle count.
    const n = D24.length;
    const obs = D24.reduce((x, y) => x + y, 0);
    const tol = 1e-9 * D24.reduce((x, y) => x + Math.abs(y), 0);
    let s = obs;
    const signs = new Array<number>(n).fill(1);
    let le = s <= obs + tol ? 1 : 0;
    let ge = s >= obs - tol ? 1 : 0;
    for (let k = 1; k < 2 ** n; k++) {
      const bit = 31 - Math.clz32(k & -k);
      s -= 2 * signs[bit] * D24[bit];
      signs[bit] = -signs[bit];
      if (s <= obs + tol) le++;
      if (s >= obs - tol) ge++;
    }
    const brute = Math.min(1, (2 * Math.min(le, ge)) / 2 ** n);
    expect(signFlipTest(D24).pValue).toBeCloseTo(brute, 12);

    const long = [...D24, ...D24.map((x) => x / 2)];
    const mc1 = signFlipTest(long, { seed: 3, resamples: 20000 });
    const mc2 = signFlipTest(long, { seed: 3, resamples: 20000 });
    expect(mc1.method).toBe('monte-carlo');
    expect(mc1.pValue).toBe(mc2.pValue);
    expect(mc1.pValue!).toBeGreaterThan(0);
  });
});

describe('interval over folds', () => {
  it('is the Student-t interval of the mean (SciPy t.interval)', () => {
    const r = foldInterval([0.61, 0.72, 0.55, 0.8, 0.67, null, 0.59]);
    expect(r.n).toBe(6);
    expect(r.mean).toBeCloseTo(0.6566666666666666, 12);
    expect(r.sd).toBeCloseTo(0.0924481836850604, 12);
    expect(r.lo).toBeCloseTo(0.5596482478269862, 10);
    expect(r.hi).toBeCloseTo(0.753685085506347, 10);
    expect(foldInterval([0.5]).lo).toBeNull();
  });
});

describe('bootstrap interval of pooled UAR over speakers', () => {
  const cm = (m: number[][]): ConfusionMatrix => ({ labels: ['a', 'b'], matrix: m });
  // Four speakers with different difficulty and different utterance counts.
  const speakers = [
    cm([
      [4, 0],
      [1, 3],
    ]),
    cm([
      [2, 2],
      [0, 4],
    ]),
    cm([
      [1, 3],
      [3, 1],
    ]),
    cm([
      [5, 1],
      [2, 2],
    ]),
  ];
  const uar = (cms: ConfusionMatrix[]) => metricsFromConfusion(sumConfusions(cms)).averageAccuracy!;

  it('converges on the exact bootstrap distribution (all 4^4 resamples enumerated directly)', () => {
    const exact: number[] = [];
    for (let i = 0; i < 256; i++) {
      const pick = [i & 3, (i >> 2) & 3, (i >> 4) & 3, (i >> 6) & 3].map((j) => speakers[j]);
      exact.push(uar(pick));
    }
    exact.sort((a, b) => a - b);
    const ci = bootstrapPooledUar(speakers, { seed: 7, resamples: 40000 });
    expect(ci.estimate).toBeCloseTo(uar(speakers), 15);
    expect(ci.speakers).toBe(4);
    expect(ci.lo).toBe(lowerQuantile(exact, 0.025));
    expect(ci.hi).toBe(lowerQuantile(exact, 0.975));
    expect(ci.lo!).toBeLessThan(ci.estimate!);
    expect(ci.hi!).toBeGreaterThan(ci.estimate!);
  });

  it('is reproducible from its seed and changes with it', () => {
    const a = bootstrapPooledUar(speakers, { seed: 1, resamples: 50 });
    const b = bootstrapPooledUar(speakers, { seed: 1, resamples: 50 });
    expect(b).toEqual(a);
    expect(a.method).toBe('bootstrap-speakers');
    expect(bootstrapPooledUar([], { seed: 1 }).lo).toBeNull();
  });
});
