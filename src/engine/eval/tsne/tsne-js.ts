import { createRequire } from 'node:module';
import type { PointMatrix } from './points';
import { gaussianArray } from '../../util/random';

/** The slice of tsne-js (CommonJS, untyped) this wrapper uses. */
interface TsneJsModel {
  init(opts: { data: number[][]; type: 'dense' }): void;
  run(): [number, number];
  getOutput(): number[][];
  getOutputScaled(): unknown;
  outputEmbedding: { data: Float64Array };
  listenerCount(event: string): number;
}
type TsneJsCtor = new (config: {
  dim: number;
  perplexity: number;
  earlyExaggeration: number;
  learningRate: number;
  nIter: number;
  metric: 'euclidean';
}) => TsneJsModel;

/** tsne-js is old CommonJS (module.exports = class); createRequire loads it the same way in tsx and vitest. */
function loadTsneJs(): TsneJsCtor {
  const mod = createRequire(import.meta.url)('tsne-js') as TsneJsCtor | { default: TsneJsCtor };
  return typeof mod === 'function' ? mod : mod.default;
}

/**
 * t-SNE by the tsne-js package: exact gradient, its fixed schedule (exaggeration for 100
 * iterations) and its early stop when the cost no longer changes. Seeded by replacing its
 * Math.random initial embedding with our seeded N(0, 1e-4²) before run().
 */
export function tsneJs(
  x: PointMatrix,
  o: {
    dim: number;
    perplexity: number;
    iterations: number;
    seed: number;
    learningRate?: number;
    earlyExaggeration?: number;
  },
): { y: Float64Array; kl: number; iterationsRun: number } {
  const TSNE = loadTsneJs();
  const model = new TSNE({
    dim: o.dim,
    perplexity: o.perplexity,
    earlyExaggeration: o.earlyExaggeration ?? 4,
    learningRate: o.learningRate ?? 100,
    nIter: o.iterations,
    metric: 'euclidean',
  });
  const rows: number[][] = [];
  for (let i = 0; i < x.n; i++) rows.push(Array.from(x.data.subarray(i * x.dims, (i + 1) * x.dims)));
  model.init({ data: rows, type: 'dense' });
  model.outputEmbedding.data.set(gaussianArray(x.n * o.dim, o.seed, 1e-4));
  // tsne-js rescales a full copy of the embedding every iteration just to emit 'progressData';
  // with nobody listening that is wasted work.
  const scaled = model.getOutputScaled.bind(model);
  model.getOutputScaled = () => (model.listenerCount('progressData') > 0 ? scaled() : null);
  const [kl, iterationsRun] = model.run();
  return { y: Float64Array.from(model.getOutput().flat()), kl, iterationsRun };
}
