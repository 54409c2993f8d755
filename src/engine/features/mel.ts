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

/**
 * The mel scales. 'htk': 1127 · ln(1 + f/700) (= 2595 · log10(1 + f/700)); 'slaney': linear
 * below 1 kHz (f · 3/200), logarithmic above (15 + 27 · ln(f/1000) / ln 6.4), as librosa's
 * default (htk=False) and Slaney's Auditory Toolbox.
 */
export type MelScale = 'htk' | 'slaney';

const SLANEY_LOG_STEP = Math.log(6.4) / 27;

export function hzToMel(hz: number, scale: MelScale = 'htk'): number {
  if (scale === 'htk') return 1127 * Math.log(1 + hz / 700);
  return hz < 1000 ? (3 * hz) / 200 : 15 + Math.log(hz / 1000) / SLANEY_LOG_STEP;
}

export function melToHz(mel: number, scale: MelScale = 'htk'): number {
  if (scale === 'htk') return 700 * (Math.exp(mel / 1127) - 1);
  return mel < 15 ? (200 * mel) / 3 : 1000 * Math.exp(SLANEY_LOG_STEP * (mel - 15));
}

/**
 * Options of the one mel filter bank, shared by the YAMNet front end and the cepstral baselines.
 * The two differ only in where a triangle is linear and in the DC bin:
 * - YAMNet (TensorFlow's linear_to_mel_weight_matrix): linear in mel, DC bin zero;
 * - HTK / librosa (the MFCC baseline): linear in Hz between the band edges, DC bin kept.
 */
export interface MelBankOptions extends MelBankSpec {
  scale?: MelScale;
  /** 'mel' (default, TensorFlow) or 'hz' (HTK, librosa). */
  triangles?: 'mel' | 'hz';
  /** TensorFlow zeroes the DC bin (default true). */
  zeroDc?: boolean;
  /** 'none' (default): every triangle peaks at 1; 'slaney': unit area, × 2/(f_{b+2} − f_b). */
  norm?: 'none' | 'slaney';
}

/** One band in float64 with its edges in Hz: W[start + i, b] = weights[i]. */
export interface MelBand64 {
  start: number;
  weights: Float64Array;
  /** Lower edge, centre and upper edge in Hz. */
  edgesHz: [number, number, number];
}

/** The filter bank as one sparse band per mel channel (low to high frequency), in float64. */
export function melBands(opts: MelBankOptions): MelBand64[] {
  const { scale = 'htk', triangles = 'mel', zeroDc = true, norm = 'none' } = opts;
  const bins = opts.fftLength / 2 + 1;
  const nyquist = opts.sampleRate / 2;
  const lo = hzToMel(opts.fminHz, scale);
  const hi = hzToMel(opts.fmaxHz, scale);
  const edges = Array.from(
    { length: opts.melBands + 2 },
    (_, i) => lo + ((hi - lo) * i) / (opts.melBands + 1),
  );
  const edgesHz = edges.map((m) => melToHz(m, scale));
  const binHz = Array.from({ length: bins }, (_, k) => (k * nyquist) / (bins - 1));
  // A triangle over mel values or over Hz: the same formula on different axes.
  const axis = triangles === 'mel' ? binHz.map((f) => hzToMel(f, scale)) : binHz;
  const at = triangles === 'mel' ? edges : edgesHz;
  const out: MelBand64[] = [];
  for (let b = 0; b < opts.melBands; b++) {
    const [left, centre, right] = [at[b], at[b + 1], at[b + 2]];
    const scaleBy = norm === 'slaney' ? 2 / (edgesHz[b + 2] - edgesHz[b]) : 1;
    const w: number[] = [];
    let start = -1;
    for (let k = zeroDc ? 1 : 0; k < bins; k++) {
      const v = Math.max(
        0,
        Math.min((axis[k] - left) / (centre - left), (right - axis[k]) / (right - centre)),
      );
      if (v > 0) {
        if (start < 0) start = k;
        // Bins between two non-zero ones are non-zero too (a triangle is convex), so w stays dense.
        w.length = k - start;
        w.push(v * scaleBy);
      }
    }
    out.push({
      start: Math.max(start, zeroDc ? 1 : 0),
      weights: Float64Array.from(w, (x) => x ?? 0),
      edgesHz: [edgesHz[b], edgesHz[b + 1], edgesHz[b + 2]],
    });
  }
  return out;
}

/** YAMNet's filter bank (TensorFlow's: HTK scale, triangles in mel, DC zero), float32 weights. */
export function melFilterBank(spec: MelBankSpec): MelBand[] {
  return melBands(spec).map((b) => ({ start: b.start, weights: Float32Array.from(b.weights) }));
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
