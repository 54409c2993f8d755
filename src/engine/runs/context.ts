/**
 * What the stages of one run share (RunContext), and its first stage: opening the run. Opening
 * resolves the config (a new run's, or the one a resumed run recorded), plans the run
 * (runs/plan.ts) before any folder exists, then creates or reopens the run folder, takes the run
 * lock when free and starts status.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig, type ExperimentConfig } from '../config/schema';
import type { TrainEvent, TrainEventSink } from '../train/events';
import { UserError } from '../util/errors';
import { ensureWritableDir } from '../util/writable-dir';
import { cleanStaleTemps, describeOwner, processStartTicks, remoteClaims, tryClaim } from './claims';
import { checkOutputLocations } from './locations';
import type { RunResult } from '@shared/worker-messages';
import { planRun, type RunPlan } from './plan';
import {
  defaultRunsDir,
  foldDir,
  newRunDir,
  readRun,
  writeJsonAtomic,
  writeStatus,
  type RunConfigFile,
  type RunStatus,
} from './store';

export interface RunOptions {
  /** Corpus folder (overrides config.data.dir). */
  dataDir?: string;
  /** Parent folder of new runs (default `<dataHome>/runs`). */
  outDir?: string;
  /** Exact folder for a new run (created if missing; must be empty of a previous run). */
  runDir?: string;
  /** Continue the run in this folder. */
  resumeDir?: string;
  onEvent?: TrainEventSink;
  signal?: AbortSignal;
  /** Weights path for pretrained YAMNet (default: resolveWeightsSource()). */
  weightsSource?: string;
  /** Train only these folds (0-based indices); the summary is written once every fold is done. */
  onlyFolds?: number[];
  /** Keep float WAVs holding NaN/Inf samples, zeroed and listed (as config data.repairNonFinite). */
  repairNonFinite?: boolean;
  /** Train only the folds whose test set holds one of these speakers. */
  testSpeakers?: string[];
  /** A fold worker spawned by a parallel run: no estimate, no status.json (the parent keeps it). */
  worker?: boolean;
  /** Stop after the corpus, folds and step cache are ready (an executor then sends out the folds). */
  prepareOnly?: boolean;
  /**
   * A worker that only times the run's steps and returns the estimate, then stops: started by a
   * parallel run's parent, as many at once as fold workers and each in a fold worker's
   * environment, so that the steps are timed as the folds will train. `parallel` is then the
   * parent's process count.
   */
  estimateOnly?: boolean;
  /** Which executor runs this process's folds, recorded in each fold's environment.json. */
  executor?: { name: string; jobId?: string; processes?: number };
  /** How many processes train folds at once (default 1: in this process). */
  parallel?: number;
  /** What the executor chose and why (processes, threads, memory), written to execution.json. */
  executionPlan?: Record<string, unknown>;
  /** Runs `folds` in child processes; given by the worker module (keeps this file process-free). */
  spawnFolds?: (
    runDir: string,
    folds: number[],
    onEvent: TrainEventSink,
    signal?: AbortSignal,
  ) => Promise<void>;
  /**
   * Runs an estimate-only worker (see estimateOnly) with the environment of fold worker `slot`;
   * its result carries the estimate.
   */
  spawnEstimate?: (
    runDir: string,
    slot: number,
    onEvent: TrainEventSink,
    signal?: AbortSignal,
  ) => Promise<RunResult>;
}

export type { RunResult };

export interface PredictionRow {
  id: string;
  path: string;
  speaker: string;
  true: string;
  predicted: string;
  probabilities: Record<string, number>;
}

export type RunEvent = Partial<TrainEvent> & { type: TrainEvent['type'] };

/** One process's view of a run, shared by every stage. */
export interface RunContext {
  readonly opts: RunOptions;
  readonly config: ExperimentConfig;
  readonly plan: RunPlan;
  readonly runDir: string;
  readonly resuming: boolean;
  /** This process holds run.lock and so keeps status.json. */
  readonly ownsRun: boolean;
  /** A fold worker spawned by a parallel run. */
  readonly worker: boolean;
  emit(e: RunEvent): void;
  log(message: string, level?: 'debug' | 'info' | 'warn'): void;
  /** `always`: the process that writes the summary also marks the run done, run lock or not. */
  setStatus(patch: Partial<RunStatus>, always?: boolean): void;
  /** Folds with done.json, as far as this process knows. */
  foldsDone: number[];
  /** Release functions of the fold claims this process holds (all released when the run exits). */
  readonly heldFolds: Set<() => void>;
  /** Releases the run lock (when held). */
  releaseRun(): void;
}

export function emitTo(sink: TrainEventSink | undefined, e: RunEvent): void {
  sink?.({ fold: -1, folds: 0, epoch: 0, epochs: 0, batch: 0, batches: 0, ...e });
}

/** Whether fold `i` of the run finished (here or in any other process). */
export function isFoldDone(runDir: string, i: number): boolean {
  return fs.existsSync(path.join(foldDir(runDir, i), 'done.json'));
}

/** The run's config and corpus folder: given for a new run, recorded for a resumed one. */
function resolveConfig(configIn: ExperimentConfig | null, opts: RunOptions) {
  let prior: RunConfigFile | null = null;
  let config: ExperimentConfig;
  if (opts.resumeDir) {
    const resumeDir = path.resolve(opts.resumeDir);
    prior = readRun(resumeDir).config;
    if (!prior) throw new UserError(`${resumeDir}: not a run folder (config.json missing)`);
    config = parseConfig(prior.config, path.join(resumeDir, 'config.json'));
  } else {
    if (!configIn) throw new UserError('a config is needed to start a run');
    config = configIn;
    if (opts.runDir && fs.existsSync(path.join(opts.runDir, 'config.json'))) {
      throw new UserError(
        `${path.resolve(opts.runDir)} already holds a run; resume it instead or choose another folder`,
      );
    }
  }
  if (!opts.dataDir && !prior?.dataDir && !config.data.dir) {
    throw new UserError('no corpus folder: give --data DIR or set data.dir in the config');
  }
  return { config, dataDir: path.resolve(opts.dataDir ?? prior?.dataDir ?? config.data.dir ?? '') };
}

function runFolderFor(config: ExperimentConfig, opts: RunOptions): string {
  if (opts.resumeDir) return path.resolve(opts.resumeDir);
  if (opts.runDir) {
    const dir = path.resolve(opts.runDir);
    ensureWritableDir(dir, 'run folder');
    return dir;
  }
  return newRunDir(opts.outDir ? path.resolve(opts.outDir) : defaultRunsDir(), config.name);
}

/**
 * Stage 1: the plan, then the run folder, its lock and status.json. A new run is planned (corpus,
 * classes, folds, backend) before its folder exists, so a refused run leaves nothing behind; its
 * log lines wait until the folder exists, so that a run's first line names its folder.
 */
export async function openRun(configIn: ExperimentConfig | null, opts: RunOptions): Promise<RunContext> {
  const sink = opts.onEvent;
  const emit = (e: RunEvent) => emitTo(sink, e);
  const log = (message: string, level: 'debug' | 'info' | 'warn' = 'info') =>
    emit({ type: 'log', message, level });
  const resuming = !!opts.resumeDir;
  checkOutputLocations({ ...opts, resuming });
  const { config, dataDir } = resolveConfig(configIn, opts);
  const preparing: [string, 'info' | 'warn'][] = [];
  const plan = await planRun(config, dataDir, {
    log: (m) => preparing.push([m, 'info']),
    onWarning: (m) => preparing.push([m, 'warn']),
    repairNonFinite: opts.repairNonFinite,
    // A resumed run's corpus and folds are the ones it recorded (the run's contract).
    recordedIn: resuming ? path.resolve(opts.resumeDir!) : undefined,
    parallel: opts.parallel,
    spawnsFolds: !!opts.spawnFolds && !opts.worker,
  });
  if (plan.backend.warning) preparing.push([plan.backend.warning, 'warn']);
  const runDir = runFolderFor(config, opts);
  const worker = !!opts.worker;
  // One process keeps status.json: the holder of run.lock. Others (fold workers, a second
  // --resume, Slurm array tasks) only claim and train folds.
  const runLock = tryClaim(path.join(runDir, 'run.lock'), 'run');
  if ('claim' in runLock) {
    const removed = cleanStaleTemps(runDir, remoteClaims(runDir));
    if (removed.length)
      log(`removed ${removed.length} temporary file(s) of interrupted writes: ${removed.join(', ')}`);
    if (runLock.claim.tookOver)
      log(`took over the run from ${describeOwner(runLock.claim.tookOver)} (no longer running)`);
    if (opts.executionPlan && !worker) {
      writeJsonAtomic(path.join(runDir, 'execution.json'), {
        ...opts.executionPlan,
        at: new Date().toISOString(),
      });
    }
  } else if (!worker) {
    log(
      `${runDir} is being run by ${describeOwner(runLock.heldBy)}; this process trains the folds nobody has claimed`,
    );
  }
  const ownsRun = 'claim' in runLock;
  let status: Omit<RunStatus, 'updated'> = {
    state: 'running',
    fold: 0,
    folds: 0,
    epoch: 0,
    epochs: config.training.epochs,
    foldsDone: [],
    pid: process.pid,
    host: os.hostname(),
    procStart: processStartTicks(process.pid),
  };
  emit({ type: 'log', message: `run folder ${runDir}`, runDir });
  for (const [message, level] of preparing) log(message, level);
  return {
    opts,
    config,
    plan,
    runDir,
    resuming,
    ownsRun,
    worker,
    emit,
    log,
    setStatus: (patch, always = false) => {
      status = { ...status, ...patch };
      if (ownsRun || always) writeStatus(runDir, status);
    },
    foldsDone: [],
    heldFolds: new Set(),
    releaseRun: () => {
      if ('claim' in runLock) runLock.claim.release();
    },
  };
}
