/**
 * Rational-ratio polyphase resampling with a Kaiser-windowed sinc low-pass, the design of
 * SciPy's `resample_poly` (which produced the front-end reference vectors).
 *
 * For a rate change by up/down (reduced by their gcd), the ideal operation is: insert up-1
 * zeros between samples, low-pass at min(π/up, π/down), keep every down-th sample. With the
 * linear-phase filter h of length 2H+1 (H = halfLenFactor·max(up, down)) centred on its middle
 * tap, output sample m is
 *
 *     y[m] = Σ_k x[k] · h[m·down + H − k·up],   0 ≤ m < ceil(n·up/down),
 *
 * with x zero outside [0, n). Only the taps with index ≡ (m·down + H) mod up meet a non-zero
 * input, so each output needs (2H+1)/up multiply-adds: the filter is stored split into its up
 * phases, each reversed-free and contiguous so the inner loop is a plain dot product.
 *
 * The filter is SciPy's `firwin(2H+1, 1/max(up,down), window=('kaiser', beta))`: the sinc
 * h[i] = c·sinc(c·(i − H)), c = 1/max(up, down), times a Kaiser window
 * w[i] = I0(β·√(1 − ((i − H)/H)²)) / I0(β), normalised to unit DC gain and scaled by up.
 */

export interface PolyphaseOptions {
  /** Half filter length in units of max(up, down); SciPy's default 10. */
  halfLenFactor?: number;
  /** Kaiser β; SciPy's default 5.0 (about 55 dB stop-band attenuation). */
  kaiserBeta?: number;
}

interface Plan {
  up: number;
  down: number;
  halfLen: number;
  /** phases[p][j] = h[p + j·up] */
  phases: Float32Array[];
}

const plans = new Map<string, Plan>();

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for β ≤ 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** The up/down ratio in lowest terms. */
export function rationalRatio(fromRate: number, toRate: number): { up: number; down: number } {
  const g = gcd(toRate, fromRate);
  return { up: toRate / g, down: fromRate / g };
}

function plan(up: number, down: number, halfLenFactor: number, beta: number): Plan {
  const key = `${up}/${down}/${halfLenFactor}/${beta}`;
  const cached = plans.get(key);
  if (cached) return cached;
  const maxRate = Math.max(up, down);
  const halfLen = halfLenFactor * maxRate;
  const n = 2 * halfLen + 1;
  const cutoff = 1 / maxRate;
  const h = new Float64Array(n);
  const i0b = besselI0(beta);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const m = i - halfLen;
    const x = cutoff * m;
    const sinc = m === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = m / halfLen;
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0b;
    h[i] = cutoff * sinc * w;
    sum += h[i];
  }
  const gain = up / sum;
  const phases: Float32Array[] = [];
  for (let p = 0; p < up; p++) {
    const len = Math.floor((n - 1 - p) / up) + 1;
    const taps = new Float32Array(Math.max(0, len));
    for (let j = 0; j < len; j++) taps[j] = h[p + j * up] * gain;
    phases.push(taps);
  }
  const result = { up, down, halfLen, phases };
  plans.set(key, result);
  return result;
}

/** Resamples by the rational factor toRate/fromRate (integer rates). */
export function resamplePolyphase(
  x: Float32Array,
  fromRate: number,
  toRate: number,
  opts: PolyphaseOptions = {},
): Float32Array {
  const { up, down } = rationalRatio(fromRate, toRate);
  const { phases, halfLen } = plan(up, down, opts.halfLenFactor ?? 10, opts.kaiserBeta ?? 5);
  const n = x.length;
  const outLen = Math.ceil((n * up) / down);
  const y = new Float32Array(outLen);
  if (up === 1) return decimateSymmetric(x, phases[0], halfLen, down, y);
  for (let m = 0; m < outLen; m++) {
    const t = m * down + halfLen;
    // Newest input sample under the filter, and the phase of its tap.
    const k = Math.floor(t / up);
    const taps = phases[t - k * up];
    // Taps that fall before the first or after the last sample meet the zero padding.
    let j = k > n - 1 ? k - (n - 1) : 0;
    const jEnd = Math.min(taps.length, k + 1);
    // Four independent sums: one running sum stalls on floating-point add latency every tap.
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (; j + 3 < jEnd; j += 4) {
      const i = k - j;
      a0 += taps[j] * x[i];
      a1 += taps[j + 1] * x[i - 1];
      a2 += taps[j + 2] * x[i - 2];
      a3 += taps[j + 3] * x[i - 3];
    }
    for (; j < jEnd; j++) a0 += taps[j] * x[k - j];
    y[m] = a0 + a1 + (a2 + a3);
  }
  return y;
}

/**
 * Integer decimation (up = 1: 48, 32, 96 kHz → 16 kHz), where the one phase is the whole
 * symmetric filter h[j] = h[2H − j]: output m pairs the inputs at c ± j around c = m·down and
 * multiplies each pair once, y[m] = h[H]·x[c] + Σ_{1≤j≤H} h[H − j]·(x[c − j] + x[c + j]).
 * Outputs whose filter reaches past either end of the input take the general path.
 */
function decimateSymmetric(
  x: Float32Array,
  h: Float32Array,
  halfLen: number,
  down: number,
  y: Float32Array,
): Float32Array {
  const n = x.length;
  const centre = h[halfLen];
  // Half filter from the centre outwards: g[j] = h[H − j].
  const g = new Float32Array(halfLen + 1);
  for (let j = 0; j <= halfLen; j++) g[j] = h[halfLen - j];
  for (let m = 0; m < y.length; m++) {
    const c = m * down;
    if (c - halfLen < 0 || c + halfLen > n - 1) {
      let acc = 0;
      for (let j = -halfLen; j <= halfLen; j++) {
        const i = c + j;
        if (i >= 0 && i < n) acc += g[Math.abs(j)] * x[i];
      }
      y[m] = acc;
      continue;
    }
    let a0 = centre * x[c];
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let j = 1;
    for (; j + 3 <= halfLen; j += 4) {
      a0 += g[j] * (x[c - j] + x[c + j]);
      a1 += g[j + 1] * (x[c - j - 1] + x[c + j + 1]);
      a2 += g[j + 2] * (x[c - j - 2] + x[c + j + 2]);
      a3 += g[j + 3] * (x[c - j - 3] + x[c + j + 3]);
    }
    for (; j <= halfLen; j++) a0 += g[j] * (x[c - j] + x[c + j]);
    y[m] = a0 + a1 + (a2 + a3);
  }
  return y;
}
