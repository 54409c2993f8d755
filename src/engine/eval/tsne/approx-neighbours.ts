import type { Neighbours, PointMatrix } from './points';
import { mulberry32, type Random } from '../../util/random';

/**
 * Approximate k-nearest neighbours for t-SNE's input affinities at sizes where the exact search
 * (O(n²·d)) costs more than the whole optimisation: 23 s CPU of an 80 s run at 10,000 × 150.
 * Two stages, as in Annoy and NN-descent (Dong et al. 2011), which openTSNE and UMAP use:
 * 1. a forest of random-projection trees: each splits its points by the hyperplane halfway
 *    between two of them, down to leaves of about 2k points; a point's candidates are its leaf
 *    mates in every tree;
 * 2. neighbours of neighbours: a near neighbour's near neighbours are likely near, so a few
 *    rounds offer each point the close neighbours of its close neighbours.
 * Distances are exact for every candidate, so the result is the exact kNN of a candidate set.
 * Deterministic for a seed (the random splits come from mulberry32).
 */

export interface ApproxNeighbourOptions {
  /** Random-projection trees. Default 6. */
  trees?: number;
  /** Neighbour-of-neighbour rounds. Default 2. */
  rounds?: number;
  seed?: number;
}

/** Bounded max-heaps of (distance, index), one per point, flat: the farthest kept is at the root. */
class NeighbourHeaps {
  readonly dist: Float64Array;
  readonly index: Int32Array;
  readonly size: Int32Array;

  constructor(
    n: number,
    readonly k: number,
  ) {
    this.dist = new Float64Array(n * k);
    this.index = new Int32Array(n * k);
    this.size = new Int32Array(n);
  }

  /** The distance a candidate must beat to enter point i's heap. */
  bound(i: number): number {
    return this.size[i] < this.k ? Infinity : this.dist[i * this.k];
  }

  /** Offers j at squared distance d to point i's heap (the caller ensures j is not already in it). */
  offer(i: number, j: number, d: number): void {
    const { k, dist, index } = this;
    const h = i * k;
    if (this.size[i] < k) {
      let c = this.size[i]++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (dist[h + p] >= d) break;
        dist[h + c] = dist[h + p];
        index[h + c] = index[h + p];
        c = p;
      }
      dist[h + c] = d;
      index[h + c] = j;
      return;
    }
    if (d >= dist[h]) return;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= k) break;
      const r = l + 1;
      const big = r < k && dist[h + r] > dist[h + l] ? r : l;
      if (dist[h + big] <= d) break;
      dist[h + c] = dist[h + big];
      index[h + c] = index[h + big];
      c = big;
    }
    dist[h + c] = d;
    index[h + c] = j;
  }
}

export function approximateNeighbours(
  x: PointMatrix,
  k: number,
  options: ApproxNeighbourOptions = {},
): Neighbours {
  const { n } = x;
  if (k >= n) throw new Error(`approximateNeighbours: k = ${k} needs more than ${n} points`);
  const rand = mulberry32(options.seed ?? 0);
  const heaps = new NeighbourHeaps(n, k);
  // stamp[j] === i + 1 while point i is processed and j was already offered to it.
  const stamp = new Int32Array(n);
  const leafSize = Math.max(2 * k, 32);
  const trees = options.trees ?? 6;
  const leaves: Int32Array[] = [];
  const leafOf = new Int32Array(trees * n);
  for (let t = 0; t < trees; t++) {
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const treeLeaves: [number, number][] = [];
    splitNode(x, order, 0, n, leafSize, rand, new Float64Array(n), treeLeaves);
    for (const [lo, hi] of treeLeaves) {
      const leaf = order.slice(lo, hi);
      for (let m = 0; m < leaf.length; m++) leafOf[t * n + leaf[m]] = leaves.length;
      leaves.push(leaf);
    }
  }
  for (let i = 0; i < n; i++) {
    stamp[i] = i + 1; // never offer a point to itself
    for (let t = 0; t < trees; t++) {
      const leaf = leaves[leafOf[t * n + i]];
      for (let m = 0; m < leaf.length; m++) consider(x, heaps, stamp, i, leaf[m]);
    }
  }
  // Neighbours of neighbours, over each point's nearest few (and only those: they carry the
  // affinity mass, and all k of them would offer k² candidates per point).
  const fan = Math.min(k, 16);
  const nearest = new Int32Array(n * fan);
  for (let round = 0; round < (options.rounds ?? 2); round++) {
    for (let i = 0; i < n; i++) {
      const sorted = sortedRow(heaps, i);
      for (let m = 0; m < fan; m++) nearest[i * fan + m] = sorted[Math.min(m, sorted.length - 1)];
    }
    for (let i = 0; i < n; i++) {
      // Mark what point i already holds so it is not offered again.
      const h = i * k;
      for (let m = 0; m < heaps.size[i]; m++) stamp[heaps.index[h + m]] = i + 1;
      stamp[i] = i + 1;
      for (let a = 0; a < fan; a++) {
        const j = nearest[i * fan + a];
        for (let b = 0; b < fan; b++) consider(x, heaps, stamp, i, nearest[j * fan + b]);
      }
    }
  }
  // A point left with fewer than k (lopsided splits at tiny n) gets an exhaustive scan.
  for (let i = 0; i < n; i++) {
    if (heaps.size[i] < k) for (let j = 0; j < n; j++) if (j !== i) consider(x, heaps, stamp, i, j);
  }
  return sortedNeighbours(heaps, n, k);
}

/** Offers j to point i once (stamp), after an exact distance that stops early past i's bound. */
function consider(x: PointMatrix, heaps: NeighbourHeaps, stamp: Int32Array, i: number, j: number): void {
  if (stamp[j] === i + 1) return;
  stamp[j] = i + 1;
  const { data, dims } = x;
  const bound = heaps.bound(i);
  const oi = i * dims;
  const oj = j * dims;
  let d = 0;
  for (let m = 0; m < dims;) {
    const stop = Math.min(dims, m + 16);
    for (; m < stop; m++) {
      const t = data[oi + m] - data[oj + m];
      d += t * t;
    }
    if (d >= bound) return;
  }
  heaps.offer(i, j, d);
}

/**
 * Splits order[lo, hi) by the hyperplane halfway between two random members (Annoy's split) until
 * a part holds at most `leafSize` points; appends each leaf's range. A split that leaves a side
 * empty (duplicates, or a hyperplane through everything) falls back to halving the range.
 */
function splitNode(
  x: PointMatrix,
  order: Int32Array,
  lo: number,
  hi: number,
  leafSize: number,
  rand: Random,
  proj: Float64Array,
  out: [number, number][],
): void {
  const count = hi - lo;
  if (count <= leafSize) {
    out.push([lo, hi]);
    return;
  }
  const { data, dims } = x;
  const a = order[lo + Math.floor(rand() * count)];
  let b = order[lo + Math.floor(rand() * (count - 1))];
  if (b === a) b = order[hi - 1];
  // side(p) = (p − (a + b)/2)·(a − b): the sign says which of a and b is nearer.
  let offset = 0;
  for (let m = 0; m < dims; m++)
    offset += ((data[a * dims + m] + data[b * dims + m]) / 2) * (data[a * dims + m] - data[b * dims + m]);
  let left = lo;
  for (let s = lo; s < hi; s++) {
    const p = order[s];
    let v = -offset;
    for (let m = 0; m < dims; m++) v += data[p * dims + m] * (data[a * dims + m] - data[b * dims + m]);
    proj[p] = v;
    if (v > 0) left++;
  }
  let mid: number;
  if (left === lo || left === hi) {
    mid = lo + (count >> 1);
  } else {
    // Partition in place: points with a positive side first.
    let w = lo;
    for (let s = lo; s < hi; s++) {
      if (proj[order[s]] > 0) {
        const t = order[w];
        order[w++] = order[s];
        order[s] = t;
      }
    }
    mid = w;
  }
  splitNode(x, order, lo, mid, leafSize, rand, proj, out);
  splitNode(x, order, mid, hi, leafSize, rand, proj, out);
}

/** Point i's kept neighbours, nearest first (ties: lower index first). */
function sortedRow(heaps: NeighbourHeaps, i: number): number[] {
  const h = i * heaps.k;
  const order = Array.from({ length: heaps.size[i] }, (_, m) => m).sort(
    (p, q) => heaps.dist[h + p] - heaps.dist[h + q] || heaps.index[h + p] - heaps.index[h + q],
  );
  return order.map((m) => heaps.index[h + m]);
}

function sortedNeighbours(heaps: NeighbourHeaps, n: number, k: number): Neighbours {
  const indices = new Int32Array(n * k);
  const dist2 = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const h = i * k;
    const order = Array.from({ length: heaps.size[i] }, (_, m) => m).sort(
      (p, q) => heaps.dist[h + p] - heaps.dist[h + q] || heaps.index[h + p] - heaps.index[h + q],
    );
    order.forEach((m, r) => {
      indices[h + r] = heaps.index[h + m];
      dist2[h + r] = heaps.dist[h + m];
    });
  }
  return { k, indices, dist2 };
}
