/** Input points as one row-major Float64Array, whatever shape the caller had them in. */
export interface PointMatrix {
  data: Float64Array;
  n: number;
  dims: number;
}

/** Accepts rows (number[][]) or a flat array with the dimensionality given. */
export function toPointMatrix(points: Float32Array | Float64Array | number[][], dims?: number): PointMatrix {
  if (Array.isArray(points)) {
    const n = points.length;
    const d = n > 0 ? points[0].length : (dims ?? 0);
    const data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      if (points[i].length !== d)
        throw new Error(`t-SNE input: row ${i} has ${points[i].length} values, expected ${d}`);
      data.set(points[i], i * d);
    }
    return { data, n, dims: d };
  }
  if (!dims || dims <= 0) throw new Error('t-SNE input: a flat array needs `inputDims`');
  if (points.length % dims !== 0)
    throw new Error(`t-SNE input: ${points.length} values is not a multiple of ${dims}`);
  return { data: Float64Array.from(points), n: points.length / dims, dims };
}

/** Squared Euclidean distances between all pairs, as a dense n×n matrix. */
export function squaredDistances(x: PointMatrix): Float64Array {
  const { data, n, dims } = x;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * dims;
    for (let j = i + 1; j < n; j++) {
      const oj = j * dims;
      let s = 0;
      for (let k = 0; k < dims; k++) {
        const t = data[oi + k] - data[oj + k];
        s += t * t;
      }
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Indices of the k nearest other points of every point (rows of a dense distance matrix), nearest first. */
export function nearestNeighbours(dist: Float64Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n * k);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) order[j] = j;
    const row = i * n;
    // Self sorts first by forcing -1; a full sort is fine at the sizes t-SNE is used for here.
    const sorted = Array.from(order).sort((a, b) =>
      a === i ? -1 : b === i ? 1 : dist[row + a] - dist[row + b],
    );
    for (let m = 0; m < k; m++) out[i * k + m] = sorted[m + 1];
  }
  return out;
}
