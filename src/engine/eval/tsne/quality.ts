import { squaredDistances, toPointMatrix } from './points';

/**
 * Measures of how well an embedding keeps the input's structure, used to validate one t-SNE
 * engine against another (no single embedding is "right": these compare neighbourhoods).
 */

type Points = Float32Array | Float64Array | number[][];

function ranks(dist: Float64Array, n: number, i: number): Int32Array {
  const order = Array.from({ length: n }, (_, j) => j)
    .filter((j) => j !== i)
    .sort((a, b) => dist[i * n + a] - dist[i * n + b] || a - b);
  const rank = new Int32Array(n);
  order.forEach((j, r) => (rank[j] = r + 1));
  return rank;
}

function neighbours(dist: Float64Array, n: number, i: number, k: number): number[] {
  return Array.from({ length: n }, (_, j) => j)
    .filter((j) => j !== i)
    .sort((a, b) => dist[i * n + a] - dist[i * n + b] || a - b)
    .slice(0, k);
}

/** Squared-distance matrices of the input and of its embedding, and how many points each holds. */
function distancesOf(input: Points, embedding: Points, inputDims: number | undefined, embeddingDims: number) {
  const x = toPointMatrix(input, inputDims);
  const y = toPointMatrix(embedding, embeddingDims);
  return { n: x.n, embedded: y.n, dx: squaredDistances(x), dy: squaredDistances(y) };
}

/**
 * Trustworthiness T(k) (Venna & Kaski 2001; as in scikit-learn): 1 minus a penalty for points that
 * are among the k nearest in the embedding but not in the input, weighted by their input rank.
 * 1 = no false neighbours. Requires k < n / 2.
 */
export function trustworthiness(
  input: Points,
  embedding: Points,
  k: number,
  inputDims?: number,
  embeddingDims = 2,
): number {
  const { n, embedded, dx, dy } = distancesOf(input, embedding, inputDims, embeddingDims);
  if (embedded !== n) throw new Error(`trustworthiness: ${n} input points but ${embedded} embedded`);
  if (k >= n / 2) throw new Error(`trustworthiness: k = ${k} must be below n / 2 = ${n / 2}`);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    const r = ranks(dx, n, i);
    for (const j of neighbours(dy, n, i, k)) penalty += Math.max(0, r[j] - k);
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}

/** Mean fraction of each point's k input-space neighbours that are also its k embedding neighbours. */
export function neighbourhoodPreservation(
  input: Points,
  embedding: Points,
  k: number,
  inputDims?: number,
  embeddingDims = 2,
): number {
  const { n, dx, dy } = distancesOf(input, embedding, inputDims, embeddingDims);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const a = new Set(neighbours(dx, n, i, k));
    for (const j of neighbours(dy, n, i, k)) if (a.has(j)) kept++;
  }
  return kept / (n * k);
}

/** Leave-one-out k-nearest-neighbour accuracy of the labels in the embedding: how well classes separate. */
export function knnLabelAccuracy(
  embedding: Points,
  labels: ArrayLike<number>,
  k = 5,
  embeddingDims = 2,
): number {
  const y = toPointMatrix(embedding, embeddingDims);
  const n = y.n;
  const dy = squaredDistances(y);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const votes = new Map<number, number>();
    for (const j of neighbours(dy, n, i, k)) votes.set(labels[j], (votes.get(labels[j]) ?? 0) + 1);
    let best = -1;
    let bestVotes = -1;
    // Ties go to the label seen first, i.e. the one with the nearest neighbour (Map keeps insertion order).
    for (const [label, v] of votes) if (v > bestVotes) [best, bestVotes] = [label, v];
    if (best === labels[i]) correct++;
  }
  return correct / n;
}
