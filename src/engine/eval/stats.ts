/**
 * Uncertainty and paired tests over the speakers of a speaker-independent run.
 *
 * The unit of resampling is the test speaker, never the utterance: utterances of one speaker are
 * not independent (same voice, same session), so a bootstrap over utterances would give intervals
 * that are too narrow. Every random procedure takes a seed, so a report is reproducible.
 */
import { mulberry32 } from '../util/random';
import { normalSf, studentTQuantile } from './distributions';
import { metricsFromConfusion, sumConfusions, type ConfusionMatrix } from './metrics';
import type {
  BootstrapInterval,
  FoldInterval,
  Interval,
  SignFlipResult,
  WilcoxonResult,
} from '@shared/run-results';

// The result types are the shared schemas' (summary.json and results.compare carry them).
export type { Interval, BootstrapInterval, FoldInterval, WilcoxonResult, SignFlipResult };

/**
 * The inverse empirical cdf: the smallest value v with P(X ≤ v) ≥ p among `sorted` (ascending).
 * Used for both bootstrap percentiles and their exact counterpart, so the two agree by definition.
 */
export function lowerQuantile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length - 1e-9) - 1));
  return sorted[i];
}

const uarOf = (cm: ConfusionMatrix): number | null => metricsFromConfusion(cm).averageAccuracy;

/**
 * Percentile bootstrap of a statistic over units (speakers): each resample draws `units.length`
 * units with replacement (mulberry32(seed)) and evaluates `statistic` on them; resamples where it
 * is undefined (null) are dropped.
 */
export function bootstrapPercentile<T>(
  units: readonly T[],
  statistic: (sample: T[]) => number | null,
  opts: { resamples?: number; seed: number; level?: number },
): { lo: number | null; hi: number | null; values: number[] } {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const random = mulberry32(opts.seed);
  const n = units.length;
  const values: number[] = [];
  if (n === 0) return { lo: null, hi: null, values };
  const sample = new Array<T>(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) sample[i] = units[Math.floor(random() * n)];
    const v = statistic(sample);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (values.length === 0) return { lo: null, hi: null, values };
  values.sort((a, b) => a - b);
  const alpha = 1 - level;
  return { lo: lowerQuantile(values, alpha / 2), hi: lowerQuantile(values, 1 - alpha / 2), values };
}

/**
 * 95 % (by default) bootstrap interval of the pooled UAR: speakers are resampled with replacement,
 * their confusion matrices summed, and the UAR of the sum taken, as pooling does for the run.
 */
export function bootstrapPooledUar(
  speakerConfusions: readonly ConfusionMatrix[],
  opts: { resamples?: number; seed: number; level?: number },
): BootstrapInterval {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const estimate = speakerConfusions.length > 0 ? uarOf(sumConfusions([...speakerConfusions])) : null;
  const { lo, hi } = bootstrapPercentile(speakerConfusions, (s) => uarOf(sumConfusions(s)), {
    resamples,
    seed: opts.seed,
    level,
  });
  return {
    method: 'bootstrap-speakers',
    level,
    estimate,
    lo,
    hi,
    resamples,
    seed: opts.seed,
    speakers: speakerConfusions.length,
  };
}

/** Mean, sample sd and the Student-t interval of the mean of per-fold values (nulls skipped). */
export function foldInterval(values: readonly (number | null | undefined)[], level = 0.95): FoldInterval {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const n = xs.length;
  const base = { method: 't-over-folds' as const, level, n };
  if (n === 0) return { ...base, mean: null, sd: null, lo: null, hi: null };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { ...base, mean, sd: null, lo: null, hi: null };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { ...base, mean, sd, lo: mean - half, hi: mean + half };
}

/** Per-speaker differences are compared after rounding, so 0.75 − 0.5 and 0.5 − 0.25 tie. */
const roundish = (x: number) => Number(x.toPrecision(12));

/** Average ranks (1-based) of `xs`, ties sharing their mean rank; also the sizes of tie groups. */
export function averageRanks(xs: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = xs.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(xs.length);
  const tieSizes: number[] = [];
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].v === order[start].v) end++;
    const rank = (start + end) / 2 + 1;
    for (let j = start; j <= end; j++) ranks[order[j].i] = rank;
    if (end > start) tieSizes.push(end - start + 1);
    start = end + 1;
  }
  return { ranks, tieSizes };
}

/** Number of sign patterns of ranks 1..n with each positive-rank sum (the exact null of W+). */
function signedRankCounts(n: number): number[] {
  const max = (n * (n + 1)) / 2;
  const counts = new Array<number>(max + 1).fill(0);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) for (let s = max; s >= k; s--) counts[s] += counts[s - k];
  return counts;
}

/**
 * Two-sided Wilcoxon signed-rank test of paired differences `d` against symmetry about 0, as
 * SciPy's `wilcoxon(d)` defaults compute it (zero_method 'wilcox', no continuity correction):
 * zeros are discarded; with ≤ 50 differences, no zeros and no ties the exact null distribution is
 * used, otherwise the normal approximation with the tie correction of the variance. (SciPy 1.10
 * still takes its exact branch with tied ranks and truncates W+; the normal approximation is the
 * defensible choice there.)
 */
export function wilcoxonSignedRank(d: readonly number[]): WilcoxonResult {
  const rounded = d.map(roundish);
  const nonZero = rounded.filter((x) => x !== 0);
  const zeros = rounded.length - nonZero.length;
  const n = nonZero.length;
  if (n === 0) {
    return {
      statistic: null,
      rPlus: null,
      pValue: null,
      method: 'normal',
      n,
      zeros,
      reason: 'every paired difference is zero',
    };
  }
  const { ranks, tieSizes } = averageRanks(nonZero.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  nonZero.forEach((x, i) => (x > 0 ? (rPlus += ranks[i]) : (rMinus += ranks[i])));
  const statistic = Math.min(rPlus, rMinus);
  if (n <= 50 && zeros === 0 && tieSizes.length === 0) {
    const counts = signedRankCounts(n);
    const total = 2 ** n;
    const max = counts.length - 1;
    if (rPlus * 2 === max) return { statistic, rPlus, pValue: 1, method: 'exact', n, zeros };
    let less = 0;
    let greater = 0;
    for (let s = 0; s <= max; s++) {
      if (s <= rPlus) less += counts[s];
      if (s >= rPlus) greater += counts[s];
    }
    const pValue = Math.min(1, (2 * Math.min(less, greater)) / total);
    return { statistic, rPlus, pValue, method: 'exact', n, zeros };
  }
  const mean = (n * (n + 1)) / 4;
  let variance = n * (n + 1) * (2 * n + 1);
  for (const t of tieSizes) variance -= 0.5 * t * (t * t - 1);
  const se = Math.sqrt(variance / 24);
  const z = se > 0 ? (statistic - mean) / se : 0;
  return { statistic, rPlus, pValue: Math.min(1, 2 * normalSf(Math.abs(z))), method: 'normal', n, zeros };
}

/** Every subset sum Σ ±x_i of `xs` (2^n values, sorted). */
function signedSums(xs: readonly number[]): Float64Array {
  const out = new Float64Array(2 ** xs.length);
  for (let mask = 0; mask < out.length; mask++) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += mask & (1 << i) ? -xs[i] : xs[i];
    out[mask] = s;
  }
  return out.sort();
}

/** Number of values in sorted `xs` below v (strictly, or also equal with `orEqual`). */
function countBelow(xs: Float64Array, v: number, orEqual: boolean): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < v || (orEqual && xs[mid] === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Up to this many differences the sign-flip test enumerates every pattern (meet in the middle). */
export const SIGN_FLIP_EXACT_MAX = 40;

/**
 * Two-sided sign-flip permutation test of paired differences: under the null each difference is
 * as likely negative as positive, so the null distribution of the sum is that of Σ ±|d_i|.
 * p = min(1, 2·min(P(S ≥ s_obs), P(S ≤ s_obs))), as SciPy's `permutation_test` with
 * `permutation_type='samples'` defines it. Exact for up to SIGN_FLIP_EXACT_MAX differences: the
 * 2^n sums are split into two halves of 2^(n/2) sums each and counted by binary search, so no sum
 * accumulates rounding; above that, `resamples` seeded random patterns with p = (k + 1)/(B + 1).
 */
export function signFlipTest(
  d: readonly number[],
  opts: { seed?: number; resamples?: number } = {},
): SignFlipResult {
  const n = d.length;
  if (n === 0) return { meanDifference: null, pValue: null, method: 'exact', n };
  const observed = d.reduce((a, b) => a + b, 0);
  const scale = d.reduce((a, b) => a + Math.abs(b), 0);
  // Sums equal in exact arithmetic may differ in the last bits; count them as equal.
  const tol = 1e-9 * Math.max(scale, 1e-300);
  const meanDifference = observed / n;
  if (n <= SIGN_FLIP_EXACT_MAX) {
    const half = n >> 1;
    const left = signedSums(d.slice(0, half));
    const right = signedSums(d.slice(half));
    let atMost = 0;
    let atLeast = 0;
    for (const a of left) {
      atMost += countBelow(right, observed + tol - a, true);
      atLeast += right.length - countBelow(right, observed - tol - a, false);
    }
    const total = left.length * right.length;
    const pValue = Math.min(1, (2 * Math.min(atMost, atLeast)) / total);
    return { meanDifference, pValue, method: 'exact', n };
  }
  const resamples = opts.resamples ?? 100_000;
  const seed = opts.seed ?? 0;
  const random = mulberry32(seed);
  let atMost = 0;
  let atLeast = 0;
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (const x of d) s += random() < 0.5 ? -x : x;
    if (s <= observed + tol) atMost++;
    if (s >= observed - tol) atLeast++;
  }
  const pValue = Math.min(1, (2 * (Math.min(atMost, atLeast) + 1)) / (resamples + 1));
  return { meanDifference, pValue, method: 'monte-carlo', n, resamples, seed };
}
