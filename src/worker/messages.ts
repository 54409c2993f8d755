/**
 * Messages between a face (CLI, server, Electron main) and the training worker process. Plain
 * JSON, the same over child_process IPC and Electron's utilityProcess port.
 */
import type { RunResult } from '../engine/runs/runner';
import type { TrainEvent } from '../engine/train/events';

export interface RunJob {
  /** Experiment config as the user wrote it (validated in the worker); absent when resuming. */
  config?: unknown;
  dataDir?: string;
  outDir?: string;
  runDir?: string;
  resumeDir?: string;
  weightsSource?: string;
  /** Train only these folds, no summary (a parallel fold worker). */
  onlyFolds?: number[];
  /** Processes for frozen-mode folds. */
  parallel?: number;
  /** Keep files with NaN/Inf samples, zeroed and listed (`--repair-nonfinite`). */
  repairNonFinite?: boolean;
}

export type ToWorker = { type: 'start'; job: RunJob } | { type: 'cancel' };

export type FromWorker =
  | { type: 'event'; event: TrainEvent }
  | { type: 'done'; result: RunResult }
  | { type: 'error'; message: string; user: boolean; cancelled: boolean; stack?: string };
