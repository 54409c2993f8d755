/**
 * The Experiment view's `execution` and `sweep` editing: grid rows to the config's sweep block and
 * back, and the estimate per job and in total (a job is one fold of one cell: a Slurm array task).
 */
import type { RunEstimate } from '@shared/contract';

export interface GridRow {
  field: string;
  /** Comma-separated values as typed: `0.001, 0.003` or `11, full`. */
  values: string;
}

/** One typed value: a number, true/false/null, or JSON; otherwise the text itself. */
function parseValue(text: string): unknown {
  const t = text.trim();
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return t;
  }
}

export function parseValues(text: string): unknown[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseValue);
}

/** The sweep block of the rows that name a field (undefined: no sweep). */
export function gridOf(rows: GridRow[]): { grid: Record<string, unknown[]> } | undefined {
  const grid: Record<string, unknown[]> = {};
  for (const r of rows) if (r.field.trim()) grid[r.field.trim()] = parseValues(r.values);
  return Object.keys(grid).length ? { grid } : undefined;
}

export function rowsOf(sweep: unknown): GridRow[] {
  const grid = (sweep as { grid?: Record<string, unknown[]> } | undefined)?.grid;
  if (!grid) return [];
  return Object.entries(grid).map(([field, values]) => ({
    field,
    values: values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', '),
  }));
}

/** Cells of a grid: the product of its value counts (1 without a sweep). */
export function cellCount(rows: GridRow[]): number {
  const grid = gridOf(rows)?.grid;
  return grid ? Object.values(grid).reduce((n, v) => n * v.length, 1) : 1;
}

export interface JobEstimate {
  cells: number;
  folds: number;
  jobs: number;
  /** One job: one fold's training (with the run's calibration), as the slurm executor sizes a task. */
  perJobSec: number;
  /** Every job's time summed, plus the one cache build (shared by the cells). */
  totalComputeSec: number;
  /** Wall time with `parallel` jobs at once. */
  wallSec: number;
  /** sbatch --time per task the slurm executor would ask for (minutes). */
  slurmTimeMinutes: number | null;
}

/** The engine's rule (exec/slurm.ts timeLimitMinutes): estimate × margin + 10 min, at least 10. */
export function slurmMinutes(perTaskSec: number, margin: number, fixed?: number): number {
  if (fixed) return fixed;
  return Math.max(10, Math.ceil((perTaskSec * margin + 600) / 60));
}

export function jobEstimate(
  e: RunEstimate,
  cells: number,
  executor: 'local' | 'slurm',
  slurm: { timeMargin?: number; timeMinutes?: number },
  parallel: number,
): JobEstimate {
  const perJobSec = e.perFoldSec + e.calibrationSec;
  const jobs = cells * e.folds;
  const at = Math.max(1, parallel);
  return {
    cells,
    folds: e.folds,
    jobs,
    perJobSec,
    totalComputeSec: jobs * perJobSec + e.cacheBuildSec,
    wallSec: Math.ceil(jobs / at) * perJobSec + e.cacheBuildSec,
    slurmTimeMinutes:
      executor === 'slurm' ? slurmMinutes(perJobSec, slurm.timeMargin ?? 2, slurm.timeMinutes) : null,
  };
}
