/**
 * The `slurm` executor: a run's pending folds (or a sweep's cells × folds) as ONE `sbatch --array`
 * job, one task per fold. Each task runs `ser-workbench run --resume RUNDIR --folds N` on a node,
 * which claims its fold like any other process filling the run folder, so a run folder is the
 * same whichever executor filled it, and the last task to finish writes summary.json.
 *
 * What was submitted is kept next to the runs (`<dir>/slurm/`): the job script, the task list
 * (line i = array task i: run folder and fold number), each task's log (`<job>_<task>.log`) and
 * jobs.json. Status comes from squeue and, where accounting is on, sacct; where it is off, from
 * squeue and the run folders (a task no longer queued whose fold is not done has failed).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { SlurmOptions } from '../config/schema';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { UserError } from '../util/errors';
import { repoRoot } from '../util/paths';
import { foldDir } from '../runs/store';

export interface SlurmTask {
  runDir: string;
  /** 0-based fold index. */
  fold: number;
}

export interface SlurmJobRecord {
  jobId: string;
  submitted: string;
  script: string;
  tasks: SlurmTask[];
  timeMinutes: number;
}

export type FoldJobState = 'done' | 'pending' | 'running' | 'failed' | 'cancelled' | 'not submitted';

export interface FoldJobStatus extends SlurmTask {
  state: FoldJobState;
  jobId?: string;
  /** `<job>_<task>` of the latest task that ran this fold. */
  taskId?: string;
  /** Slurm's state and exit code (sacct) or the queue reason (squeue). */
  detail?: string;
  log?: string;
  logTail?: string;
}

function which(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, cmd)));
}

/** The Slurm commands must exist before anything is written or submitted. */
export function requireSlurm(): void {
  const missing = ['sbatch', 'squeue', 'scancel'].filter((c) => !which(c));
  if (missing.length) {
    throw new UserError(
      `the slurm executor needs Slurm's ${missing.join(', ')} on PATH, and ${missing.length > 1 ? 'they were' : 'it was'} not found: ` +
        `run on the cluster's login node, or install the Slurm client commands (Debian/Ubuntu: apt install slurm-client; ` +
        `with a one-node cluster: slurm-wlm munge), or use execution.executor 'local'`,
    );
  }
}

function slurmDir(dir: string): string {
  return path.join(dir, 'slurm');
}

function jobsFile(dir: string): string {
  return path.join(slurmDir(dir), 'jobs.json');
}

export function readJobs(dir: string): SlurmJobRecord[] {
  try {
    return readJson<SlurmJobRecord[]>(jobsFile(dir));
  } catch {
    return [];
  }
}

/** How a node starts ser-workbench: this node binary and this installation's CLI (shared file system). */
export function defaultNodeCommand(): string {
  return `${shellQuote(process.execPath)} ${shellQuote(path.join(repoRoot, 'bin', 'ser-workbench.mjs'))}`;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** sbatch's time format (minutes) from the estimated seconds per task with the margin. */
export function timeLimitMinutes(opts: SlurmOptions, estimatedTaskSec: number | null): number {
  if (opts.timeMinutes) return opts.timeMinutes;
  const sec = (estimatedTaskSec ?? 3600) * opts.timeMargin + 600;
  return Math.max(10, Math.ceil(sec / 60));
}

/** The array job's script: header from the options, then the task's line of the task list. */
export function jobScript(args: {
  name: string;
  tasksFile: string;
  logDir: string;
  count: number;
  timeMinutes: number;
  options: SlurmOptions;
}): string {
  const o = args.options;
  const header = [
    `--job-name=${args.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'ser-workbench'}`,
    `--array=0-${args.count - 1}`,
    `--output=${path.join(args.logDir, '%A_%a.log')}`,
    `--time=${args.timeMinutes}`,
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.account ? [`--account=${o.account}`] : []),
    ...(o.qos ? [`--qos=${o.qos}`] : []),
    ...(o.cpusPerTask ? [`--cpus-per-task=${o.cpusPerTask}`] : []),
    ...(o.mem ? [`--mem=${o.mem}`] : []),
    ...(o.gres ? [`--gres=${o.gres}`] : []),
  ].map((h) => `#SBATCH ${h}`);
  const extra = o.extraSbatch.map((l) => (l.startsWith('#SBATCH') ? l : `#SBATCH ${l}`));
  const node = o.nodeCommand ?? defaultNodeCommand();
  return [
    '#!/bin/bash',
    `# ser-workbench: ${args.count} fold task(s); task i trains line i+1 of ${args.tasksFile}`,
    ...header,
    ...extra,
    'set -u',
    ...o.setup,
    `line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${shellQuote(args.tasksFile)})`,
    "rundir=${line%$'\\t'*}",
    "fold=${line##*$'\\t'}",
    'if [ ! -d "$rundir" ]; then',
    '  echo "ser-workbench: the run folder $rundir is not visible on node $(hostname): put the runs on a file system the nodes share (run --out DIR)" >&2',
    '  exit 3',
    'fi',
    'export SER_WORKBENCH_EXECUTOR=slurm',
    // The task's thread budget is what Slurm gave it.
    'if [ -n "${SLURM_CPUS_PER_TASK:-}" ]; then export TF_NUM_INTRAOP_THREADS=$SLURM_CPUS_PER_TASK TF_NUM_INTEROP_THREADS=$SLURM_CPUS_PER_TASK OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK; fi',
    `exec ${node} run --resume "$rundir" --folds "$fold" --parallel 1`,
    '',
  ].join('\n');
}

/**
 * Submits the tasks as one array job from `dir` (a run folder, or a sweep folder for many runs).
 * Returns the job record; a rejected submission is a user error carrying Slurm's own message.
 */
export function submitArray(
  dir: string,
  name: string,
  tasks: SlurmTask[],
  options: SlurmOptions,
  estimatedTaskSec: number | null,
): SlurmJobRecord {
  requireSlurm();
  if (!tasks.length) throw new UserError('nothing to submit: every fold is done or already queued');
  const sdir = slurmDir(dir);
  fs.mkdirSync(sdir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15);
  const tasksFile = path.join(sdir, `tasks-${stamp}.tsv`);
  writeFileAtomic(tasksFile, tasks.map((t) => `${path.resolve(t.runDir)}\t${t.fold + 1}`).join('\n') + '\n');
  const timeMinutes = timeLimitMinutes(options, estimatedTaskSec);
  const script = path.join(sdir, `job-${stamp}.sh`);
  writeFileAtomic(
    script,
    jobScript({ name, tasksFile, logDir: sdir, count: tasks.length, timeMinutes, options }),
  );
  fs.chmodSync(script, 0o755);
  const r = spawnSync('sbatch', ['--parsable', script], { encoding: 'utf8', cwd: sdir });
  if (r.error) throw new UserError(`sbatch could not be started: ${r.error.message}`);
  if (r.status !== 0) {
    throw new UserError(`Slurm rejected the job (${script}): ${(r.stderr || r.stdout).trim()}`);
  }
  const jobId = r.stdout.trim().split(';')[0];
  const record: SlurmJobRecord = { jobId, submitted: new Date().toISOString(), script, tasks, timeMinutes };
  writeJsonAtomic(jobsFile(dir), [...readJobs(dir), record]);
  return record;
}

interface QueueEntry {
  taskId: string;
  state: string;
  reason: string;
}

/** Array tasks of these jobs still in the queue: `<job>_<task>` → state. */
function queued(jobIds: string[]): Map<string, QueueEntry> {
  const out = new Map<string, QueueEntry>();
  if (!jobIds.length) return out;
  const r = spawnSync('squeue', ['-h', '-r', '-j', jobIds.join(','), '-o', '%i|%T|%R'], { encoding: 'utf8' });
  // squeue exits non-zero once the jobs have left the queue ("Invalid job id specified").
  for (const line of (r.status === 0 ? r.stdout : '').split('\n')) {
    const [taskId, state, reason] = line.trim().split('|');
    if (taskId) out.set(taskId, { taskId, state, reason: reason ?? '' });
  }
  return out;
}

/** sacct's final states, or null where accounting is off. */
function accounted(jobIds: string[]): Map<string, { state: string; exit: string }> | null {
  if (!jobIds.length) return new Map();
  const r = spawnSync('sacct', ['-n', '-P', '-X', '-j', jobIds.join(','), '-o', 'JobID,State,ExitCode'], {
    encoding: 'utf8',
  });
  if (r.error || r.status !== 0) return null;
  const out = new Map<string, { state: string; exit: string }>();
  for (const line of r.stdout.split('\n')) {
    const [id, state, exit] = line.trim().split('|');
    if (id) out.set(id, { state: state.split(' ')[0], exit });
  }
  return out;
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Each fold's state: done from its run folder; pending or running from squeue; failed or
 * cancelled from sacct, or, without accounting, a task that left the queue without its fold done.
 * `dir` is where the jobs were submitted from (the run or sweep folder).
 */
export function foldJobStatus(dir: string, runs: { runDir: string; folds: number }[]): FoldJobStatus[] {
  const jobs = readJobs(dir);
  const ids = jobs.map((j) => j.jobId);
  const queue = ids.length && which('squeue') ? queued(ids) : new Map<string, QueueEntry>();
  const acct = ids.length && which('sacct') ? accounted(ids) : null;
  const out: FoldJobStatus[] = [];
  for (const { runDir, folds } of runs) {
    for (let fold = 0; fold < folds; fold++) {
      const base: SlurmTask = { runDir, fold };
      // The latest submission of this fold decides.
      let last: { job: SlurmJobRecord; index: number } | null = null;
      for (const job of jobs) {
        const index = job.tasks.findIndex(
          (t) => path.resolve(t.runDir) === path.resolve(runDir) && t.fold === fold,
        );
        if (index >= 0) last = { job, index };
      }
      const done = fs.existsSync(path.join(foldDir(runDir, fold), 'done.json'));
      if (!last) {
        out.push({ ...base, state: done ? 'done' : 'not submitted' });
        continue;
      }
      const taskId = `${last.job.jobId}_${last.index}`;
      const log = path.join(slurmDir(dir), `${taskId}.log`);
      const common = { ...base, jobId: last.job.jobId, taskId, log };
      const q = queue.get(taskId);
      if (done) out.push({ ...common, state: 'done' });
      else if (q) {
        out.push({
          ...common,
          state: q.state === 'RUNNING' || q.state === 'COMPLETING' ? 'running' : 'pending',
          detail: `${q.state} ${q.reason}`.trim(),
        });
      } else {
        const a = acct?.get(taskId);
        const cancelled = a ? a.state.startsWith('CANCELLED') : /CANCELLED/.test(tail(log, 5));
        out.push({
          ...common,
          state: cancelled ? 'cancelled' : 'failed',
          detail: a
            ? `${a.state} exit ${a.exit}`
            : 'left the queue without finishing its fold (accounting is off: no exit state)',
          logTail: tail(log),
        });
      }
    }
  }
  return out;
}

/** scancel of the jobs' tasks still queued or running; returns the job ids cancelled. */
export function cancelJobs(dir: string): string[] {
  requireSlurm();
  const ids = readJobs(dir).map((j) => j.jobId);
  const live = [...new Set([...queued(ids).keys()].map((t) => t.split('_')[0]))];
  if (live.length) {
    const r = spawnSync('scancel', live, { encoding: 'utf8' });
    if (r.status !== 0) throw new UserError(`scancel failed: ${(r.stderr || r.stdout).trim()}`);
  }
  return live;
}

/** Whether any task of these jobs is still queued or running. */
export function jobsActive(dir: string): boolean {
  return queued(readJobs(dir).map((j) => j.jobId)).size > 0;
}

/** Folds neither done nor queued/running in Slurm: what a resume submits. */
export function foldsToSubmit(dir: string, runs: { runDir: string; folds: number }[]): SlurmTask[] {
  return foldJobStatus(dir, runs)
    .filter((s) => s.state !== 'done' && s.state !== 'pending' && s.state !== 'running')
    .map(({ runDir, fold }) => ({ runDir, fold }));
}
