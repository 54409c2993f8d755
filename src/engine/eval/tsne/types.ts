/** Which implementation computes an embedding ('umap': UMAP by umap-js, not a t-SNE). */
export type TsneEngine = 'tsne-js' | 'fast' | 'exact' | 'umap';

export interface TsneOptions {
  /** Embedding dimensionality: 2 (plots) or 3. */
  dim?: 2 | 3;
  /** Effective number of neighbours; clamped to (n − 1) / 3. Default 30. */
  perplexity?: number;
  /** Gradient-descent iterations in total (early exaggeration included). Default 1000 (UMAP: its own). */
  iterations?: number;
  /** Seed of the initial embedding: same seed and input, same output. Default 0. */
  seed?: number;
  /**
   * 'fast' (default): Barnes-Hut t-SNE written here (sparse P over 3·perplexity neighbours,
   * found approximately on 50 principal axes from 5,000 points; repulsion by a dual-tree walk in
   * 2-D, O(n) per iteration, a Barnes-Hut tree in 3-D). 'exact': the same optimiser with the
   * exact O(n²) gradient. 'tsne-js': the tsne-js package (exact, its own optimiser schedule).
   * 'umap': UMAP (umap-js), seeded; perplexity is its n_neighbors, iterations its epochs.
   */
  engine?: TsneEngine;
  /**
   * Barnes-Hut accuracy/speed trade-off (0 = exact repulsion). 2-D: two nodes interact through
   * an expansion when their radii add up to less than theta times their distance;
   * default 0.7. 3-D: a cell counts as one body when its width is below theta times its
   * distance; default 0.5.
   */
  theta?: number;
  /** Learning rate; default max(n / earlyExaggeration / 4, 50) (Belkina et al. 2019). */
  learningRate?: number;
  /** Default 12 (fast/exact) as in current t-SNE implementations; tsne-js's default is 4. */
  earlyExaggeration?: number;
  /** Dimensionality of each point when `points` is a flat array. */
  inputDims?: number;
  /** Called every few iterations; not called by tsne-js except at the end. */
  onProgress?: (p: { iteration: number; iterations: number; kl?: number }) => void;
  /** Aborting stops between iterations with an AbortError. */
  signal?: AbortSignal;
}

export interface TsneResult {
  /** Row-major n × dim coordinates. */
  embedding: Float32Array;
  n: number;
  dim: number;
  engine: TsneEngine;
  /** Perplexity actually used (after clamping). */
  perplexity: number;
  iterations: number;
  seed: number;
  /** Final KL(P‖Q) as each engine computes it (sparse P for 'fast'), when known. */
  kl: number | null;
  seconds: number;
}
