/**
 * What a training job reports while it runs: progress events (the worker sends them, the CLI
 * prints them, the UI shows them) and the run's cost estimate they carry before training. Plain
 * JSON, declared here so that the engine, the worker processes, the job system and the contract
 * (runProgressSchema, which these fit) share one definition.
 */

/** What a run will cost, known before it starts (engine/train/estimate.ts computes it). */
export interface RunCostEstimate {
  backend: string;
  mode: string;
  /** Blocks firstTrainedBlock..14 train; FROZEN_BLOCK (src/shared/first-block.ts): the LSTM head only. */
  firstTrainedBlock: number;
  batchSize: number;
  /**
   * Mean seconds of one training step (forward, backward, Adam update), measured, times the
   * slowdown of sharing the cores with the run's other worker processes (parallelSlowdown).
   */
  perStepSec: number;
  /** Seconds of one scoring batch (validation and test passes; size: see runShape), measured, same slowdown. */
  perScoreBatchSec: number;
  /** Timed steps behind perStepSec: the steady state's, after warm-up rounds (timeUntilSteady). */
  calibrationSteps: number;
  /** Seconds the calibration itself took, warm-up included. */
  calibrationSec: number;
  /**
   * CPU threads the steps were timed on (TensorFlow's intra-op pool of the timing process; a
   * parallel run times them in a fold worker, on the budget each worker trains with).
   */
  timedOnThreads: number;
  /**
   * Processes that timed the steps at once, as the run's fold workers will train (a parallel run's
   * estimate workers); absent or 1: timed alone.
   */
  timedConcurrently?: number;
  /** Mean over the folds to train. */
  stepsPerEpoch: number;
  /** Training steps plus the validation pass. */
  perEpochSec: number;
  epochs: number;
  /** All epochs (no early stopping assumed) plus the test pass. */
  perFoldSec: number;
  folds: number;
  /** Processes training folds at once (frozen mode). */
  parallel: number;
  /** Patches of the whole corpus (what the cache holds). */
  patches: number;
  /** Building the activation cache from nothing (0 s for files already cached). */
  cacheBuildSec: number;
  /** Size of the activation cache set for this mode: patches × step size × bytes per value. */
  cacheDiskBytes: number;
  /** Cache build plus all folds. */
  totalSec: number;
}

export type TrainEventType = 'fold' | 'epoch' | 'batch' | 'log' | 'done' | 'error';

export interface EpochMetrics {
  trainLoss?: number;
  trainAccuracy?: number;
  valLoss?: number;
  /** Validation average accuracy (UAR): what picks the kept model. */
  valAverageAccuracy?: number;
  valAccuracy?: number;
  bestEpoch?: number;
  /** Test average accuracy of a finished fold. */
  testAverageAccuracy?: number;
}

export interface TrainEvent {
  type: TrainEventType;
  /** 0-based fold index; -1 before folds start. */
  fold: number;
  folds: number;
  /** 1-based epoch within the fold; 0 when not in an epoch. */
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss?: number;
  metrics?: EpochMetrics;
  /** Estimated seconds left for the whole run. */
  etaSec?: number;
  message?: string;
  /** Run folder, once known. */
  runDir?: string;
  /** 'debug' lines are for developers (tensor counts): views hide them unless asked. */
  level?: 'debug' | 'info' | 'warn';
  /** On the `log` event sent before training starts: the run's cost estimate (estimate.ts). */
  estimate?: RunCostEstimate;
}
