/**
 * The run table: every run folder and every sweep cell in the runs folder as one RunInfo each,
 * with the sweep it belongs to and, for runs submitted to Slurm, each fold's job. A run sent out
 * through an executor takes its state from there while its folds are away: queued while its tasks
 * wait, running while one runs, failed (with the task's exit state) when one failed.
 */
import path from 'node:path';
import type { FoldJob, RunInfo } from '@shared/contract';
import { foldJobStatus, readJobs, type FoldJobStatus } from '../../engine/exec/slurm';
import { listRunDirs, readRunInfo } from './runs';
import { listSweepCells, type SweepCellRef } from './sweeps';
import { readSubmitState } from './submit';

function foldJob(s: FoldJobStatus): FoldJob {
  return {
    fold: s.fold,
    state: s.state === 'pending' ? 'queued' : s.state,
    jobId: s.jobId ?? null,
    taskId: s.taskId ?? null,
    detail: s.detail ?? null,
    logTail: s.logTail ?? null,
  };
}

/** The state a run's fold jobs and its submission say, over what its folder says. */
function withExecution(info: RunInfo, submitDir: string): RunInfo {
  const submit = readSubmitState(submitDir);
  if (!submit) return info;
  if (submit.state === 'failed') return { ...info, state: 'failed', error: submit.error ?? info.error };
  if (submit.state === 'preparing') {
    // Being prepared in a worker of this server (status.json may not exist yet).
    return info.state === 'unknown' ? { ...info, state: 'queued' } : info;
  }
  if (!readJobs(submitDir).length || info.folds === null) return info;
  const jobs = foldJobStatus(submitDir, [{ runDir: info.dir, folds: info.folds }]).map(foldJob);
  const out = { ...info, foldJobs: jobs };
  if (info.state === 'done') return out;
  const failed = jobs.find((j) => j.state === 'failed');
  if (jobs.some((j) => j.state === 'running')) return { ...out, state: 'running' };
  if (jobs.some((j) => j.state === 'queued')) return { ...out, state: 'queued' };
  if (failed)
    return { ...out, state: 'failed', error: `fold ${failed.fold + 1}: ${failed.detail ?? 'failed'}` };
  if (jobs.some((j) => j.state === 'cancelled')) return { ...out, state: 'cancelled' };
  return out;
}

export function cellInfo(ref: SweepCellRef, live: boolean): RunInfo {
  const info = readRunInfo(ref.dir, live, ref.id);
  return withExecution(
    {
      ...info,
      sweep: {
        id: path.basename(ref.sweepDir),
        name: ref.sweep.name,
        cell: ref.cell.id,
        values: ref.cell.values,
      },
    },
    ref.sweepDir,
  );
}

export function runInfo(dir: string, live: boolean): RunInfo {
  return withExecution(readRunInfo(dir, live), dir);
}

/** Runs (newest first), each sweep's cells in their order after its newer runs. */
export function listRunTable(
  runsDir: string,
  extraDirs: string[],
  isLive: (id: string) => boolean,
): RunInfo[] {
  const dirs = new Set([...listRunDirs(runsDir), ...extraDirs]);
  const runs = [...dirs].map((d) => runInfo(d, isLive(path.basename(d))));
  const cells = listSweepCells(runsDir).map((c) => cellInfo(c, isLive(c.id)));
  // Sorting by id keeps a sweep's cells together and in cell order (ids share the sweep's stamp).
  return [...runs, ...cells].sort((a, b) => {
    const sa = a.sweep?.id ?? a.id;
    const sb = b.sweep?.id ?? b.id;
    return sa === sb ? a.id.localeCompare(b.id) : sb.localeCompare(sa);
  });
}
