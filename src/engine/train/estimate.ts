/**
 * What a run will cost, known before it starts: seconds per training step measured by a short
 * calibration (a few real Adam steps of the chosen mode on a batch shaped like the corpus' own
 * utterances, on the active backend), scaled by the run's steps, epochs and folds; plus the time
 * and disk space of the activation cache the mode needs.
 *
 * Calibration batches hold seeded random values, not audio: a step's cost depends on shapes (batch
 * size, patches per utterance, step shape, trainable blocks), not on the numbers in them. The patch
 * counts are drawn from the corpus' durations, so padding costs what it will cost in the run.
 */
import os from 'node:os';
import { TARGET_RATE } from '../audio/resample';
import { recordStepCost } from '../backend/step-costs';
import { tf } from '../backend/tf';
import { threadSettings } from '../backend/threads';
import { modeOf, type ExperimentConfig, type TrainFrom } from '../config/schema';
import type { CorpusIndex } from '../corpora/types';
import { frontEndParams, patchCount, type FrontEndOptions } from '../features/logmel';
import type { Fold } from '../folds';
import { CompiledStep } from '../model/graph/compiled-step';
import { YamnetLstm, type Sample } from '../model/ser-model';
import { seededRandomWeights, stepShapeFor } from '../model/steps';
import { FROZEN_BLOCK, firstTrainedBlock, trainFromOfBlock, trainsYamnetBlocks } from '@shared/first-block';
import { PATCH_SHAPE, YAMNET_LAYERS } from '../yamnet/layers';
import { YamnetModel } from '../yamnet/model';
import { Rng } from '../util/rng';
import { trainBatch } from './train-fold';
import { ResidentSteps } from '../model/resident-steps';
import type { RunCostEstimate } from '@shared/progress';

/** Utterances per validation/test batch (scoreSamples' default for the mode: scoreBatchSize). */
function scoreBatchFor(k: number): number {
  return k === FROZEN_BLOCK ? 512 : 32;
}
/** Per-entry overhead of an activation cache file: magic, length and the JSON header. */
const CACHE_ENTRY_OVERHEAD = 80;
/** Patches per frozen-part forward pass when timing the cache build (computeSteps' batch). */
const CACHE_BATCH = 16;

export type { RunCostEstimate };

export interface EstimateContext {
  index: CorpusIndex;
  /** The folds that will train (all of a new run; the unfinished ones of a resumed run). */
  folds: Fold[];
  /** Name of the active backend (the calibration runs on whatever backend is active). */
  backend: string;
  /** The YAMNet whose blocks train (default: seeded random weights; timing does not depend on them). */
  yamnet?: YamnetModel;
  /** Processes training folds at once (default 1). */
  parallel?: number;
  /**
   * CPU threads the calibration's steps ran on (default: this process's TensorFlow intra-op
   * threads when the native backend decided them, else 1), and the machine's cores (default: all).
   */
  calibrationThreads?: number;
  cores?: number;
  /**
   * Calibration steps per round (default: 12 for the head alone, about half a RAVDESS epoch; 3 for
   * trainFrom 9..14; 1 below): rounds run until two agree (timeUntilSteady).
   */
  calibrationSteps?: number;
  /**
   * Called once, right before the timed steps (the model built, the backend warm): a parallel
   * run's estimate workers wait for each other here, so that they time their steps at once.
   */
  beforeTiming?: () => void;
}

/** Patches of each utterance, from its duration (the front end's own count at the config's hop). */
export function patchesOf(index: CorpusIndex, frontEnd: FrontEndOptions = {}): Map<string, number> {
  const p = frontEndParams(frontEnd);
  return new Map(index.utterances.map((u) => [u.id, patchCount(Math.round(u.durationSec * TARGET_RATE), p)]));
}

/** Bytes of one cached step: float32 embeddings (frozen), float16 block outputs otherwise. */
export function cacheBytesPerPatch(trainFrom: TrainFrom): number {
  const k = firstTrainedBlock(trainFrom);
  const values = stepShapeFor(trainFrom).reduce((a, b) => a * b, 1);
  return values * (k === FROZEN_BLOCK ? 4 : 2);
}

/** Disk size of the activation cache set of a mode over `patchCounts` (one entry per file). */
export function cacheDiskBytes(trainFrom: TrainFrom, patchCounts: number[]): number {
  const patches = patchCounts.reduce((a, b) => a + b, 0);
  return patches * cacheBytesPerPatch(trainFrom) + patchCounts.length * CACHE_ENTRY_OVERHEAD;
}

/** A batch of `counts.length` utterances with these patch counts and random step values. */
function randomBatch(counts: number[], stepShape: number[], numClasses: number, rng: Rng): Sample[] {
  const size = stepShape.reduce((a, b) => a * b, 1);
  return counts.map((steps, i) => {
    const data = new Float32Array(steps * size);
    for (let j = 0; j < data.length; j++) data[j] = rng.next();
    return { id: `calibration-${i}`, label: i % numClasses, steps, data };
  });
}

export interface Calibration {
  perStepSec: number;
  perScoreBatchSec: number;
  cachePerPatchSec: number;
  /** The timed steps behind perStepSec (the two steady rounds, or the last round within the budget). */
  steps: number;
  seconds: number;
}

function seconds(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

/** Step values (float32) the calibration's random batches may hold in all: 64 MB. */
const CALIBRATION_VALUES = 16e6;
/** Stepping stops here once a round has been timed after the warm-up round (steps of minutes). */
const CALIBRATION_BUDGET_SEC = 20;
/** At most this many rounds, whatever the budget (short steps whose mean keeps wandering). */
const CALIBRATION_MAX_ROUNDS = 8;
/** Two consecutive rounds whose means differ by less than this are the steady state. */
const STEADY_TOLERANCE = 0.05;

/**
 * Step times of the steady state: steps run in rounds of `perRound` (the first round is warm-up
 * and never counts) until two consecutive rounds agree within STEADY_TOLERANCE; the times of those
 * two rounds are returned. Why not a fixed warm-up: a fresh process's steps keep getting faster
 * for a while after each shape's first step (full fine-tuning, 2 threads: 2,986 ms, then 565, 417,
 * 388 ms per step), and a fixed count that is enough for one mode and machine is not for another
 * (one timed step after one warm-up step overestimated full fine-tuning by 17-52 % in the bench).
 * The budget bounds slow backends, where one step takes minutes: after it, the last round counts.
 */
export function timeUntilSteady(step: (i: number) => number, perRound: number): number[] {
  const rounds: number[][] = [];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  let spent = 0;
  let i = 0;
  for (;;) {
    const round = Array.from({ length: perRound }, () => step(i++));
    spent += round.reduce((a, b) => a + b, 0);
    rounds.push(round);
    const n = rounds.length;
    if (n >= 3) {
      const [a, b] = [mean(rounds[n - 2]), mean(rounds[n - 1])];
      if (Math.abs(b - a) <= STEADY_TOLERANCE * Math.min(a, b)) return [...rounds[n - 2], ...rounds[n - 1]];
    }
    if (n >= 2 && (spent >= CALIBRATION_BUDGET_SEC || n >= CALIBRATION_MAX_ROUNDS)) return rounds[n - 1];
  }
}

/**
 * Times real training steps of trainFrom K (FROZEN_BLOCK = frozen) on the active backend: the model the run
 * would train (blocks K..14 + LSTM head), the run's optimizer and loss, batches whose patch counts
 * are drawn from `patchCounts`.
 */
export function calibrate(
  k: number,
  opts: {
    patchCounts: number[];
    batchSize: number;
    lstmUnits: number[];
    numClasses: number;
    learningRate: number;
    yamnet: YamnetModel;
    steps: number;
    seed?: number;
    /** Utterances in the timed scoring batch (default: the mode's scoring batch size). */
    scoreUtterances?: number;
    /** Utterances a fold trains on (default: two batches' worth); see CALIBRATION_VALUES. */
    trainUtterances?: number;
    /** See EstimateContext.beforeTiming. */
    beforeTiming?: () => void;
  },
): Calibration {
  const started = performance.now();
  const trainFrom: TrainFrom = trainFromOfBlock(k);
  const stepShape = stepShapeFor(trainFrom);
  const rng = new Rng(opts.seed ?? 1);
  const draw = (n: number) =>
    Array.from({ length: n }, () => opts.patchCounts[Math.floor(rng.next() * opts.patchCounts.length)]);
  const backbone = trainsYamnetBlocks(k)
    ? opts.yamnet.build({ from: k, name: `yamnet_calibration${k}` })
    : null;
  const net = new YamnetLstm(
    stepShape,
    { lstmUnits: opts.lstmUnits, numClasses: opts.numClasses },
    opts.seed ?? 1,
    backbone,
  );
  const optimizer = tf.train.adam(opts.learningRate);
  try {
    // The training loop's own step: it splits a batch into passes where one pass would not fit
    // (full YAMNet on WASM), so calibration runs exactly what training will run.
    const weights = new Array(opts.numClasses).fill(1);
    let resident: ResidentSteps | null = null;
    let compiled: CompiledStep | null = null;
    const step = (batch: Sample[]) =>
      tf.dispose(
        Object.values(trainBatch(net, optimizer, batch, weights, opts.numClasses, resident, compiled)),
      );
    // Distinct batches: a step's first run of a shape builds its kernels (oneDNN primitives,
    // XNNPACK operators), which a run pays only in its first epochs, so fine-tuning cycles over
    // two. The frozen head's step is short enough that the gather's memory traffic shows: an
    // epoch gathers every training utterance once, which two batches held in the CPU's caches
    // do not (10.7 ms a step over 2 batches against 12.4 ms over an epoch's 21, one process on a
    // 2-vCPU EPYC guest), so it cycles over an epoch's worth (within CALIBRATION_VALUES). Done
    // for every mode, fine-tuning's estimates rose to 1.4-1.8x the measured epoch: nearly every
    // timed step then met a new shape.
    const stepValues = stepShape.reduce((a, b) => a * b, 1);
    const drawnPatches = opts.patchCounts.reduce((a, b) => a + b, 0) / Math.max(1, opts.patchCounts.length);
    const byValues = Math.floor(
      CALIBRATION_VALUES / (opts.batchSize * Math.max(1, drawnPatches) * stepValues),
    );
    const perEpoch = Math.ceil((opts.trainUtterances ?? 2 * opts.batchSize) / opts.batchSize);
    const distinct =
      k === FROZEN_BLOCK ? Math.max(1, Math.min(perEpoch, byValues)) : Math.max(1, Math.min(2, opts.steps));
    const batches = Array.from({ length: distinct }, () =>
      randomBatch(draw(opts.batchSize), stepShape, opts.numClasses, rng),
    );
    // As training does: the fold's steps held on the backend where it can (ResidentSteps).
    resident = ResidentSteps.create(
      batches.flat(),
      stepShape.reduce((a, b) => a * b, 1),
    );
    // And the compiled step where training takes it (the native backend).
    compiled = CompiledStep.forModel(net, optimizer, resident);
    // A compiled step with a graph per batch length (the frozen head) loads each on first use, as
    // a run does in its first epoch: each length's first step runs before timing.
    const lengths = new Set<number>();
    for (const batch of batches) {
      const tMax = Math.max(1, ...batch.map((s) => s.steps));
      if (compiled?.graphPerLength && !lengths.has(tMax)) step(batch);
      lengths.add(tMax);
    }
    opts.beforeTiming?.();
    const timed = timeUntilSteady((i) => seconds(() => step(batches[i % distinct])), opts.steps);
    compiled?.dispose();
    resident?.dispose();
    const perStepSec = timed.reduce((a, b) => a + b, 0) / timed.length;
    const scoreBatch = randomBatch(
      draw(opts.scoreUtterances ?? scoreBatchFor(k)),
      stepShape,
      opts.numClasses,
      rng,
    );
    const score = () => tf.tidy(() => void tf.softmax(net.forward(scoreBatch, false).logits).dataSync());
    score();
    const perScoreBatchSec = (seconds(score) + seconds(score)) / 2;

    const cachePerPatchSec = timeCacheBuild(k, opts.yamnet);
    const meanPatches = batches.flat().reduce((a, b) => a + b.steps, 0) / batches.flat().length;
    recordStepCost({
      backend: tf.getBackend(),
      firstTrainedBlock: k,
      batchSize: opts.batchSize,
      patchesPerUtterance: meanPatches,
      perStepSec,
    });
    return {
      perStepSec,
      perScoreBatchSec,
      cachePerPatchSec,
      steps: timed.length,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    optimizer.dispose();
    net.dispose();
  }
}

/**
 * Seconds per patch of building the activation cache of trainFrom K: the frozen part (blocks
 * 1..K-1, or all of YAMNet for embeddings) run forward in the cache builder's batches. 0 for
 * K = 1, whose cache is the log-mel patches themselves.
 */
export function timeCacheBuild(k: number, yamnet: YamnetModel): number {
  if (k === 1) return 0;
  const frozen =
    k === FROZEN_BLOCK ? null : yamnet.build({ from: 1, to: k - 1, pool: false, trainable: false });
  const x = tf.randomUniform([CACHE_BATCH, PATCH_SHAPE[0], PATCH_SHAPE[1]]);
  try {
    const run = () =>
      tf.tidy(() => {
        const out = frozen ? (frozen.predict(x) as tf.Tensor) : yamnet.embed(x);
        out.dataSync();
      });
    run();
    return seconds(run) / CACHE_BATCH;
  } finally {
    x.dispose();
    frozen?.dispose();
  }
}

/**
 * The estimate with its cache build timed again at `cachePerPatchSec`: a parallel run times its
 * steps in a fold worker, but builds the cache in the parent, on the parent's threads.
 */
export function withCacheBuildTimed(e: RunCostEstimate, cachePerPatchSec: number): RunCostEstimate {
  const cacheBuildSec = e.patches * cachePerPatchSec;
  return { ...e, cacheBuildSec, totalSec: e.totalSec - e.cacheBuildSec + cacheBuildSec };
}

function speakersUtterances(index: CorpusIndex, speakers: string[]): number {
  const set = new Set(speakers);
  return index.utterances.filter((u) => set.has(u.speaker)).length;
}

/** Shapes of the run as the estimate needs them (no timing). */
function runShape(config: ExperimentConfig, ctx: EstimateContext) {
  if (config.model.kind !== 'yamnet-lstm') throw new Error('estimateRunCost: only yamnet-lstm runs');
  const scoreBatch = scoreBatchFor(firstTrainedBlock(config.model.yamnet.trainFrom));
  const batchSize = config.training.batchSize;
  const patches = patchesOf(ctx.index, config.frontEnd);
  const patchCounts = ctx.index.utterances.map((u) => patches.get(u.id)!);
  const folds = ctx.folds.map((f) => ({
    train: speakersUtterances(ctx.index, f.train),
    validation: speakersUtterances(ctx.index, f.validation),
    test: speakersUtterances(ctx.index, f.test),
  }));
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  // The timed scoring batch is as large as a fold's validation pass, up to the batch size; the
  // passes then cost their share of it.
  const scoreUtterances = Math.max(1, Math.min(scoreBatch, Math.round(mean(folds.map((f) => f.validation)))));
  return {
    scoreUtterances,
    model: config.model,
    batchSize,
    patchCounts,
    stepsPerEpoch: mean(folds.map((f) => Math.ceil(f.train / batchSize))),
    // A step costs in proportion to the patches it holds, so an epoch's last, partial batch costs
    // its share of a full one: time goes by full-batch equivalents, not by batch count.
    trainBatches: mean(folds.map((f) => f.train / batchSize)),
    trainUtterances: Math.round(mean(folds.map((f) => f.train))),
    validationBatches: mean(folds.map((f) => f.validation / scoreUtterances)),
    testBatches: mean(folds.map((f) => f.test / scoreUtterances)),
  };
}

function withYamnet<T>(ctx: EstimateContext, seed: number, fn: (y: YamnetModel) => T): T {
  const yamnet = ctx.yamnet ?? new YamnetModel(seededRandomWeights(seed));
  try {
    return fn(yamnet);
  } finally {
    if (!ctx.yamnet) yamnet.dispose();
  }
}

/**
 * How much slower a step runs in each of `parallel` training processes than it ran in the
 * calibration: the calibration had `calibrationThreads` threads to itself (at most `cores`), each
 * worker gets cores / parallel. Runs and the GUI time their steps on the fold workers' own thread
 * budget (an estimate-only worker, a task lane per budget), so this is 1 unless the workers
 * together want more threads than there are cores; then they share them in proportion. It is no
 * model of thread scaling: frozen steps barely gain from a second thread and fine-tuning steps
 * 1.3-1.6x, which is why the budget is timed rather than scaled to. Never below 1.
 */
export function parallelSlowdown(calibrationThreads: number, cores: number, parallel: number): number {
  const calibrated = Math.max(1, Math.min(calibrationThreads, cores));
  const perWorker = cores / Math.max(1, parallel);
  return Math.max(1, calibrated / perWorker);
}

/**
 * The estimates of processes that timed the same run's steps at once (a parallel run's estimate
 * workers), as one: the per-step, per-epoch, per-fold and total seconds are linear in the two
 * timed figures with the same coefficients in each, so they are averaged; the calibration took
 * as long as the slowest.
 */
export function meanEstimate(estimates: RunCostEstimate[]): RunCostEstimate {
  if (!estimates.length) throw new Error('meanEstimate: no estimates');
  const mean = (f: (e: RunCostEstimate) => number) =>
    estimates.reduce((a, e) => a + f(e), 0) / estimates.length;
  return {
    ...estimates[0],
    perStepSec: mean((e) => e.perStepSec),
    perScoreBatchSec: mean((e) => e.perScoreBatchSec),
    perEpochSec: mean((e) => e.perEpochSec),
    perFoldSec: mean((e) => e.perFoldSec),
    cacheBuildSec: mean((e) => e.cacheBuildSec),
    totalSec: mean((e) => e.totalSec),
    calibrationSteps: estimates.reduce((a, e) => a + e.calibrationSteps, 0),
    calibrationSec: Math.max(...estimates.map((e) => e.calibrationSec)),
    timedConcurrently: estimates.length,
  };
}

/** Combines a calibration with the run's shape into the estimate. */
function combine(
  config: ExperimentConfig,
  ctx: EstimateContext,
  shape: ReturnType<typeof runShape>,
  k: number,
  cal: Calibration,
): RunCostEstimate {
  const trainFrom: TrainFrom = trainFromOfBlock(k);
  const epochs = config.training.epochs;
  // Folds of every mode go to parallel worker processes (the local executor), which share the
  // cores the calibration had alone: their steps and scoring take longer by the slowdown.
  const parallel = Math.max(1, Math.min(ctx.parallel ?? 1, ctx.folds.length));
  const timedOnThreads = ctx.calibrationThreads ?? threadSettings()?.intraOp ?? 1;
  const slowdown = parallelSlowdown(
    timedOnThreads,
    ctx.cores ??
      (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length),
    parallel,
  );
  const perStepSec = cal.perStepSec * slowdown;
  const perScoreBatchSec = cal.perScoreBatchSec * slowdown;
  const perEpochSec = shape.trainBatches * perStepSec + shape.validationBatches * perScoreBatchSec;
  const perFoldSec = epochs * perEpochSec + shape.testBatches * perScoreBatchSec;
  const patches = shape.patchCounts.reduce((a, b) => a + b, 0);
  const cacheBuildSec = patches * cal.cachePerPatchSec;
  const rounds = Math.ceil(ctx.folds.length / parallel);
  return {
    backend: ctx.backend,
    mode: modeOf(config),
    firstTrainedBlock: k,
    batchSize: shape.batchSize,
    perStepSec,
    perScoreBatchSec,
    calibrationSteps: cal.steps,
    calibrationSec: cal.seconds,
    timedOnThreads,
    stepsPerEpoch: shape.stepsPerEpoch,
    perEpochSec,
    epochs,
    perFoldSec,
    folds: ctx.folds.length,
    parallel,
    patches,
    cacheBuildSec,
    cacheDiskBytes: cacheDiskBytes(trainFrom, shape.patchCounts),
    totalSec: cacheBuildSec + rounds * perFoldSec,
  };
}

/** The estimate from a given calibration (pure: the arithmetic of estimateRunCost). */
export function estimateFromCalibration(
  config: ExperimentConfig,
  ctx: EstimateContext,
  cal: Calibration,
): RunCostEstimate {
  const shape = runShape(config, ctx);
  return combine(config, ctx, shape, firstTrainedBlock(shape.model.yamnet.trainFrom), cal);
}

/** `calibrate` with the run's own batch shape, head and learning rate. */
function calibrateRun(
  config: ExperimentConfig,
  ctx: EstimateContext,
  shape: ReturnType<typeof runShape>,
  k: number,
  yamnet: YamnetModel,
  steps: number,
): Calibration {
  return calibrate(k, {
    patchCounts: shape.patchCounts,
    batchSize: shape.batchSize,
    lstmUnits: shape.model.lstmUnits,
    numClasses: ctx.index.classes.length,
    learningRate: config.training.learningRate,
    yamnet,
    steps,
    seed: config.seed,
    scoreUtterances: shape.scoreUtterances,
    trainUtterances: shape.trainUtterances,
    beforeTiming: ctx.beforeTiming,
  });
}

/**
 * The cost of `config` over `ctx.folds`, calibrated now on the active backend. Assumes every
 * epoch runs (early stopping only shortens a run) and no file is cached yet.
 */
export function estimateRunCost(config: ExperimentConfig, ctx: EstimateContext): RunCostEstimate {
  const shape = runShape(config, ctx);
  const k = firstTrainedBlock(shape.model.yamnet.trainFrom);
  const cal = withYamnet(ctx, config.seed, (yamnet) =>
    // Steps of small K are long (seconds to minutes on cpu): rounds of one step there.
    calibrateRun(
      config,
      ctx,
      shape,
      k,
      yamnet,
      ctx.calibrationSteps ?? (k === FROZEN_BLOCK ? 12 : k >= 9 ? 3 : 1),
    ),
  );
  return combine(config, ctx, shape, k, cal);
}

/** One row of the per-block table: where training could start and what that costs. */
export interface LayerCostRow {
  /** trainFrom K: blocks K..14 train. */
  block: number;
  name: string;
  type: 'conv' | 'separable';
  /** Output of block K for one patch [H, W, C]. */
  outputShape: [number, number, number];
  /** Parameters of block K. */
  params: number;
  /** Parameters that train from K on (blocks K..14, LSTM head not counted). */
  trainableParams: number;
  /** What the cache holds per patch for trainFrom K (block K-1's output; K = 1: the log-mel patch). */
  cachedStepShape: number[];
  cacheDiskBytes: number;
  /** Null until `measure(K)` has calibrated this K. */
  perEpochSec: number | null;
  perStepSec: number | null;
  cacheBuildSec: number | null;
}

export interface LayerCostTable {
  /** All 14 rows; timing fields are filled for the K already measured. */
  rows(): LayerCostRow[];
  /**
   * Calibrates trainFrom K (a few real training steps, seconds to minutes for small K on slow
   * backends) and returns its row. Measured once per K; later calls return the stored row.
   */
  measure(k: number): LayerCostRow;
  /** Frees the YAMNet copy made for the table (when none was given). */
  dispose(): void;
}

/**
 * The per-block table for a GUI's "train from" picker. Shapes, parameters and cache sizes are
 * known at once; the cost per epoch of a K is calibrated lazily, when `measure(K)` is called
 * (e.g. when the user points at that row), because calibrating all 14 blocks up front would take
 * minutes on the slower backends.
 */
export function layerCostTable(config: ExperimentConfig, ctx: EstimateContext): LayerCostTable {
  const shape = runShape(config, ctx);
  const yamnet = ctx.yamnet ?? new YamnetModel(seededRandomWeights(config.seed));
  const measured = new Map<number, RunCostEstimate>();
  const row = (k: number): LayerCostRow => {
    const layer = YAMNET_LAYERS[k - 1];
    const e = measured.get(k);
    return {
      block: k,
      name: layer.name,
      type: layer.type,
      outputShape: [...layer.outputShape],
      params: layer.params,
      trainableParams: YAMNET_LAYERS.slice(k - 1).reduce((n, l) => n + l.params, 0),
      cachedStepShape: stepShapeFor(k),
      cacheDiskBytes: cacheDiskBytes(k, shape.patchCounts),
      perEpochSec: e?.perEpochSec ?? null,
      perStepSec: e?.perStepSec ?? null,
      cacheBuildSec: e?.cacheBuildSec ?? null,
    };
  };
  return {
    rows: () => YAMNET_LAYERS.map((l) => row(l.block)),
    measure: (k) => {
      if (!Number.isInteger(k) || k < 1 || k > YAMNET_LAYERS.length)
        throw new RangeError(`block ${k} is not 1..${YAMNET_LAYERS.length}`);
      if (!measured.has(k)) {
        const cal = calibrateRun(config, ctx, shape, k, yamnet, ctx.calibrationSteps ?? 2);
        measured.set(k, combine(config, ctx, shape, k, cal));
      }
      return row(k);
    },
    dispose: () => {
      if (!ctx.yamnet) yamnet.dispose();
    },
  };
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024).toFixed(0)} kB`;
}

function formatSec(s: number): string {
  if (s >= 3600) return `${(s / 3600).toFixed(1)} h`;
  if (s >= 60) return `${(s / 60).toFixed(1)} min`;
  return `${s.toFixed(s < 10 ? 2 : 0)} s`;
}

/** One line for the terminal and the UI log. */
export function formatEstimate(e: RunCostEstimate): string {
  const par = e.parallel > 1 ? ` in ${e.parallel} processes` : '';
  return (
    `estimated cost on ${e.backend} (${e.mode}): ${formatSec(e.totalSec)} in all` +
    ` = cache build ${formatSec(e.cacheBuildSec)} (${formatBytes(e.cacheDiskBytes)}, less if cached)` +
    ` + ${e.folds} folds × ${e.epochs} epochs × ${formatSec(e.perEpochSec)}/epoch${par}` +
    ` (${e.stepsPerEpoch.toFixed(0)} steps × ${formatSec(e.perStepSec)}, measured over ${e.calibrationSteps} steps` +
    `${(e.timedConcurrently ?? 1) > 1 ? ` in ${e.timedConcurrently} processes at once` : ''})`
  );
}
