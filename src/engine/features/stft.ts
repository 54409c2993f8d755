/**
 * Short-time Fourier transform pieces shared by the log-mel front end and the cepstral baselines
 * (cepstral/spectrum.ts): the periodic Hann window, frame counting, and a reusable
 * magnitude/power spectrum of one frame.
 *
 * Framing (TF `tf.signal.frame` without padding, as YAMNet): frame t covers samples
 * [t·hop, t·hop + windowLength), for 0 ≤ t < 1 + ⌊(n − windowLength)/hop⌋ (0 frames if n < windowLength).
 * Each frame is multiplied by the window, zero-padded to fftLength and transformed:
 *     X_t[k] = Σ_{n<windowLength} w[n] · x[t·hop + n] · e^{−2πi·k·n/fftLength},  0 ≤ k ≤ fftLength/2.
 */
import { createRequire } from 'node:module';

/** The part of fft.js (which ships no types) used here. */
interface RealFft {
  createComplexArray(): number[];
  realTransform(out: number[] | Float64Array, input: ArrayLike<number>): void;
}

const requireCjs = createRequire(import.meta.url);
const FFT = requireCjs('fft.js') as new (size: number) => RealFft;

/**
 * Periodic Hann window w[n] = 0.5 − 0.5·cos(2πn/N), n < N: the DFT-even form (TF's
 * `hann_window(periodic=True)`), whose shifted copies at hop N/2 sum to a constant.
 */
export function periodicHann(length: number): Float32Array {
  const w = new Float32Array(length);
  for (let n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length);
  return w;
}

export function frameCount(samples: number, windowLength: number, hop: number): number {
  return samples < windowLength ? 0 : 1 + Math.floor((samples - windowLength) / hop);
}

/**
 * Spectrum of frames of one signal with fixed sizes; the window, FFT tables and buffers are
 * allocated once and reused for every frame.
 */
export class FrameSpectrum {
  readonly bins: number;
  private readonly fft: RealFft;
  private readonly window: Float32Array | Float64Array;
  private readonly input: Float64Array;
  private readonly out: Float64Array;

  /** `window`: YAMNet's float32 periodic Hann by default; the cepstral front ends pass theirs. */
  constructor(
    readonly windowLength: number,
    readonly fftLength: number,
    window?: Float32Array | Float64Array,
  ) {
    if ((fftLength & (fftLength - 1)) !== 0 || fftLength < windowLength)
      throw new RangeError(
        `fftLength ${fftLength} must be a power of two ≥ the window length ${windowLength}`,
      );
    this.bins = fftLength / 2 + 1;
    this.fft = new FFT(fftLength);
    this.window = window ?? periodicHann(windowLength);
    if (this.window.length !== windowLength)
      throw new RangeError(`window length ${this.window.length} is not the frame length ${windowLength}`);
    this.input = new Float64Array(fftLength); // tail stays zero: the zero padding
    this.out = new Float64Array(2 * fftLength);
  }

  /**
   * Writes |X[k]| (power = false) or |X[k]|² (power = true) of the frame starting at `offset`
   * into `dest[fromBin..toBin)` (the bins a filter bank reads; all by default). A frame that runs
   * past the end of the signal is zero-padded.
   */
  compute(
    signal: Float32Array,
    offset: number,
    dest: Float64Array,
    power: boolean,
    fromBin = 0,
    toBin = this.bins,
  ): void {
    const { input, out, window } = this;
    const end = Math.min(this.windowLength, signal.length - offset);
    for (let n = 0; n < end; n++) input[n] = signal[offset + n] * window[n];
    for (let n = Math.max(end, 0); n < this.windowLength; n++) input[n] = 0;
    this.fft.realTransform(out, input);
    for (let k = fromBin; k < toBin; k++) {
      const re = out[2 * k];
      const im = out[2 * k + 1];
      const p = re * re + im * im;
      dest[k] = power ? p : Math.sqrt(p);
    }
  }
}
