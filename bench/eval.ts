import type { BenchRow } from './types';
import { computeMetrics } from '../src/engine/eval/metrics';
import { tsne, type TsneEngine } from '../src/engine/eval/tsne/index';
import { knnLabelAccuracy, trustworthiness } from '../src/engine/eval/tsne/quality';
import { mulberry32 } from '../src/engine/util/random';

/** n points in `dims` dimensions around k cluster centres (plus uniform noise), labels = cluster. */
function clustered(n: number, dims: number, k: number, seed: number) {
  const rand = mulberry32(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: dims }, () => (rand() - 0.5) * 4));
  const points: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    labels.push(i % k);
    points.push(centres[i % k].map((m) => m + (rand() - 0.5) * 2));
  }
  return { points, labels };
}

/** Wall and CPU seconds of fn: the machine is shared, so CPU time is the steadier figure. */
async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const c = process.cpuUsage(c0);
  return { result, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

/**
 * Evaluation benchmarks: metric throughput; t-SNE engines on 1000 × 150 (the size of one corpus's
 * LSTM activations); and embedding quality of each engine on a smaller clustered set where the
 * slow tsne-js engine can run its full 1000 iterations.
 */
export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  const rand = mulberry32(1);
  const n = 200_000;
  const yTrue = Array.from({ length: n }, () => Math.floor(rand() * 4));
  const yPred = yTrue.map((t) => (rand() < 0.7 ? t : Math.floor(rand() * 4)));
  const m = await timed(async () => computeMetrics(['angry', 'happy', 'sad', 'neutral'], yTrue, yPred));
  rows.push({
    group: 'metrics',
    name: 'computeMetrics, 200k predictions',
    value: m.cpu * 1000,
    unit: 'ms CPU',
  });

  const big = clustered(1000, 150, 4, 2);
  const schedule: [TsneEngine, number][] = [
    ['fast', 1000],
    ['exact', 1000],
    // tsne-js takes minutes for 1000 iterations at this size; 150 iterations give its per-iteration cost.
    ['tsne-js', 150],
  ];
  for (const [engine, iterations] of schedule) {
    const {
      result: r,
      wall,
      cpu,
    } = await timed(() => tsne(big.points, { engine, iterations, seed: 1, perplexity: 30 }));
    rows.push({
      group: 't-SNE 1000×150',
      name: `${engine}, ${iterations} iterations, wall`,
      value: wall,
      unit: 's',
    });
    rows.push({
      group: 't-SNE 1000×150',
      name: `${engine}, ${iterations} iterations, CPU`,
      value: cpu,
      unit: 's',
    });
    rows.push({
      group: 't-SNE 1000×150',
      name: `${engine}, CPU per iteration`,
      value: (cpu * 1000) / iterations,
      unit: 'ms',
      note: 'includes the one-off affinity computation spread over the iterations',
    });
    if (iterations === 1000) {
      rows.push({
        group: 't-SNE 1000×150',
        name: `${engine}, 5-NN class accuracy`,
        value: knnLabelAccuracy(r.embedding, big.labels, 5),
        unit: 'ratio',
      });
    }
  }

  // Scaling of the fast engine towards a large corpus's activations (exact kNN is O(n²) once).
  const large = clustered(3000, 150, 4, 4);
  const l = await timed(() =>
    tsne(large.points, { engine: 'fast', iterations: 1000, seed: 1, perplexity: 30 }),
  );
  rows.push({ group: 't-SNE 3000×150', name: 'fast, 1000 iterations, CPU', value: l.cpu, unit: 's' });
  rows.push({
    group: 't-SNE 3000×150',
    name: 'fast, 5-NN class accuracy',
    value: knnLabelAccuracy(l.result.embedding, large.labels, 5),
    unit: 'ratio',
  });

  const small = clustered(300, 150, 4, 3);
  for (const engine of ['fast', 'exact', 'tsne-js'] as const) {
    const { result: r, cpu } = await timed(() =>
      tsne(small.points, { engine, iterations: 1000, seed: 1, perplexity: 30 }),
    );
    rows.push({ group: 't-SNE 300×150, 1000 iterations', name: `${engine}, CPU`, value: cpu, unit: 's' });
    rows.push({
      group: 't-SNE 300×150, 1000 iterations',
      name: `${engine}, trustworthiness k=10`,
      value: trustworthiness(small.points, r.embedding, 10),
      unit: 'ratio',
    });
    rows.push({
      group: 't-SNE 300×150, 1000 iterations',
      name: `${engine}, 5-NN class accuracy`,
      value: knnLabelAccuracy(r.embedding, small.labels, 5),
      unit: 'ratio',
    });
  }
  return rows;
}
