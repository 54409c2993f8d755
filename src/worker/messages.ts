/**
 * Messages between a face (CLI, server, Electron main) and the training worker process. Plain
 * JSON, the same over child_process IPC and Electron's utilityProcess port.
 */
import type { ExperimentConfigInput } from '../shared/configSchema';
import type { RunResult } from '../engine/runs/runner';
import type { TrainEvent } from '../engine/train/events';

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

export type ToWorker = { type: 'start'; job: RunJob } | { type: 'cancel' };

export type FromWorker =
  | { type: 'event'; event: TrainEvent }
  | { type: 'done'; result: RunResult }
  | { type: 'error'; message: string; user: boolean; cancelled: boolean; stack?: string };
