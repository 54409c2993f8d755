/** Small numeric building blocks of the cepstral front ends: DCT, deltas, time statistics. */

/**
 * Orthonormal DCT-II basis, numCoeffs × size: c_k = s_k Σ_m x_m cos(π k (2m + 1) / 2M) with
 * s_0 = √(1/M), s_k = √(2/M) (the same as scipy.fft.dct(type=2, norm='ortho')).
 */
export function dctIIOrthoMatrix(numCoeffs: number, size: number): Float64Array {
  const m = new Float64Array(numCoeffs * size);
  for (let k = 0; k < numCoeffs; k++) {
    const s = Math.sqrt((k === 0 ? 1 : 2) / size);
    for (let n = 0; n < size; n++) m[k * size + n] = s * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * size));
  }
  return m;
}

/**
 * Regression deltas over ±`width` frames (HTK, Young et al. "The HTK Book" eq. 5.16):
 * d_t = Σ_{n=1..N} n (c_{t+n} − c_{t−n}) / (2 Σ n²), frames beyond the ends replaced by the
 * first/last frame. `frames` is row-major numFrames × dim.
 */
export function deltas(frames: Float64Array, numFrames: number, dim: number, width = 2): Float64Array {
  const out = new Float64Array(numFrames * dim);
  let denom = 0;
  for (let n = 1; n <= width; n++) denom += n * n;
  denom *= 2;
  const clamp = (t: number) => Math.min(numFrames - 1, Math.max(0, t));
  for (let t = 0; t < numFrames; t++) {
    for (let d = 0; d < dim; d++) {
      let acc = 0;
      for (let n = 1; n <= width; n++)
        acc += n * (frames[clamp(t + n) * dim + d] - frames[clamp(t - n) * dim + d]);
      out[t * dim + d] = acc / denom;
    }
  }
  return out;
}

/**
 * Mean and population standard deviation (divide by T) of each column over frames:
 * [mean_0..mean_{dim-1}, sd_0..sd_{dim-1}]. One frame gives sd 0.
 */
export function meanSdOverTime(frames: ArrayLike<number>, numFrames: number, dim: number): Float32Array {
  const out = new Float32Array(2 * dim);
  for (let d = 0; d < dim; d++) {
    let sum = 0;
    for (let t = 0; t < numFrames; t++) sum += frames[t * dim + d];
    const mean = sum / numFrames;
    let ss = 0;
    for (let t = 0; t < numFrames; t++) {
      const e = frames[t * dim + d] - mean;
      ss += e * e;
    }
    out[d] = mean;
    out[dim + d] = Math.sqrt(ss / numFrames);
  }
  return out;
}
