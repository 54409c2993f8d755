/**
 * A space-partitioning tree over embedding points (quadtree in 2-D, octree in 3-D) holding each
 * cell's centre of mass and point count: the Barnes-Hut approximation of t-SNE's repulsive
 * forces treats a far-away cell as one point at its centre of mass (van der Maaten 2014).
 * Nodes live in flat typed arrays, kept across iterations: `rebuild` refills the same arrays for
 * the moved points (t-SNE rebuilds every iteration, so allocating a tree each time was pure
 * garbage-collector work), and the traversal stack is one reused typed array.
 */
export class SpaceTree {
  private readonly d: number;
  private readonly nChildren: number;
  private capacity: number;
  private size = 0;
  /** Per node: box centre and half-width per dim, centre of mass, count, stored point, first child. */
  private centre: Float64Array;
  private half: Float64Array;
  private com: Float64Array;
  private count: Int32Array;
  private point: Int32Array;
  private firstChild: Int32Array;
  private stack: Int32Array;
  private readonly scratchCentre: Float64Array;
  private readonly scratchHalf: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;

  constructor(
    private y: Float64Array,
    private readonly n: number,
    dims: number,
  ) {
    this.d = dims;
    this.nChildren = 1 << dims;
    this.capacity = Math.max(16, 4 * n);
    this.centre = new Float64Array(this.capacity * dims);
    this.half = new Float64Array(this.capacity * dims);
    this.com = new Float64Array(this.capacity * dims);
    this.count = new Int32Array(this.capacity);
    this.point = new Int32Array(this.capacity);
    this.firstChild = new Int32Array(this.capacity);
    this.stack = new Int32Array(64 * this.nChildren);
    this.scratchCentre = new Float64Array(dims);
    this.scratchHalf = new Float64Array(dims);
    this.lo = new Float64Array(dims);
    this.hi = new Float64Array(dims);
    this.build();
  }

  /** The tree of new positions `y` (same point count), in the arrays already allocated. */
  rebuild(y: Float64Array): void {
    this.y = y;
    this.size = 0;
    this.build();
  }

  private grow(): void {
    const c = this.capacity * 2;
    const g = <T extends Float64Array | Int32Array>(a: T, per: number): T => {
      const b = new (a.constructor as { new (len: number): T })(c * per);
      b.set(a);
      return b;
    };
    this.centre = g(this.centre, this.d);
    this.half = g(this.half, this.d);
    this.com = g(this.com, this.d);
    this.count = g(this.count, 1);
    this.point = g(this.point, 1);
    this.firstChild = g(this.firstChild, 1);
    this.capacity = c;
  }

  private newNode(centre: ArrayLike<number>, half: ArrayLike<number>): number {
    if (this.size === this.capacity) this.grow();
    const id = this.size++;
    for (let k = 0; k < this.d; k++) {
      this.centre[id * this.d + k] = centre[k];
      this.half[id * this.d + k] = half[k];
      this.com[id * this.d + k] = 0;
    }
    this.count[id] = 0;
    this.point[id] = -1;
    this.firstChild[id] = -1;
    return id;
  }

  private build(): void {
    const { y, n, d, lo, hi } = this;
    lo.fill(Infinity);
    hi.fill(-Infinity);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) {
        lo[k] = Math.min(lo[k], y[i * d + k]);
        hi[k] = Math.max(hi[k], y[i * d + k]);
      }
    }
    const centre = this.scratchCentre;
    const half = this.scratchHalf;
    for (let k = 0; k < d; k++) {
      centre[k] = (lo[k] + hi[k]) / 2;
      half[k] = Math.max((hi[k] - lo[k]) / 2, 1e-5) * (1 + 1e-5);
    }
    this.newNode(centre, half);
    for (let i = 0; i < n; i++) this.insert(0, i);
  }

  /** Which child box of `node` a point falls in (bit k set = upper half along dim k). */
  private childIndex(node: number, i: number): number {
    let c = 0;
    for (let k = 0; k < this.d; k++) if (this.y[i * this.d + k] > this.centre[node * this.d + k]) c |= 1 << k;
    return c;
  }

  private subdivide(node: number): void {
    const d = this.d;
    const centre = this.scratchCentre;
    const half = this.scratchHalf;
    const first = this.size;
    for (let c = 0; c < this.nChildren; c++) {
      for (let k = 0; k < d; k++) {
        half[k] = this.half[node * d + k] / 2;
        centre[k] = this.centre[node * d + k] + (c & (1 << k) ? half[k] : -half[k]);
      }
      this.newNode(centre, half);
    }
    this.firstChild[node] = first;
  }

  private insert(root: number, i: number): void {
    const d = this.d;
    let node = root;
    for (;;) {
      const cnt = this.count[node];
      for (let k = 0; k < d; k++) {
        this.com[node * d + k] = (this.com[node * d + k] * cnt + this.y[i * d + k]) / (cnt + 1);
      }
      this.count[node] = cnt + 1;
      if (this.firstChild[node] === -1) {
        if (cnt === 0) {
          this.point[node] = i;
          return;
        }
        const other = this.point[node];
        // Identical points cannot be split apart: the leaf just counts them.
        if (other >= 0 && this.samePoint(other, i)) return;
        this.subdivide(node);
        if (other >= 0) {
          // Move the point stored here one level down (its count was already included here).
          const dupes = cnt;
          let child = this.firstChild[node] + this.childIndex(node, other);
          for (let k = 0; k < d; k++) this.com[child * d + k] = this.y[other * d + k];
          this.count[child] = dupes;
          this.point[child] = other;
          this.point[node] = -1;
          child = this.firstChild[node] + this.childIndex(node, i);
          node = child;
          continue;
        }
      }
      node = this.firstChild[node] + this.childIndex(node, i);
    }
  }

  private samePoint(a: number, b: number): boolean {
    for (let k = 0; k < this.d; k++) if (this.y[a * this.d + k] !== this.y[b * this.d + k]) return false;
    return true;
  }

  /**
   * Adds the (unnormalised) repulsive force on point i into `force` and returns its share of the
   * normalisation Z = Σ_{j≠i} (1 + |y_i − y_j|²)⁻¹. A cell counts as one body when its width over
   * its distance is below theta.
   */
  repulsion(i: number, theta: number, force: Float64Array): number {
    const d = this.d;
    let stack = this.stack;
    let top = 0;
    stack[top++] = 0;
    let sumQ = 0;
    const theta2 = theta * theta;
    while (top > 0) {
      const node = stack[--top];
      let cnt = this.count[node];
      if (cnt === 0) continue;
      const leaf = this.firstChild[node] === -1;
      if (leaf && this.point[node] >= 0 && this.samePoint(this.point[node], i)) {
        cnt -= 1; // the point itself (and only that) is excluded
        if (cnt === 0) continue;
      }
      let dist2 = 0;
      let maxWidth = 0;
      for (let k = 0; k < d; k++) {
        const t = this.y[i * d + k] - this.com[node * d + k];
        dist2 += t * t;
        maxWidth = Math.max(maxWidth, 2 * this.half[node * d + k]);
      }
      if (leaf || maxWidth * maxWidth < theta2 * dist2) {
        const q = 1 / (1 + dist2);
        const mult = cnt * q;
        sumQ += mult;
        const m2 = mult * q;
        for (let k = 0; k < d; k++) force[k] += m2 * (this.y[i * d + k] - this.com[node * d + k]);
      } else {
        const first = this.firstChild[node];
        if (top + this.nChildren > stack.length) {
          const bigger = new Int32Array(stack.length * 2);
          bigger.set(stack);
          stack = this.stack = bigger;
        }
        for (let c = 0; c < this.nChildren; c++) stack[top++] = first + c;
      }
    }
    return sumQ;
  }
}
