/**
 * Messages between the faces (CLI, served mode, Electron main) and their worker processes: the
 * training worker (a run job out; progress events and the run's result back) and the task worker
 * (the heavy request handlers: calibration, t-SNE, indexing, audio views). Plain JSON, the same
 * over child_process IPC and Electron's utilityProcess port; declared here, where every process
 * can see them, so the engine, the workers and the job system share one definition.
 */
import type { ExperimentConfigInput } from './config-schema';
import type { RunCostEstimate, TrainEvent } from './progress';
import type { RunCellsTable, RunSummary, WeightsProvenanceRecord } from './run-results';

// ---------------------------------------------------------------------------------------------
// The training worker

/** What a training job answers when it stops (done, or its folds left for other processes). */
export interface RunResult {
  runDir: string;
  backend: { name: string; reason: string };
  mode: string;
  weights: WeightsProvenanceRecord;
  folds: number;
  averageAccuracy: number | null;
  classAccuracy: Record<string, number | null>;
  confusion: { labels: string[]; matrix: number[][] };
  summary: RunSummary | null;
  /** Baseline runs: every (feature set × classifier) cell (table.json); summary is the first's. */
  cells?: RunCellsTable;
  /** An estimate-only worker's estimate (see RunJob.estimateOnly). */
  estimate?: RunCostEstimate;
  /** Folds done when this process stopped, and the folds still to train (0-based). */
  foldsDone?: number[];
  pending?: number[];
}

export interface RunJob {
  /** Experiment config as the user wrote it (validated in the worker); absent when resuming. */
  config?: ExperimentConfigInput;
  dataDir?: string;
  outDir?: string;
  runDir?: string;
  resumeDir?: string;
  weightsSource?: string;
  /** Train only these folds (0-based); the summary comes when every fold is done. */
  onlyFolds?: number[];
  /** Train only the folds testing these speakers. */
  testSpeakers?: string[];
  /** A fold worker of a parallel run (the parent keeps status.json and prints the estimate). */
  worker?: boolean;
  /** Prepare the run (corpus, folds, step cache) and stop: an executor sends the folds out. */
  prepareOnly?: boolean;
  /** Time the steps and return the estimate, then stop (a parallel run's estimate worker). */
  estimateOnly?: boolean;
  /** Processes training folds at once (the local executor). */
  parallel?: number;
  /** Keep files with NaN/Inf samples, zeroed and listed (`--repair-nonfinite`). */
  repairNonFinite?: boolean;
  /** Executor name and job id, recorded in each fold's environment.json. */
  executor?: { name: string; jobId?: string; processes?: number };
  /** What the executor chose and why, written to execution.json. */
  executionPlan?: Record<string, unknown>;
  /** Environment of each fold worker process (thread budget, CUDA_VISIBLE_DEVICES), by slot. */
  workerEnv?: Record<string, string>[];
}

/** To the training worker. */
export type ToWorker = { type: 'start'; job: RunJob } | { type: 'cancel' };

/** From the training worker. */
export type FromWorker =
  | { type: 'event'; event: TrainEvent }
  | { type: 'done'; result: RunResult }
  | { type: 'error'; message: string; user: boolean; cancelled: boolean; stack?: string };

// ---------------------------------------------------------------------------------------------
// The task worker

/** The handlers that run in a task worker, by their contract method name. */
export const TASK_NAMES = [
  'datasets.index',
  'datasets.starter',
  'audio.view',
  'folds.preview',
  'runs.check',
  'experiment.layers',
  'experiment.estimate',
  'experiment.baselineEstimate',
  'results.tsne',
  'results.visualisation',
] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** A failure, with enough of its kind for the face to answer as if it had run in process. */
export type TaskErrorKind = 'user' | 'forbidden' | 'cancelled' | 'internal';

export type ToTaskWorker =
  { type: 'task'; id: string; name: TaskName; args: unknown } | { type: 'cancel'; id: string };

export type FromTaskWorker =
  | { type: 'ready' }
  | { type: 'progress'; id: string; done: number; total: number; message: string | null }
  | { type: 'result'; id: string; value: unknown }
  | { type: 'error'; id: string; kind: TaskErrorKind; message: string; stack?: string };
