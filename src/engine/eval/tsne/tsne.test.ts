import { describe, expect, it } from 'vitest';
import { tsne } from './index';
import { knnLabelAccuracy, neighbourhoodPreservation, trustworthiness } from './quality';
import { mulberry32 } from '../../util/random';

/** k well-separated Gaussian clusters in `dims` dimensions, n points in all; labels = cluster. */
function clusters(n: number, dims: number, k: number, seed: number, spread = 1, separation = 8) {
  const rand = mulberry32(seed);
  const centres = Array.from({ length: k }, () =>
    Array.from({ length: dims }, () => (rand() - 0.5) * separation),
  );
  const points: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels.push(c);
    points.push(centres[c].map((m) => m + (rand() + rand() + rand() - 1.5) * spread));
  }
  return { points, labels };
}

describe('tsne', () => {
  it('is deterministic for a seed and differs across seeds (fast and tsne-js)', async () => {
    const { points } = clusters(60, 10, 3, 1);
    for (const engine of ['fast', 'tsne-js', 'exact'] as const) {
      const a = await tsne(points, { engine, seed: 5, iterations: 150, perplexity: 10 });
      const b = await tsne(points, { engine, seed: 5, iterations: 150, perplexity: 10 });
      const c = await tsne(points, { engine, seed: 6, iterations: 150, perplexity: 10 });
      expect(a.embedding).toEqual(b.embedding);
      expect(a.embedding).not.toEqual(c.embedding);
      expect(a.embedding.length).toBe(120);
      expect(a.embedding.every(Number.isFinite)).toBe(true);
    }
  });

  it('accepts a flat Float32Array with inputDims, clamps perplexity for few points, and embeds in 3-D', async () => {
    const { points } = clusters(12, 4, 2, 2);
    const flat = Float32Array.from(points.flat());
    const r = await tsne(flat, { inputDims: 4, dim: 3, iterations: 100, seed: 1 });
    expect(r.n).toBe(12);
    expect(r.dim).toBe(3);
    expect(r.perplexity).toBeCloseTo(11 / 3, 12);
    expect(r.embedding.length).toBe(36);
    await expect(tsne(flat, { iterations: 10 })).rejects.toThrow(/inputDims/);
  });

  it('copes with duplicate points (identical activations)', async () => {
    const { points } = clusters(40, 6, 2, 4);
    const withDupes = [...points, ...points.slice(0, 10), ...points.slice(0, 10)];
    for (const engine of ['fast', 'exact'] as const) {
      const r = await tsne(withDupes, { engine, iterations: 200, seed: 2, perplexity: 8 });
      expect(r.embedding.every(Number.isFinite)).toBe(true);
    }
  });

  it('stops when aborted', async () => {
    const { points } = clusters(80, 5, 2, 3);
    const ac = new AbortController();
    const seen: number[] = [];
    const run = tsne(points, {
      iterations: 1000,
      onProgress: (p) => {
        seen.push(p.iteration);
        ac.abort();
      },
      signal: ac.signal,
    });
    await expect(run).rejects.toThrow();
    expect(seen).toEqual([25]);
  });

  it('fast (Barnes-Hut) separates clusters and keeps neighbourhoods as well as tsne-js, within a margin', async () => {
    // 240 points in 50-D, 4 clusters; every engine gets the same input, seed and iteration budget.
    const { points, labels } = clusters(240, 50, 4, 7, 1.5, 6);
    const k = 10;
    const results = {
      fast: await tsne(points, { engine: 'fast', seed: 1, iterations: 500, perplexity: 20 }),
      exact: await tsne(points, { engine: 'exact', seed: 1, iterations: 500, perplexity: 20 }),
      tsneJs: await tsne(points, { engine: 'tsne-js', seed: 1, iterations: 500, perplexity: 20 }),
    };
    const q = Object.fromEntries(
      Object.entries(results).map(([name, r]) => [
        name,
        {
          trust: trustworthiness(points, r.embedding, k),
          keep: neighbourhoodPreservation(points, r.embedding, k),
          sep: knnLabelAccuracy(r.embedding, labels, 5),
        },
      ]),
    );
    // Well-separated clusters must come out separated by every engine.
    for (const name of Object.keys(q)) expect(q[name].sep, name).toBeGreaterThanOrEqual(0.99);
    // The fast engine is no worse than tsne-js (the design card's engine) beyond a small margin.
    expect(q.fast.trust).toBeGreaterThan(q.tsneJs.trust - 0.02);
    expect(q.fast.keep).toBeGreaterThan(q.tsneJs.keep - 0.05);
    expect(q.exact.trust).toBeGreaterThan(q.tsneJs.trust - 0.02);
    expect(q.fast.trust).toBeGreaterThan(0.9);
  });

  it("fast keeps the exact engine's trustworthiness within 0.02 on activation-like data (150-D, uneven clusters)", async () => {
    // 400 points in 150-D like one fold's LSTM activations: 6 classes of different spreads and
    // sizes that partly overlap, so neighbourhoods are not trivially kept.
    const rand = mulberry32(11);
    const centres = Array.from({ length: 6 }, () => Array.from({ length: 150 }, () => (rand() - 0.5) * 3));
    const points: number[][] = [];
    for (let i = 0; i < 400; i++) {
      const c = Math.min(5, Math.floor(rand() * rand() * 7));
      const spread = 0.5 + c * 0.25;
      points.push(centres[c].map((m) => m + (rand() + rand() - 1) * spread));
    }
    const k = 10;
    const exact = await tsne(points, { engine: 'exact', seed: 3, perplexity: 30 });
    const fast = await tsne(points, { engine: 'fast', seed: 3, perplexity: 30 });
    const tExact = trustworthiness(points, exact.embedding, k);
    const tFast = trustworthiness(points, fast.embedding, k);
    expect(tExact).toBeGreaterThan(0.8);
    expect(Math.abs(tFast - tExact)).toBeLessThanOrEqual(0.02);
  });

  it('from 5,000 points (PCA + approximate neighbours) it still separates clusters', async () => {
    // 5,000 points in 60-D, 8 clusters: past the size where the neighbour search turns approximate.
    const { points, labels } = clusters(5000, 60, 8, 21, 1, 10);
    const r = await tsne(points, { engine: 'fast', seed: 2, iterations: 300, perplexity: 30 });
    expect(r.embedding.every(Number.isFinite)).toBe(true);
    // Each cluster's points sit around their centroid, far from the other clusters' centroids.
    const centroid = Array.from({ length: 8 }, () => [0, 0, 0]);
    labels.forEach((c, i) => {
      centroid[c][0] += r.embedding[2 * i];
      centroid[c][1] += r.embedding[2 * i + 1];
      centroid[c][2]++;
    });
    const centres = centroid.map(([x, y, n]) => [x / n, y / n]);
    let nearestOther = 0;
    labels.forEach((c, i) => {
      const d = centres.map(([x, y]) => Math.hypot(r.embedding[2 * i] - x, r.embedding[2 * i + 1] - y));
      if (d.every((v, k) => k === c || v > d[c])) nearestOther++;
    });
    expect(nearestOther / 5000).toBeGreaterThan(0.99);
  });

  it('umap (umap-js) is seeded through the same interface and separates clusters', async () => {
    const { points, labels } = clusters(150, 20, 3, 12, 1, 8);
    const a = await tsne(points, { engine: 'umap', seed: 4, perplexity: 15, iterations: 200 });
    const b = await tsne(points, { engine: 'umap', seed: 4, perplexity: 15, iterations: 200 });
    const c = await tsne(points, { engine: 'umap', seed: 5, perplexity: 15, iterations: 200 });
    expect(a.engine).toBe('umap');
    expect(a.iterations).toBe(200);
    expect(a.embedding).toEqual(b.embedding);
    expect(a.embedding).not.toEqual(c.embedding);
    expect(a.embedding.every(Number.isFinite)).toBe(true);
    expect(knnLabelAccuracy(a.embedding, labels, 5)).toBeGreaterThanOrEqual(0.99);
    expect(trustworthiness(points, a.embedding, 10)).toBeGreaterThan(0.85);
  });
});

describe('embedding quality measures', () => {
  it('gives 1 for an embedding that is the input itself and less for a scrambled one', () => {
    const { points, labels } = clusters(50, 2, 2, 9, 1, 40);
    expect(trustworthiness(points, points, 5, undefined, 2)).toBeCloseTo(1, 12);
    expect(neighbourhoodPreservation(points, points, 5, undefined, 2)).toBe(1);
    expect(knnLabelAccuracy(points, labels, 3)).toBe(1);
    const rand = mulberry32(3);
    const scrambled = points.map(() => [rand(), rand()]);
    expect(trustworthiness(points, scrambled, 5)).toBeLessThan(0.8);
  });
});
