/**
 * Short-time power spectrum shared by the MFCC and GTCC front ends.
 *
 * Frames start at sample 0 and advance by `hop`; the last frame is the last one that fits whole
 * (no centre padding, no padding of the tail), except that a signal shorter than one frame still
 * yields one zero-padded frame so every utterance has features. No pre-emphasis and no dither:
 * both would make the result depend on more knobs than the paper names. The power is |X_k|²
 * without 1/N scaling (a constant that only shifts c0).
 */
import { createRequire } from 'node:module';

/** The part of fft.js (which ships no types) this module uses. */
interface RealFft {
  size: number;
  createComplexArray(): number[];
  realTransform(out: number[], input: ArrayLike<number>): void;
}

const require = createRequire(import.meta.url);
const FFT = require('fft.js') as new (size: number) => RealFft;

export type WindowKind = 'hamming' | 'hann';

export interface FrameParams {
  sampleRate: number;
  /** Frame (window) length in samples. */
  frameLength: number;
  /** Frame advance in samples. */
  hop: number;
  /** FFT size (≥ frameLength, a power of 2); frames are zero-padded to it. */
  nFft: number;
  window: WindowKind;
}

/** Row-major frames × bins matrix of |X|², bins 0..nFft/2. */
export interface PowerSpectrogram {
  data: Float64Array;
  numFrames: number;
  numBins: number;
}

/** Periodic window (the DFT-even form used for spectral analysis: w[n] for n = 0..N-1 over period N). */
export function makeWindow(kind: WindowKind, length: number): Float64Array {
  const a0 = kind === 'hamming' ? 0.54 : 0.5;
  const w = new Float64Array(length);
  for (let n = 0; n < length; n++) w[n] = a0 - (1 - a0) * Math.cos((2 * Math.PI * n) / length);
  return w;
}

export function frameCount(numSamples: number, frameLength: number, hop: number): number {
  return numSamples <= frameLength ? 1 : 1 + Math.floor((numSamples - frameLength) / hop);
}

export function powerSpectrogram(samples: Float32Array, p: FrameParams): PowerSpectrogram {
  if (p.nFft < p.frameLength || (p.nFft & (p.nFft - 1)) !== 0) {
    throw new Error(`powerSpectrogram: nFft ${p.nFft} must be a power of 2 ≥ frame length ${p.frameLength}`);
  }
  const numFrames = frameCount(samples.length, p.frameLength, p.hop);
  const numBins = p.nFft / 2 + 1;
  const window = makeWindow(p.window, p.frameLength);
  const fft = new FFT(p.nFft);
  const frame = new Float64Array(p.nFft);
  const out = fft.createComplexArray();
  const data = new Float64Array(numFrames * numBins);
  for (let t = 0; t < numFrames; t++) {
    const start = t * p.hop;
    frame.fill(0);
    const end = Math.min(p.frameLength, samples.length - start);
    for (let n = 0; n < end; n++) frame[n] = samples[start + n] * window[n];
    fft.realTransform(out, frame);
    const row = t * numBins;
    for (let k = 0; k < numBins; k++) {
      const re = out[2 * k];
      const im = out[2 * k + 1];
      data[row + k] = re * re + im * im;
    }
  }
  return { data, numFrames, numBins };
}
