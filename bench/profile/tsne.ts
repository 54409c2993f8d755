/**
 * Where the fast t-SNE engine's time goes at a given size: kNN search, input affinities P, and
 * the iterations split into tree refit/rebuild, repulsion walk, attraction and update; then the
 * whole engine on the same data as the bench calls it (first call in the process, so V8's
 * compilation is counted as the bench counts it), and the garbage collector's time. Not a
 * `npm run bench` module (bench/*.ts only): run
 *   npx tsx bench/profile/tsne.ts [--n 1000] [--dims 150] [--iterations 1000] [--theta 0.7]
 * Figures are process CPU seconds (the engine is single-threaded), so a shared machine's load
 * inflates them less than wall time.
 */
import { parseArgs } from 'node:util';
import { PerformanceObserver } from 'node:perf_hooks';
import { tsne } from '../../src/engine/eval/tsne/index';
import { sparseJointP } from '../../src/engine/eval/tsne/affinities';
import { attraction2D } from '../../src/engine/eval/tsne/gradient';
import { approximateNeighbours } from '../../src/engine/eval/tsne/approx-neighbours';
import { neighbourOrder, relabelNeighbours } from '../../src/engine/eval/tsne/locality';
import { projectOnPrincipalAxes } from '../../src/engine/eval/tsne/pca';
import { nearestNeighbours, toPointMatrix } from '../../src/engine/eval/tsne/points';
import { QuadTree2D } from '../../src/engine/eval/tsne/quad-tree';
import { gaussianArray, mulberry32 } from '../../src/engine/util/random';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    dims: { type: 'string', default: '150' },
    iterations: { type: 'string', default: '1000' },
    theta: { type: 'string', default: '0.7' },
    'approximate-from': { type: 'string', default: '5000' },
  },
});
const n = Number(values.n);
const dims = Number(values.dims);

/** The bench's data: n points around 4 centres in `dims` dimensions (bench/eval.ts `clustered`). */
function clustered(seed: number): number[][] {
  const rand = mulberry32(seed);
  const centres = Array.from({ length: 4 }, () => Array.from({ length: dims }, () => (rand() - 0.5) * 4));
  return Array.from({ length: n }, (_, i) => centres[i % 4].map((m) => m + (rand() - 0.5) * 2));
}

const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
function phase<T>(name: string, fn: () => T): T {
  const c0 = cpu();
  const r = fn();
  console.log(`${name.padEnd(28)} ${(cpu() - c0).toFixed(3)} s CPU`);
  return r;
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

// First the engine as the bench runs it, while nothing of it is compiled yet.
const rows = clustered(n === 10_000 ? 4 : 2);
const whole = cpu();
void tsne(rows, { engine: 'fast', iterations: Number(values.iterations), seed: 1, perplexity: 30 }).then(
  () => {
    console.log(`${'tsne() whole, first call'.padEnd(28)} ${(cpu() - whole).toFixed(3)} s CPU`);
    breakdown();
  },
);

/** The same run again, part by part (now compiled). */
function breakdown(): void {
  const x = toPointMatrix(rows);
  const k = Math.min(n - 1, 90);
  // As optimize.ts: PCA to 50 and the approximate search from 5,000 points, else exact.
  const approximate = n >= Number(values['approximate-from']);
  const search = approximate ? phase('PCA to 50 dimensions', () => projectOnPrincipalAxes(x, 50)) : x;
  const nb = phase(`kNN (${approximate ? 'approximate' : 'exact'}, k=${k})`, () =>
    approximate ? approximateNeighbours(search, k, { seed: 1 }) : nearestNeighbours(search, k),
  );
  const P = phase('order + P (perplexity 30)', () =>
    sparseJointP(relabelNeighbours(nb, neighbourOrder(nb, n)), n, 30),
  );

  // The optimiser's loop (src/engine/eval/tsne/optimize.ts) with each part timed on its own.
  const iterations = Number(values.iterations);
  const y = gaussianArray(2 * n, 1, 1e-4);
  const grad = new Float64Array(2 * n);
  const rep = new Float64Array(2 * n);
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const eta = Math.max(n / 12 / 4, 50);
  const tree = new QuadTree2D(y, n);
  const spent = { tree: 0, repulsion: 0, attraction: 0, update: 0 };
  for (let it = 0; it < iterations; it++) {
    const early = it < 250;
    let c = cpu();
    const lap = (key: keyof typeof spent) => {
      const now = cpu();
      spent[key] += now - c;
      c = now;
    };
    tree.update(y);
    lap('tree');
    const Z = tree.repulsionDual(Number(values.theta), rep);
    lap('repulsion');
    attraction2D(y, n, P, early ? 12 : 1, grad);
    lap('attraction');
    const momentum = early ? 0.5 : 0.8;
    for (let i = 0; i < 2 * n; i++) {
      const g = 4 * (grad[i] - rep[i] / Z);
      gains[i] = Math.sign(g) !== Math.sign(update[i]) ? gains[i] + 0.2 : Math.max(gains[i] * 0.8, 0.01);
      update[i] = momentum * update[i] - eta * gains[i] * g;
      y[i] += update[i];
    }
    lap('update');
  }
  for (const [key, s] of Object.entries(spent))
    console.log(`${('iterations: ' + key).padEnd(28)} ${s.toFixed(3)} s CPU`);
  console.log(`${'tree rebuilt (not refitted)'.padEnd(28)} ${tree.rebuilds} of ${iterations} iterations`);
  // Observer entries arrive asynchronously: let them in before the total.
  setTimeout(() => console.log(`${'garbage collection, all'.padEnd(28)} ${(gcMs / 1000).toFixed(3)} s`), 50);
}
