/**
 * The upstream sanity check of tensorflow/models research/audioset/yamnet/yamnet_test.py, run
 * through this project's own front end and layers model: three 3 s signals at 16 kHz, per-patch
 * scores averaged over patches, and the expected class must be among the 10 highest.
 *
 * - zeros (48,000 samples)                       → "Silence"     (class 494)
 * - uniform noise in [-1, 1), NumPy legacy seed 51773 (`np.random.seed(51773);
 *   np.random.uniform(-1, 1, 48000)`, reproduced exactly by `numpyLegacyUniform`) → "White noise" (514)
 * - 440 Hz sine, sin(2π·440·n/16000), n < 48,000 → "Sine wave"   (495)
 */
import { TARGET_RATE } from '../audio/resample';
import { waveformToPatches } from '../features/logmel';
import { tf } from '../backend/tf';
import type { YamnetClass } from './class-map';
import type { YamnetModel } from './model';

const N = 3 * TARGET_RATE;

/** MT19937 seeded as NumPy's legacy `RandomState(seed)` (init_genrand). */
class MersenneTwister {
  private mt = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1] ^ (this.mt[i - 1] >>> 30);
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  nextUint32(): number {
    if (this.index >= 624) {
      for (let i = 0; i < 624; i++) {
        const y = (this.mt[i] & 0x80000000) | (this.mt[(i + 1) % 624] & 0x7fffffff);
        this.mt[i] = this.mt[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** NumPy's `random_sample`: a 53-bit double in [0, 1) from two draws. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

/** `np.random.seed(seed); np.random.uniform(low, high, n)` (float64, exactly NumPy's values). */
export function numpyLegacyUniform(seed: number, n: number, low = -1, high = 1): Float64Array {
  const rng = new MersenneTwister(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = low + (high - low) * rng.nextDouble();
  return out;
}

export interface CheckSignal {
  signal: 'zeros' | 'noise' | 'sine';
  expected: string;
  samples: Float32Array;
}

export function upstreamSignals(): CheckSignal[] {
  const sine = new Float32Array(N);
  for (let n = 0; n < N; n++) sine[n] = Math.sin((2 * Math.PI * 440 * n) / TARGET_RATE);
  return [
    { signal: 'zeros', expected: 'Silence', samples: new Float32Array(N) },
    { signal: 'noise', expected: 'White noise', samples: Float32Array.from(numpyLegacyUniform(51773, N)) },
    { signal: 'sine', expected: 'Sine wave', samples: sine },
  ];
}

export interface ClassScore {
  index: number;
  name: string;
  score: number;
}

export interface CheckResult {
  signal: CheckSignal['signal'];
  expected: string;
  /** 1-based rank of the expected class by mean score. */
  rank: number;
  score: number;
  top10: ClassScore[];
  pass: boolean;
}

/** Mean over patches of YAMNet's per-patch scores for a 16 kHz waveform. */
export function meanScores(model: YamnetModel, samples16k: Float32Array): Float32Array {
  const scores = model.scores(waveformToPatches(samples16k));
  const mean = tf.tidy(() => scores.mean(0));
  const out = mean.dataSync() as Float32Array;
  tf.dispose([scores, mean]);
  return out;
}

export function rankClasses(scores: Float32Array, classes: YamnetClass[]): ClassScore[] {
  return classes
    .map((c) => ({ index: c.index, name: c.name, score: scores[c.index] }))
    .sort((a, b) => b.score - a.score);
}

export function runUpstreamCheck(
  model: YamnetModel,
  classes: YamnetClass[],
): { checks: CheckResult[]; pass: boolean } {
  const checks = upstreamSignals().map(({ signal, expected, samples }) => {
    const ranked = rankClasses(meanScores(model, samples), classes);
    const at = ranked.findIndex((c) => c.name === expected);
    return {
      signal,
      expected,
      rank: at + 1,
      score: ranked[at]?.score ?? 0,
      top10: ranked.slice(0, 10),
      pass: at >= 0 && at < 10,
    };
  });
  return { checks, pass: checks.every((c) => c.pass) };
}
