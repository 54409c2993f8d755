import type { Neighbours } from './points';

/**
 * Input-space affinities of t-SNE (van der Maaten & Hinton 2008, §2): a Gaussian around each
 * point whose bandwidth is found by binary search so that its entropy equals log(perplexity),
 * then symmetrised, P = (P_{j|i} + P_{i|j}) / 2n.
 */

/**
 * Conditional probabilities P_{j|i} of one point over the given squared distances, written into
 * `out`; returns the bandwidth found, beta = 1 / (2 sigma²). The entropy H(beta) falls with beta
 * (dH/dbeta = −beta·Var_P(d)), so beta is found by Newton's method inside a bracket that
 * tightens each step, with the reference implementation's doubling/halving/bisection whenever
 * a Newton step would leave it: about 5 rounds of exp() over the row where bisection took 19.
 * `beta0` starts the search: the previous row's result, when rows are in neighbour order (3.5
 * rounds). A row that does not converge (all its distances equal: any beta gives the same
 * uniform row) returns `beta0`, so that its runaway beta does not start the next row's search.
 */
export function conditionalRow(
  dist2: ArrayLike<number>,
  perplexity: number,
  out: Float64Array,
  beta0 = 1,
): number {
  const m = dist2.length;
  const target = Math.log(perplexity);
  let beta = beta0;
  let lo = 0;
  let hi = Infinity;
  // Shifting by the smallest distance keeps exp() from underflowing for far-away points.
  let minD = Infinity;
  for (let j = 0; j < m; j++) minD = Math.min(minD, dist2[j]);
  let sum = 1;
  let converged = false;
  for (let iter = 0; iter < 200; iter++) {
    sum = 0;
    let sumDP = 0;
    let sumD2P = 0;
    for (let j = 0; j < m; j++) {
      const d = dist2[j] - minD;
      const p = Math.exp(-d * beta);
      out[j] = p;
      sum += p;
      sumDP += d * p;
      sumD2P += d * d * p;
    }
    const mean = sumDP / sum;
    const diff = Math.log(sum) + beta * mean - target;
    if (Math.abs(diff) < 1e-5) {
      converged = true;
      break;
    }
    if (diff > 0) lo = beta;
    else hi = beta;
    const next = beta + diff / (beta * (sumD2P / sum - mean * mean));
    if (next > lo && next < hi) beta = next;
    else if (hi === Infinity) beta *= 2;
    else if (lo === 0) beta /= 2;
    else beta = (lo + hi) / 2;
  }
  for (let j = 0; j < m; j++) out[j] /= sum;
  return converged ? beta : beta0;
}

/** Dense symmetric joint probabilities P (n×n) from a dense squared-distance matrix. */
export function denseJointP(dist: Float64Array, n: number, perplexity: number): Float64Array {
  const P = new Float64Array(n * n);
  const row = new Float64Array(n - 1);
  const d = new Float64Array(n - 1);
  let beta = 1;
  for (let i = 0; i < n; i++) {
    for (let j = 0, m = 0; j < n; j++) if (j !== i) d[m++] = dist[i * n + j];
    beta = conditionalRow(d, perplexity, row, beta);
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

/** A symmetric sparse matrix in compressed-row form, columns ascending within a row. */
export interface SparseP {
  n: number;
  rowStart: Int32Array;
  cols: Int32Array;
  values: Float64Array;
  /** Per row, the first entry whose column is above the row (so each pair can be visited once). */
  upperStart: Int32Array;
}

/**
 * Sparse symmetric P over the k nearest neighbours of each point (k ≈ 3·perplexity, as in
 * Barnes-Hut-SNE, van der Maaten 2014): P_{j|i} is only computed for neighbours; the
 * symmetrisation takes the union of both directions. Built with typed arrays only (each row's
 * sorted neighbours merged with the transpose's row): at 10,000 points a Map per row cost more
 * than the kNN search.
 */
export function sparseJointP(nb: Neighbours, n: number, perplexity: number): SparseP {
  // Three passes, each its own function: V8 compiles a long loop while it runs (OSR), and a
  // later loop in the same function, not yet run, then deoptimises that code on the way out.
  const cond = conditionalMatrix(nb, n, perplexity);
  return mergedRows(nb, cond, transposed(nb, cond, n), n);
}

/** P_{j|i} / 2n for every point i and each of its k neighbours j, row-major n × k. */
function conditionalMatrix(nb: Neighbours, n: number, perplexity: number): Float64Array {
  const { k, dist2 } = nb;
  const d = new Float64Array(k);
  const row = new Float64Array(k);
  const cond = new Float64Array(n * k);
  let beta = 1;
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < k; m++) d[m] = dist2[i * k + m];
    beta = conditionalRow(d, perplexity, row, beta);
    for (let m = 0; m < k; m++) cond[i * k + m] = row[m] / (2 * n);
  }
  return cond;
}

/** A sparse matrix's rows, columns ascending within each: row i is [start[i], start[i + 1]). */
interface Rows {
  start: Int32Array;
  cols: Int32Array;
  values: Float64Array;
}

/**
 * The transpose of the kNN matrix (row j holds every i that lists j, with i's value), by
 * counting sort: rows are filled in increasing i, so each comes out sorted by column.
 */
function transposed(nb: Neighbours, cond: Float64Array, n: number): Rows {
  const { k, indices } = nb;
  const start = new Int32Array(n + 1);
  for (let e = 0; e < n * k; e++) start[indices[e] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const cols = new Int32Array(n * k);
  const values = new Float64Array(n * k);
  for (let e = 0; e < n * k; e++) {
    const j = indices[e];
    cols[fill[j]] = Math.floor(e / k);
    values[fill[j]++] = cond[e];
  }
  return { start, cols, values };
}

/**
 * P = (kNN matrix + its transpose): each point's own neighbours sorted by column, merged with
 * its transposed row, the two entries of a pair that both list the other added up.
 */
function mergedRows(nb: Neighbours, cond: Float64Array, t: Rows, n: number): SparseP {
  const { k, indices } = nb;
  const rowStart = new Int32Array(n + 1);
  const cols = new Int32Array(2 * n * k);
  const values = new Float64Array(2 * n * k);
  const upperStart = new Int32Array(n);
  // Column · k + position: sorting these numbers sorts a row's neighbours by column. Int32
  // (n · k < 2^31: 23 million points at k = 90): V8 sorts small integers without boxing them,
  // doubles as heap numbers (the sort took twice the time of the rest).
  if (n * k >= 2 ** 31) throw new Error(`t-SNE: ${n} points × ${k} neighbours is too many`);
  const keys = new Int32Array(k);
  let out = 0;
  for (let i = 0; i < n; i++) {
    rowStart[i] = out;
    for (let m = 0; m < k; m++) keys[m] = indices[i * k + m] * k + m;
    keys.sort();
    let a = 0;
    let b = t.start[i];
    const endB = t.start[i + 1];
    let colA = a < k ? Math.floor(keys[a] / k) : n;
    let colB = b < endB ? t.cols[b] : n;
    upperStart[i] = -1;
    while (colA < n || colB < n) {
      const j = Math.min(colA, colB);
      let v = 0;
      if (colA === j) {
        v += cond[i * k + (keys[a] - j * k)];
        a++;
        colA = a < k ? Math.floor(keys[a] / k) : n;
      }
      if (colB === j) {
        v += t.values[b];
        b++;
        colB = b < endB ? t.cols[b] : n;
      }
      if (j > i && upperStart[i] < 0) upperStart[i] = out;
      cols[out] = j;
      values[out++] = v;
    }
    if (upperStart[i] < 0) upperStart[i] = out;
  }
  rowStart[n] = out;
  return { n, rowStart, cols: cols.slice(0, out), values: values.slice(0, out), upperStart };
}
