/**
 * MFCC and gammatone cepstral coefficients (GTCC) of 16 kHz mono speech, per frame and
 * summarised per utterance. The two differ only in the filterbank.
 *
 * Definition (defaults; every field is in the params object and in the feature-cache key):
 * - frames of 25 ms (400 samples) every 10 ms (160 samples), periodic Hamming window,
 *   zero-padded to a 512-point FFT, power spectrum |X|² (see ./spectrum.ts);
 * - MFCC: 40 triangular filters on the HTK mel scale (2595·log10(1 + f/700)), 0–8000 Hz, peak 1,
 *   no area normalisation (HTK style, not Slaney's area-normalised bank);
 *   GTCC: 40 fourth-order gammatone filters, centres ERB-spaced 50–8000 Hz, b = 1.019·ERB
 *   (see ./filterbanks.ts);
 * - natural log of each band energy, floored at 1e-10;
 * - orthonormal DCT-II, first 13 coefficients, c0 included (it carries the frame's log energy),
 *   no liftering (a lifter only rescales coefficients, which standardisation undoes anyway);
 * - deltas and delta-deltas by HTK regression over ±2 frames → 39 values per frame, ordered
 *   [c0..c12, Δc0..Δc12, ΔΔc0..ΔΔc12];
 * - utterance statistics: mean then population standard deviation of each of the 39 over
 *   frames → 78 values.
 */
import { PAPER_DEFAULTS } from '@shared/paper-defaults';
import { powerSpectrogram, type WindowKind } from './spectrum';
import { gammatoneFilterbank, melFilterbank, type Filterbank } from './filterbanks';
import { dctIIOrthoMatrix, deltas, meanSdOverTime } from './transforms';

export type CepstralKind = 'mfcc' | 'gtcc';

export interface CepstralParams {
  kind: CepstralKind;
  sampleRate: number;
  frameMs: number;
  hopMs: number;
  nFft: number;
  window: WindowKind;
  numBands: number;
  fMin: number;
  fMax: number;
  /** Gammatone order (GTCC only). */
  order?: number;
  numCoeffs: number;
  logFloor: number;
  /** Delta regression half-width in frames; 0 = no deltas. */
  deltaWidth: number;
  /** Append delta-deltas too (needs deltaWidth > 0). */
  deltaDeltas: boolean;
}

export const MFCC_DEFAULTS: CepstralParams = {
  kind: 'mfcc',
  sampleRate: PAPER_DEFAULTS.frontEnd.sampleRate,
  frameMs: 25,
  hopMs: 10,
  nFft: 512,
  window: 'hamming',
  numBands: 40,
  fMin: 0,
  fMax: 8000,
  numCoeffs: 13,
  logFloor: 1e-10,
  deltaWidth: 2,
  deltaDeltas: true,
};

export const GTCC_DEFAULTS: CepstralParams = {
  ...MFCC_DEFAULTS,
  kind: 'gtcc',
  fMin: 50,
  order: 4,
};

export function cepstralDefaults(kind: CepstralKind): CepstralParams {
  return { ...(kind === 'mfcc' ? MFCC_DEFAULTS : GTCC_DEFAULTS) };
}

/** Frames × coefficients, row-major. */
export interface CepstralFrames {
  data: Float64Array;
  numFrames: number;
  /** Values per frame: numCoeffs × (1 + deltas + delta-deltas). */
  dim: number;
}

const banks = new Map<string, Filterbank>();

function filterbankFor(p: CepstralParams): Filterbank {
  const key = JSON.stringify([p.kind, p.sampleRate, p.nFft, p.numBands, p.fMin, p.fMax, p.order]);
  let bank = banks.get(key);
  if (!bank) {
    bank =
      p.kind === 'mfcc'
        ? melFilterbank(p)
        : gammatoneFilterbank({ ...p, order: p.order ?? GTCC_DEFAULTS.order! });
    banks.set(key, bank);
  }
  return bank;
}

/** Static cepstra (numFrames × numCoeffs) before deltas. */
export function staticCepstra(samples: Float32Array, p: CepstralParams): CepstralFrames {
  if (p.fMax > p.sampleRate / 2) throw new Error(`cepstra: fMax ${p.fMax} Hz is above Nyquist`);
  const frameLength = Math.round((p.frameMs * p.sampleRate) / 1000);
  const hop = Math.round((p.hopMs * p.sampleRate) / 1000);
  const spec = powerSpectrogram(samples, {
    sampleRate: p.sampleRate,
    frameLength,
    hop,
    nFft: p.nFft,
    window: p.window,
  });
  const bank = filterbankFor(p);
  const dct = dctIIOrthoMatrix(p.numCoeffs, bank.numBands);
  const { numFrames, numBins } = spec;
  const out = new Float64Array(numFrames * p.numCoeffs);
  const logE = new Float64Array(bank.numBands);
  for (let t = 0; t < numFrames; t++) {
    const row = t * numBins;
    for (let b = 0; b < bank.numBands; b++) {
      let e = 0;
      const wRow = b * numBins;
      for (let k = 0; k < numBins; k++) e += bank.weights[wRow + k] * spec.data[row + k];
      logE[b] = Math.log(Math.max(e, p.logFloor));
    }
    for (let c = 0; c < p.numCoeffs; c++) {
      let acc = 0;
      for (let b = 0; b < bank.numBands; b++) acc += dct[c * bank.numBands + b] * logE[b];
      out[t * p.numCoeffs + c] = acc;
    }
  }
  return { data: out, numFrames, dim: p.numCoeffs };
}

/** Cepstra with deltas and delta-deltas appended per frame (see the module comment for the order). */
export function cepstralFrames(samples: Float32Array, p: CepstralParams): CepstralFrames {
  const stat = staticCepstra(samples, p);
  if (p.deltaWidth <= 0) return stat;
  const { numFrames, dim } = stat;
  const d1 = deltas(stat.data, numFrames, dim, p.deltaWidth);
  const parts = p.deltaDeltas ? [stat.data, d1, deltas(d1, numFrames, dim, p.deltaWidth)] : [stat.data, d1];
  const full = parts.length * dim;
  const data = new Float64Array(numFrames * full);
  for (let t = 0; t < numFrames; t++) {
    parts.forEach((part, i) => data.set(part.subarray(t * dim, (t + 1) * dim), t * full + i * dim));
  }
  return { data, numFrames, dim: full };
}

/** The per-utterance vector: mean and standard deviation over frames of every per-frame value. */
export function cepstralStatistics(samples: Float32Array, p: CepstralParams): Float32Array {
  const frames = cepstralFrames(samples, p);
  return meanSdOverTime(frames.data, frames.numFrames, frames.dim);
}

/** Length of the vector `cepstralStatistics` returns. */
export function cepstralStatisticsDim(p: CepstralParams): number {
  const blocks = p.deltaWidth <= 0 ? 1 : p.deltaDeltas ? 3 : 2;
  return 2 * p.numCoeffs * blocks;
}

export function mfcc(samples16k: Float32Array, overrides: Partial<CepstralParams> = {}): CepstralFrames {
  return cepstralFrames(samples16k, { ...MFCC_DEFAULTS, ...overrides, kind: 'mfcc' });
}

export function gtcc(samples16k: Float32Array, overrides: Partial<CepstralParams> = {}): CepstralFrames {
  return cepstralFrames(samples16k, { ...GTCC_DEFAULTS, ...overrides, kind: 'gtcc' });
}
