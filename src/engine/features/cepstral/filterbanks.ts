/**
 * Filterbanks as weight matrices over FFT bins (bands × bins, row-major), applied to the power
 * spectrum. Both are evaluated at the exact bin frequencies k·sampleRate/nFft (no rounding of
 * band edges to bins), and every filter has a peak weight of 1 (no area normalisation).
 */
import { melBands } from '../mel';

export interface Filterbank {
  weights: Float64Array;
  numBands: number;
  numBins: number;
  /** Centre frequency of each band in Hz. */
  centres: number[];
}

/** HTK mel scale: m = 2595·log10(1 + f/700). */
export function hzToMelHtk(f: number): number {
  return 2595 * Math.log10(1 + f / 700);
}

export function melToHzHtk(m: number): number {
  return 700 * (10 ** (m / 2595) - 1);
}

/**
 * Triangular mel filters on the HTK mel scale: numBands + 2 edges equally spaced in mel from fMin
 * to fMax; band b rises linearly (in Hz) from edge b to edge b+1 and falls to edge b+2. The one
 * mel filter bank (features/mel.ts) with HTK's options, as a dense matrix.
 */
export function melFilterbank(opts: {
  sampleRate: number;
  nFft: number;
  numBands: number;
  fMin: number;
  fMax: number;
}): Filterbank {
  const { sampleRate, nFft, numBands, fMin, fMax } = opts;
  const numBins = nFft / 2 + 1;
  const bands = melBands({
    sampleRate,
    fftLength: nFft,
    melBands: numBands,
    fminHz: fMin,
    fmaxHz: fMax,
    triangles: 'hz',
    zeroDc: false,
  });
  const weights = new Float64Array(numBands * numBins);
  bands.forEach((band, b) => weights.set(band.weights, b * numBins + band.start));
  return { weights, numBands, numBins, centres: bands.map((band) => band.edgesHz[1]) };
}

/** Equivalent rectangular bandwidth of the auditory filter at f Hz (Glasberg & Moore 1990). */
export function erbHz(f: number): number {
  return 24.7 * (4.37e-3 * f + 1);
}

/** ERB-rate (number of ERBs below f): 21.4·log10(1 + 4.37e-3·f) (Glasberg & Moore 1990). */
export function hzToErbRate(f: number): number {
  return 21.4 * Math.log10(1 + 4.37e-3 * f);
}

export function erbRateToHz(e: number): number {
  return (10 ** (e / 21.4) - 1) / 4.37e-3;
}

/**
 * Gammatone filters in the frequency domain. Centre frequencies are equally spaced on the
 * ERB-rate scale from fMin to fMax (both included). Each filter is the power response of a
 * gammatone of order `order` (Patterson et al. 1992; Holdsworth's complex-tone form):
 * |H(f)|² = (1 + ((f − fc)/b)²)^(−order), with bandwidth b = 1.019·ERB(fc) — the standard
 * 4th-order gammatone that models the human auditory filter (Slaney 1993, Auditory Toolbox).
 * Weighting the frame's power spectrum by |H|² gives the energy the time-domain filter would
 * pass in that frame (Parseval), which is what GTCC take the log of (Valero & Alías 2012).
 */
export function gammatoneFilterbank(opts: {
  sampleRate: number;
  nFft: number;
  numBands: number;
  fMin: number;
  fMax: number;
  order: number;
}): Filterbank {
  const { sampleRate, nFft, numBands, fMin, fMax, order } = opts;
  const numBins = nFft / 2 + 1;
  const eLo = hzToErbRate(fMin);
  const eHi = hzToErbRate(fMax);
  const centres = Array.from({ length: numBands }, (_, i) =>
    erbRateToHz(numBands === 1 ? eLo : eLo + ((eHi - eLo) * i) / (numBands - 1)),
  );
  const weights = new Float64Array(numBands * numBins);
  centres.forEach((fc, b) => {
    const bw = 1.019 * erbHz(fc);
    for (let k = 0; k < numBins; k++) {
      const x = ((k * sampleRate) / nFft - fc) / bw;
      weights[b * numBins + k] = (1 + x * x) ** -order;
    }
  });
  return { weights, numBands, numBins, centres };
}
