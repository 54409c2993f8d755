/** Training curves over folds: per epoch, the mean and the mean ± one sd across folds. */
export interface FoldPoint {
  fold: number;
  epoch: number;
  value: number | null;
}

export interface Band {
  epochs: number[];
  mean: number[];
  lower: number[];
  upper: number[];
  /** Folds that reached each epoch (early stopping ends some folds sooner). */
  count: number[];
}

/** Mean and population sd per epoch over the folds that have a value at that epoch. */
export function foldBand(points: FoldPoint[]): Band {
  const byEpoch = new Map<number, number[]>();
  for (const p of points) {
    if (p.value === null || !Number.isFinite(p.value)) continue;
    const list = byEpoch.get(p.epoch) ?? [];
    list.push(p.value);
    byEpoch.set(p.epoch, list);
  }
  const epochs = [...byEpoch.keys()].sort((a, b) => a - b);
  const band: Band = { epochs, mean: [], lower: [], upper: [], count: [] };
  for (const e of epochs) {
    const v = byEpoch.get(e)!;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    band.mean.push(mean);
    band.lower.push(mean - sd);
    band.upper.push(mean + sd);
    band.count.push(v.length);
  }
  return band;
}
