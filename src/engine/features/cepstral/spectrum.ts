/**
 * Short-time power spectrum shared by the MFCC and GTCC front ends.
 *
 * Frames start at sample 0 and advance by `hop`; the last frame is the last one that fits whole
 * (no centre padding, no padding of the tail), except that a signal shorter than one frame still
 * yields one zero-padded frame so every utterance has features. No pre-emphasis and no dither:
 * both would make the result depend on more knobs than the paper names. The power is |X_k|²
 * without 1/N scaling (a constant that only shifts c0).
 */
import { FrameSpectrum } from '../stft';

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

/** |X|² of every frame, through the one STFT (stft.ts FrameSpectrum) with this module's window. */
export function powerSpectrogram(samples: Float32Array, p: FrameParams): PowerSpectrogram {
  if (p.nFft < p.frameLength || (p.nFft & (p.nFft - 1)) !== 0) {
    throw new Error(`powerSpectrogram: nFft ${p.nFft} must be a power of 2 ≥ frame length ${p.frameLength}`);
  }
  const numFrames = frameCount(samples.length, p.frameLength, p.hop);
  const numBins = p.nFft / 2 + 1;
  const spectrum = new FrameSpectrum(p.frameLength, p.nFft, makeWindow(p.window, p.frameLength));
  const data = new Float64Array(numFrames * numBins);
  for (let t = 0; t < numFrames; t++)
    spectrum.compute(samples, t * p.hop, data.subarray(t * numBins, (t + 1) * numBins), true);
  return { data, numFrames, numBins };
}
