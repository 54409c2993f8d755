/**
 * Barnes-Hut repulsion for 2-D embeddings (the plotted case), built for speed:
 * - the tree is built top-down by partitioning an index array into quadrants, not by inserting
 *   points one at a time, and its nodes are stored in pre-order with a "skip" index (the node
 *   after a node's subtree). Walking the tree for a point is then one forward loop with no stack:
 *   accept a cell → jump to its skip; open it → step to the next node (its first child).
 * - cells are square (the root box is the bounding square), so one width per node decides.
 * - points are visited in tree order, so consecutive walks touch the same nodes.
 * - every array is allocated once per run and refilled each iteration.
 * - between iterations the tree is refitted (same nodes, new centres and radii) while that keeps
 *   it nearly as tight as a rebuilt one: ten times cheaper than a rebuild (`update`).
 * A leaf holds up to LEAF_SIZE points, or more that cannot be split (identical, or closer than
 * 1e-12 of the root width); its points are summed one by one, so a point never repels itself.
 */
/**
 * Points per leaf: summing a few points directly is cheaper than the deeper tree (more nodes to
 * build and to walk) that splitting them would take.
 */
const LEAF_SIZE = 8;

/**
 * A refitted tree is rebuilt once its spread (see refit) passes this multiple of the spread it
 * had when built. At 1,000 points a rebuild costs about 0.15 ms and a refit 0.014 ms; in the
 * early-exaggeration phase the clusters contract so fast that the rule rebuilds nearly every
 * iteration (a tree one iteration stale made the dual walk 5x slower there), afterwards only a
 * few dozen times in 750 iterations, with the walk as fast as on a fresh tree.
 */
const REBUILD_SPREAD = 1.1;

export class QuadTree2D {
  private readonly n: number;
  private readonly perm: Int32Array;
  private readonly scratch: Int32Array;
  private comX: Float64Array;
  private comY: Float64Array;
  private count: Float64Array;
  private width2: Float64Array;
  /** Largest distance from the node's centre of mass to one of its points (for the dual walk). */
  private radius: Float64Array;
  private skip: Int32Array;
  /** For a leaf: its range in `perm` as [start, end); -1 for inner nodes. */
  private leafStart: Int32Array;
  private leafEnd: Int32Array;
  /** Per node, the first-order expansion of far repulsion at its centre of mass (see repulsionDual). */
  private local: Float64Array;
  /** Pairs of nodes still to visit in the dual walk. */
  private stack: Int32Array;
  private size = 0;
  private minHalf = 0;
  /** How many of the `update` calls rebuilt the tree (the others refitted it). */
  rebuilds = 0;
  /** The spread (see refit) at the last rebuild. */
  private builtSpread = 0;
  private y: Float64Array;

  constructor(y: Float64Array, n: number) {
    this.n = n;
    this.y = y;
    this.perm = new Int32Array(n);
    this.scratch = new Int32Array(n);
    const capacity = Math.max(16, 3 * n);
    this.comX = new Float64Array(capacity);
    this.comY = new Float64Array(capacity);
    this.count = new Float64Array(capacity);
    this.width2 = new Float64Array(capacity);
    this.radius = new Float64Array(capacity);
    this.local = new Float64Array(8 * capacity);
    this.stack = new Int32Array(1024);
    this.skip = new Int32Array(capacity);
    this.leafStart = new Int32Array(capacity);
    this.leafEnd = new Int32Array(capacity);
    this.rebuild(y);
  }

  /** The tree of positions `y` (n × 2, same n), in the arrays already allocated. */
  rebuild(y: Float64Array): void {
    this.y = y;
    const { n, perm } = this;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      perm[i] = i;
      const x0 = y[2 * i];
      const y0 = y[2 * i + 1];
      if (x0 < minX) minX = x0;
      if (x0 > maxX) maxX = x0;
      if (y0 < minY) minY = y0;
      if (y0 > maxY) maxY = y0;
    }
    const half = Math.max(maxX - minX, maxY - minY, 1e-9) / 2;
    this.minHalf = half * 1e-12;
    this.size = 0;
    this.build(0, n, (minX + maxX) / 2, (minY + maxY) / 2, half * (1 + 1e-9));
    let spread = 0;
    for (let node = 0; node < this.size; node++)
      if (this.leafStart[node] >= 0) spread += this.count[node] * this.radius[node];
    this.builtSpread = spread / Math.max(maxX - minX, maxY - minY, 1e-300);
  }

  /**
   * The tree of moved positions `y`: refitted (refit) while its grouping stays nearly as tight
   * as when it was built, else rebuilt.
   */
  update(y: Float64Array): void {
    const spread = this.refit(y);
    if (spread > this.builtSpread * REBUILD_SPREAD) {
      this.rebuild(y);
      this.rebuilds++;
    }
  }

  /**
   * The same nodes (each keeps its points) with their centres of mass, radii and widths
   * recomputed for the moved positions `y`: one pass over the points and one over the nodes,
   * bottom-up (children follow their parent in pre-order, so a reverse sweep meets them first).
   * The dual walk's test (radii against the distance) stays a true bound for any grouping of the
   * points, so a refitted tree sums the same far field with the same error bound; it only gets
   * slower as the points of a node drift apart (larger radii open more pairs), which is why
   * `update` rebuilds from time to time. Returns the spread: Σ over leaves of count × radius
   * divided by the extent of the points, which grows as the grouping goes stale.
   */
  refit(y: Float64Array): number {
    this.y = y;
    const { perm, comX, comY, count, radius, width2, skip, leafStart, leafEnd, size } = this;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    let spread = 0;
    for (let node = size - 1; node >= 0; node--) {
      const lo = leafStart[node];
      if (lo >= 0) {
        const hi = leafEnd[node];
        let sx = 0;
        let sy = 0;
        for (let m = lo; m < hi; m++) {
          const p = 2 * perm[m];
          const px = y[p];
          const py = y[p + 1];
          sx += px;
          sy += py;
          if (px < minX) minX = px;
          if (px > maxX) maxX = px;
          if (py < minY) minY = py;
          if (py > maxY) maxY = py;
        }
        const cx = sx / (hi - lo);
        const cy = sy / (hi - lo);
        let r2 = 0;
        for (let m = lo; m < hi; m++) {
          const p = 2 * perm[m];
          const ex = y[p] - cx;
          const ey = y[p + 1] - cy;
          const e2 = ex * ex + ey * ey;
          if (e2 > r2) r2 = e2;
        }
        comX[node] = cx;
        comY[node] = cy;
        radius[node] = Math.sqrt(r2);
        spread += (hi - lo) * radius[node];
      } else {
        let sx = 0;
        let sy = 0;
        const end = skip[node];
        for (let c = node + 1; c < end; c = skip[c]) {
          sx += comX[c] * count[c];
          sy += comY[c] * count[c];
        }
        const cx = sx / count[node];
        const cy = sy / count[node];
        let r = 0;
        for (let c = node + 1; c < end; c = skip[c]) {
          const ex = comX[c] - cx;
          const ey = comY[c] - cy;
          r = Math.max(r, Math.sqrt(ex * ex + ey * ey) + radius[c]);
        }
        comX[node] = cx;
        comY[node] = cy;
        radius[node] = r;
      }
      // The single walk's cell width: the node's points lie in a disc of this diameter.
      width2[node] = 4 * radius[node] * radius[node];
    }
    return spread / Math.max(maxX - minX, maxY - minY, 1e-300);
  }

  private grow(): void {
    const c = this.comX.length * 2;
    const f = (a: Float64Array) => {
      const b = new Float64Array(c);
      b.set(a);
      return b;
    };
    const i = (a: Int32Array) => {
      const b = new Int32Array(c);
      b.set(a);
      return b;
    };
    this.comX = f(this.comX);
    this.comY = f(this.comY);
    this.count = f(this.count);
    this.width2 = f(this.width2);
    this.radius = f(this.radius);
    this.local = new Float64Array(8 * c);
    this.skip = i(this.skip);
    this.leafStart = i(this.leafStart);
    this.leafEnd = i(this.leafEnd);
  }

  /** Node for perm[lo, hi) inside the square of centre (cx, cy) and half-width `half`. */
  private build(lo: number, hi: number, cx: number, cy: number, half: number): void {
    if (this.size === this.comX.length) this.grow();
    const node = this.size++;
    const { y, perm } = this;
    const cnt = hi - lo;
    this.count[node] = cnt;
    this.width2[node] = 4 * half * half;
    // Count the points per quadrant (0 SW, 1 SE, 2 NW, 3 NE) and see whether they can be split.
    const fx = y[2 * perm[lo]];
    const fy = y[2 * perm[lo] + 1];
    let distinct = false;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    for (let m = lo; m < hi; m++) {
      const p = perm[m];
      const px = y[2 * p];
      const py = y[2 * p + 1];
      if (px !== fx || py !== fy) distinct = true;
      const q = (px > cx ? 1 : 0) | (py > cy ? 2 : 0);
      if (q === 0) c0++;
      else if (q === 1) c1++;
      else if (q === 2) c2++;
    }
    if (cnt <= LEAF_SIZE || !distinct || half < this.minHalf) {
      let sx = 0;
      let sy = 0;
      for (let m = lo; m < hi; m++) {
        sx += y[2 * perm[m]];
        sy += y[2 * perm[m] + 1];
      }
      // A single point's (or identical points') centre of mass is the point itself, exactly.
      this.comX[node] = distinct ? sx / cnt : fx;
      this.comY[node] = distinct ? sy / cnt : fy;
      let r2 = 0;
      for (let m = lo; m < hi; m++) {
        const ex = y[2 * perm[m]] - this.comX[node];
        const ey = y[2 * perm[m] + 1] - this.comY[node];
        r2 = Math.max(r2, ex * ex + ey * ey);
      }
      this.radius[node] = Math.sqrt(r2);
      this.leafStart[node] = lo;
      this.leafEnd[node] = hi;
      this.skip[node] = this.size;
      return;
    }
    this.leafStart[node] = -1;
    // Scatter into quadrant order through the scratch array, then copy back.
    const scratch = this.scratch;
    const b1 = lo + c0;
    const b2 = b1 + c1;
    const b3 = b2 + c2;
    let w0 = lo;
    let w1 = b1;
    let w2 = b2;
    let w3 = b3;
    for (let m = lo; m < hi; m++) {
      const p = perm[m];
      const q = (y[2 * p] > cx ? 1 : 0) | (y[2 * p + 1] > cy ? 2 : 0);
      if (q === 0) scratch[w0++] = p;
      else if (q === 1) scratch[w1++] = p;
      else if (q === 2) scratch[w2++] = p;
      else scratch[w3++] = p;
    }
    for (let m = lo; m < hi; m++) perm[m] = scratch[m];
    const h = half / 2;
    if (b1 > lo) this.build(lo, b1, cx - h, cy - h, h);
    if (b2 > b1) this.build(b1, b2, cx + h, cy - h, h);
    if (b3 > b2) this.build(b2, b3, cx - h, cy + h, h);
    if (hi > b3) this.build(b3, hi, cx + h, cy + h, h);
    // The centre of mass from the children's (they follow this node in pre-order), by count.
    let sx = 0;
    let sy = 0;
    for (let c = node + 1; c < this.size; c = this.skip[c]) {
      sx += this.comX[c] * this.count[c];
      sy += this.comY[c] * this.count[c];
    }
    this.comX[node] = sx / cnt;
    this.comY[node] = sy / cnt;
    // A bound, not the exact radius: each child's points lie within its radius of its centre.
    let r = 0;
    for (let c = node + 1; c < this.size; c = this.skip[c]) {
      const ex = this.comX[c] - this.comX[node];
      const ey = this.comY[c] - this.comY[node];
      r = Math.max(r, Math.sqrt(ex * ex + ey * ey) + this.radius[c]);
    }
    this.radius[node] = r;
    this.skip[node] = this.size;
  }

  /**
   * Unnormalised repulsive forces Σ_j q_ij² (y_i − y_j) of every point into `rep` (n × 2), and the
   * normalisation Z = Σ_{i≠j} q_ij, q_ij = (1 + |y_i − y_j|²)⁻¹. A cell whose width is below theta
   * times its distance counts as one body at its centre of mass.
   */
  repulsion(theta: number, rep: Float64Array): number {
    const { y, perm, comX, comY, count, width2, skip, leafStart, leafEnd, size } = this;
    const theta2 = theta * theta;
    let Z = 0;
    for (let t = 0; t < this.n; t++) {
      const i = perm[t];
      const xi = y[2 * i];
      const yi = y[2 * i + 1];
      let fx = 0;
      let fy = 0;
      let node = 0;
      while (node < size) {
        const dx = xi - comX[node];
        const dy = yi - comY[node];
        const d2 = dx * dx + dy * dy;
        if (width2[node] < theta2 * d2) {
          const q = 1 / (1 + d2);
          const m = count[node] * q;
          Z += m;
          fx += m * q * dx;
          fy += m * q * dy;
          node = skip[node];
        } else if (leafStart[node] < 0) {
          node++;
        } else {
          for (let m = leafStart[node], end = leafEnd[node]; m < end; m++) {
            const j = perm[m];
            if (j === i) continue;
            const ex = xi - y[2 * j];
            const ey = yi - y[2 * j + 1];
            const q = 1 / (1 + ex * ex + ey * ey);
            Z += q;
            fx += q * q * ex;
            fy += q * q * ey;
          }
          node = skip[node];
        }
      }
      rep[2 * i] = fx;
      rep[2 * i + 1] = fy;
    }
    return Z;
  }

  /**
   * Exact repulsion between the points of leaves a and b (each pair once, acting on both), or
   * among the points of one leaf (a = b); returns their share of Z (both orders of each pair).
   */
  private directPairs(a: number, b: number, rep: Float64Array): number {
    const { y, perm, leafStart, leafEnd } = this;
    let Z = 0;
    const endA = leafEnd[a];
    const endB = leafEnd[b];
    for (let m = leafStart[a]; m < endA; m++) {
      const i = perm[m];
      const xi = y[2 * i];
      const yi = y[2 * i + 1];
      let fx = 0;
      let fy = 0;
      for (let p = a === b ? m + 1 : leafStart[b]; p < endB; p++) {
        const j = perm[p];
        const ex = xi - y[2 * j];
        const ey = yi - y[2 * j + 1];
        const q = 1 / (1 + ex * ex + ey * ey);
        const q2 = q * q;
        Z += 2 * q;
        fx += q2 * ex;
        fy += q2 * ey;
        rep[2 * j] -= q2 * ex;
        rep[2 * j + 1] -= q2 * ey;
      }
      rep[2 * i] += fx;
      rep[2 * i + 1] += fy;
    }
    return Z;
  }

  /**
   * The same sums as `repulsion`, by a dual-tree walk (a first-order fast multipole method): a
   * pair of nodes (A, B) whose radii together are below theta times the distance of their centres
   * of mass is "far": B's pull on every point of A comes from a first-order Taylor expansion at
   * A's centre (the value, gradient of q and force, and the force's Jacobian), and A's on B's
   * alike. The expansions are pushed down the tree at the end and evaluated per point. Near pairs
   * are split (the larger node) until both are leaves, whose points are summed directly. Each
   * pair of nodes (and of points) is met once and acts on both sides, so the walk is half that of
   * visiting (A, B) and (B, A). Per iteration this is O(n) node pairs where the single-tree walk
   * is O(n log n), and the far field costs one expansion per node pair, not per point. The
   * expansion error is of second order in radius / distance, like the single walk's monopole
   * error, so equal accuracy comes at a larger theta. theta = 0 sums every pair exactly.
   */
  repulsionDual(theta: number, rep: Float64Array): number {
    this.local.fill(0, 0, 8 * this.size);
    rep.fill(0, 0, 2 * this.n);
    return this.dualWalk(theta, rep) + this.pushDown(rep);
  }

  /**
   * The walk of repulsionDual: near leaf pairs summed into `rep`, far pairs' expansions into
   * `local`; returns the near pairs' share of Z. Its own method, apart from pushDown, because V8
   * compiles the first call's long loop on the stack (OSR) before any code after it has run:
   * code after the loop in the same function deoptimised the compiled walk at every exit, 26
   * calls running half in the interpreter before the function was compiled whole.
   */
  private dualWalk(theta: number, rep: Float64Array): number {
    const { comX, comY, count, radius, skip, leafStart, local } = this;
    const theta2 = theta * theta;
    let Z = 0;
    let stack = this.stack;
    let top = 0;
    stack[top++] = 0;
    stack[top++] = 0;
    while (top > 0) {
      const b = stack[--top];
      const a = stack[--top];
      if (top + 32 > stack.length) {
        const bigger = new Int32Array(stack.length * 2);
        bigger.set(stack);
        stack = this.stack = bigger;
      }
      if (a === b) {
        // A node with itself: the pairs among its points.
        if (leafStart[a] >= 0) {
          Z += this.directPairs(a, a, rep);
          continue;
        }
        for (let c = a + 1, end = skip[a]; c < end; c = skip[c]) {
          stack[top++] = c;
          stack[top++] = c;
          for (let e = skip[c]; e < end; e = skip[e]) {
            stack[top++] = c;
            stack[top++] = e;
          }
        }
        continue;
      }
      // Two disjoint nodes: each pair of their points is met here once, for both points.
      const dx = comX[a] - comX[b];
      const dy = comY[a] - comY[b];
      const d2 = dx * dx + dy * dy;
      const rs = radius[a] + radius[b];
      if (rs * rs < theta2 * d2) {
        // B as one body of count N at its centre, expanded at A's centre c_A, u = c_A − c_B:
        // Σq ≈ Nq − 2Nq²u·δ, force ≈ Nq²u + N(q²I − 4q³uuᵀ)δ for a point at c_A + δ;
        // and A on B alike, with u negated.
        const q = 1 / (1 + d2);
        const q2 = q * q;
        const uxx = 4 * q * dx * dx;
        const uxy = 4 * q * dx * dy;
        const uyy = 4 * q * dy * dy;
        let o = 8 * a;
        let m = count[b] * q2;
        local[o] += count[b] * q;
        local[o + 1] -= 2 * m * dx;
        local[o + 2] -= 2 * m * dy;
        local[o + 3] += m * dx;
        local[o + 4] += m * dy;
        local[o + 5] += m * (1 - uxx);
        local[o + 6] -= m * uxy;
        local[o + 7] += m * (1 - uyy);
        o = 8 * b;
        m = count[a] * q2;
        local[o] += count[a] * q;
        local[o + 1] += 2 * m * dx;
        local[o + 2] += 2 * m * dy;
        local[o + 3] -= m * dx;
        local[o + 4] -= m * dy;
        local[o + 5] += m * (1 - uxx);
        local[o + 6] -= m * uxy;
        local[o + 7] += m * (1 - uyy);
        continue;
      }
      const aLeaf = leafStart[a] >= 0;
      const bLeaf = leafStart[b] >= 0;
      if (aLeaf && bLeaf) {
        Z += this.directPairs(a, b, rep);
        continue;
      }
      if (bLeaf || (!aLeaf && radius[a] >= radius[b])) {
        for (let c = a + 1, end = skip[a]; c < end; c = skip[c]) {
          stack[top++] = c;
          stack[top++] = b;
        }
      } else {
        for (let c = b + 1, end = skip[b]; c < end; c = skip[c]) {
          stack[top++] = a;
          stack[top++] = c;
        }
      }
    }
    return Z;
  }

  /**
   * The downward pass of repulsionDual, in pre-order (a parent before its children): re-centre
   * each node's expansion on its children's centres, and evaluate it at the points of the
   * leaves into `rep`; returns the far field's share of Z.
   */
  private pushDown(rep: Float64Array): number {
    const { y, perm, comX, comY, skip, leafStart, leafEnd, size, local } = this;
    let Z = 0;
    for (let node = 0; node < size; node++) {
      const o = 8 * node;
      if (leafStart[node] < 0) {
        for (let c = node + 1, end = skip[node]; c < end; c = skip[c]) {
          const ex = comX[c] - comX[node];
          const ey = comY[c] - comY[node];
          const oc = 8 * c;
          local[oc] += local[o] + local[o + 1] * ex + local[o + 2] * ey;
          local[oc + 1] += local[o + 1];
          local[oc + 2] += local[o + 2];
          local[oc + 3] += local[o + 3] + local[o + 5] * ex + local[o + 6] * ey;
          local[oc + 4] += local[o + 4] + local[o + 6] * ex + local[o + 7] * ey;
          local[oc + 5] += local[o + 5];
          local[oc + 6] += local[o + 6];
          local[oc + 7] += local[o + 7];
        }
        continue;
      }
      if (local[o] === 0) continue; // no far field reached this leaf
      for (let m = leafStart[node], end = leafEnd[node]; m < end; m++) {
        const i = perm[m];
        const ex = y[2 * i] - comX[node];
        const ey = y[2 * i + 1] - comY[node];
        Z += local[o] + local[o + 1] * ex + local[o + 2] * ey;
        rep[2 * i] += local[o + 3] + local[o + 5] * ex + local[o + 6] * ey;
        rep[2 * i + 1] += local[o + 4] + local[o + 6] * ex + local[o + 7] * ey;
      }
    }
    return Z;
  }
}
