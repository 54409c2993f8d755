/**
 * One cross-validated experiment, end to end, as short stages over the run plan (runs/plan.ts):
 * open (plan, run folder, lock) → record corpus and folds → weights → cost estimate → step cache
 * → per fold: train → test → artefacts (runs/fold-training.ts) → finish (runs/finish.ts).
 * A run folder can be resumed: finished folds are skipped and an unfinished fold continues from
 * its last epoch checkpoint.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeActiveBackend } from '../backend/describe';
import { threadSettings } from '../backend/threads';
import type { BaselineModel, ExperimentConfig } from '../config/schema';
import type { Fold } from '../folds';
import { computeSteps, setupYamnet, type StepsResult, type YamnetSetup } from '../model/steps';
import {
  estimateRunCost,
  formatEstimate,
  meanEstimate,
  timeCacheBuild,
  withCacheBuildTimed,
} from '../train/estimate';
import type { RunCostEstimate } from '@shared/progress';
import { CancelledError } from '../util/errors';
import { UserError } from '../util/errors';
import { resolveWeightsSource } from '../yamnet/store';
import { FROZEN_BLOCK, YAMNET_BLOCKS, trainsYamnetBlocks } from '@shared/first-block';
import { closeBarrier, openBarrier, waitAtBarrier } from './barrier';
import { baselineUsesYamnet, NO_WEIGHTS, runBaselineFolds } from './baseline';
import { isFoldDone, openRun, type RunContext, type RunOptions, type RunResult } from './context';
import { finishRun } from './finish';
import { foldClaimer, trainFoldsHere, trainFoldsInWorkers } from './fold-training';
import { costInputs } from './plan';
import type { TrainEventSink } from '../train/events';
import { writeJsonAtomic, type RunConfigFile } from './store';

export type { PredictionRow, RunOptions, RunResult } from './context';
export { gatherRun } from './finish';

export async function runExperiment(
  configIn: ExperimentConfig | null,
  opts: RunOptions = {},
): Promise<RunResult> {
  const ctx = await openRun(configIn, opts);
  let selectionValid = false;
  try {
    const selected = recordCorpus(ctx);
    selectionValid = true;
    const setup = await loadWeights(ctx);
    const weights = setup?.provenance ?? NO_WEIGHTS;
    const claimFold = foldClaimer(ctx, describeActiveBackend().device);
    const wanted = foldsToTrain(ctx, selected);
    if (ctx.config.model.kind === 'baseline') {
      await runBaselineFolds({
        runDir: ctx.runDir,
        model: ctx.config.model,
        index: ctx.plan.index,
        folds: ctx.plan.folds,
        wanted,
        seed: ctx.config.seed,
        setup,
        sink: opts.onEvent,
        signal: opts.signal,
        claimFold,
        onFoldDone: (i) => {
          ctx.foldsDone = [...ctx.foldsDone, i].sort((a, b) => a - b);
          ctx.setStatus({ foldsDone: ctx.foldsDone, fold: i });
        },
      });
      setup?.model.dispose();
      return finishRun(ctx, weights);
    }
    if (!setup) throw new Error('YAMNet-LSTM run without a YAMNet setup');
    const estimate = await announceEstimate(ctx, setup, wanted);
    if (opts.estimateOnly) {
      setup.model.dispose();
      return estimateOnlyResult(ctx, weights, estimate);
    }
    const steps = await buildStepCache(ctx, setup);
    ctx.setStatus({ foldsDone: ctx.foldsDone });
    if (!opts.prepareOnly) {
      const parallel = Math.min(ctx.plan.parallel, wanted.length);
      if (parallel > 1 && opts.spawnFolds) await trainFoldsInWorkers(ctx, wanted, parallel);
      else await trainFoldsHere(ctx, wanted, { setup, steps, claimFold });
    }
    setup.model.dispose();
    return finishRun(ctx, weights);
  } catch (err) {
    if (ctx.resuming && !selectionValid) throw err;
    const cancelled = err instanceof CancelledError || opts.signal?.aborted;
    ctx.setStatus({
      state: cancelled ? 'cancelled' : 'failed',
      error: cancelled ? undefined : (err as Error).message,
    });
    throw err;
  } finally {
    for (const release of ctx.heldFolds) release();
    ctx.releaseRun();
  }
}

/**
 * Stage 2: a new run records its corpus index, folds and config (the run's contract, read back on
 * resume); the index's skipped and repaired files are logged. Returns the folds this process was
 * asked for, checked before status.json is touched: a mistyped --folds leaves a finished run as it was.
 */
function recordCorpus(ctx: RunContext): number[] {
  const { runDir, config, plan } = ctx;
  const { index, foldsDoc } = plan;
  if (!ctx.resuming) {
    writeJsonAtomic(path.join(runDir, 'index.json'), index);
    writeJsonAtomic(path.join(runDir, 'folds.json'), foldsDoc);
    const configFile: RunConfigFile = {
      config,
      mode: plan.mode,
      created: new Date().toISOString(),
      dataDir: plan.dataDir,
      indexHash: index.hash,
      foldAssignment: foldsDoc.folds.map((f) => ({
        index: f.index,
        test: f.test,
        validation: f.validation,
        train: f.train,
      })),
    };
    writeJsonAtomic(path.join(runDir, 'config.json'), configFile);
  }
  if (!ctx.resuming && index.skipped.length > 0) {
    const first = index.skipped.slice(0, 5).map((k) => `\n  ${k.path}: ${k.reason}`);
    const more = index.skipped.length > 5 ? `\n  ... and ${index.skipped.length - 5} more (index.json)` : '';
    ctx.log(`skipped ${index.skipped.length} file(s):${first.join('')}${more}`, 'warn');
  }
  for (const r of index.repaired ?? [])
    ctx.log(
      `${r.path}: ${r.count} non-finite sample(s) set to zero (first at ${r.first.join(', ')})`,
      'warn',
    );
  const selected = selectFolds(plan.folds, ctx.opts.onlyFolds, ctx.opts.testSpeakers);
  ctx.setStatus({ folds: plan.folds.length });
  return selected;
}

/**
 * Stage 3: YAMNet's weights (a baseline without YAMNet-embedding features, +dl, loads none and
 * names none) and environment.json, written once.
 */
async function loadWeights(ctx: RunContext): Promise<YamnetSetup | null> {
  const { config, plan, runDir, opts } = ctx;
  const yam = config.model.kind === 'yamnet-lstm' ? config.model : null;
  let setup: YamnetSetup | null = null;
  if (yam?.yamnet.weights === 'random') {
    setup = await setupYamnet('random', config.seed);
  } else if (yam || baselineUsesYamnet(config.model as BaselineModel)) {
    const source = opts.weightsSource ?? resolveWeightsSource().path;
    setup = await setupYamnet('pretrained', config.seed, source);
  }
  const weights = setup?.provenance ?? NO_WEIGHTS;
  if (!ctx.resuming || !fs.existsSync(path.join(runDir, 'environment.json'))) {
    writeJsonAtomic(path.join(runDir, 'environment.json'), {
      backend: describeActiveBackend(),
      // TensorFlow's intra-/inter-op threads (null: the native backend is not in use).
      threads: plan.backend.name === 'tensorflow' ? threadSettings() : null,
      weights: {
        ...weights,
        ...(setup?.path ? { path: setup.path } : {}),
        init: yam ? yam.yamnet.weights : setup ? 'pretrained' : 'none',
      },
      mode: plan.mode,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      started: new Date().toISOString(),
    });
  }
  ctx.log(
    `backend ${plan.backend.name} (${plan.backend.reason}); mode ${plan.mode}; ` +
      (setup ? `YAMNet weights ${setup.provenance.source}` : 'no YAMNet (features without +dl)'),
  );
  return setup;
}

/** The selected folds not done yet (finished before: resume), noting the folds done so far. */
function foldsToTrain(ctx: RunContext, selected: number[]): number[] {
  const folds = ctx.plan.folds;
  const wanted = selected.filter((i) => !isFoldDone(ctx.runDir, i));
  ctx.foldsDone = folds.map((f) => f.index).filter((i) => isFoldDone(ctx.runDir, i));
  if (selected.length < folds.length) {
    ctx.log(
      `folds ${selected.map((i) => i + 1).join(',')} of ${folds.length} selected; ${wanted.length} to train`,
    );
  }
  return wanted;
}

/**
 * Stage 4: the cost before anything is built or trained, so a user can stop a run that would take
 * days; stored as estimate.json. A fold worker and a Slurm task skip it: the process that
 * submitted them estimated the whole run.
 *
 * Where folds train in parallel worker processes, the steps are timed in as many more such
 * processes at once (spawnEstimate), each with a fold worker's thread budget: how a step's time
 * changes with the threads it gets depends on the mode (the frozen head's small ops gain nothing
 * from a second thread, fine-tuning's convolutions ~1.3-1.6x), so timing it here, on this
 * process's threads, and scaling by a guess was off by 2.4x for frozen LOSO in the bench.
 */
async function announceEstimate(
  ctx: RunContext,
  setup: YamnetSetup,
  wanted: number[],
): Promise<RunCostEstimate | null> {
  const { opts, plan, runDir } = ctx;
  if ((ctx.worker && !opts.estimateOnly) || opts.executor?.name === 'slurm') return null;
  const estimate = (await estimateInFoldWorkers(ctx, setup, wanted)) ?? estimateHere(ctx, setup);
  // An estimate-only worker returns it: the parent that started it writes it and says it.
  if (opts.estimateOnly) return estimate;
  writeJsonAtomic(path.join(runDir, 'estimate.json'), { ...estimate, created: new Date().toISOString() });
  const k = plan.firstTrainedBlock;
  const backend = plan.backend.name;
  ctx.emit({
    type: 'log',
    message: formatEstimate(estimate),
    level: trainsYamnetBlocks(k) && estimate.totalSec > 3600 && backend === 'cpu' ? 'warn' : 'info',
    estimate,
  });
  // Training YAMNet blocks without the native backend: say what is faster before the hour starts.
  if (trainsYamnetBlocks(k) && backend !== 'tensorflow' && estimate.totalSec > 600) {
    ctx.emit({
      type: 'log',
      level: 'warn',
      message:
        `training YAMNet blocks ${k}..${YAMNET_BLOCKS} on ${backend} is estimated at ${(estimate.totalSec / 60).toFixed(0)} min: ` +
        `frozen mode (model.yamnet.trainFrom "frozen", LSTM head on cached embeddings) or a higher ` +
        `trainFrom is much cheaper, and \`ser-workbench setup tensorflow\` installs the native backend`,
    });
  }
  return estimate;
}

/** The estimate timed in this process, over the folds not done yet. */
function estimateHere(ctx: RunContext, setup: YamnetSetup): RunCostEstimate {
  const { opts, plan, runDir } = ctx;
  const toTrain = plan.folds.filter((f) => !isFoldDone(runDir, f.index));
  const inputs = costInputs(plan, toTrain, setup.model);
  // An estimate-only worker was told the parent's process count (its own plan trains in one),
  // and times its steps when all of them are ready to (estimateInFoldWorkers).
  if (opts.estimateOnly) {
    inputs.parallel = Math.max(1, opts.parallel ?? 1);
    inputs.beforeTiming = () => void waitAtBarrier(estimateBarrier(runDir), BARRIER_TIMEOUT_MS);
  }
  return estimateRunCost(ctx.config, inputs);
}

/**
 * A parallel run's estimate, its steps timed in estimate-only workers (spawnEstimate), as many at
 * once as fold workers will train, each with a fold worker's environment: steps that share the
 * machine run slower than steps timed alone, by an amount no thread count says (on a 2-vCPU AMD
 * EPYC guest, 1-thread frozen steps: 17 ms alone against 24-28 ms in two fold workers at once in
 * one run; 6-10 % slower two at once in another). They wait for each other at a barrier before
 * timing (runs/barrier.ts): started one after another, the first had timed most of its steps
 * alone before the second began. Their figures are averaged
 * (meanEstimate); the cache build, which runs here, is timed here. Null where the folds train in
 * this process, or when a worker failed (said, then timed here instead).
 */
async function estimateInFoldWorkers(
  ctx: RunContext,
  setup: YamnetSetup,
  wanted: number[],
): Promise<RunCostEstimate | null> {
  const { opts, runDir } = ctx;
  const spawn = opts.spawnEstimate;
  const parallel = Math.min(ctx.plan.parallel, wanted.length);
  if (ctx.worker || parallel <= 1 || !spawn || opts.prepareOnly) return null;
  openBarrier(estimateBarrier(runDir), parallel);
  try {
    const results = await Promise.all(
      Array.from({ length: parallel }, (_, slot) =>
        // One worker's warnings are enough: the others repeat them.
        spawn(runDir, slot, slot === 0 ? (e) => passWarnings(ctx, e) : () => undefined, opts.signal),
      ),
    );
    const timed = results.map((r) => r.estimate);
    if (timed.some((e) => !e)) throw new Error('an estimate worker returned no estimate');
    return withCacheBuildTimed(
      meanEstimate(timed as RunCostEstimate[]),
      timeCacheBuild(ctx.plan.firstTrainedBlock, setup.model),
    );
  } catch (err) {
    if (err instanceof CancelledError || opts.signal?.aborted) throw err;
    ctx.log(`timing the steps in fold workers failed (${(err as Error).message}); timed here`, 'warn');
    return null;
  } finally {
    closeBarrier(estimateBarrier(runDir));
  }
}

/** Where a parallel run's estimate workers meet before timing (removed once they are done). */
function estimateBarrier(runDir: string): string {
  return path.join(runDir, '.estimate-barrier');
}

/** A worker that never arrives (failed to start) delays the others this long, at most. */
const BARRIER_TIMEOUT_MS = 60_000;

/** The estimate worker's warnings (its other lines repeat the parent's setup). */
function passWarnings(ctx: RunContext, e: Parameters<TrainEventSink>[0]): void {
  if (e.type === 'log' && e.level === 'warn') ctx.emit(e);
}

/** What an estimate-only worker returns: the run as it was, nothing trained. */
function estimateOnlyResult(
  ctx: RunContext,
  weights: RunResult['weights'],
  estimate: RunCostEstimate | null,
): RunResult {
  return {
    estimate: estimate ?? undefined,
    runDir: ctx.runDir,
    backend: { name: ctx.plan.backend.name, reason: ctx.plan.backend.reason },
    mode: ctx.plan.mode,
    weights,
    folds: ctx.plan.folds.length,
    averageAccuracy: null,
    classAccuracy: {},
    confusion: { labels: [], matrix: [] },
    summary: null,
  };
}

/** Stage 5: cached steps for every utterance (built once, shared by all folds and later runs). */
async function buildStepCache(ctx: RunContext, setup: YamnetSetup): Promise<StepsResult> {
  const { plan } = ctx;
  const yam = ctx.config.model.kind === 'yamnet-lstm' ? ctx.config.model : null;
  if (!yam) throw new Error('buildStepCache: not a YAMNet-LSTM run');
  const k = plan.firstTrainedBlock;
  const what =
    k === FROZEN_BLOCK ? 'YAMNet embeddings' : k === 1 ? 'log-mel patches' : `YAMNet block ${k - 1} outputs`;
  const steps = await computeSteps(plan.index.utterances, setup, {
    trainFrom: yam.yamnet.trainFrom,
    // The index decided which files may be repaired; every other file is finite.
    frontEnd: { ...ctx.config.frontEnd, repairNonFinite: (plan.index.repaired?.length ?? 0) > 0 },
    signal: ctx.opts.signal,
    onCorrupt: (file, entry) => ctx.log(`${file}: corrupt cache entry ${entry}; recomputed`, 'warn'),
    onProgress: (done, total, fromCache) => {
      if (done === total || done % 25 === 0) {
        ctx.emit({ type: 'log', message: `${what}: ${done}/${total} files (${fromCache} cached)` });
      }
    },
  });
  ctx.log(
    `step cache ${steps.cacheDir}: ${steps.fromCache} cached, ${steps.computed} computed in ${steps.seconds.toFixed(1)} s`,
  );
  return steps;
}

/**
 * The folds a process trains: all, or those named by index or by test speaker. An unknown fold or
 * speaker is a user error naming it.
 */
export function selectFolds(folds: Fold[], only?: number[], testSpeakers?: string[]): number[] {
  let picked = folds.map((f) => f.index);
  if (only) {
    for (const i of only) {
      if (!folds.some((f) => f.index === i)) {
        throw new UserError(`--folds: there is no fold ${i + 1} (this run has folds 1..${folds.length})`);
      }
    }
    picked = picked.filter((i) => only.includes(i));
  }
  if (testSpeakers) {
    const known = new Set(folds.flatMap((f) => f.test));
    for (const s of testSpeakers) {
      if (!known.has(s)) {
        throw new UserError(
          `--test-speakers: '${s}' is not a test speaker of any fold (speakers: ${[...known].sort().join(', ')})`,
        );
      }
    }
    picked = picked.filter((i) => folds[i].test.some((s) => testSpeakers.includes(s)));
  }
  return picked;
}
