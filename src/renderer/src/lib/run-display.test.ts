/** The Runs view's arithmetic: the steady ETA, debug lines, the fold band of the curves. */
import { describe, expect, it } from 'vitest';
import { ETA_SMOOTHING, etaNow, formatEta, smoothEta } from './eta';
import { foldBand } from './curves';

describe('ETA', () => {
  it('counts down between readings and moves only part of the way to a new one', () => {
    const a = smoothEta(null, 100, 0);
    expect(a).toEqual({ sec: 100, at: 0 });
    expect(etaNow(a, 10_000)).toBe(90);
    // A jumpy reading of 150 s at t = 10 s: shown 90 + 0.3 * (150 - 90).
    const b = smoothEta(a, 150, 10_000);
    expect(b.sec).toBeCloseTo(90 + ETA_SMOOTHING * 60, 9);
    expect(etaNow(b, 1_000_000)).toBe(0);
    // Past its old estimate, the run takes the new reading as it is.
    expect(smoothEta(b, 30, 1_000_000)).toEqual({ sec: 30, at: 1_000_000 });
    expect(smoothEta(b, Number.NaN, 20_000)).toBe(b);
  });

  it('formats seconds, minutes and hours', () => {
    expect(formatEta(40.4)).toBe('40 s');
    expect(formatEta(725)).toBe('12 min 05 s');
    expect(formatEta(3720)).toBe('1 h 02 min');
  });
});

describe('fold band', () => {
  it('gives the mean ± population sd per epoch over the folds that reached it', () => {
    const band = foldBand([
      { fold: 0, epoch: 1, value: 1 },
      { fold: 1, epoch: 1, value: 3 },
      { fold: 0, epoch: 2, value: 0.5 },
      { fold: 1, epoch: 2, value: null },
    ]);
    expect(band).toEqual({ epochs: [1, 2], mean: [2, 0.5], lower: [1, 0.5], upper: [3, 0.5], count: [2, 1] });
  });
});
