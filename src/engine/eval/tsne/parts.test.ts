import { describe, expect, it } from 'vitest';
import { conditionalRow, sparseJointP } from './affinities';
import { barnesHutGradient, barnesHutState, exactGradient } from './gradient';
import { nearestNeighbours, squaredDistances, toPointMatrix } from './points';
import { QuadTree2D } from './quadTree';
import { gaussianArray, mulberry32 } from '../../util/random';

function randomPoints(n: number, dims: number, seed: number) {
  const rand = mulberry32(seed);
  return toPointMatrix(Array.from({ length: n }, () => Array.from({ length: dims }, () => rand() * 10)));
}

describe('t-SNE building blocks', () => {
  it('nearestNeighbours agrees with sorting the full distance matrix', () => {
    const x = randomPoints(70, 6, 1);
    const k = 9;
    const nb = nearestNeighbours(x, k);
    const dist = squaredDistances(x);
    for (let i = 0; i < x.n; i++) {
      const expected = Array.from({ length: x.n }, (_, j) => j)
        .filter((j) => j !== i)
        .sort((a, b) => dist[i * x.n + a] - dist[i * x.n + b])
        .slice(0, k);
      expect(Array.from(nb.indices.subarray(i * k, (i + 1) * k))).toEqual(expected);
      for (let m = 0; m < k; m++) expect(nb.dist2[i * k + m]).toBeCloseTo(dist[i * x.n + expected[m]], 9);
    }
  });

  it('conditional probabilities reach the requested perplexity', () => {
    const rand = mulberry32(2);
    const d = Float64Array.from({ length: 90 }, () => rand() * 50);
    const p = new Float64Array(90);
    conditionalRow(d, 20, p);
    const entropy = -p.reduce((a, v) => a + (v > 0 ? v * Math.log(v) : 0), 0);
    expect(Math.exp(entropy)).toBeCloseTo(20, 3);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('the Barnes-Hut gradient equals the exact gradient with theta = 0, and is close with theta = 0.5', () => {
    const n = 120;
    const x = randomPoints(n, 5, 3);
    const P = sparseJointP(nearestNeighbours(x, 30), n, 10);
    const dense = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let o = P.rowStart[i]; o < P.rowStart[i + 1]; o++) dense[i * n + P.cols[o]] = P.values[o];
    const y = gaussianArray(n * 2, 4, 3);
    const gExact = new Float64Array(n * 2);
    const gBh0 = new Float64Array(n * 2);
    const gBh5 = new Float64Array(n * 2);
    const zExact = exactGradient(y, n, 2, dense, 1, gExact);
    expect(barnesHutGradient(y, n, 2, P, 1, 0, gBh0)).toBeCloseTo(zExact, 8);
    for (let i = 0; i < n * 2; i++) expect(gBh0[i]).toBeCloseTo(gExact[i], 10);
    barnesHutGradient(y, n, 2, P, 1, 0.5, gBh5);
    const norm = (g: Float64Array) => Math.sqrt(g.reduce((a, v) => a + v * v, 0));
    const diff = norm(gBh5.map((v, i) => v - gExact[i]));
    expect(diff / norm(gExact)).toBeLessThan(0.05);
  });

  it('the 2-D quadtree with theta = 0 equals the exact gradient with duplicate and near-duplicate points', () => {
    // 12 copies of one point (more than a leaf holds, and unsplittable), 5 points 1e-14 apart
    // (below the split limit), and 60 ordinary points.
    const n0 = 60;
    const y0 = gaussianArray(n0 * 2, 8, 2);
    const y = new Float64Array((n0 + 17) * 2);
    y.set(y0);
    for (let i = 0; i < 12; i++) y.set([0.25, -0.5], (n0 + i) * 2);
    for (let i = 0; i < 5; i++) y.set([1 + i * 1e-14, 1], (n0 + 12 + i) * 2);
    const n = n0 + 17;
    const x = randomPoints(n, 4, 9);
    const P = sparseJointP(nearestNeighbours(x, 15), n, 5);
    const dense = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let o = P.rowStart[i]; o < P.rowStart[i + 1]; o++) dense[i * n + P.cols[o]] = P.values[o];
    // P is symmetric, its rows ascending, and upperStart points at each row's first column above it.
    for (let i = 0; i < n; i++) {
      const row = Array.from(P.cols.subarray(P.rowStart[i], P.rowStart[i + 1]));
      expect(row).toEqual([...row].sort((a, b) => a - b));
      expect(P.upperStart[i]).toBe(P.rowStart[i] + row.filter((j) => j < i).length);
      for (const j of row) expect(dense[j * n + i]).toBe(dense[i * n + j]);
    }
    const gExact = new Float64Array(n * 2);
    const gBh = new Float64Array(n * 2);
    const zExact = exactGradient(y, n, 2, dense, 4, gExact);
    expect(barnesHutGradient(y, n, 2, P, 4, 0, gBh)).toBeCloseTo(zExact, 8);
    for (let i = 0; i < n * 2; i++) expect(gBh[i]).toBeCloseTo(gExact[i], 9);
  });

  it('a tree rebuilt in place gives the gradient of a fresh tree', () => {
    const x = randomPoints(120, 5, 4);
    const P = sparseJointP(nearestNeighbours(x, 20), x.n, 6);
    const first = gaussianArray(120 * 2, 5, 1);
    const moved = gaussianArray(120 * 2, 6, 3);
    const state = barnesHutState(first, 120, 2);
    const reused = new Float64Array(240);
    barnesHutGradient(first, 120, 2, P, 1, 0.5, reused, state);
    const zReused = barnesHutGradient(moved, 120, 2, P, 1, 0.5, reused, state);
    const fresh = new Float64Array(240);
    const zFresh = barnesHutGradient(moved, 120, 2, P, 1, 0.5, fresh);
    expect(zReused).toBe(zFresh);
    expect(Array.from(reused)).toEqual(Array.from(fresh));
  });

  it("the dual-tree walk's expansions converge to the exact repulsion as theta shrinks", () => {
    // 2,000 points in a few blobs of different sizes, like a t-SNE embedding.
    const n = 2000;
    const g = gaussianArray(n * 2, 21, 1);
    const y = g.map((v, i) => v * (1 + ((i >> 1) % 4)) + ((i >> 1) % 4) * 15 * (i % 2 ? 1 : -1));
    const tree = new QuadTree2D(y, n);
    const exact = new Float64Array(n * 2);
    const zExact = tree.repulsion(0, exact);
    const dual0 = new Float64Array(n * 2);
    expect(tree.repulsionDual(0, dual0)).toBeCloseTo(zExact, 6);
    for (let i = 0; i < n * 2; i++) expect(dual0[i]).toBeCloseTo(exact[i], 9);
    const norm = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
    const errors = [0.1, 0.3, 0.7].map((theta) => {
      const r = new Float64Array(n * 2);
      const z = tree.repulsionDual(theta, r);
      return { z: Math.abs(z / zExact - 1), f: norm(r.map((v, i) => v - exact[i])) / norm(exact) };
    });
    // Far pairs are used (not exact) yet accurate; the error grows with theta and stays modest.
    expect(errors[0].f).toBeGreaterThan(0);
    expect(errors[0].f).toBeLessThan(1e-3);
    expect(errors[1].f).toBeLessThan(0.02);
    expect(errors[2].f).toBeLessThan(0.2);
    expect(errors[0].f).toBeLessThan(errors[1].f);
    expect(errors[1].f).toBeLessThan(errors[2].f);
    for (const e of errors) expect(e.z).toBeLessThan(0.05);
  });
});
