/**
 * Per-feature standardisation (z-scores). It is fitted on the training speakers only and then
 * applied unchanged to validation and test vectors, so no statistic of held-out speakers can
 * reach the model.
 */

export interface Standardizer {
  mean: Float64Array;
  /** Population standard deviation; 1 where a feature is constant in the training data. */
  sd: Float64Array;
}

export function fitStandardizer(rows: Float32Array[]): Standardizer {
  if (rows.length === 0) throw new Error('fitStandardizer: no training vectors');
  const dim = rows[0].length;
  const mean = new Float64Array(dim);
  const sd = new Float64Array(dim);
  for (const r of rows) {
    if (r.length !== dim) throw new Error(`fitStandardizer: vector of length ${r.length}, expected ${dim}`);
    for (let d = 0; d < dim; d++) mean[d] += r[d];
  }
  for (let d = 0; d < dim; d++) mean[d] /= rows.length;
  for (const r of rows) {
    for (let d = 0; d < dim; d++) sd[d] += (r[d] - mean[d]) ** 2;
  }
  for (let d = 0; d < dim; d++) {
    const s = Math.sqrt(sd[d] / rows.length);
    // A constant feature carries no information; dividing by 1 keeps it finite (centred at 0).
    sd[d] = s > 1e-12 ? s : 1;
  }
  return { mean, sd };
}

export function applyStandardizer(s: Standardizer, rows: Float32Array[]): number[][] {
  return rows.map((r) => {
    if (r.length !== s.mean.length) {
      throw new Error(`applyStandardizer: vector of length ${r.length}, expected ${s.mean.length}`);
    }
    return Array.from(r, (v, d) => (v - s.mean[d]) / s.sd[d]);
  });
}
