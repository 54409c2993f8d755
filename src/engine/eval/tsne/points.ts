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
 * O(n²) of a distance matrix, so tens of thousands of activations fit. The heaps order by
 * (distance, index), so ties keep the lower index and the result is exactly the sorted rows.
 */
export function nearestNeighbours(x: PointMatrix, k: number): Neighbours {
  const { data, n, dims } = x;
  const heapD = new Float64Array(n * k);
  const heapI = new Int32Array(n * k);
  const size = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const oi = i * dims;
    for (let j = i + 1; j < n; j++) {
      const oj = j * dims;
      // A pair farther than both points' current k-th neighbour can't enter either heap: stop
      // summing as soon as the partial distance passes that bound (most pairs of clustered data).
      const bound = Math.max(size[i] < k ? Infinity : heapD[i * k], size[j] < k ? Infinity : heapD[j * k]);
      const d = partialDistance2(data, oi, oj, dims, bound);
      if (d > bound) continue;
      offer(heapD, heapI, size, k, i, j, d);
      offer(heapD, heapI, size, k, j, i, d);
    }
  }
  return emptyHeaps(heapD, heapI, size, k);
}

/**
 * The neighbour lists from the full heaps, each emptied from its farthest end so that rows come
 * out nearest first. (A function of its own: V8 compiles the search's long loop while it runs,
 * and a second loop after it in the same function would throw that code away on the first exit.)
 */
function emptyHeaps(heapD: Float64Array, heapI: Int32Array, size: Int32Array, k: number): Neighbours {
  const n = size.length;
  const indices = new Int32Array(n * k);
  const dist2 = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const h = i * k;
    for (let last = size[i] - 1; last >= 0; last--) {
      indices[h + last] = heapI[h];
      dist2[h + last] = heapD[h];
      siftDown(heapD, heapI, h, last, heapD[h + last], heapI[h + last]);
    }
  }
  return { k, indices, dist2 };
}

/**
 * |a − b|² of rows at offsets oa and ob, in blocks of 16 dimensions with four running sums (the
 * loop's add latency, not its loads, bounds a single sum); stops once past `bound`.
 */
function partialDistance2(data: Float64Array, oa: number, ob: number, dims: number, bound: number): number {
  let d = 0;
  let m = 0;
  while (m < dims) {
    const stop = Math.min(dims, m + 16);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (; m + 3 < stop; m += 4) {
      const t0 = data[oa + m] - data[ob + m];
      const t1 = data[oa + m + 1] - data[ob + m + 1];
      const t2 = data[oa + m + 2] - data[ob + m + 2];
      const t3 = data[oa + m + 3] - data[ob + m + 3];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    for (; m < stop; m++) {
      const t = data[oa + m] - data[ob + m];
      s0 += t * t;
    }
    d += s0 + s1 + s2 + s3;
    if (d > bound) return d;
  }
  return d;
}

/** (d, j) before (e, l) in a max-heap: the farther, or at equal distance the higher index. */
const above = (d: number, j: number, e: number, l: number) => d > e || (d === e && j > l);

/** Offer candidate j at distance d to point i's bounded max-heap (at i·k, size[i] entries). */
function offer(
  heapD: Float64Array,
  heapI: Int32Array,
  size: Int32Array,
  k: number,
  i: number,
  j: number,
  d: number,
): void {
  const h = i * k;
  if (size[i] < k) {
    // Sift up from the new last slot.
    let c = size[i]++;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (!above(d, j, heapD[h + p], heapI[h + p])) break;
      heapD[h + c] = heapD[h + p];
      heapI[h + c] = heapI[h + p];
      c = p;
    }
    heapD[h + c] = d;
    heapI[h + c] = j;
  } else if (above(heapD[h], heapI[h], d, j)) {
    siftDown(heapD, heapI, h, k, d, j); // replaces the farthest kept neighbour
  }
}

/** Put (d, j) at the root of the heap of `len` entries at h and sift it down to its place. */
function siftDown(
  heapD: Float64Array,
  heapI: Int32Array,
  h: number,
  len: number,
  d: number,
  j: number,
): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= len) break;
    const r = l + 1;
    const big = r < len && above(heapD[h + r], heapI[h + r], heapD[h + l], heapI[h + l]) ? r : l;
    if (!above(heapD[h + big], heapI[h + big], d, j)) break;
    heapD[h + c] = heapD[h + big];
    heapI[h + c] = heapI[h + big];
    c = big;
  }
  heapD[h + c] = d;
  heapI[h + c] = j;
}
