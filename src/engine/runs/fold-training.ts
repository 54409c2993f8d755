/**
 * The fold stages of a YAMNet-LSTM run: claiming a fold (exactly one process trains it), then per
 * fold train -> test -> artefacts, here one fold after the other or in spawned fold workers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf } from '../backend/tf';
import type { BackendDescription } from '../backend/describe';
import type { CorpusIndex, Utterance } from '../corpora/types';
import { computeMetrics, type Metrics } from '../eval';
import type { FoldHistory, FoldMetrics } from '../eval/types';
import { YamnetLstm } from '../model/ser-model';
import { toSamples, type StepsResult, type YamnetSetup } from '../model/steps';
import { deriveSeed } from '../util/rng';
import { CancelledError } from '../util/errors';
import {
  scoreSamples,
  trainFold,
  type FoldCheckpoint,
  type FoldTraining,
  type TrainOptions,
} from '../train/train-fold';
import { failpoint } from '../util/failpoint';
import { trainsYamnetBlocks } from '@shared/first-block';
import { describeOwner, selfOwner, tryClaim } from './claims';
import { isFoldDone, type PredictionRow, type RunContext } from './context';
import {
  foldDir,
  loadCheckpoint,
  readJson,
  removeCheckpoint,
  saveCheckpoint,
  TRAINVAL_ACTIVATIONS,
  saveModel,
  writeFloat32Atomic,
  writeJsonAtomic,
} from './store';

/** Claims fold i for this process: null when another holds it or it is done; else its release. */
export type FoldClaimer = (i: number) => (() => void) | null;

/**
 * A fold is trained by exactly one process: the one holding its claim. The claimer records the
 * fold's environment (host, executor, threads) when claimed, and its end and peak memory when done.
 */
export function foldClaimer(ctx: RunContext, device: BackendDescription['device']): FoldClaimer {
  const { runDir, opts, plan } = ctx;
  const foldEnvironment = {
    host: os.hostname(),
    pid: process.pid,
    backend: { name: plan.backend.name, reason: plan.backend.reason, device },
    executor: opts.executor?.name ?? 'serial',
    ...(opts.executor?.processes ? { processes: opts.executor.processes } : {}),
    jobId: opts.executor?.jobId ?? selfOwner().jobId ?? null,
    threads: {
      intraOp: process.env.TF_NUM_INTRAOP_THREADS ?? null,
      interOp: process.env.TF_NUM_INTEROP_THREADS ?? null,
      // 'measured' (the plan chose the fastest count by measurement), 'budget', or unset (not planned).
      source: process.env.SER_THREADS_SOURCE ?? null,
    },
    cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES ?? null,
  };
  return (i) => {
    const dir = foldDir(runDir, i);
    const got = tryClaim(path.join(dir, 'claim.lock'), `fold ${i + 1}`);
    if (!('claim' in got)) {
      ctx.log(`fold ${i + 1} is being trained by ${describeOwner(got.heldBy)}; skipped here`);
      return null;
    }
    // Finished by another process between our listing and our claim.
    if (isFoldDone(runDir, i)) {
      got.claim.release();
      return null;
    }
    if (got.claim.tookOver)
      ctx.log(`fold ${i + 1}: took over from ${describeOwner(got.claim.tookOver)} (gone)`);
    writeJsonAtomic(path.join(dir, 'environment.json'), {
      fold: i,
      ...foldEnvironment,
      started: new Date().toISOString(),
    });
    return () => {
      if (isFoldDone(runDir, i)) {
        const envFile = path.join(dir, 'environment.json');
        const usage = process.resourceUsage();
        writeJsonAtomic(envFile, {
          ...readJson<Record<string, unknown>>(envFile),
          finished: new Date().toISOString(),
          maxRssMB: Math.round(usage.maxRSS / 1024),
        });
      }
      got.claim.release();
    };
  };
}

/**
 * Folds are independent and the step cache is built: every worker gets the whole list and trains
 * the folds it manages to claim, so a slow fold never holds up a fixed share.
 */
export async function trainFoldsInWorkers(
  ctx: RunContext,
  wanted: number[],
  parallel: number,
): Promise<void> {
  const { opts, runDir } = ctx;
  ctx.log(`training ${wanted.length} folds in ${parallel} processes`);
  await Promise.all(
    Array.from({ length: parallel }, () =>
      opts.spawnFolds!(
        runDir,
        wanted,
        (e) => {
          if (e.type === 'fold' && e.message?.startsWith('done')) {
            ctx.foldsDone = [...new Set([...ctx.foldsDone, e.fold])].sort((a, b) => a - b);
            ctx.setStatus({ foldsDone: ctx.foldsDone, fold: e.fold });
          }
          if (e.type === 'epoch') ctx.setStatus({ fold: e.fold, epoch: e.epoch, etaSec: e.etaSec });
          // The workers repeat the parent's setup lines; pass on only their warnings and debug lines.
          if (e.type === 'log' && e.level !== 'warn' && e.level !== 'debug') return;
          opts.onEvent?.(e);
        },
        opts.signal,
      ),
    ),
  );
}

/** What every fold of a YAMNet-LSTM run in this process trains on. */
export interface FoldInputs {
  setup: YamnetSetup;
  steps: StepsResult;
  claimFold: FoldClaimer;
}

function utterancesBySpeakers(index: CorpusIndex, speakers: string[]): Utterance[] {
  const set = new Set(speakers);
  return index.utterances.filter((u) => set.has(u.speaker));
}

/** Seconds left from mean epoch times (the last 10), shared by the folds of this process. */
function etaClock(ctx: RunContext, wanted: number[]) {
  const epochs = ctx.config.training.epochs;
  const epochSeconds: number[] = [];
  const eta = (foldPos: number, epoch: number) => {
    if (!epochSeconds.length) return undefined;
    const mean = epochSeconds.slice(-10).reduce((a, b) => a + b, 0) / Math.min(10, epochSeconds.length);
    const epochsLeft = (wanted.length - foldPos - 1) * epochs + (epochs - epoch);
    return (mean * epochsLeft) / ctx.plan.parallel;
  };
  return { eta, record: (seconds: number) => epochSeconds.push(seconds) };
}

/** The wanted folds, one after the other in this process, each only if this process claims it. */
export async function trainFoldsHere(ctx: RunContext, wanted: number[], inputs: FoldInputs): Promise<void> {
  const clock = etaClock(ctx, wanted);
  for (let pos = 0; pos < wanted.length; pos++) {
    const i = wanted[pos];
    if (ctx.opts.signal?.aborted) throw new CancelledError();
    const releaseFold = inputs.claimFold(i);
    if (!releaseFold) continue;
    ctx.heldFolds.add(releaseFold);
    try {
      await trainYamnetFold(ctx, i, inputs, {
        eta: (epoch) => clock.eta(pos, epoch),
        recordEpoch: clock.record,
      });
    } finally {
      ctx.heldFolds.delete(releaseFold);
      releaseFold();
    }
    ctx.log(`fold ${i + 1}: tf.memory().numTensors = ${tf.memory().numTensors}`, 'debug');
  }
}

/** Seconds left after `epoch` of the current fold, and where each epoch's time is recorded. */
interface FoldClock {
  eta: (epoch: number) => number | undefined;
  recordEpoch: (seconds: number) => void;
}

/** One fold: train (best validation UAR kept, checkpoint per epoch) -> test -> artefacts -> done. */
async function trainYamnetFold(
  ctx: RunContext,
  i: number,
  inputs: FoldInputs,
  clock: FoldClock,
): Promise<void> {
  const { config, plan } = ctx;
  const fold = plan.folds[i];
  const dir = foldDir(ctx.runDir, i);
  fs.mkdirSync(dir, { recursive: true });
  const data = foldSamples(ctx, i, inputs.steps);
  const net = foldNetwork(ctx, i, inputs);
  try {
    // A checkpoint here was left by a process that stopped (its claim was free or stale).
    const checkpoint = loadCheckpoint(dir);
    ctx.setStatus({ fold: i, epoch: checkpoint?.epoch ?? 0 });
    ctx.emit({
      type: 'fold',
      fold: i,
      folds: plan.folds.length,
      epochs: config.training.epochs,
      message: `test ${fold.test.join(',')}: ${data.train.length} train, ${data.validation.length} validation, ${data.test.length} test utterances${checkpoint ? `; resuming after epoch ${checkpoint.epoch}` : ''}`,
      etaSec: clock.eta(checkpoint?.epoch ?? 0),
    });
    const result = await trainFold(net, data, trainOptions(ctx, i, checkpoint, clock));
    const metrics = testFold(ctx, i, {
      net,
      ...data,
      result,
      stepShape: inputs.steps.stepShape,
      setup: inputs.setup,
    });
    writeJsonAtomic(path.join(dir, 'done.json'), {
      fold: i,
      finished: new Date().toISOString(),
      bestEpoch: result.bestEpoch,
    });
    removeCheckpoint(dir);
    ctx.foldsDone = [...ctx.foldsDone, i].sort((a, b) => a - b);
    ctx.setStatus({ foldsDone: ctx.foldsDone });
    ctx.emit({
      type: 'fold',
      fold: i,
      folds: plan.folds.length,
      epoch: result.bestEpoch,
      epochs: config.training.epochs,
      message: `done: test UAR ${metrics.averageAccuracy?.toFixed(3) ?? 'n/a'} (best epoch ${result.bestEpoch})`,
      metrics: { testAverageAccuracy: metrics.averageAccuracy ?? undefined, bestEpoch: result.bestEpoch },
      etaSec: clock.eta(config.training.epochs),
    });
  } finally {
    net.dispose();
  }
}

/** The fold's train, validation and test samples from the step cache (test utterances kept for the artefacts). */
function foldSamples(ctx: RunContext, i: number, steps: StepsResult) {
  const { index, folds } = ctx.plan;
  const fold = folds[i];
  const samples = (utts: Utterance[]) => toSamples(utts, steps.steps, index.classes);
  const testUtts = utterancesBySpeakers(index, fold.test);
  const trainUtts = utterancesBySpeakers(index, fold.train);
  const validationUtts = utterancesBySpeakers(index, fold.validation);
  return {
    train: samples(trainUtts),
    validation: samples(validationUtts),
    test: samples(testUtts),
    trainUtts,
    validationUtts,
    testUtts,
  };
}

/** The fold's network: YAMNet's trained blocks (from the plan's first trained block) + the LSTM head. */
function foldNetwork(ctx: RunContext, i: number, inputs: FoldInputs): YamnetLstm {
  const { config, plan } = ctx;
  if (config.model.kind !== 'yamnet-lstm') throw new Error('foldNetwork: not a YAMNet-LSTM run');
  const k = plan.firstTrainedBlock;
  const backbone = trainsYamnetBlocks(k)
    ? inputs.setup.model.build({ from: k, name: `yamnet_fold${i}` })
    : null;
  return new YamnetLstm(
    inputs.steps.stepShape,
    { lstmUnits: config.model.lstmUnits, numClasses: plan.index.classes.length },
    deriveSeed(config.seed, i, 1),
    backbone,
  );
}

/** The training loop's options for fold i: the config's training block, progress events, checkpoints. */
function trainOptions(
  ctx: RunContext,
  i: number,
  checkpoint: FoldCheckpoint | null,
  clock: FoldClock,
): TrainOptions {
  const { config, plan } = ctx;
  const dir = foldDir(ctx.runDir, i);
  const epochs = config.training.epochs;
  const folds = plan.folds.length;
  return {
    epochs,
    batchSize: config.training.batchSize,
    learningRate: config.training.learningRate,
    classWeights: config.training.classWeights,
    patience: config.training.earlyStopping?.patience,
    seed: deriveSeed(config.seed, i, 2),
    numClasses: plan.index.classes.length,
    signal: ctx.opts.signal,
    resume: checkpoint ?? undefined,
    onBatch: (epoch, batch, batches, loss) => {
      failpoint('batch');
      ctx.emit({ type: 'batch', fold: i, folds, epoch, epochs, batch, batches, loss });
    },
    onEpoch: async (record, snapshot, checkpointDue) => {
      clock.recordEpoch(record.seconds);
      if (checkpointDue) saveCheckpoint(dir, await snapshot());
      ctx.setStatus({ fold: i, epoch: record.epoch, etaSec: clock.eta(record.epoch) });
      ctx.emit({
        type: 'epoch',
        fold: i,
        folds,
        epoch: record.epoch,
        epochs,
        loss: record.trainLoss,
        metrics: {
          trainLoss: record.trainLoss,
          trainAccuracy: record.trainAccuracy,
          valLoss: record.valLoss ?? undefined,
          valAccuracy: record.valAccuracy ?? undefined,
          valAverageAccuracy: record.valAverageAccuracy ?? undefined,
        },
        etaSec: clock.eta(record.epoch),
      });
    },
  };
}

/**
 * The same (best) fold model's activations of its own training and validation utterances, for the
 * t-SNE's faded context points: written now, while the model is in memory, because afterwards
 * they would need YAMNet, the step cache and the saved model back. Scoring is one forward pass
 * over train + validation (no tape): on cached embeddings (frozen) a fraction of a second, when
 * YAMNet blocks train less than one training epoch. Kept apart from activations.{f32,json}, which
 * stay the test utterances only.
 */
function writeTrainValActivations(
  dir: string,
  f: {
    net: YamnetLstm;
    train: ReturnType<typeof toSamples>;
    validation: ReturnType<typeof toSamples>;
    trainUtts: Utterance[];
    validationUtts: Utterance[];
  },
  classes: string[],
  layer: string,
): number {
  const utts = [...f.trainUtts, ...f.validationUtts];
  if (utts.length === 0) return 0;
  const scores = scoreSamples(f.net, [...f.train, ...f.validation], classes.length);
  writeFloat32Atomic(path.join(dir, `${TRAINVAL_ACTIVATIONS}.f32`), scores.activations);
  writeJsonAtomic(path.join(dir, `${TRAINVAL_ACTIVATIONS}.json`), {
    shape: [utts.length, scores.units],
    dtype: 'float32',
    layer,
    ids: utts.map((u) => u.id),
    roles: utts.map((_, j) => (j < f.trainUtts.length ? 'train' : 'val')),
    paths: utts.map((u) => u.path),
    labels: utts.map((u) => u.label),
    predicted: scores.predicted.map((c) => classes[c]),
    speakers: utts.map((u) => u.speaker),
  });
  return utts.length;
}

/**
 * Test the fold's best model and write its artefacts: predictions, metrics, history, LSTM
 * activations (for t-SNE) and the model itself.
 */
function testFold(
  ctx: RunContext,
  i: number,
  f: {
    net: YamnetLstm;
    train: ReturnType<typeof toSamples>;
    validation: ReturnType<typeof toSamples>;
    test: ReturnType<typeof toSamples>;
    trainUtts: Utterance[];
    validationUtts: Utterance[];
    testUtts: Utterance[];
    result: FoldTraining;
    stepShape: number[];
    setup: YamnetSetup;
  },
): Metrics {
  const { config, plan } = ctx;
  const yam = config.model.kind === 'yamnet-lstm' ? config.model : null;
  if (!yam) throw new Error('testFold: not a YAMNet-LSTM run');
  const classes = plan.index.classes;
  const dir = foldDir(ctx.runDir, i);
  const { net, test, testUtts, result } = f;
  const scores = scoreSamples(net, test, classes.length);
  const yTrue = test.map((s) => s.label);
  const metrics: Metrics = computeMetrics(classes, yTrue, scores.predicted);
  const predictions: PredictionRow[] = testUtts.map((u, j) => ({
    id: u.id,
    path: u.path,
    speaker: u.speaker,
    true: u.label,
    predicted: classes[scores.predicted[j]],
    probabilities: Object.fromEntries(
      classes.map((c, ci) => [c, scores.probabilities[j * classes.length + ci]]),
    ),
  }));
  writeJsonAtomic(path.join(dir, 'predictions.json'), predictions);
  writeJsonAtomic(path.join(dir, 'metrics.json'), {
    fold: i,
    testSpeakers: plan.folds[i].test,
    bestEpoch: result.bestEpoch,
    bestValidationAverageAccuracy: result.bestScore,
    stoppedEarly: result.stoppedEarly,
    ...metrics,
  } satisfies FoldMetrics);
  writeJsonAtomic(path.join(dir, 'history.json'), {
    bestEpoch: result.bestEpoch,
    epochs: result.history,
  } satisfies FoldHistory);
  writeFloat32Atomic(path.join(dir, 'activations.f32'), scores.activations);
  writeJsonAtomic(path.join(dir, 'activations.json'), {
    shape: [test.length, scores.units],
    dtype: 'float32',
    layer: `lstm${yam.lstmUnits.length}`,
    ids: testUtts.map((u) => u.id),
    labels: testUtts.map((u) => u.label),
    predicted: predictions.map((p) => p.predicted),
    speakers: testUtts.map((u) => u.speaker),
  });
  const started = performance.now();
  const context = writeTrainValActivations(dir, f, classes, `lstm${yam.lstmUnits.length}`);
  ctx.log(
    `fold ${i + 1}: activations of ${context} training/validation utterances in ${((performance.now() - started) / 1000).toFixed(2)} s`,
    'debug',
  );
  saveModel(
    path.join(dir, 'model'),
    {
      kind: 'yamnet-lstm',
      mode: plan.mode,
      trainFrom: yam.yamnet.trainFrom,
      stepShape: f.stepShape,
      lstmUnits: yam.lstmUnits,
      classes,
      bestEpoch: result.bestEpoch,
      weightsSource: f.setup.provenance,
    },
    net.getWeights(),
  );
  return metrics;
}
