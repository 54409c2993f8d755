/**
 * A fold's step data kept on the backend for the whole fold: one [rows + 1, stepSize] tensor
 * (the last row zeros, for padding), so a batch is one gather of row indices instead of a fresh
 * tensor built from JS arrays every step (24 utterances of block outputs are up to tens of MB per
 * step, copied and converted each time). Only where it pays and fits: the native backend (WASM's
 * gather has no gradient there and its heap is small) and at most SER_RESIDENT_MB (default 768)
 * of float32.
 */
import { tf } from '../backend/tf';
import { copyStepValues, type Sample } from './sample';

const DEFAULT_BUDGET_MB = 768;

export function residentBudgetBytes(): number {
  const mb = Number(process.env.SER_RESIDENT_MB);
  return (Number.isFinite(mb) && mb >= 0 ? mb : DEFAULT_BUDGET_MB) * 2 ** 20;
}

export class ResidentSteps {
  /** [rows + 1, stepSize]; row `rows` is zeros. */
  readonly table: tf.Tensor2D;
  readonly zeroRow: number;
  private readonly firstRow = new Map<Sample, number>();

  private constructor(samples: Sample[], stepSize: number) {
    const rows = samples.reduce((n, s) => n + s.steps, 0);
    const data = new Float32Array((rows + 1) * stepSize);
    let row = 0;
    for (const s of samples) {
      if (this.firstRow.has(s)) continue;
      this.firstRow.set(s, row);
      copyStepValues(s.data, s.steps * stepSize, data, row * stepSize);
      row += s.steps;
    }
    this.zeroRow = row;
    this.table = tf.tensor2d(data.subarray(0, (row + 1) * stepSize), [row + 1, stepSize]);
  }

  /** The samples on the backend, or null where that does not pay or fit (see the module note). */
  static create(samples: Sample[], stepSize: number): ResidentSteps | null {
    if (tf.getBackend() !== 'tensorflow' || !samples.length) return null;
    const rows = samples.reduce((n, s) => n + s.steps, 0);
    if ((rows + 1) * stepSize * 4 > residentBudgetBytes()) return null;
    return new ResidentSteps(samples, stepSize);
  }

  /** Whether every sample of `batch` is held here. */
  holds(batch: Sample[]): boolean {
    return batch.every((s) => this.firstRow.has(s));
  }

  /** Row indices of [B, tMax] slots: each utterance's steps, then the zero row as padding. */
  paddedRows(batch: Sample[], tMax: number): Int32Array {
    const idx = new Int32Array(batch.length * tMax).fill(this.zeroRow);
    batch.forEach((s, b) => {
      const first = this.firstRow.get(s)!;
      for (let t = 0; t < s.steps; t++) idx[b * tMax + t] = first + t;
    });
    return idx;
  }

  /** Row indices of the batch's real steps, utterance after utterance. */
  realRows(batch: Sample[]): Int32Array {
    const idx = new Int32Array(batch.reduce((n, s) => n + s.steps, 0));
    let at = 0;
    for (const s of batch) {
      const first = this.firstRow.get(s)!;
      for (let t = 0; t < s.steps; t++) idx[at++] = first + t;
    }
    return idx;
  }

  dispose(): void {
    this.table.dispose();
  }
}
