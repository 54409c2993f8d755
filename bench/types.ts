/** One measured figure. Benchmarks report ratios and throughputs, never pass/fail. */
export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export type BenchModule = { bench(): Promise<BenchRow[]> };
