import { describe, expect, it } from 'vitest';
import { deriveSeed, gaussianArray, lcg32, mulberry32, shuffled } from './random';

// Seeded folds, synthetic corpora and saved results depend on these exact sequences: any change
// to the algorithms must show up here, not as silently different experiments.
describe('seeded random numbers', () => {
  it('mulberry32 gives its known sequence', () => {
    const r = mulberry32(42);
    expect(Array.from({ length: 5 }, () => r())).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693, 0.17481389874592423,
    ]);
    expect(mulberry32(0xdeadbeef)()).toBe(0.9413696140982211);
  });

  it('lcg32 gives its known sequence', () => {
    const r = lcg32(12345);
    expect(Array.from({ length: 4 }, () => r())).toEqual([
      0.02040268573909998, 0.01654784823767841, 0.5431557944975793, 0.6349040560889989,
    ]);
  });

  it('deriveSeed gives its known seeds', () => {
    expect([deriveSeed(7), deriveSeed(7, 1), deriveSeed(7, 1, 2, 3), deriveSeed(-1, 0xf01d)]).toEqual([
      2654435774, 3432877968, 3943414796, 1917791736,
    ]);
  });

  it('shuffled permutes a copy in its known order', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(shuffled(items, mulberry32(3))).toEqual([10, 6, 7, 2, 3, 5, 9, 4, 1, 8]);
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('gaussianArray gives its known values, odd lengths included', () => {
    expect(Array.from(gaussianArray(5, 4, 3))).toEqual([
      -3.3915724877373172, 5.898955219985091, 1.8492040317136342, 1.0446435509761764, -2.1873701480125782,
    ]);
  });
});
