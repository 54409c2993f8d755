import { describe, expect, it } from 'vitest';
import { RESAMPLE_METHODS, resample } from './resample';
import { rationalRatio } from './polyphase';

function tone(hz: number, rate: number, seconds: number, amp = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, n) => amp * Math.sin((2 * Math.PI * hz * n) / rate),
  );
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

describe('resample', () => {
  it('reduces ratios: 48000→16000 is 1/3, 22050→16000 is 320/441', () => {
    expect(rationalRatio(48000, 16000)).toEqual({ up: 1, down: 3 });
    expect(rationalRatio(22050, 16000)).toEqual({ up: 320, down: 441 });
  });

  it('returns the input unchanged at the target rate', async () => {
    const x = tone(440, 16000, 0.1);
    expect(await resample(x, 16000)).toBe(x);
  });

  for (const method of RESAMPLE_METHODS) {
    for (const rate of [8000, 22050, 44100, 48000]) {
      it(`${method}: ${rate} Hz → 16 kHz keeps a 1 kHz tone and removes a tone above 8 kHz`, async () => {
        const seconds = 0.5;
        const y = await resample(tone(1000, rate, seconds), rate, 16000, method);
        expect(Math.abs(y.length - 16000 * seconds)).toBeLessThanOrEqual(1);
        const expected = tone(1000, 16000, seconds);
        // Ignore the filter's edges; compare the steady state sample by sample.
        let maxErr = 0;
        for (let i = 800; i < 7200; i++) maxErr = Math.max(maxErr, Math.abs(y[i] - expected[i]));
        expect(maxErr).toBeLessThan(method === 'sinc-fastest' ? 0.01 : 0.005);
        if (rate > 16000) {
          const alias = await resample(
            tone(Math.min(11000, rate / 2 - 500), rate, seconds),
            rate,
            16000,
            method,
          );
          // 0.5 amplitude in: the stop band leaves well under 1 % (−40 dB).
          expect(rms(alias, 800, 7200)).toBeLessThan(0.0035);
        }
      });
    }
  }

  it('polyphase output length is ceil(n·up/down), as SciPy resample_poly', async () => {
    for (const n of [1, 2, 3, 100, 185786]) {
      expect((await resample(new Float32Array(n), 48000, 16000)).length).toBe(Math.ceil(n / 3));
      expect((await resample(new Float32Array(n), 22050, 16000)).length).toBe(Math.ceil((n * 320) / 441));
    }
  });

  it('falls back to libsamplerate for rates with a huge reduced ratio', async () => {
    const y = await resample(tone(1000, 44101, 0.2), 44101, 16000);
    expect(Math.abs(y.length - 3200)).toBeLessThanOrEqual(1);
  });
});
