import { describe, expect, it } from 'vitest';
import { conditionalRow, sparseJointP } from './affinities';
import { barnesHutGradient, barnesHutState, exactGradient } from './gradient';
import { nearestNeighbours, squaredDistances, toPointMatrix } from './points';
import { QuadTree2D } from './quad-tree';
import { approximateNeighbours } from './approx-neighbours';
import { neighbourOrder, relabelNeighbours } from './locality';
import { projectOnPrincipalAxes, symmetricEigen } from './pca';
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
    // Integer points on a small grid: many equal distances, where the lower index wins.
    const grid = toPointMatrix(Array.from({ length: 120 }, (_, i) => [i % 7, (i * 3) % 5, 1]));
    const tied = nearestNeighbours(grid, 20);
    const gd = squaredDistances(grid);
    for (let i = 0; i < grid.n; i++) {
      const expected = Array.from({ length: grid.n }, (_, j) => j)
        .filter((j) => j !== i)
        .sort((a, b) => gd[i * grid.n + a] - gd[i * grid.n + b] || a - b)
        .slice(0, 20);
      expect(Array.from(tied.indices.subarray(i * 20, (i + 1) * 20))).toEqual(expected);
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
    // From any start (another row's bandwidth, far off either way) it finds the same row.
    for (const start of [1e-6, 1e6]) {
      const q = new Float64Array(90);
      conditionalRow(d, 20, q, start);
      for (let j = 0; j < 90; j++) expect(q[j]).toBeCloseTo(p[j], 5);
    }
    // All distances equal: uniform whatever beta, and the start comes back for the next row.
    const flat = new Float64Array(90);
    expect(
      conditionalRow(
        Float64Array.from({ length: 90 }, () => 3),
        20,
        flat,
        0.25,
      ),
    ).toBe(0.25);
    for (const v of flat) expect(v).toBeCloseTo(1 / 90, 12);
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

  it('a refitted quadtree (nodes kept, points moved) sums the same repulsion as a rebuilt one', () => {
    const n = 1500;
    const y0 = gaussianArray(n * 2, 31, 5);
    // Every point moves a little (one late iteration's step), a few far (across cells).
    const drift = gaussianArray(n * 2, 32, 0.05);
    const y1 = y0.map((v, i) => v + drift[i] + (i % 301 === 0 ? 4 : 0));
    const refitted = new QuadTree2D(y0, n);
    refitted.refit(y1);
    const rebuilt = new QuadTree2D(y1, n);
    const exact = new Float64Array(n * 2);
    const zExact = rebuilt.repulsion(0, exact);
    // theta = 0: every pair summed exactly, whatever the grouping.
    const r0 = new Float64Array(n * 2);
    expect(refitted.repulsionDual(0, r0)).toBeCloseTo(zExact, 6);
    for (let i = 0; i < n * 2; i++) expect(r0[i]).toBeCloseTo(exact[i], 9);
    // theta = 0.7: the radii bound the moved points, so the error stays that of a fresh tree.
    const norm = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
    const error = (tree: QuadTree2D) => {
      const r = new Float64Array(n * 2);
      tree.repulsionDual(0.7, r);
      return norm(r.map((v, i) => v - exact[i])) / norm(exact);
    };
    expect(error(refitted)).toBeLessThan(Math.max(0.02, 1.5 * error(rebuilt)));
  });

  it('QuadTree2D.update refits while the tree stays tight, and rebuilds when the points scatter', () => {
    const n = 400;
    const y0 = gaussianArray(n * 2, 41, 3);
    const tree = new QuadTree2D(y0, n);
    const tight = tree.refit(y0);
    // A small drift: the refit's spread stays near the built one, so update keeps the nodes.
    const small = y0.map((v, i) => v + 1e-4 * Math.sin(i));
    expect(tree.refit(small)).toBeLessThan(tight * 1.1);
    // Scattered: the same nodes would be loose; update must rebuild (its spread back to tight).
    tree.update(small);
    expect(tree.rebuilds).toBe(0);
    const scattered = gaussianArray(n * 2, 42, 3);
    tree.update(scattered);
    expect(tree.rebuilds).toBe(1);
    const fresh = new QuadTree2D(scattered, n);
    expect(tree.refit(scattered)).toBeCloseTo(fresh.refit(scattered), 12);
    const a = new Float64Array(n * 2);
    const b = new Float64Array(n * 2);
    tree.update(scattered);
    expect(tree.repulsionDual(0.7, a)).toBe(fresh.repulsionDual(0.7, b));
    expect(Array.from(a)).toEqual(Array.from(b));
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

  it('symmetricEigen diagonalises a symmetric matrix; the projection keeps distances of data in a subspace', () => {
    const d = 40;
    const rand = mulberry32(5);
    const b = Float64Array.from({ length: d * d }, () => rand() - 0.5);
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) a[i * d + j] += b[i * d + k] * b[j * d + k];
    const { values, vectors } = symmetricEigen(a, d);
    for (let e = 0; e < d; e++) {
      for (let i = 0; i < d; i++) {
        let av = 0;
        for (let k = 0; k < d; k++) av += a[i * d + k] * vectors[k * d + e];
        expect(av).toBeCloseTo(values[e] * vectors[i * d + e], 9);
      }
    }
    // 300 points on a random 3-D subspace of 30-D (plus an offset): 3 axes keep every distance.
    const basis = Array.from({ length: 3 }, () => Array.from({ length: 30 }, () => rand() - 0.5));
    const rows = Array.from({ length: 300 }, () => {
      const c = [rand() * 4, rand(), rand() * 0.5];
      return basis[0].map((_, k) => 7 + c[0] * basis[0][k] + c[1] * basis[1][k] + c[2] * basis[2][k]);
    });
    const x = toPointMatrix(rows);
    const p = projectOnPrincipalAxes(x, 3);
    expect(p.dims).toBe(3);
    const dx = squaredDistances(x);
    const dp = squaredDistances(p);
    for (let i = 0; i < dx.length; i += 97) expect(dp[i]).toBeCloseTo(dx[i], 8);
    expect(projectOnPrincipalAxes(x, 30)).toBe(x);
  });

  it('approximateNeighbours finds nearly all true neighbours, with exact distances, deterministically', () => {
    // 3,000 points near a 4-D manifold in 40-D, in 8 clusters: the structure real activations have.
    const rand = mulberry32(8);
    const basis = Array.from({ length: 4 }, () => Array.from({ length: 40 }, () => rand() - 0.5));
    const centres = Array.from({ length: 8 }, () => basis.map(() => (rand() - 0.5) * 20));
    const rows = Array.from({ length: 3000 }, (_, i) => {
      const c = centres[i % 8].map((m) => m + rand() + rand() - 1);
      return basis[0].map((_, k) => c.reduce((s, v, a) => s + v * basis[a][k], 0) + (rand() - 0.5) * 0.05);
    });
    const x = toPointMatrix(rows);
    const k = 30;
    const exact = nearestNeighbours(x, k);
    const approx = approximateNeighbours(x, k, { seed: 3 });
    expect(approximateNeighbours(x, k, { seed: 3 })).toEqual(approx);
    let hits = 0;
    let worstDistance = 0;
    const problems: string[] = [];
    for (let i = 0; i < x.n; i++) {
      const row = Array.from(approx.indices.subarray(i * k, (i + 1) * k));
      if (row.includes(i) || new Set(row).size !== k) problems.push(`row ${i}: ${row}`);
      const truth = new Set(exact.indices.subarray(i * k, (i + 1) * k));
      for (let m = 0; m < k; m++) {
        if (truth.has(row[m])) hits++;
        let d = 0;
        for (let c = 0; c < 40; c++) d += (x.data[i * 40 + c] - x.data[row[m] * 40 + c]) ** 2;
        worstDistance = Math.max(worstDistance, Math.abs(approx.dist2[i * k + m] - d));
        if (m > 0 && approx.dist2[i * k + m] < approx.dist2[i * k + m - 1])
          problems.push(`row ${i} unsorted`);
      }
    }
    expect(problems).toEqual([]);
    expect(worstDistance).toBeLessThan(1e-9);
    expect(hits / (x.n * k)).toBeGreaterThan(0.95);
  });

  it('neighbourOrder is a permutation, and relabelling keeps the neighbour graph', () => {
    const x = randomPoints(200, 5, 12);
    const nb = nearestNeighbours(x, 7);
    const order = neighbourOrder(nb, 200);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const renamed = relabelNeighbours(nb, order);
    for (let r = 0; r < 200; r++) {
      for (let m = 0; m < 7; m++) {
        expect(order[renamed.indices[r * 7 + m]]).toBe(nb.indices[order[r] * 7 + m]);
        expect(renamed.dist2[r * 7 + m]).toBe(nb.dist2[order[r] * 7 + m]);
      }
    }
  });
});
