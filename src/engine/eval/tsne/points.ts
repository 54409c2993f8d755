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

/** The k nearest other points of every point: indices and squared distances, nearest first. */
export interface Neighbours {
  k: number;
  indices: Int32Array;
  dist2: Float64Array;
}

/**
 * Exact k-nearest neighbours, one row at a time so memory stays O(n·k) rather than the O(n²) of a
 * distance matrix (tens of thousands of activations fit). A bounded max-heap keeps the k best.
 */
export function nearestNeighbours(x: PointMatrix, k: number): Neighbours {
  const { data, n, dims } = x;
  const indices = new Int32Array(n * k);
  const dist2 = new Float64Array(n * k);
  const heapD = new Float64Array(k);
  const heapI = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    let size = 0;
    const oi = i * dims;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const oj = j * dims;
      let d = 0;
      for (let m = 0; m < dims; m++) {
        const t = data[oi + m] - data[oj + m];
        d += t * t;
      }
      if (size < k) {
        // sift up
        let c = size++;
        while (c > 0) {
          const p = (c - 1) >> 1;
          if (heapD[p] >= d) break;
          heapD[c] = heapD[p];
          heapI[c] = heapI[p];
          c = p;
        }
        heapD[c] = d;
        heapI[c] = j;
      } else if (d < heapD[0]) {
        // replace the farthest kept neighbour, sift down
        let c = 0;
        for (;;) {
          const l = 2 * c + 1;
          if (l >= k) break;
          const r = l + 1;
          const big = r < k && heapD[r] > heapD[l] ? r : l;
          if (heapD[big] <= d) break;
          heapD[c] = heapD[big];
          heapI[c] = heapI[big];
          c = big;
        }
        heapD[c] = d;
        heapI[c] = j;
      }
    }
    const order = Array.from({ length: size }, (_, m) => m).sort(
      (a, b) => heapD[a] - heapD[b] || heapI[a] - heapI[b],
    );
    order.forEach((m, r) => {
      indices[i * k + r] = heapI[m];
      dist2[i * k + r] = heapD[m];
    });
  }
  return { k, indices, dist2 };
}
