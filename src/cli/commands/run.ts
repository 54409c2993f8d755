import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfigFile } from '../../engine/config/file';
import { buildRunDirReport } from '../../engine/report/run-report';
import { renderReport } from '../../engine/report/render';
import { checkOutputLocations } from '../../engine/runs/locations';
import { checkResumeConfig } from '../../engine/runs/prepare';
import type { RunCostEstimate } from '@shared/progress';
import { formatEvent, type TrainEvent } from '../../engine/train/events';
import { CancelledError } from '../../engine/util/errors';
import { UserError } from '../../engine/util/errors';
import type { SkippedFile } from '../../engine/corpora/types';
import { launchWorker } from '../../worker/launch';
import type { RunJob, RunResult } from '@shared/worker-messages';
import { parseCommand, printJson, progress } from '../args';
import { modeOf, parseConfig, type ExperimentConfig, type SlurmOptions } from '../../engine/config/schema';
import { planLocal, recordMemory } from '../../engine/exec/local';
import {
  cancelJobs,
  foldJobStatus,
  foldsToSubmit,
  jobsActive,
  requireSlurm,
  submitArray,
  type FoldJobStatus,
} from '../../engine/exec/slurm';
import { runLiveness } from '../../engine/runs/liveness';
import { readRun, readStatus, writeStatus } from '../../engine/runs/store';

const usage = [
  'ser-workbench run CONFIG [--data DIR] [--out DIR] [--folds 3,8 | --test-speakers 03,08] [--parallel N] [--batches] [--repair-nonfinite] [--json]',
  "       ser-workbench run --resume RUNDIR [CONFIG (must equal the run's)] [--folds 3,8 | --test-speakers 03,08] [--parallel N]",
  '       ser-workbench run --gather RUNDIR      (write summary.json from the finished folds)',
  '       ser-workbench run --status RUNDIR | --cancel RUNDIR',
  "  --executor local|slurm  overrides the config's execution.executor; slurm: one sbatch --array job,",
  '                        one task per pending fold (--wait follows it to the end)',
  '  --node-command CMD    how a Slurm node starts ser-workbench (overrides execution.slurm.nodeCommand)',
  '  --folds N,M           train only these folds (numbered from 1, as folds/fold-NN); other',
  '                        processes may fill the same run folder at once (each fold is claimed)',
].join('\n');

/** Progress on stderr: one line per fold and epoch (and per batch with --batches). */
export function progressPrinter(batches: boolean): (e: TrainEvent) => void {
  return (e) => {
    if (e.type === 'batch' && !batches) return;
    progress(formatEvent(e));
  };
}

/** Default processes for frozen-mode folds: one per core, at most 4. */
export function defaultParallel(): number {
  return Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));
}

/** The JSON document `run --json` prints (`estimate`: the cost estimate shown before training). */
export function resultDocument(r: RunResult, estimate?: RunCostEstimate | null) {
  return {
    ...(estimate ? { estimate } : {}),
    ...(r.foldsDone ? { foldsDone: r.foldsDone.map((i) => i + 1) } : {}),
    ...(r.pending ? { pending: r.pending.map((i) => i + 1) } : {}),
    runDir: r.runDir,
    backend: r.backend,
    mode: r.mode,
    weights: r.weights,
    folds: r.folds,
    averageAccuracy: r.averageAccuracy,
    classAccuracy: r.classAccuracy,
    confusion: r.confusion,
  };
}

/**
 * Runs a job in the training worker with Ctrl-C wired to a clean cancel (the run folder is left
 * resumable, status 'cancelled').
 */
export async function runInWorker(
  job: RunJob,
  batches = false,
  onEvent?: (e: TrainEvent) => void,
): Promise<RunResult> {
  const controller = new AbortController();
  let runDir = 'RUNDIR';
  const onSigint = () => {
    progress(`cancelling (resume with: ser-workbench run --resume ${runDir})...`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const print = progressPrinter(batches);
    return await launchWorker(job, {
      onEvent: (e) => {
        if (e.runDir) runDir = e.runDir;
        print(e);
        onEvent?.(e);
      },
      signal: controller.signal,
    });
  } catch (err) {
    if (err instanceof CancelledError)
      throw new UserError(`cancelled; resume with \`ser-workbench run --resume ${runDir}\``);
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Files the run's corpus index left out, with why (from the run folder's index.json). */
export function skippedFiles(runDir: string): SkippedFile[] {
  try {
    const index = JSON.parse(fs.readFileSync(path.join(runDir, 'index.json'), 'utf8')) as {
      skipped?: SkippedFile[];
    };
    return Array.isArray(index.skipped) ? index.skipped : [];
  } catch {
    return [];
  }
}

/** How many skipped files are named one by one; the rest are counted. */
const SKIPPED_SHOWN = 10;

/** "skipped 3 files:" and one line per file (at most SKIPPED_SHOWN), or '' when none was. */
export function skippedText(runDir: string): string {
  const skipped = skippedFiles(runDir);
  if (!skipped.length) return '';
  const lines = skipped.slice(0, SKIPPED_SHOWN).map((f) => `  ${f.path}: ${f.reason}`);
  if (skipped.length > SKIPPED_SHOWN)
    lines.push(`  … and ${skipped.length - SKIPPED_SHOWN} more (all in ${path.join(runDir, 'index.json')})`);
  return `skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'}:\n${lines.join('\n')}\n`;
}

export async function printResultTable(runDir: string, title?: string): Promise<void> {
  // A baseline grid run prints its one table of every cell.
  process.stdout.write(renderReport(await buildRunDirReport(runDir, { paper: true, title }), 'md'));
  const skipped = skippedText(runDir);
  if (skipped) process.stdout.write(`\n${skipped}`);
  // The folder's exact path is the first line of the run's progress and the last of its output.
  process.stdout.write(`\nrun folder: ${runDir}\n`);
}

async function checkResumeConfigFile(runDir: string, file: string): Promise<void> {
  const given = await loadConfigFile(file);
  const recorded = readRun(runDir).config;
  if (!recorded) throw new UserError(`${runDir}: not a run folder (config.json missing)`);
  checkResumeConfig(runDir, recorded.config, given);
}

/**
 * The run folder `--resume` names: the folder itself, or the one run inside a parent folder (what
 * `--out` was given), so that `run --out X` can be resumed with `run --resume X`.
 */
export function resolveResumeDir(given: string): string {
  const dir = path.resolve(given);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new UserError(`--resume ${dir}: no such folder`);
  if (fs.existsSync(path.join(dir, 'config.json'))) return dir;
  const runs = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'config.json')))
    .map((e) => path.join(dir, e.name))
    .sort();
  if (runs.length === 1) {
    progress(`resuming the one run in ${dir}: ${runs[0]}`);
    return runs[0];
  }
  if (!runs.length)
    throw new UserError(`--resume ${dir}: not a run folder (no config.json) and it holds no run`);
  const named = runs.slice(0, 5).map((r) => `  ${r}`);
  if (runs.length > 5) named.push(`  … and ${runs.length - 5} more`);
  throw new UserError(`--resume ${dir} holds ${runs.length} runs; name one of them:\n${named.join('\n')}`);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      data: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      parallel: { type: 'string' },
      folds: { type: 'string' },
      'test-speakers': { type: 'string' },
      gather: { type: 'string' },
      status: { type: 'string' },
      cancel: { type: 'string' },
      executor: { type: 'string' },
      wait: { type: 'boolean', default: false },
      'node-command': { type: 'string' },
      batches: { type: 'boolean', default: false },
      'repair-nonfinite': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    usage,
  );
  if (!args) return 0;
  const { values, positionals } = args;
  if (values.gather) {
    // Imported here: the runner loads TensorFlow, which the other paths leave to the worker.
    const { gatherRun } = await import('../../engine/runs/runner');
    const result = gatherRun(values.gather);
    if (values.json) printJson(resultDocument(result));
    else await printResultTable(result.runDir);
    return 0;
  }
  const selection = {
    ...(values.folds !== undefined ? { onlyFolds: parseFoldNumbers(values.folds) } : {}),
    ...(values['test-speakers'] !== undefined
      ? { testSpeakers: parseList('--test-speakers', values['test-speakers']) }
      : {}),
  };
  if (values.status) return printStatus(values.status, values.json);
  if (values.cancel) {
    const ids = cancelJobs(path.resolve(values.cancel));
    progress(
      ids.length ? `cancelled Slurm job(s) ${ids.join(', ')}` : 'no job of this run is queued or running',
    );
    return 0;
  }
  if (
    values.parallel !== undefined &&
    (!Number.isInteger(Number(values.parallel)) || Number(values.parallel) < 1)
  )
    throw new UserError(`--parallel must be a positive integer`);
  let job: RunJob;
  let config: ExperimentConfig;
  if (values.resume) {
    if (positionals.length > 1) throw new UserError(`expected at most one config file\nusage: ${usage}`);
    const resumeDir = resolveResumeDir(values.resume);
    // A config beside --resume must be the run's own: a resumed run never takes another.
    if (positionals.length === 1) await checkResumeConfigFile(resumeDir, positionals[0]);
    const prior = readRun(resumeDir).config;
    if (!prior) throw new UserError(`${resumeDir}: not a run folder (config.json missing)`);
    config = parseConfig(prior.config, path.join(resumeDir, 'config.json'));
    job = { resumeDir, ...selection, ...(values.data ? { dataDir: path.resolve(values.data) } : {}) };
  } else {
    if (positionals.length !== 1) throw new UserError(`expected one config file\nusage: ${usage}`);
    config = await loadConfigFile(positionals[0]);
    const dataDir =
      values.data ??
      (config.data.dir ? path.resolve(path.dirname(positionals[0]), config.data.dir) : undefined);
    job = { config, dataDir, ...(values.out ? { outDir: path.resolve(values.out) } : {}), ...selection };
  }
  if (values['repair-nonfinite']) job.repairNonFinite = true;
  // A sweep's cells are checked before anything is created, --out included.
  if (config.sweep && !values.resume) {
    const { expandSweep } = await import('../../engine/runs/sweep');
    expandSweep(JSON.parse(fs.readFileSync(positionals[0], 'utf8')) as Record<string, unknown>, config.sweep);
  }
  // Before the worker starts: a bad --out or data home is one user error, and no run folder is made.
  checkOutputLocations({ outDir: job.outDir, resuming: !!job.resumeDir });
  const executor = values.executor ?? config.execution.executor;
  if (executor !== 'local' && executor !== 'slurm')
    throw new UserError(`--executor: '${executor}' is not an executor (local or slurm)`);
  if (config.sweep && !values.resume) {
    const { runSweep, printSweep } = await import('./sweep');
    const { sweepDir, code } = await runSweep({
      configFile: positionals[0],
      config,
      dataDir: job.dataDir,
      outDir: job.outDir,
      executor,
      processes: values.parallel !== undefined ? Number(values.parallel) : config.execution.processes,
      wait: values.wait,
      batches: values.batches,
    });
    if (values.json) printJson({ sweepDir });
    else printSweep(sweepDir);
    return code;
  }
  // A command-line override is for this submission only: the run's config.json keeps what it said.
  const slurmOptions = {
    ...config.execution.slurm,
    ...(values['node-command'] ? { nodeCommand: values['node-command'] } : {}),
  };
  if (process.env.SER_WORKBENCH_EXECUTOR === 'slurm') {
    // An array task on a node (the job script sets this): train its fold in this process. Checked
    // before the executor: a run whose config says 'slurm' would otherwise submit again from every task.
    const jobId = process.env.SLURM_ARRAY_JOB_ID
      ? `${process.env.SLURM_ARRAY_JOB_ID}_${process.env.SLURM_ARRAY_TASK_ID}`
      : process.env.SLURM_JOB_ID;
    const result = await runInWorker(
      { ...job, parallel: 1, executor: { name: 'slurm', jobId } },
      values.batches,
    );
    if (values.json) printJson(resultDocument(result));
    else printPartial(result);
    return 0;
  }
  if (executor === 'slurm') return runOnSlurm(job, config, slurmOptions, values.wait, values.json);

  // local: N worker processes, each with its thread budget (and GPU), chosen and said why.
  const requested = values.parallel !== undefined ? Number(values.parallel) : config.execution.processes;
  const plan = planLocal({ requested, mode: modeOf(config) });
  // Said right after the run folder's path (the first line a run prints).
  let planSaid = false;
  job = {
    ...job,
    parallel: plan.processes,
    workerEnv: plan.env,
    executor: { name: 'local', processes: plan.processes },
    executionPlan: { executor: 'local', ...plan },
  };
  let estimate: RunCostEstimate | null = null;
  const result = await runInWorker(job, values.batches, (e) => {
    if (e.estimate) estimate = e.estimate;
    if (e.runDir && !planSaid) {
      planSaid = true;
      progress(`local executor: ${plan.reason}`);
    }
  });
  recordMemory(result.runDir, result.mode);
  if (values.json) {
    const skipped = skippedText(result.runDir);
    if (skipped) progress(skipped.trimEnd());
    printJson({ ...resultDocument(result, estimate), skipped: skippedFiles(result.runDir) });
  } else if (result.summary || result.pending?.length === 0) await printResultTable(result.runDir);
  else printPartial(result);
  return 0;
}

/**
 * The slurm executor: the run is prepared here (corpus, folds, step cache, estimate), its pending
 * folds go out as one array job, and with --wait this process follows the tasks to the end.
 */
async function runOnSlurm(
  job: RunJob,
  config: ExperimentConfig,
  slurmOptions: SlurmOptions,
  wait: boolean,
  json: boolean,
): Promise<number> {
  requireSlurm();
  let estimate: RunCostEstimate | null = null;
  const prepared = await runInWorker({ ...job, prepareOnly: true }, false, (e) => {
    if (e.estimate) estimate = e.estimate;
  });
  const runDir = prepared.runDir;
  const folds = prepared.folds;
  const selected = new Set(prepared.pending ?? []);
  const tasks = foldsToSubmit(runDir, [{ runDir, folds }]).filter(
    (t) => !job.onlyFolds || job.onlyFolds.includes(t.fold),
  );
  let jobId: string | null = null;
  if (tasks.length && selected.size) {
    const e = estimate as RunCostEstimate | null;
    const perTask = e ? e.perFoldSec + (e.calibrationSec ?? 0) : null;
    const record = submitArray(runDir, config.name, tasks, slurmOptions, perTask);
    jobId = record.jobId;
    const prior = readStatus(runDir);
    if (prior && prior.state !== 'running') writeStatus(runDir, { ...prior, state: 'queued' });
    progress(
      `submitted Slurm job ${jobId}: ${tasks.length} task(s), folds ${tasks.map((t) => t.fold + 1).join(',')}, ` +
        `${record.timeMinutes} min per task; script ${record.script}`,
    );
  } else progress('nothing to submit: every fold is done, queued or running');
  if (!wait) {
    if (json) printJson({ runDir, jobId, folds: tasks.map((t) => t.fold + 1) });
    else
      process.stdout.write(
        `Slurm job ${jobId ?? '-'}; follow it with \`ser-workbench run --status ${runDir}\`\n`,
      );
    return 0;
  }
  while (jobsActive(runDir)) await new Promise((r) => setTimeout(r, 2000));
  const states = foldJobStatus(runDir, [{ runDir, folds }]);
  // The folds this command was about (all, or those of --folds / --test-speakers).
  const failed = states.filter(
    (s) => s.state !== 'done' && (!job.onlyFolds || job.onlyFolds.includes(s.fold)),
  );
  if (json)
    printJson({
      runDir,
      jobId,
      folds: states.map(statusRow),
      summary: fs.existsSync(path.join(runDir, 'summary.json')),
    });
  else {
    printStatusTable(states);
    if (!failed.length) await printResultTable(runDir);
  }
  return failed.length ? 1 : 0;
}

function statusRow(s: FoldJobStatus) {
  return {
    fold: s.fold + 1,
    state: s.state,
    ...(s.taskId ? { task: s.taskId } : {}),
    ...(s.detail ? { detail: s.detail } : {}),
    ...(s.log ? { log: s.log } : {}),
    ...(s.logTail ? { logTail: s.logTail } : {}),
  };
}

function printStatusTable(states: FoldJobStatus[]): void {
  for (const s of states) {
    process.stdout.write(
      `fold ${s.fold + 1}: ${s.state}${s.taskId ? ` (Slurm task ${s.taskId})` : ''}${s.detail ? ` ${s.detail}` : ''}\n`,
    );
    if (s.logTail) process.stdout.write(`  log ${s.log}:\n${s.logTail.replace(/^/gm, '    ')}\n`);
  }
}

/** `run --status RUNDIR`: each fold's state (done, training by whom, queued/failed in Slurm). */
function printStatus(dirIn: string, json: boolean): number {
  const runDir = path.resolve(dirIn);
  const run = readRun(runDir);
  const folds = run.config?.foldAssignment.length ?? 0;
  const seen = runLiveness(runDir, run.status, run.foldsDone);
  const states = foldJobStatus(runDir, [{ runDir, folds }]).map((s) =>
    s.state === 'not submitted' && seen.training.includes(s.fold) ? { ...s, state: 'running' as const } : s,
  );
  if (json) printJson({ runDir, state: seen.state, resumable: seen.resumable, folds: states.map(statusRow) });
  else {
    process.stdout.write(`${runDir}: ${seen.state}${seen.resumable ? ', resumable (run --resume)' : ''}\n`);
    printStatusTable(states);
  }
  return 0;
}

/** After a run that stopped with folds left: what is done and how to go on. */
function printPartial(r: RunResult): void {
  const done = r.foldsDone ?? [];
  const pending = r.pending ?? [];
  process.stdout.write(
    `${done.length} of ${r.folds} folds done (${done.map((i) => i + 1).join(',') || 'none'}); ` +
      `left: ${pending.map((i) => i + 1).join(',')}\n` +
      `the summary is written when the last fold finishes; go on with \`ser-workbench run --resume ${r.runDir}\`\n` +
      `run folder: ${r.runDir}\n`,
  );
}

function parseList(flag: string, value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new UserError(`${flag}: expected a comma-separated list, got '${value}'`);
  return items;
}

/** `--folds 3,8` (numbered from 1, as the fold folders) → 0-based fold indices. */
export function parseFoldNumbers(value: string): number[] {
  return parseList('--folds', value).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1)
      throw new UserError(`--folds: '${s}' is not a fold number (1, 2, ...)`);
    return n - 1;
  });
}
