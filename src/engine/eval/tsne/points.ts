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
 * Exact k-nearest neighbours. Each pair's distance is computed once and offered to both points'
 * bounded max-heaps (half the work of a row-by-row search); memory stays O(n·k) rather than the
 * O(n²) of a distance matrix, so tens of thousands of activations fit. Candidates reach every heap
 * in increasing index order, so ties keep the lower index.
 */
export function nearestNeighbours(x: PointMatrix, k: number): Neighbours {
  const { data, n, dims } = x;
  const heapD = new Float64Array(n * k);
  const heapI = new Int32Array(n * k);
  const size = new Int32Array(n);
  const offer = (i: number, j: number, d: number) => {
    const h = i * k;
    if (size[i] < k) {
      let c = size[i]++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (heapD[h + p] >= d) break;
        heapD[h + c] = heapD[h + p];
        heapI[h + c] = heapI[h + p];
        c = p;
      }
      heapD[h + c] = d;
      heapI[h + c] = j;
    } else if (d < heapD[h]) {
      // replace the farthest kept neighbour, sift down
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= k) break;
        const r = l + 1;
        const big = r < k && heapD[h + r] > heapD[h + l] ? r : l;
        if (heapD[h + big] <= d) break;
        heapD[h + c] = heapD[h + big];
        heapI[h + c] = heapI[h + big];
        c = big;
      }
      heapD[h + c] = d;
      heapI[h + c] = j;
    }
  };
  for (let i = 0; i < n; i++) {
    const oi = i * dims;
    for (let j = i + 1; j < n; j++) {
      const oj = j * dims;
      // A pair farther than both points' current k-th neighbour can't enter either heap: stop
      // summing as soon as the partial distance passes that bound (most pairs of clustered data).
      const bound = Math.max(size[i] < k ? Infinity : heapD[i * k], size[j] < k ? Infinity : heapD[j * k]);
      let d = 0;
      for (let m = 0; m < dims;) {
        const stop = Math.min(dims, m + 16);
        for (; m < stop; m++) {
          const t = data[oi + m] - data[oj + m];
          d += t * t;
        }
        if (d > bound) break;
      }
      if (d > bound) continue;
      // Only a candidate nearer than a full heap's farthest needs the heap.
      if (size[i] < k || d < heapD[i * k]) offer(i, j, d);
      if (size[j] < k || d < heapD[j * k]) offer(j, i, d);
    }
  }
  const indices = new Int32Array(n * k);
  const dist2 = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const h = i * k;
    const order = Array.from({ length: size[i] }, (_, m) => m).sort(
      (a, b) => heapD[h + a] - heapD[h + b] || heapI[h + a] - heapI[h + b],
    );
    order.forEach((m, r) => {
      indices[h + r] = heapI[h + m];
      dist2[h + r] = heapD[h + m];
    });
  }
  return { k, indices, dist2 };
}
