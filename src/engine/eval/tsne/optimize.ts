import { denseJointP, sparseJointP, type SparseP } from './affinities';
import { barnesHutGradient, barnesHutState, denseKl, exactGradient, sparseKl } from './gradient';
import { approximateNeighbours } from './approx-neighbours';
import { neighbourOrder, relabelNeighbours } from './locality';
import { projectOnPrincipalAxes } from './pca';
import { nearestNeighbours, squaredDistances, type PointMatrix } from './points';
import { gaussianArray } from '../../util/random';
import type { TsneOptions } from './types';

type Resolved = Required<
  Pick<TsneOptions, 'perplexity' | 'iterations' | 'seed' | 'theta' | 'earlyExaggeration'>
> &
  Pick<TsneOptions, 'onProgress' | 'signal' | 'learningRate'> & { dim: number; exact: boolean };

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Gradient descent of t-SNE with the schedule of the reference implementations (bhtsne,
 * scikit-learn): initial embedding N(0, 1e-4²), early exaggeration and momentum 0.5 for the first
 * quarter (at most 250 iterations), then momentum 0.8; per-coordinate adaptive gains.
 */
export async function optimize(x: PointMatrix, o: Resolved): Promise<{ y: Float64Array; kl: number }> {
  const { n } = x;
  const dim = o.dim;
  let P: Float64Array | SparseP;
  let scratch: Float64Array | undefined;
  // The sparse engine runs on the points renamed in neighbour order (locality.ts): slot r holds
  // point order[r]. The exact engine keeps the input order (identity).
  let order: Int32Array | null = null;
  if (o.exact) {
    const dist = squaredDistances(x);
    P = denseJointP(dist, n, o.perplexity);
    scratch = dist; // the distance matrix is no longer needed: the gradient reuses its memory
  } else {
    const nb = neighboursFor(x, o.perplexity, o.seed);
    order = neighbourOrder(nb, n);
    P = sparseJointP(relabelNeighbours(nb, order), n, o.perplexity);
  }

  // Each point starts where it would in input order, whichever slot it occupies.
  const y = inSlots(gaussianArray(n * dim, o.seed, 1e-4), order, dim);
  const update = new Float64Array(n * dim);
  const gains = new Float64Array(n * dim).fill(1);
  const grad = new Float64Array(n * dim);
  const eta = o.learningRate ?? Math.max(n / o.earlyExaggeration / 4, 50);
  const stopLying = Math.min(250, Math.floor(o.iterations / 4));
  let Z = 1;
  // One tree for the whole run, rebuilt in place each iteration.
  const bh = P instanceof Float64Array ? undefined : barnesHutState(y, n, dim);
  for (let it = 0; it < o.iterations; it++) {
    const exaggeration = it < stopLying ? o.earlyExaggeration : 1;
    const momentum = it < stopLying ? 0.5 : 0.8;
    Z =
      P instanceof Float64Array
        ? exactGradient(y, n, dim, P, exaggeration, grad, scratch)
        : barnesHutGradient(y, n, dim, P, exaggeration, o.theta, grad, bh);
    for (let i = 0; i < y.length; i++) {
      gains[i] =
        Math.sign(grad[i]) !== Math.sign(update[i]) ? gains[i] + 0.2 : Math.max(gains[i] * 0.8, 0.01);
      update[i] = momentum * update[i] - eta * gains[i] * grad[i];
      y[i] += update[i];
    }
    centre(y, n, dim);
    if (it % 25 === 24 || it === o.iterations - 1) {
      o.onProgress?.({ iteration: it + 1, iterations: o.iterations });
      await yieldToEventLoop();
      if (o.signal?.aborted) throw o.signal.reason ?? new DOMException('t-SNE aborted', 'AbortError');
    }
  }
  const kl = P instanceof Float64Array ? denseKl(y, n, dim, P, Z) : sparseKl(y, dim, P, Z);
  return { y: inInputOrder(y, order, dim), kl };
}

/**
 * From this many points the neighbours come from an approximate search (approx-neighbours.ts)
 * on the input's 50 leading principal axes, as van der Maaten's tsne and Rtsne project: the
 * exact search is O(n²·d), 24 s CPU of an 80 s run at 10,000 × 150. Below it the search is
 * exact, in the input's own dimensions (at 1,000 points the projection cost more than it saved).
 */
const APPROXIMATE_FROM = 5000;
const SEARCH_DIMS = 50;

/** The 3·perplexity nearest neighbours of every point (as Barnes-Hut-SNE), for the sparse P. */
function neighboursFor(x: PointMatrix, perplexity: number, seed: number) {
  const k = Math.min(x.n - 1, Math.floor(3 * perplexity));
  if (x.n < APPROXIMATE_FROM) return nearestNeighbours(x, k);
  return approximateNeighbours(projectOnPrincipalAxes(x, SEARCH_DIMS), k, { seed });
}

/** Rows of `v` (input order) moved to their slots: slot r gets row order[r]. */
function inSlots(v: Float64Array, order: Int32Array | null, dim: number): Float64Array {
  if (!order) return v;
  const out = new Float64Array(v.length);
  for (let r = 0; r < order.length; r++)
    for (let k = 0; k < dim; k++) out[r * dim + k] = v[order[r] * dim + k];
  return out;
}

/** The inverse of inSlots: row order[r] gets slot r. */
function inInputOrder(v: Float64Array, order: Int32Array | null, dim: number): Float64Array {
  if (!order) return v;
  const out = new Float64Array(v.length);
  for (let r = 0; r < order.length; r++)
    for (let k = 0; k < dim; k++) out[order[r] * dim + k] = v[r * dim + k];
  return out;
}

/** Zero mean per dimension: t-SNE's cost is translation invariant, so drift only hurts precision. */
function centre(y: Float64Array, n: number, dim: number): void {
  for (let k = 0; k < dim; k++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += y[i * dim + k];
    m /= n;
    for (let i = 0; i < n; i++) y[i * dim + k] -= m;
  }
}
