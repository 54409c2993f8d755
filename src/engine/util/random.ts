/**
 * Seeded pseudo-random numbers: the one mulberry32 generator that folds, synthetic corpora,
 * baselines, t-SNE and test fixtures draw from, so a seed gives the same results everywhere.
 * (Training uses sfc32 in train/rng.ts instead: its state must fit in a checkpoint.)
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: a small, fast generator with a 32-bit state; the same seed, the same sequence. */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The 32-bit linear congruential generator of Numerical Recipes: weaker than mulberry32, kept
 * because tests' seeded cases were chosen with its sequences.
 */
export function lcg32(seed: number): Random {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A seed for one independent stream (fold, speaker, file) derived from a base seed, so that
 * streams never share numbers and adding one does not shift the others.
 */
export function deriveSeed(seed: number, ...stream: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const s of stream) {
    h = Math.imul(h ^ (s >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** A Fisher–Yates shuffled copy. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** n standard-normal numbers times `scale` (Box-Muller on mulberry32(seed)). */
export function gaussianArray(n: number, seed: number, scale = 1): Float64Array {
  const rand = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rand(); // (0, 1]: keeps log finite
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v) * scale;
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v) * scale;
  }
  return out;
}
