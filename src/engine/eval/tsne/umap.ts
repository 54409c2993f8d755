import { UMAP } from 'umap-js';
import type { PointMatrix } from './points';
import { mulberry32 } from '../../util/random';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * UMAP (McInnes et al. 2018) by umap-js, PAIR-code's port of umap-learn, offered beside t-SNE for
 * the activation plots: it keeps more of the global layout and is faster at large n. Seeded by
 * giving umap-js our mulberry32 stream in place of Math.random (its only source of randomness:
 * the nearest-neighbour descent, the initial embedding and the negative sampling), so the same
 * seed and input give the same embedding.
 *
 * `neighbours` is UMAP's n_neighbors, the counterpart of t-SNE's perplexity (the caller passes
 * the perplexity, clamped to n − 1); `epochs` is its optimisation length (umap-js picks 500 below
 * 10,000 points, 200 above, when not given).
 */
export async function umapEmbed(
  x: PointMatrix,
  o: {
    dim: number;
    neighbours: number;
    seed: number;
    epochs?: number;
    onProgress?: (p: { iteration: number; iterations: number }) => void;
    signal?: AbortSignal;
  },
): Promise<{ y: Float64Array; epochs: number }> {
  const rows: number[][] = [];
  for (let i = 0; i < x.n; i++) rows.push(Array.from(x.data.subarray(i * x.dims, (i + 1) * x.dims)));
  const umap = new UMAP({
    nComponents: o.dim,
    nNeighbors: Math.max(2, Math.min(Math.round(o.neighbours), x.n - 1)),
    nEpochs: o.epochs,
    random: mulberry32(o.seed),
  });
  const epochs = umap.initializeFit(rows);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 25 === 24 || e === epochs - 1) {
      o.onProgress?.({ iteration: e + 1, iterations: epochs });
      await yieldToEventLoop();
      if (o.signal?.aborted) throw o.signal.reason ?? new DOMException('UMAP aborted', 'AbortError');
    }
  }
  return { y: Float64Array.from(umap.getEmbedding().flat()), epochs };
}
