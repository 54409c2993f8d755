import type { Neighbours } from './points';

/**
 * Input-space affinities of t-SNE (van der Maaten & Hinton 2008, §2): a Gaussian around each
 * point whose bandwidth is found by binary search so that its entropy equals log(perplexity),
 * then symmetrised, P = (P_{j|i} + P_{i|j}) / 2n.
 */

/**
 * Conditional probabilities P_{j|i} of one point over the given squared distances, written into
 * `out`. Binary search on beta = 1 / (2 sigma²), as in the reference implementation.
 */
export function conditionalRow(dist2: ArrayLike<number>, perplexity: number, out: Float64Array): void {
  const m = dist2.length;
  const target = Math.log(perplexity);
  let beta = 1;
  let lo = -Infinity;
  let hi = Infinity;
  // Shifting by the smallest distance keeps exp() from underflowing for far-away points.
  let minD = Infinity;
  for (let j = 0; j < m; j++) minD = Math.min(minD, dist2[j]);
  for (let iter = 0; iter < 200; iter++) {
    let sum = 0;
    let sumDP = 0;
    for (let j = 0; j < m; j++) {
      const p = Math.exp(-(dist2[j] - minD) * beta);
      out[j] = p;
      sum += p;
      sumDP += (dist2[j] - minD) * p;
    }
    const entropy = Math.log(sum) + (beta * sumDP) / sum;
    for (let j = 0; j < m; j++) out[j] /= sum;
    const diff = entropy - target;
    if (Math.abs(diff) < 1e-5) break;
    if (diff > 0) {
      lo = beta;
      beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
    }
  }
}

/** Dense symmetric joint probabilities P (n×n) from a dense squared-distance matrix. */
export function denseJointP(dist: Float64Array, n: number, perplexity: number): Float64Array {
  const P = new Float64Array(n * n);
  const row = new Float64Array(n - 1);
  const d = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0, m = 0; j < n; j++) if (j !== i) d[m++] = dist[i * n + j];
    conditionalRow(d, perplexity, row);
    for (let j = 0, m = 0; j < n; j++) if (j !== i) P[i * n + j] = row[m++];
  }
  const total = 2 * n;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.max((P[i * n + j] + P[j * n + i]) / total, 1e-12);
      P[i * n + j] = v;
      P[j * n + i] = v;
    }
    P[i * n + i] = 0;
  }
  return P;
}

/** A symmetric sparse matrix in compressed-row form. */
export interface SparseP {
  n: number;
  rowStart: Int32Array;
  cols: Int32Array;
  values: Float64Array;
}

/**
 * Sparse symmetric P over the k nearest neighbours of each point (k ≈ 3·perplexity, as in
 * Barnes-Hut-SNE, van der Maaten 2014): P_{j|i} is only computed for neighbours; the
 * symmetrisation takes the union of both directions.
 */
export function sparseJointP(nb: Neighbours, n: number, perplexity: number): SparseP {
  const { k, indices, dist2 } = nb;
  const d = new Float64Array(k);
  const row = new Float64Array(k);
  const rows: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < k; m++) d[m] = dist2[i * k + m];
    conditionalRow(d, perplexity, row);
    for (let m = 0; m < k; m++) {
      const j = indices[i * k + m];
      const v = row[m] / (2 * n);
      rows[i].set(j, (rows[i].get(j) ?? 0) + v);
      rows[j].set(i, (rows[j].get(i) ?? 0) + v);
    }
  }
  const rowStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + rows[i].size;
  const cols = new Int32Array(rowStart[n]);
  const values = new Float64Array(rowStart[n]);
  for (let i = 0; i < n; i++) {
    let o = rowStart[i];
    for (const [j, v] of [...rows[i]].sort((a, b) => a[0] - b[0])) {
      cols[o] = j;
      values[o++] = v;
    }
  }
  return { n, rowStart, cols, values };
}
