import type { PointMatrix } from './points';

/**
 * Principal-component projection of the input before t-SNE's neighbour search, as the reference
 * t-SNE (van der Maaten's tsne, Rtsne: 50 dimensions) does: the neighbour search costs O(d) per
 * pair, and the discarded components are the low-variance directions that carry mostly noise.
 */

/**
 * The points projected onto their `components` leading principal axes (centred; distances
 * between projected points approximate the originals'). Returns the input unchanged when it
 * has no more dimensions than asked for.
 */
export function projectOnPrincipalAxes(x: PointMatrix, components: number): PointMatrix {
  const { data, n, dims } = x;
  if (dims <= components) return x;
  const mean = new Float64Array(dims);
  for (let i = 0; i < n; i++) for (let k = 0; k < dims; k++) mean[k] += data[i * dims + k];
  for (let k = 0; k < dims; k++) mean[k] /= n;
  // Covariance (upper triangle, then mirrored): one pass over the rows.
  const cov = new Float64Array(dims * dims);
  const row = new Float64Array(dims);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dims; k++) row[k] = data[i * dims + k] - mean[k];
    for (let a = 0; a < dims; a++) {
      const ra = row[a];
      const o = a * dims;
      for (let b = a; b < dims; b++) cov[o + b] += ra * row[b];
    }
  }
  for (let a = 0; a < dims; a++) for (let b = a + 1; b < dims; b++) cov[b * dims + a] = cov[a * dims + b];
  const { values, vectors } = symmetricEigen(cov, dims);
  const order = Array.from({ length: dims }, (_, k) => k).sort((p, q) => values[q] - values[p] || p - q);
  // The leading axes as contiguous rows, for the projection's inner loop.
  const axes = new Float64Array(components * dims);
  for (let c = 0; c < components; c++)
    for (let k = 0; k < dims; k++) axes[c * dims + k] = vectors[k * dims + order[c]];
  const out = new Float64Array(n * components);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dims; k++) row[k] = data[i * dims + k] - mean[k];
    for (let c = 0; c < components; c++) {
      const o = c * dims;
      let s = 0;
      for (let k = 0; k < dims; k++) s += row[k] * axes[o + k];
      out[i * components + c] = s;
    }
  }
  return { data: out, n, dims: components };
}

/**
 * Eigenvalues and eigenvectors (columns of `vectors`, row-major d × d) of a symmetric matrix:
 * Householder reduction to tridiagonal form, then the implicit QL algorithm (tred2 / tql2 of
 * EISPACK, as in JAMA). Deterministic; O(d³), 20 ms at d = 150 where cyclic Jacobi took 0.8 s.
 */
export function symmetricEigen(
  matrix: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const V = Float64Array.from(matrix);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const at = (r: number, c: number) => r * n + c;
  // tred2: Householder tridiagonalisation, accumulating the transformations in V.
  for (let j = 0; j < n; j++) d[j] = V[at(n - 1, j)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[at(i - 1, j)];
        V[at(i, j)] = 0;
        V[at(j, i)] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[at(j, i)] = f;
        g = e[j] + V[at(j, j)] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[at(k, j)] * d[k];
          e[k] += V[at(k, j)] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[at(k, j)] -= f * e[k] + g * d[k];
        d[j] = V[at(i - 1, j)];
        V[at(i, j)] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[at(n - 1, i)] = V[at(i, i)];
    V[at(i, i)] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[at(k, i + 1)] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[at(k, i + 1)] * V[at(k, j)];
        for (let k = 0; k <= i; k++) V[at(k, j)] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[at(k, i + 1)] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[at(n - 1, j)];
    V[at(n - 1, j)] = 0;
  }
  V[at(n - 1, n - 1)] = 1;
  e[0] = 0;
  // tql2: implicit QL iterations on the tridiagonal matrix.
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      for (let iter = 0; iter < 100; iter++) {
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            h = V[at(k, i + 1)];
            V[at(k, i + 1)] = s * V[at(k, i)] + c * h;
            V[at(k, i)] = c * V[at(k, i)] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (Math.abs(e[l]) <= eps * tst1) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
  return { values: d, vectors: V };
}
