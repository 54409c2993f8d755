/**
 * What a sweep will cost, cell by cell. A swept field can change what a job costs (epochs multiply
 * an epoch's time, a batch size or first trained block changes a step's), so each cell is
 * estimated from its own config, not the base config's estimate times the number of cells.
 * A job is one fold of one cell (a Slurm array task; a local worker's unit).
 */
import type { SweepCostInfo } from '@shared/contract';
import type { RunCostEstimate } from '@shared/progress';
import type { ExperimentConfig, SweepConfig } from '../config/schema';
import { expandSweep } from './sweep';

/** The sweep's figures as the contract carries them (experiment.estimate's `sweep`). */
export type SweepCost = SweepCostInfo;
export type CellCost = SweepCost['cells'][number];

/**
 * Estimates every cell of `sweep` over the config as written (`raw`): `estimateCell` gives a
 * cell's estimate (calibrating, or rescaling a calibration already measured).
 */
export async function estimateSweep(
  raw: Record<string, unknown>,
  sweep: SweepConfig,
  estimateCell: (config: ExperimentConfig) => Promise<RunCostEstimate>,
): Promise<SweepCost> {
  const cells: { id: string; values: Record<string, unknown>; estimate: RunCostEstimate }[] = [];
  // One at a time: calibrations time real steps and must not share the cores.
  for (const cell of expandSweep(raw, sweep)) {
    cells.push({ id: cell.id, values: cell.values, estimate: await estimateCell(cell.config) });
  }
  return sweepCost(cells);
}

/** The sweep's figures from each cell's estimate (pure arithmetic). */
export function sweepCost(
  cells: { id: string; values: Record<string, unknown>; estimate: RunCostEstimate }[],
): SweepCost {
  const costs: CellCost[] = cells.map((c) => ({
    ...c,
    perJobSec: c.estimate.perFoldSec + c.estimate.calibrationSec,
    jobs: c.estimate.folds,
  }));
  // A cache is keyed by what fills it (first trained block, patches): cells differing only in
  // epochs or learning rate share one, and it is built once.
  const caches = new Map<string, number>();
  for (const { estimate: e } of costs) caches.set(`${e.firstTrainedBlock}:${e.patches}`, e.cacheBuildSec);
  const cacheBuildSec = [...caches.values()].reduce((a, b) => a + b, 0);
  const perJob = costs.map((c) => c.perJobSec);
  const parallel = Math.max(1, ...costs.map((c) => c.estimate.parallel));
  const slots = new Array<number>(parallel).fill(0);
  for (const c of costs) {
    for (let j = 0; j < c.jobs; j++) {
      const i = slots.indexOf(Math.min(...slots));
      slots[i] += c.perJobSec;
    }
  }
  return {
    cells: costs,
    jobs: costs.reduce((n, c) => n + c.jobs, 0),
    perJobSec: { min: Math.min(...perJob), max: Math.max(...perJob) },
    totalComputeSec: costs.reduce((s, c) => s + c.jobs * c.perJobSec, 0) + cacheBuildSec,
    wallSec: Math.max(...slots) + cacheBuildSec,
    cacheBuildSec,
    parallel,
  };
}
