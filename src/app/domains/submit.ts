/**
 * Starting a config through its executor from the GUI or served mode (the CLI's `run` with a
 * sweep block or `--executor slurm` does the same steps):
 *
 *   1. every sweep cell is validated and Slurm's commands are looked for, before anything is made;
 *   2. the sweep folder (or the run folder) is made, and the call returns with its runs;
 *   3. in the background each run is prepared in a training worker (corpus, folds, step cache,
 *      the first one's cost estimate), then
 *   4. slurm: all runs' pending folds go out as ONE `sbatch --array` job; local: the runs train one
 *      after the other, each on the local executor's N processes.
 *
 * Where the submission stands is written to submit.json in the sweep (or run) folder, so a
 * reloaded page or another server reads it from disk; what Slurm does with the tasks comes from
 * squeue and the run folders (engine/exec/slurm.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkbenchEvent } from '@shared/contract';
import { modeOf, parseConfig, type ExperimentConfig } from '../../engine/config/schema';
import { planLocal, recordMemory } from '../../engine/exec/local';
import { foldsToSubmit, requireSlurm, submitArray, type SlurmJobRecord } from '../../engine/exec/slurm';
import { readRun } from '../../engine/runs/store';
import { newRunDir } from '../../engine/runs/store';
import { createSweep, expandSweep } from '../../engine/runs/sweep';
import { readJson, writeJsonAtomic } from '../../engine/util/atomic';
import { UserError } from '../../engine/util/errors';
import type { TrainEvent } from '@shared/progress';
import type { RunJob, RunResult } from '@shared/worker-messages';

const SUBMIT_FILE = 'submit.json';

export interface SubmitState {
  executor: 'local' | 'slurm';
  state: 'preparing' | 'submitted' | 'training' | 'done' | 'failed';
  started: string;
  jobId?: string;
  error?: string;
}

export function readSubmitState(dir: string): SubmitState | null {
  try {
    return readJson<SubmitState>(path.join(dir, SUBMIT_FILE));
  } catch {
    return null;
  }
}

function writeSubmitState(dir: string, state: SubmitState): void {
  writeJsonAtomic(path.join(dir, SUBMIT_FILE), state);
}

/** One run of a submission: its contract id (a cell's is `<sweep>/<cell>`) and its folder. */
export interface SubmitTarget {
  id: string;
  runDir: string;
  config: ExperimentConfig;
}

export interface Submission {
  /** The sweep folder's name, or null for one run. */
  sweep: string | null;
  /** Where submit.json and the Slurm job files live: the sweep folder or the run folder. */
  submitDir: string;
  targets: SubmitTarget[];
}

export interface SubmitDeps {
  runsDir: string;
  /** The corpus folder, already checked against the permitted folders. */
  dataDir: string;
  emit: (e: WorkbenchEvent) => void;
  /** Runs a training-worker job (prepare, or train the folds of a run). */
  launch: (
    job: RunJob,
    opts: { onEvent: (e: TrainEvent) => void; env?: NodeJS.ProcessEnv },
  ) => Promise<RunResult>;
}

/** Whether a config goes through `submitConfig` rather than one local job. */
export function needsSubmission(config: ExperimentConfig): boolean {
  return !!config.sweep || config.execution.executor === 'slurm';
}

/**
 * Steps 1–2: checks, then the folders. Throws a user error (naming the field and the cell of a
 * bad sweep value, or what to install for Slurm) before anything is written.
 */
export function createSubmission(raw: unknown, runsDir: string): Submission {
  const config = parseConfig(raw);
  const cells = config.sweep ? expandSweep(raw as Record<string, unknown>, config.sweep) : null;
  if (config.execution.executor === 'slurm') requireSlurm();
  if (cells) {
    const { sweepDir, file } = createSweep(runsDir, config.name, cells);
    const sweep = path.basename(sweepDir);
    const targets = file.cells.map((c, i) => ({
      id: `${sweep}/${c.id}`,
      runDir: path.join(sweepDir, 'cells', c.id),
      config: cells[i].config,
    }));
    writeSubmitState(sweepDir, { executor: config.execution.executor, state: 'preparing', started: now() });
    return { sweep, submitDir: sweepDir, targets };
  }
  const runDir = newRunDir(runsDir, config.name);
  fs.mkdirSync(runDir, { recursive: true });
  writeSubmitState(runDir, { executor: config.execution.executor, state: 'preparing', started: now() });
  return { sweep: null, submitDir: runDir, targets: [{ id: path.basename(runDir), runDir, config }] };
}

const now = () => new Date().toISOString();

/** Steps 3–4, in the background; a failure is written to submit.json and sent as the runs' state. */
export async function carryOut(s: Submission, deps: SubmitDeps): Promise<void> {
  const executor = s.targets[0].config.execution.executor;
  const started = readSubmitState(s.submitDir)?.started ?? now();
  const log = (line: string) =>
    s.targets.forEach((t) => deps.emit({ type: 'run.log', runId: t.id, line, level: 'info' }));
  try {
    const prepared: { runDir: string; folds: number; pending: number[] }[] = [];
    let perFoldSec: number | null = null;
    for (const [i, t] of s.targets.entries()) {
      const r = await deps.launch(
        // The cost is estimated once, for the first run (the cells share corpus and model).
        { config: t.config, dataDir: deps.dataDir, runDir: t.runDir, prepareOnly: true, worker: i > 0 },
        {
          onEvent: (e) => {
            if (e.estimate) perFoldSec = e.estimate.perFoldSec + (e.estimate.calibrationSec ?? 0);
            deps.emit({ type: 'run.progress', runId: t.id, event: { ...e } });
            if (e.type === 'log' && e.message)
              deps.emit({ type: 'run.log', runId: t.id, line: e.message, level: 'info' });
          },
        },
      );
      prepared.push({ runDir: r.runDir, folds: r.folds, pending: r.pending ?? [] });
    }
    if (executor === 'slurm') {
      const tasks = prepared.flatMap((p) => p.pending.map((fold) => ({ runDir: p.runDir, fold })));
      const config = s.targets[0].config;
      const record = submitArray(
        s.submitDir,
        s.sweep ?? config.name,
        tasks,
        config.execution.slurm,
        perFoldSec,
      );
      writeSubmitState(s.submitDir, { executor, state: 'submitted', started, jobId: record.jobId });
      log(`submitted Slurm job ${record.jobId}: ${tasks.length} task(s), ${record.timeMinutes} min per task`);
      s.targets.forEach((t) => deps.emit({ type: 'run.state', runId: t.id, state: 'queued', error: null }));
      return;
    }
    writeSubmitState(s.submitDir, { executor, state: 'training', started });
    for (const [i, t] of s.targets.entries()) {
      const plan = planLocal({
        requested: t.config.execution.processes,
        mode: modeOf(t.config),
        pendingFolds: prepared[i].pending.length,
      });
      deps.emit({ type: 'run.log', runId: t.id, line: `local executor: ${plan.reason}`, level: 'info' });
      await deps.launch(
        {
          resumeDir: t.runDir,
          parallel: plan.processes,
          workerEnv: plan.env,
          executor: { name: 'local', processes: plan.processes },
        },
        { onEvent: (e) => deps.emit({ type: 'run.progress', runId: t.id, event: { ...e } }) },
      );
      recordMemory(t.runDir, modeOf(t.config));
      deps.emit({ type: 'run.state', runId: t.id, state: 'done', error: null });
    }
    writeSubmitState(s.submitDir, { executor, state: 'done', started });
  } catch (err) {
    const error = err instanceof UserError || err instanceof Error ? err.message : String(err);
    writeSubmitState(s.submitDir, { executor, state: 'failed', started, error });
    s.targets.forEach((t) => deps.emit({ type: 'run.state', runId: t.id, state: 'failed', error }));
  }
}

/** Resume on Slurm: the run's folds neither done nor queued nor running go out as a new array job. */
export function resubmit(submitDir: string, runDir: string): SlurmJobRecord {
  const run = readRun(runDir);
  if (!run.config) throw new UserError(`${runDir}: not prepared yet (config.json missing)`);
  const config = parseConfig(run.config.config);
  const tasks = foldsToSubmit(submitDir, [{ runDir, folds: run.config.foldAssignment.length }]);
  return submitArray(submitDir, config.name, tasks, config.execution.slurm, null);
}
