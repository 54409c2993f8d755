/**
 * `run CONFIG` where the config has a `sweep` block: every cell is validated first, then the
 * sweep folder and one run folder per cell are made and prepared (corpus, folds, step cache),
 * and all cells' folds go to the executor as one list of jobs: the local executor's N workers
 * take the cells in turn and claim their folds, or one Slurm array job holds every cell × fold.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ExperimentConfig } from '../../engine/config/schema';
import { modeOf } from '../../engine/config/schema';
import { planLocal, recordMemory } from '../../engine/exec/local';
import { foldJobStatus, jobsActive, requireSlurm, submitArray } from '../../engine/exec/slurm';
import { createSweep, expandSweep, renderSweepTable } from '../../engine/runs/sweep';
import { defaultRunsDir } from '../../engine/runs/store';
import { launchWorker } from '../../worker/launch';
import { progress } from '../args';
import { progressPrinter, runInWorker } from './run';

export interface SweepArgs {
  configFile: string;
  config: ExperimentConfig;
  dataDir?: string;
  outDir?: string;
  executor: 'local' | 'slurm';
  processes?: number;
  wait: boolean;
  batches: boolean;
}

export async function runSweep(a: SweepArgs): Promise<{ sweepDir: string; code: number }> {
  const raw = JSON.parse(fs.readFileSync(a.configFile, 'utf8')) as Record<string, unknown>;
  // Every cell checked before anything is written or submitted.
  const cells = expandSweep(raw, a.config.sweep!);
  if (a.executor === 'slurm') requireSlurm();
  const { sweepDir, file } = createSweep(a.outDir ?? defaultRunsDir(), a.config.name, cells);
  progress(`sweep ${sweepDir}: ${cells.length} cells over ${file.fields.join(', ')}`);

  // Prepare every cell: its folds and the (shared) step cache.
  const prepared: { runDir: string; folds: number; pending: number[]; perFoldSec: number | null }[] = [];
  for (const [i, cell] of cells.entries()) {
    let perFoldSec: number | null = null;
    const r = await runInWorker(
      // The cost is estimated once, for the first cell (the cells share the corpus and model).
      {
        config: cell.config,
        dataDir: a.dataDir,
        runDir: file.cells[i].runDir,
        prepareOnly: true,
        worker: i > 0,
      },
      false,
      (e) => {
        if (e.estimate) perFoldSec = e.estimate.perFoldSec + (e.estimate.calibrationSec ?? 0);
      },
    );
    prepared.push({ runDir: r.runDir, folds: r.folds, pending: r.pending ?? [], perFoldSec });
  }

  if (a.executor === 'slurm') {
    const tasks = prepared.flatMap((p) => p.pending.map((fold) => ({ runDir: p.runDir, fold })));
    const perTask = Math.max(0, ...prepared.map((p) => p.perFoldSec ?? 0)) || null;
    const record = submitArray(sweepDir, `${a.config.name}-sweep`, tasks, a.config.execution.slurm, perTask);
    progress(`submitted Slurm job ${record.jobId}: ${tasks.length} task(s) (cells × folds)`);
    if (!a.wait) return { sweepDir, code: 0 };
    while (jobsActive(sweepDir)) await new Promise((r) => setTimeout(r, 2000));
    const failed = foldJobStatus(sweepDir, prepared).filter((s) => s.state !== 'done');
    for (const f of failed)
      progress(`${path.basename(f.runDir)} fold ${f.fold + 1}: ${f.state} ${f.detail ?? ''}`);
    return { sweepDir, code: failed.length ? 1 : 0 };
  }

  const plan = planLocal({
    requested: a.processes,
    mode: modeOf(a.config),
    pendingFolds: prepared.reduce((n, p) => n + p.pending.length, 0),
  });
  progress(`local executor: ${plan.reason}`);
  const print = progressPrinter(a.batches);
  // Each worker slot walks the cells; within a cell the workers divide the folds by claims.
  await Promise.all(
    plan.env.map(async (env) => {
      for (const p of prepared) {
        await launchWorker(
          // worker: the cell was estimated when prepared; no second calibration per slot.
          {
            resumeDir: p.runDir,
            parallel: 1,
            worker: true,
            executor: { name: 'local', processes: plan.processes },
          },
          { env, onEvent: print },
        );
      }
    }),
  );
  for (const p of prepared) recordMemory(p.runDir, modeOf(a.config));
  return { sweepDir, code: 0 };
}

export function printSweep(sweepDir: string): void {
  process.stdout.write(renderSweepTable(sweepDir));
}
