/**
 * Mel filter bank as TensorFlow's `tf.signal.linear_to_mel_weight_matrix` builds it (the one
 * YAMNet's front end uses), stored sparsely.
 *
 * Mel scale (HTK form, natural log):  mel(f) = 1127 · ln(1 + f / 700).
 *
 * With S = fftLength/2 + 1 spectrum bins at frequencies f_k = k · (sampleRate/2) / (S − 1),
 * and B + 2 edges equally spaced in mel from mel(fmin) to mel(fmax), band b (0 ≤ b < B) has
 * lower edge e_b, centre e_{b+1} and upper edge e_{b+2}. Its weight on bin k is the triangle
 * evaluated in the mel domain:
 *
 *     W[k, b] = max(0, min((mel(f_k) − e_b) / (e_{b+1} − e_b), (e_{b+2} − mel(f_k)) / (e_{b+2} − e_{b+1})))
 *
 * for k ≥ 1, and W[0, b] = 0 (TF zeroes the DC bin). There is no area normalisation: every
 * triangle peaks at 1 (the peak itself falls between bins, so the largest weight is below 1).
 */

export interface MelBankSpec {
  sampleRate: number;
  fftLength: number;
  melBands: number;
  fminHz: number;
  fmaxHz: number;
}

/** One band's non-zero weights: W[start + i, b] = weights[i]. */
export interface MelBand {
  start: number;
  weights: Float32Array;
}

export function hzToMel(hz: number): number {
  return 1127 * Math.log(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (Math.exp(mel / 1127) - 1);
}

/** The filter bank as one sparse band per mel channel (low to high frequency). */
export function melFilterBank(spec: MelBankSpec): MelBand[] {
  const bins = spec.fftLength / 2 + 1;
  const nyquist = spec.sampleRate / 2;
  const lo = hzToMel(spec.fminHz);
  const hi = hzToMel(spec.fmaxHz);
  const edges = Array.from(
    { length: spec.melBands + 2 },
    (_, i) => lo + ((hi - lo) * i) / (spec.melBands + 1),
  );
  const binMel = Array.from({ length: bins }, (_, k) => hzToMel((k * nyquist) / (bins - 1)));
  const bands: MelBand[] = [];
  for (let b = 0; b < spec.melBands; b++) {
    const [left, centre, right] = [edges[b], edges[b + 1], edges[b + 2]];
    const w: number[] = [];
    let start = -1;
    for (let k = 1; k < bins; k++) {
      const v = Math.max(
        0,
        Math.min((binMel[k] - left) / (centre - left), (right - binMel[k]) / (right - centre)),
      );
      if (v > 0) {
        if (start < 0) start = k;
        // Bins between two non-zero ones are non-zero too (a triangle is convex), so w stays dense.
        w.length = k - start;
        w.push(v);
      }
    }
    bands.push({ start: Math.max(start, 1), weights: Float32Array.from(w) });
  }
  return bands;
}

/** The dense [bins × bands] matrix (row-major), for tests and for export to other tools. */
export function melMatrixDense(spec: MelBankSpec): Float32Array {
  const bins = spec.fftLength / 2 + 1;
  const m = new Float32Array(bins * spec.melBands);
  melFilterBank(spec).forEach((band, b) =>
    band.weights.forEach((v, i) => (m[(band.start + i) * spec.melBands + b] = v)),
  );
  return m;
}
