/**
 * The YAMNet log-mel front end: 16 kHz mono waveform → [numPatches, 96, 64] log-mel patches,
 * exactly as /work/shared/fixtures/yamnet-frontend/README.md defines it.
 *
 * 1. Padding. The waveform is zero-padded to at least 15 600 samples (one 0.975 s patch), then up
 *    to 15 600 + j·7 680 samples (a whole number of 0.48 s patch hops), the least such length
 *    that holds every sample.
 * 2. STFT (stft.ts): periodic Hann window of 400 samples (25 ms), hop 160 (10 ms), FFT 512.
 * 3. Mel energies (mel.ts): E[t, b] = Σ_k S[t, k] · W[k, b] over 64 bands from 125 to 7 500 Hz,
 *    - form 'yamnet' (default, what pretrained YAMNet expects): S = |X| (magnitude), no
 *      normalisation;
 *    - form 'paper-power' (the paper's formula, for models trained from scratch): S = |X|² and
 *      each band divided by its filter's energy Σ_k W[k, b]².
 * 4. Log: L = ln(E + 0.001).
 * 5. Patches: frames [48p, 48p + 96) for p < 1 + ⌊(frames − 96)/48⌋.
 * With the padding of step 1 the frame count is 96 + 48j, so the patches tile the frames exactly.
 */
import { PAPER_DEFAULTS, patchHopFramesOf } from '@shared/paper-defaults';
import { ParameterError } from '../util/errors';
import { melFilterBank, type MelBand } from './mel';
import { FrameSpectrum, frameCount } from './stft';

export type FrontEndForm = 'yamnet' | 'paper-power';
export const FRONT_END_FORMS: FrontEndForm[] = ['yamnet', 'paper-power'];

export interface FrontEndOptions {
  form?: FrontEndForm;
  /** Seconds between patch starts (config `frontEnd.patchHopSec`), a whole number of 10 ms frames. */
  patchHopSec?: number;
}

const PAPER = PAPER_DEFAULTS.frontEnd;

/** Every number that defines the features; part of the feature-cache key. */
export interface FrontEndParams {
  /** Bumped when the computation changes in a way these numbers do not describe. */
  version: 1;
  form: FrontEndForm;
  sampleRate: typeof PAPER.sampleRate;
  windowLength: typeof PAPER.windowLength;
  hop: typeof PAPER.hop;
  fftLength: typeof PAPER.fftLength;
  window: 'periodic-hann';
  melBands: typeof PAPER.melBands;
  fminHz: typeof PAPER.fminHz;
  fmaxHz: typeof PAPER.fmaxHz;
  melScale: '1127*ln(1+f/700), tf triangles, DC zero';
  logOffset: typeof PAPER.logOffset;
  patchFrames: typeof PAPER.patchFrames;
  /** 48 in the paper; `frontEnd.patchHopSec` / 10 ms. */
  patchHopFrames: number;
  /** One patch's samples: (patchFrames − 1) · hop + windowLength = 15 600. */
  minSamples: number;
  /** One patch hop's samples: patchHopFrames · hop (7 680 in the paper). */
  padHopSamples: number;
}

export interface Patches {
  /** Row-major [numPatches, frames, bands]. */
  data: Float32Array;
  numPatches: number;
  frames: typeof PAPER.patchFrames;
  bands: typeof PAPER.melBands;
}

export interface Spectrogram {
  /** Row-major [numFrames, bands]. */
  data: Float32Array;
  numFrames: number;
  bands: number;
}

export function frontEndParams(opts: FrontEndOptions = {}): FrontEndParams {
  const form = opts.form ?? 'yamnet';
  if (!FRONT_END_FORMS.includes(form))
    throw new ParameterError(
      'frontEnd.form',
      form,
      `is not a front-end form (${FRONT_END_FORMS.join(', ')})`,
    );
  const patchHopFrames = patchHopFramesFor(opts.patchHopSec ?? PAPER.patchHopSec);
  return {
    version: 1,
    form,
    sampleRate: PAPER.sampleRate,
    windowLength: PAPER.windowLength,
    hop: PAPER.hop,
    fftLength: PAPER.fftLength,
    window: 'periodic-hann',
    melBands: PAPER.melBands,
    fminHz: PAPER.fminHz,
    fmaxHz: PAPER.fmaxHz,
    melScale: '1127*ln(1+f/700), tf triangles, DC zero',
    logOffset: PAPER.logOffset,
    patchFrames: PAPER.patchFrames,
    patchHopFrames,
    minSamples: (PAPER.patchFrames - 1) * PAPER.hop + PAPER.windowLength,
    padHopSamples: patchHopFrames * PAPER.hop,
  };
}

/**
 * The patch hop in frames. It must be a whole, positive number of 10 ms frames: 0.48 s → 48; a
 * hop that falls between frames would silently be rounded, so it is refused, naming the value.
 */
function patchHopFramesFor(patchHopSec: number): number {
  const frames = patchHopFramesOf(patchHopSec);
  if (
    !(frames >= 1) ||
    Math.abs(frames * PAPER.hop - patchHopSec * PAPER.sampleRate) > 1e-6 * PAPER.sampleRate
  )
    throw new ParameterError(
      'frontEnd.patchHopSec',
      patchHopSec,
      `is not a whole number of ${PAPER.hop / PAPER.sampleRate} s frames`,
    );
  return frames;
}

/** Length after step-1 padding: 15 600 + ⌈max(0, n − 15 600)/7 680⌉ · 7 680. */
export function paddedLength(samples: number, p: FrontEndParams = frontEndParams()): number {
  return p.minSamples + Math.ceil(Math.max(0, samples - p.minSamples) / p.padHopSamples) * p.padHopSamples;
}

/** Patch count for a waveform of `samples` 16 kHz samples (always ≥ 1). */
export function patchCount(samples: number, p: FrontEndParams = frontEndParams()): number {
  const frames = frameCount(paddedLength(samples, p), p.windowLength, p.hop);
  return 1 + Math.floor((frames - p.patchFrames) / p.patchHopFrames);
}

interface Plan {
  spectrum: FrameSpectrum;
  bands: MelBand[];
  /** 1 for 'yamnet'; 1/Σ W² per band for 'paper-power'. */
  bandScale: Float64Array;
  power: boolean;
  buf: Float64Array;
  /** The bins any mel band weighs: [fromBin, toBin). */
  fromBin: number;
  toBin: number;
}

/** Per form: the patch hop does not change the spectrogram. */
const plans = new Map<FrontEndForm, Plan>();

function planFor(p: FrontEndParams): Plan {
  let plan = plans.get(p.form);
  if (!plan) {
    const bands = melFilterBank(p);
    const power = p.form === 'paper-power';
    const bandScale = Float64Array.from(bands, (b) => {
      if (!power) return 1;
      const energy = b.weights.reduce((s, w) => s + w * w, 0);
      return energy > 0 ? 1 / energy : 0;
    });
    const spectrum = new FrameSpectrum(p.windowLength, p.fftLength);
    const fromBin = Math.min(...bands.map((b) => b.start));
    const toBin = Math.max(...bands.map((b) => b.start + b.weights.length));
    plan = { spectrum, bands, bandScale, power, buf: new Float64Array(spectrum.bins), fromBin, toBin };
    plans.set(p.form, plan);
  }
  return plan;
}

/**
 * Log-mel spectrogram of the samples as given (no padding: frames that do not fit are dropped),
 * [numFrames, 64] with L[t, b] = ln(E[t, b] + 0.001).
 */
export function logMelSpectrogram(samples16k: Float32Array, opts: FrontEndOptions = {}): Spectrogram {
  const p = frontEndParams(opts);
  const { spectrum, bands, bandScale, power, buf, fromBin, toBin } = planFor(p);
  const numFrames = frameCount(samples16k.length, p.windowLength, p.hop);
  const nb = p.melBands;
  const data = new Float32Array(numFrames * nb);
  const silentRow = Math.log(p.logOffset);
  for (let t = 0; t < numFrames; t++) {
    const row = t * nb;
    // Frames of exact zeros (the padding, digital silence) have E = 0: skip their FFT.
    if (isZero(samples16k, t * p.hop, p.windowLength)) {
      data.fill(silentRow, row, row + nb);
      continue;
    }
    spectrum.compute(samples16k, t * p.hop, buf, power, fromBin, toBin);
    for (let b = 0; b < nb; b++) {
      const { start, weights } = bands[b];
      let e = 0;
      for (let i = 0; i < weights.length; i++) e += weights[i] * buf[start + i];
      data[row + b] = Math.log(e * bandScale[b] + p.logOffset);
    }
  }
  return { data, numFrames, bands: nb };
}

function isZero(x: Float32Array, from: number, length: number): boolean {
  for (let i = from + length - 1; i >= from; i--) if (x[i] !== 0) return false;
  return true;
}

/** Zero-pads a 16 kHz waveform per step 1 (returns the input when no padding is needed). */
export function padWaveform(samples16k: Float32Array, p: FrontEndParams = frontEndParams()): Float32Array {
  const len = paddedLength(samples16k.length, p);
  if (len === samples16k.length) return samples16k;
  const out = new Float32Array(len);
  out.set(samples16k);
  return out;
}

/** The front end: 16 kHz mono samples → YAMNet input patches [numPatches, 96, 64]. */
export function waveformToPatches(samples16k: Float32Array, opts: FrontEndOptions = {}): Patches {
  const p = frontEndParams(opts);
  const spec = logMelSpectrogram(padWaveform(samples16k, p), opts);
  const numPatches = 1 + Math.floor((spec.numFrames - p.patchFrames) / p.patchHopFrames);
  const patchSize = p.patchFrames * p.melBands;
  const data = new Float32Array(numPatches * patchSize);
  for (let i = 0; i < numPatches; i++) {
    const from = i * p.patchHopFrames * p.melBands;
    data.set(spec.data.subarray(from, from + patchSize), i * patchSize);
  }
  return { data, numPatches, frames: p.patchFrames, bands: p.melBands };
}
