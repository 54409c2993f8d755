import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMono16k } from '../../audio';
import { sharedDir } from '../../util/paths';
import {
  cepstralFrames,
  cepstralStatistics,
  cepstralStatisticsDim,
  GTCC_DEFAULTS,
  MFCC_DEFAULTS,
  staticCepstra,
} from './cepstra';
import { erbHz, gammatoneFilterbank, hzToErbRate } from './filterbanks';

const UTTERANCE = path.join(sharedDir(), 'data', 'ravdess', 'Actor_01', '03-01-05-01-01-01-01.wav');

/**
 * An independent, deliberately plain MFCC: float64 direct DFT (no FFT), periodic Hamming
 * window, HTK-mel triangles, ln, orthonormal DCT-II, first 13 coefficients. Shares no code with
 * the implementation under test.
 */
function referenceMfcc(x: Float32Array): number[][] {
  const sr = 16000,
    N = 400,
    H = 160,
    NFFT = 512,
    B = 40,
    C = 13;
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const imel = (m: number) => 700 * (Math.pow(10, m / 2595) - 1);
  const edges: number[] = [];
  for (let i = 0; i < B + 2; i++) edges.push(imel((mel(8000) * i) / (B + 1)));
  const cosT: number[][] = [];
  const sinT: number[][] = [];
  for (let k = 0; k <= NFFT / 2; k++) {
    cosT.push([]);
    sinT.push([]);
    for (let n = 0; n < N; n++) {
      cosT[k].push(Math.cos((2 * Math.PI * k * n) / NFFT));
      sinT[k].push(Math.sin((2 * Math.PI * k * n) / NFFT));
    }
  }
  const frames = x.length <= N ? 1 : 1 + Math.floor((x.length - N) / H);
  const out: number[][] = [];
  for (let t = 0; t < frames; t++) {
    const w: number[] = [];
    for (let n = 0; n < N; n++) {
      const s = t * H + n < x.length ? x[t * H + n] : 0;
      w.push(s * (0.54 - 0.46 * Math.cos((2 * Math.PI * n) / N)));
    }
    const power: number[] = [];
    for (let k = 0; k <= NFFT / 2; k++) {
      let re = 0,
        im = 0;
      for (let n = 0; n < N; n++) {
        re += w[n] * cosT[k][n];
        im -= w[n] * sinT[k][n];
      }
      power.push(re * re + im * im);
    }
    const logE: number[] = [];
    for (let b = 0; b < B; b++) {
      let e = 0;
      for (let k = 0; k <= NFFT / 2; k++) {
        const f = (k * sr) / NFFT;
        const up = (f - edges[b]) / (edges[b + 1] - edges[b]);
        const down = (edges[b + 2] - f) / (edges[b + 2] - edges[b + 1]);
        e += Math.max(0, Math.min(up, down)) * power[k];
      }
      logE.push(Math.log(Math.max(e, 1e-10)));
    }
    const c: number[] = [];
    for (let j = 0; j < C; j++) {
      let acc = 0;
      for (let b = 0; b < B; b++) acc += logE[b] * Math.cos((Math.PI * j * (b + 0.5)) / B);
      c.push(acc * Math.sqrt((j === 0 ? 1 : 2) / B));
    }
    out.push(c);
  }
  return out;
}

/** HTK regression deltas over ±2 frames with the edge frames repeated, written plainly. */
function referenceDeltas(c: number[][]): number[][] {
  const T = c.length;
  const at = (t: number) => c[Math.min(T - 1, Math.max(0, t))];
  return c.map((_, t) =>
    c[0].map((__, j) => (1 * (at(t + 1)[j] - at(t - 1)[j]) + 2 * (at(t + 2)[j] - at(t - 2)[j])) / 10),
  );
}

let samples: Float32Array;
beforeAll(async () => {
  samples = await loadMono16k(UTTERANCE);
});

describe('MFCC on a real RAVDESS utterance', () => {
  it('has the documented shape: 13 cepstra + Δ + ΔΔ per 10 ms frame, 78 statistics', () => {
    const frames = cepstralFrames(samples, MFCC_DEFAULTS);
    expect(frames.dim).toBe(39);
    expect(frames.numFrames).toBe(1 + Math.floor((samples.length - 400) / 160));
    const stats = cepstralStatistics(samples, MFCC_DEFAULTS);
    expect(stats.length).toBe(78);
    expect(cepstralStatisticsDim(MFCC_DEFAULTS)).toBe(78);
    expect(stats.every(Number.isFinite)).toBe(true);
    // Standard deviations (the second half) are non-negative and not all zero.
    expect(stats.subarray(39).every((v) => v >= 0)).toBe(true);
    expect(Math.max(...stats.subarray(39))).toBeGreaterThan(0.1);
  });

  it('matches a plain float64 DFT reference', () => {
    const ref = referenceMfcc(samples);
    const ours = staticCepstra(samples, MFCC_DEFAULTS);
    expect(ours.numFrames).toBe(ref.length);
    let maxErr = 0;
    for (let t = 0; t < ref.length; t++) {
      for (let j = 0; j < 13; j++) maxErr = Math.max(maxErr, Math.abs(ours.data[t * 13 + j] - ref[t][j]));
    }
    expect(maxErr).toBeLessThan(1e-6);

    // Statistics of the full 39-d frames against the reference's.
    const d1 = referenceDeltas(ref);
    const d2 = referenceDeltas(d1);
    const full = ref.map((c, t) => [...c, ...d1[t], ...d2[t]]);
    const stats = cepstralStatistics(samples, MFCC_DEFAULTS);
    for (let j = 0; j < 39; j++) {
      const col = full.map((r) => r[j]);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
      expect(stats[j]).toBeCloseTo(mean, 3);
      expect(stats[39 + j]).toBeCloseTo(sd, 3);
    }
  });
});

describe('GTCC on a real RAVDESS utterance', () => {
  it('has 78 finite statistics that differ from the MFCC ones', () => {
    const g = cepstralStatistics(samples, GTCC_DEFAULTS);
    const m = cepstralStatistics(samples, MFCC_DEFAULTS);
    expect(g.length).toBe(78);
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.some((v, i) => Math.abs(v - m[i]) > 1e-3)).toBe(true);
  });

  it('uses ERB-spaced 4th-order gammatone filters with unit peak at their centre', () => {
    const bank = gammatoneFilterbank({
      sampleRate: 16000,
      nFft: 512,
      numBands: 40,
      fMin: 50,
      fMax: 8000,
      order: 4,
    });
    const steps = bank.centres.slice(1).map((f, i) => hzToErbRate(f) - hzToErbRate(bank.centres[i]));
    for (const s of steps) expect(s).toBeCloseTo(steps[0], 9);
    expect(bank.centres[0]).toBeCloseTo(50, 6);
    expect(bank.centres[39]).toBeCloseTo(8000, 6);
    // Power response one bandwidth (1.019·ERB) away from the centre: (1 + 1)^-4 = 1/16.
    const fc = 1000;
    const one = gammatoneFilterbank({
      sampleRate: 16000,
      nFft: 512,
      numBands: 1,
      fMin: fc,
      fMax: fc,
      order: 4,
    });
    const bin = (f: number) => one.weights[Math.round((f * 512) / 16000)];
    expect(bin(fc)).toBeCloseTo(1, 9);
    const b = 1.019 * erbHz(fc);
    const f = Math.round(((fc + b) * 512) / 16000) * (16000 / 512);
    expect(bin(f)).toBeCloseTo((1 + ((f - fc) / b) ** 2) ** -4, 9);
  });
});

describe('short and silent input', () => {
  it('gives one frame of finite values for a signal shorter than a frame, and for silence', () => {
    for (const x of [new Float32Array(100).fill(0.1), new Float32Array(16000)]) {
      for (const p of [MFCC_DEFAULTS, GTCC_DEFAULTS]) {
        const v = cepstralStatistics(x, p);
        expect(v.length).toBe(78);
        expect(v.every(Number.isFinite)).toBe(true);
      }
    }
  });
});
