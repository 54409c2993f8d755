/**
 * One cross-validated experiment, end to end: config → corpus index → folds → cached YAMNet
 * steps → per fold: train (best validation UAR kept) → test → run folder → summary.json.
 * A run folder can be resumed: finished folds are skipped and an unfinished fold continues from
 * its last epoch checkpoint.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend, tf, type BackendName } from '../backend/tf';
import { canFineTune, describeActiveBackend } from '../backend/describe';
import { modeOf, parseConfig, type BaselineModel, type ExperimentConfig } from '../config/schema';
import {
  baselineUsesYamnet,
  featureSetUsesYamnet,
  NO_WEIGHTS,
  runBaselineFolds,
  writeBaselineSummaries,
} from './baseline';
import { computeRunStatistics, sexLookup } from './statistics';
import { prepareCorpus } from './prepare';
import type { CorpusIndex, Emotion, Utterance } from '../corpora/types';
import { computeMetrics, buildRunSummary, type Metrics } from '../eval';
import type { FoldResult, RunSummary } from '../eval/types';
import { foldsDocument, type Fold, type FoldsDocument } from '../folds';
import { YamnetLstm } from '../model/serModel';
import { computeSteps, firstTrainedBlock, setupYamnet, toSamples, type YamnetSetup } from '../model/steps';
import { estimateRunCost, formatEstimate } from '../train/estimate';
import { deriveSeed } from '../train/rng';
import { CancelledError, scoreSamples, trainFold } from '../train/trainFold';
import { threadSettings } from '../backend/threads';
import type { TrainEvent, TrainEventSink } from '../train/events';
import { UserError } from '../util/errors';
import { ensureWritableDir } from '../util/writable-dir';
import { checkOutputLocations } from './locations';
import { failpoint } from '../util/failpoint';
import { resolveWeightsSource } from '../yamnet/store';
import {
  cleanStaleTemps,
  describeOwner,
  liveFoldClaims,
  processStartTicks,
  remoteClaims,
  selfOwner,
  tryClaim,
} from './claims';
import { gatherOnce } from './gather';
import { registerWasmTrainingKernels } from '../yamnet/wasm-gradients';
import type { WeightsProvenance } from '../yamnet/provenance';
import {
  defaultRunsDir,
  foldDir,
  loadCheckpoint,
  newRunDir,
  readJson,
  readRun,
  readStatus,
  removeCheckpoint,
  saveCheckpoint,
  saveModel,
  writeFloat32Atomic,
  writeJsonAtomic,
  writeStatus,
  type RunCellsTable,
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
}

export interface RunResult {
  runDir: string;
  backend: { name: string; reason: string };
  mode: string;
  weights: WeightsProvenance;
  folds: number;
  averageAccuracy: number | null;
  classAccuracy: Record<string, number | null>;
  confusion: { labels: string[]; matrix: number[][] };
  summary: RunSummary | null;
  /** Baseline runs: every (feature set × classifier) cell (table.json); summary is the first's. */
  cells?: RunCellsTable;
  /** Folds done when this process stopped, and the folds still to train (0-based). */
  foldsDone?: number[];
  pending?: number[];
}

export interface PredictionRow {
  id: string;
  path: string;
  speaker: string;
  true: string;
  predicted: string;
  probabilities: Record<string, number>;
}

function emit(sink: TrainEventSink | undefined, e: Partial<TrainEvent> & { type: TrainEvent['type'] }): void {
  sink?.({ fold: -1, folds: 0, epoch: 0, epochs: 0, batch: 0, batches: 0, ...e });
}

/** Picks the backend, refusing (or falling back) where the mode needs conv gradients. */
async function chooseBackend(config: ExperimentConfig, log: (m: string, level?: 'info' | 'warn') => void) {
  const k = config.model.kind === 'yamnet-lstm' ? firstTrainedBlock(config.model.yamnet.trainFrom) : 15;
  let active = await initBackend(config.backend);
  // The WASM backend gets its missing conv gradient kernels from the yamnet module.
  if (k <= 14) registerWasmTrainingKernels();
  if (k <= 14 && !canFineTune(active.name as BackendName)) {
    if (config.backend !== 'auto') {
      throw new UserError(
        `the ${active.name} backend cannot train YAMNet's convolutions (it lacks Conv2DBackpropFilter); ` +
          `set model.yamnet.trainFrom to 'frozen' (cached embeddings, LSTM head only), or use backend 'cpu' ` +
          `(slow) or 'tensorflow' (see \`ser-workbench setup tensorflow\`)`,
      );
    }
    await initBackend('cpu');
    active = {
      name: 'cpu',
      reason: `${active.name} cannot train convolutions (no Conv2DBackpropFilter); cpu can`,
    } as typeof active;
    log(
      `training YAMNet blocks ${k}..14 on the cpu backend: ${active.reason}; this is slow (see the estimate below)`,
      'warn',
    );
  }
  return active;
}

function makeDir(dir: string): string {
  ensureWritableDir(dir, 'run folder');
  return dir;
}

function classesOf(index: CorpusIndex): Emotion[] {
  return index.classes;
}

function utterancesBySpeakers(index: CorpusIndex, speakers: string[]): Utterance[] {
  const set = new Set(speakers);
  return index.utterances.filter((u) => set.has(u.speaker));
}

export async function runExperiment(
  configIn: ExperimentConfig | null,
  opts: RunOptions = {},
): Promise<RunResult> {
  const sink = opts.onEvent;
  const log = (message: string, level: 'info' | 'warn' = 'info') =>
    emit(sink, { type: 'log', message, level });
  const resuming = !!opts.resumeDir;
  checkOutputLocations({ ...opts, resuming });
  let config: ExperimentConfig;
  let prior: RunConfigFile | null = null;
  if (resuming) {
    const resumeDir = path.resolve(opts.resumeDir!);
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
  const yam = config.model.kind === 'yamnet-lstm' ? config.model : null;
  const mode = modeOf(config);
  const dataDir = path.resolve(opts.dataDir ?? prior?.dataDir ?? config.data.dir ?? '');
  if (!opts.dataDir && !prior?.dataDir && !config.data.dir) {
    throw new UserError('no corpus folder: give --data DIR or set data.dir in the config');
  }
  // A new run checks its corpus, classes and folds before its folder exists: a refused run
  // leaves nothing behind.
  // Its log lines wait until the run folder exists, so that a run's first line names its folder.
  const preparing: [string, 'info' | 'warn'][] = [];
  const prepared = resuming
    ? null
    : await prepareCorpus(config, dataDir, (m) => preparing.push([m, 'info']), {
        repairNonFinite: opts.repairNonFinite,
        onWarning: (m) => preparing.push([m, 'warn']),
      });
  const runDir = resuming
    ? path.resolve(opts.resumeDir!)
    : opts.runDir
      ? makeDir(path.resolve(opts.runDir))
      : newRunDir(opts.outDir ? path.resolve(opts.outDir) : defaultRunsDir(), config.name);
  let foldsDone: number[] = [];
  let status: Omit<RunStatus, 'updated'> = {
    state: 'running',
    fold: 0,
    folds: 0,
    epoch: 0,
    epochs: config.training.epochs,
    foldsDone,
    pid: process.pid,
    host: os.hostname(),
    procStart: processStartTicks(process.pid),
  };
  const parallelWorker = !!opts.worker;
  // One process keeps status.json: the holder of run.lock. Others (fold workers, a second
  // --resume, Slurm array tasks) only claim and train folds.
  const runLock = tryClaim(path.join(runDir, 'run.lock'), 'run');
  const ownsRun = 'claim' in runLock;
  if ('claim' in runLock) {
    const removed = cleanStaleTemps(runDir, remoteClaims(runDir));
    if (removed.length)
      log(`removed ${removed.length} temporary file(s) of interrupted writes: ${removed.join(', ')}`);
    if (runLock.claim.tookOver)
      log(`took over the run from ${describeOwner(runLock.claim.tookOver)} (no longer running)`);
    if (opts.executionPlan && !parallelWorker) {
      writeJsonAtomic(path.join(runDir, 'execution.json'), {
        ...opts.executionPlan,
        at: new Date().toISOString(),
      });
    }
  } else if (!parallelWorker) {
    log(
      `${runDir} is being run by ${describeOwner(runLock.heldBy)}; this process trains the folds nobody has claimed`,
    );
  }
  // `always`: the process that writes the summary also marks the run done, run lock or not.
  const setStatus = (patch: Partial<typeof status>, always = false) => {
    status = { ...status, ...patch };
    if (ownsRun || always) writeStatus(runDir, status);
  };
  emit(sink, { type: 'log', message: `run folder ${runDir}`, runDir });
  for (const [message, level] of preparing) log(message, level);
  const heldFolds = new Set<() => void>();
  let selectionValid = false;

  try {
    const backend = await chooseBackend(config, log);
    const k = yam ? firstTrainedBlock(yam.yamnet.trainFrom) : 15;

    // Corpus and folds: recorded on the first start, read back on resume (the run's contract).
    let index: CorpusIndex;
    let foldsDoc: FoldsDocument;
    if (resuming) {
      index = readJson<CorpusIndex>(path.join(runDir, 'index.json'));
      foldsDoc = readJson<FoldsDocument>(path.join(runDir, 'folds.json'));
    } else {
      index = prepared!.index;
      foldsDoc = foldsDocument(prepared!.folds, prepared!.foldOptions, index.utterances, index);
      writeJsonAtomic(path.join(runDir, 'index.json'), index);
      writeJsonAtomic(path.join(runDir, 'folds.json'), foldsDoc);
      const configFile: RunConfigFile = {
        config,
        mode,
        created: new Date().toISOString(),
        dataDir,
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
    if (!resuming && index.skipped.length > 0) {
      const first = index.skipped.slice(0, 5).map((k) => `\n  ${k.path}: ${k.reason}`);
      const more =
        index.skipped.length > 5 ? `\n  ... and ${index.skipped.length - 5} more (index.json)` : '';
      log(`skipped ${index.skipped.length} file(s):${first.join('')}${more}`, 'warn');
    }
    for (const r of index.repaired ?? [])
      log(`${r.path}: ${r.count} non-finite sample(s) set to zero (first at ${r.first.join(', ')})`, 'warn');
    const folds: Fold[] = foldsDoc.folds;
    // Checked before status.json is touched: a mistyped --folds leaves a finished run as it was.
    const selected = selectFolds(folds, opts.onlyFolds, opts.testSpeakers);
    selectionValid = true;
    const classes = classesOf(index);
    setStatus({ folds: folds.length });

    // Weights: a baseline without YAMNet-embedding features (+dl) loads none and names none.
    let setup: YamnetSetup | null = null;
    if (yam?.yamnet.weights === 'random') {
      setup = await setupYamnet('random', config.seed);
    } else if (yam || baselineUsesYamnet(config.model as BaselineModel)) {
      const source = opts.weightsSource ?? resolveWeightsSource().path;
      setup = await setupYamnet('pretrained', config.seed, source);
    }
    const weights = setup?.provenance ?? NO_WEIGHTS;
    const describe = describeActiveBackend();
    if (!resuming || !fs.existsSync(path.join(runDir, 'environment.json'))) {
      writeJsonAtomic(path.join(runDir, 'environment.json'), {
        backend: describe,
        // TensorFlow's intra-/inter-op threads (null: the native backend is not in use).
        threads: backend.name === 'tensorflow' ? threadSettings() : null,
        weights: {
          ...weights,
          ...(setup?.path ? { path: setup.path } : {}),
          init: yam ? yam.yamnet.weights : setup ? 'pretrained' : 'none',
        },
        mode,
        node: process.versions.node,
        platform: `${process.platform}-${process.arch}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        started: new Date().toISOString(),
      });
    }
    log(
      `backend ${backend.name} (${backend.reason}); mode ${mode}; ` +
        (setup ? `YAMNet weights ${setup.provenance.source}` : 'no YAMNet (features without +dl)'),
    );

    // Folds finished before (resume) and the ones this process trains.
    const doneFold = (i: number) => fs.existsSync(path.join(foldDir(runDir, i), 'done.json'));
    const wanted = selected.filter((i) => !doneFold(i));
    foldsDone = folds.map((f) => f.index).filter(doneFold);
    if (selected.length < folds.length) {
      log(
        `folds ${selected.map((i) => i + 1).join(',')} of ${folds.length} selected; ${wanted.length} to train`,
      );
    }
    const finishRun = () =>
      finish(runDir, config, index, foldsDoc, weights, backend, mode, ownsRun, setStatus, sink);
    // A fold is trained by exactly one process: the one holding its claim.
    const foldEnvironment = {
      host: os.hostname(),
      pid: process.pid,
      backend: { name: backend.name, reason: backend.reason, device: describe.device },
      executor: opts.executor?.name ?? 'serial',
      ...(opts.executor?.processes ? { processes: opts.executor.processes } : {}),
      jobId: opts.executor?.jobId ?? selfOwner().jobId ?? null,
      threads: {
        intraOp: process.env.TF_NUM_INTRAOP_THREADS ?? null,
        interOp: process.env.TF_NUM_INTEROP_THREADS ?? null,
      },
      cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES ?? null,
    };
    const claimFold = (i: number): (() => void) | null => {
      const dir = foldDir(runDir, i);
      const got = tryClaim(path.join(dir, 'claim.lock'), `fold ${i + 1}`);
      if (!('claim' in got)) {
        log(`fold ${i + 1} is being trained by ${describeOwner(got.heldBy)}; skipped here`);
        return null;
      }
      // Finished by another process between our listing and our claim.
      if (doneFold(i)) {
        got.claim.release();
        return null;
      }
      if (got.claim.tookOver)
        log(`fold ${i + 1}: took over from ${describeOwner(got.claim.tookOver)} (gone)`);
      writeJsonAtomic(path.join(dir, 'environment.json'), {
        fold: i,
        ...foldEnvironment,
        started: new Date().toISOString(),
      });
      return () => {
        if (doneFold(i)) {
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

    if (!yam) {
      await runBaselineFolds({
        runDir,
        model: config.model as BaselineModel,
        index,
        folds,
        wanted,
        seed: config.seed,
        setup,
        sink,
        signal: opts.signal,
        claimFold,
        onFoldDone: (i) => {
          foldsDone = [...foldsDone, i].sort((a, b) => a - b);
          setStatus({ foldsDone, fold: i });
        },
      });
      setup?.model.dispose();
      return finishRun();
    }
    if (!setup) throw new Error('YAMNet-LSTM run without a YAMNet setup');

    // A Slurm task's cost was estimated by the submitting process, for the whole run.
    if (!parallelWorker && opts.executor?.name !== 'slurm') {
      // The cost before anything is built or trained, so a user can stop a run that would take days.
      const toTrain = folds.filter((f) => !doneFold(f.index));
      const estimate = estimateRunCost(config, {
        index,
        folds: toTrain,
        backend: backend.name,
        yamnet: setup.model,
        parallel: opts.spawnFolds ? (opts.parallel ?? 1) : 1,
      });
      writeJsonAtomic(path.join(runDir, 'estimate.json'), { ...estimate, created: new Date().toISOString() });
      emit(sink, {
        type: 'log',
        message: formatEstimate(estimate),
        level: k <= 14 && estimate.totalSec > 3600 && backend.name === 'cpu' ? 'warn' : 'info',
        estimate,
      });
      // Training YAMNet blocks without the native backend: say what is faster before the hour starts.
      if (k <= 14 && backend.name !== 'tensorflow' && estimate.totalSec > 600) {
        emit(sink, {
          type: 'log',
          level: 'warn',
          message:
            `training YAMNet blocks ${k}..14 on ${backend.name} is estimated at ${(estimate.totalSec / 60).toFixed(0)} min: ` +
            `frozen mode (model.yamnet.trainFrom "frozen", LSTM head on cached embeddings) or a higher ` +
            `trainFrom is much cheaper, and \`ser-workbench setup tensorflow\` installs the native backend`,
        });
      }
    }

    // Cached steps for every utterance (built once, shared by all folds and later runs).
    const steps = await computeSteps(index.utterances, setup, {
      trainFrom: yam.yamnet.trainFrom,
      // The index decided which files may be repaired; every other file is finite.
      frontEnd: { ...config.frontEnd, repairNonFinite: (index.repaired?.length ?? 0) > 0 },
      signal: opts.signal,
      onCorrupt: (file, entry) => log(`${file}: corrupt cache entry ${entry}; recomputed`, 'warn'),
      onProgress: (done, total, fromCache) => {
        if (done === total || done % 25 === 0) {
          emit(sink, {
            type: 'log',
            message: `${k === 15 ? 'YAMNet embeddings' : k === 1 ? 'log-mel patches' : `YAMNet block ${k - 1} outputs`}: ${done}/${total} files (${fromCache} cached)`,
          });
        }
      },
    });
    log(
      `step cache ${steps.cacheDir}: ${steps.fromCache} cached, ${steps.computed} computed in ${steps.seconds.toFixed(1)} s`,
    );

    setStatus({ foldsDone });
    if (opts.prepareOnly) {
      setup.model.dispose();
      return finishRun();
    }

    const epochSeconds: number[] = [];
    const epochsLeftAfter = (foldPos: number, epoch: number) =>
      (wanted.length - foldPos - 1) * config.training.epochs + (config.training.epochs - epoch);
    const eta = (foldPos: number, epoch: number) => {
      if (!epochSeconds.length) return undefined;
      const mean = epochSeconds.slice(-10).reduce((a, b) => a + b, 0) / Math.min(10, epochSeconds.length);
      return (mean * epochsLeftAfter(foldPos, epoch)) / Math.max(1, opts.parallel ?? 1);
    };

    const parallel = Math.min(opts.parallel ?? 1, wanted.length);
    if (parallel > 1 && opts.spawnFolds && !parallelWorker) {
      // Folds are independent and the step cache is built: every worker gets the whole list and
      // trains the folds it manages to claim, so a slow fold never holds up a fixed share.
      log(`training ${wanted.length} folds in ${parallel} processes`);
      await Promise.all(
        Array.from({ length: parallel }, () =>
          opts.spawnFolds!(
            runDir,
            wanted,
            (e) => {
              if (e.type === 'fold' && e.message?.startsWith('done')) {
                foldsDone = [...new Set([...foldsDone, e.fold])].sort((a, b) => a - b);
                setStatus({ foldsDone, fold: e.fold });
              }
              if (e.type === 'epoch') setStatus({ fold: e.fold, epoch: e.epoch, etaSec: e.etaSec });
              // The workers repeat the parent's setup lines; pass on only their warnings.
              if (e.type === 'log' && e.level !== 'warn' && !e.message?.includes('numTensors')) return;
              sink?.(e);
            },
            opts.signal,
          ),
        ),
      );
    } else {
      for (let pos = 0; pos < wanted.length; pos++) {
        const i = wanted[pos];
        if (opts.signal?.aborted) throw new CancelledError();
        const releaseFold = claimFold(i);
        if (!releaseFold) continue;
        heldFolds.add(releaseFold);
        const fold = folds[i];
        const dir = foldDir(runDir, i);
        fs.mkdirSync(dir, { recursive: true });
        const train = toSamples(utterancesBySpeakers(index, fold.train), steps.steps, classes);
        const validation = toSamples(utterancesBySpeakers(index, fold.validation), steps.steps, classes);
        const testUtts = utterancesBySpeakers(index, fold.test);
        const test = toSamples(testUtts, steps.steps, classes);
        const backbone = k <= 14 ? setup.model.build({ from: k, name: `yamnet_fold${i}` }) : null;
        const net = new YamnetLstm(
          steps.stepShape,
          { lstmUnits: yam.lstmUnits, numClasses: classes.length },
          deriveSeed(config.seed, i, 1),
          backbone,
        );
        try {
          // A checkpoint here was left by a process that stopped (its claim was free or stale).
          const checkpoint = loadCheckpoint(dir);
          setStatus({ fold: i, epoch: checkpoint?.epoch ?? 0 });
          emit(sink, {
            type: 'fold',
            fold: i,
            folds: folds.length,
            epochs: config.training.epochs,
            message: `test ${fold.test.join(',')}: ${train.length} train, ${validation.length} validation, ${test.length} test utterances${checkpoint ? `; resuming after epoch ${checkpoint.epoch}` : ''}`,
            etaSec: eta(pos, checkpoint?.epoch ?? 0),
          });
          const result = await trainFold(
            net,
            { train, validation },
            {
              epochs: config.training.epochs,
              batchSize: config.training.batchSize,
              learningRate: config.training.learningRate,
              classWeights: config.training.classWeights,
              patience: config.training.earlyStopping?.patience,
              seed: deriveSeed(config.seed, i, 2),
              numClasses: classes.length,
              signal: opts.signal,
              resume: checkpoint ?? undefined,
              onBatch: (epoch, batch, batches, loss) => {
                failpoint('batch');
                emit(sink, {
                  type: 'batch',
                  fold: i,
                  folds: folds.length,
                  epoch,
                  epochs: config.training.epochs,
                  batch,
                  batches,
                  loss,
                });
              },
              onEpoch: async (record, snapshot, checkpointDue) => {
                epochSeconds.push(record.seconds);
                if (checkpointDue) saveCheckpoint(dir, await snapshot());
                setStatus({ fold: i, epoch: record.epoch, etaSec: eta(pos, record.epoch) });
                emit(sink, {
                  type: 'epoch',
                  fold: i,
                  folds: folds.length,
                  epoch: record.epoch,
                  epochs: config.training.epochs,
                  loss: record.trainLoss,
                  metrics: {
                    trainLoss: record.trainLoss,
                    trainAccuracy: record.trainAccuracy,
                    valLoss: record.valLoss ?? undefined,
                    valAccuracy: record.valAccuracy ?? undefined,
                    valAverageAccuracy: record.valAverageAccuracy ?? undefined,
                  },
                  etaSec: eta(pos, record.epoch),
                });
              },
            },
          );
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
            testSpeakers: fold.test,
            bestEpoch: result.bestEpoch,
            bestValidationAverageAccuracy: result.bestScore,
            stoppedEarly: result.stoppedEarly,
            ...metrics,
          });
          writeJsonAtomic(path.join(dir, 'history.json'), {
            bestEpoch: result.bestEpoch,
            epochs: result.history,
          });
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
          saveModel(
            path.join(dir, 'model'),
            {
              kind: 'yamnet-lstm',
              mode,
              trainFrom: yam.yamnet.trainFrom,
              stepShape: steps.stepShape,
              lstmUnits: yam.lstmUnits,
              classes,
              bestEpoch: result.bestEpoch,
              weightsSource: setup.provenance,
            },
            net.getWeights(),
          );
          writeJsonAtomic(path.join(dir, 'done.json'), {
            fold: i,
            finished: new Date().toISOString(),
            bestEpoch: result.bestEpoch,
          });
          removeCheckpoint(dir);
          foldsDone = [...foldsDone, i].sort((a, b) => a - b);
          setStatus({ foldsDone });
          emit(sink, {
            type: 'fold',
            fold: i,
            folds: folds.length,
            epoch: result.bestEpoch,
            epochs: config.training.epochs,
            message: `done: test UAR ${metrics.averageAccuracy?.toFixed(3) ?? 'n/a'} (best epoch ${result.bestEpoch})`,
            metrics: {
              testAverageAccuracy: metrics.averageAccuracy ?? undefined,
              bestEpoch: result.bestEpoch,
            },
            etaSec: eta(pos, config.training.epochs),
          });
        } finally {
          net.dispose();
          heldFolds.delete(releaseFold);
          releaseFold();
        }
        log(`fold ${i + 1}: tf.memory().numTensors = ${tf.memory().numTensors}`);
      }
    }
    setup.model.dispose();

    return finishRun();
  } catch (err) {
    if (resuming && !selectionValid) throw err;
    const cancelled = err instanceof CancelledError || opts.signal?.aborted;
    setStatus({
      state: cancelled ? 'cancelled' : 'failed',
      error: cancelled ? undefined : (err as Error).message,
    });
    throw err;
  } finally {
    for (const release of heldFolds) release();
    if ('claim' in runLock) runLock.claim.release();
  }
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

/**
 * After this process's folds. When every fold of the run is done, the summary (written once: the
 * first process to get here after the last fold writes it, under gather.lock) and status done;
 * otherwise the folds done and pending (other processes may still be training).
 */
function finish(
  runDir: string,
  config: ExperimentConfig,
  index: CorpusIndex,
  foldsDoc: FoldsDocument,
  weights: WeightsProvenance,
  backend: { name: string; reason: string },
  mode: string,
  ownsRun: boolean,
  setStatus: (patch: Partial<RunStatus>, always?: boolean) => void,
  sink: TrainEventSink | undefined,
): RunResult {
  const folds = foldsDoc.folds;
  const foldsDone = folds
    .map((f) => f.index)
    .filter((i) => fs.existsSync(path.join(foldDir(runDir, i), 'done.json')));
  const pending = folds.map((f) => f.index).filter((i) => !foldsDone.includes(i));
  const base = { runDir, backend, mode, weights, folds: folds.length, foldsDone, pending };
  if (pending.length) {
    if (ownsRun) setStatus({ state: liveFoldClaims(runDir).size ? 'running' : 'incomplete', foldsDone });
    return {
      ...base,
      averageAccuracy: null,
      classAccuracy: {},
      confusion: { labels: index.classes as string[], matrix: [] },
      summary: null,
    };
  }
  const { summary, cells } = gatherOnce(runDir, false, () =>
    writeSummary(runDir, config, index, foldsDoc, weights, backend, mode),
  );
  setStatus({ state: 'done', foldsDone, etaSec: 0 }, true);
  emit(sink, {
    type: 'done',
    folds: folds.length,
    message: `average accuracy (pooled UAR) ${summary.pooled.averageAccuracy?.toFixed(3) ?? 'n/a'}`,
    runDir,
  });
  return {
    ...base,
    averageAccuracy: summary.pooled.averageAccuracy,
    classAccuracy: summary.pooled.classAccuracy,
    confusion: summary.pooled.confusion,
    summary,
    ...(cells ? { cells } : {}),
  };
}

/**
 * `run --gather RUNDIR`: writes summary.json (and table.json of a baseline grid) from the folds on
 * disk, as the last fold's process would. Every fold must be done.
 */
export function gatherRun(runDirIn: string): RunResult {
  const runDir = path.resolve(runDirIn);
  const run = readRun(runDir);
  if (!run.config) throw new UserError(`${runDir}: not a run folder (config.json missing)`);
  const config = parseConfig(run.config.config, path.join(runDir, 'config.json'));
  const index = readJson<CorpusIndex>(path.join(runDir, 'index.json'));
  const foldsDoc = readJson<FoldsDocument>(path.join(runDir, 'folds.json'));
  const pending = foldsDoc.folds.map((f) => f.index).filter((i) => !run.foldsDone.includes(i));
  if (pending.length) {
    throw new UserError(
      `${runDir}: folds ${pending.map((i) => i + 1).join(',')} are not done; resume the run (\`run --resume ${runDir}\`) first`,
    );
  }
  const env = (run.environment ?? {}) as {
    backend?: { name?: string; reason?: string };
    weights?: WeightsProvenance;
  };
  const backend = { name: env.backend?.name ?? 'unknown', reason: env.backend?.reason ?? '' };
  const weights: WeightsProvenance = {
    source: env.weights?.source ?? 'user',
    files: env.weights?.files ?? [],
  } as WeightsProvenance;
  const mode = run.config.mode;
  const { summary, cells } = gatherOnce(runDir, true, () =>
    writeSummary(runDir, config, index, foldsDoc, weights, backend, mode),
  );
  const prior = readStatus(runDir);
  writeStatus(runDir, {
    state: 'done',
    fold: prior?.fold ?? 0,
    folds: foldsDoc.folds.length,
    epoch: prior?.epoch ?? 0,
    epochs: config.training.epochs,
    foldsDone: run.foldsDone,
    etaSec: 0,
    pid: process.pid,
    host: os.hostname(),
  });
  return {
    runDir,
    backend,
    mode,
    weights,
    folds: foldsDoc.folds.length,
    foldsDone: run.foldsDone,
    pending: [],
    averageAccuracy: summary.pooled.averageAccuracy,
    classAccuracy: summary.pooled.classAccuracy,
    confusion: summary.pooled.confusion,
    summary,
    ...(cells ? { cells } : {}),
  };
}

/**
 * summary.json from the folds' metrics.json (H7's RunSummary). A baseline run also writes one
 * summary per cell and table.json; its top-level summary.json is the primary (first) cell's.
 */
function writeSummary(
  runDir: string,
  config: ExperimentConfig,
  index: CorpusIndex,
  foldsDoc: FoldsDocument,
  weights: WeightsProvenance,
  backend: { name: string; reason: string },
  mode: string,
): { summary: RunSummary; cells?: RunCellsTable } {
  const at = { config, index, foldsDoc, weights, backend };
  if (config.model.kind === 'baseline') {
    const { primary, table } = writeBaselineSummaries(
      runDir,
      config.model,
      index.classes as string[],
      // A cell names YAMNet weights only when its features contain YAMNet embeddings.
      (cell, foldDirOf) =>
        summarize(
          { ...at, weights: featureSetUsesYamnet(cell.featureSet) ? weights : NO_WEIGHTS },
          foldDirOf,
          cell.model,
          cell.mode,
        ),
    );
    writeJsonAtomic(path.join(runDir, 'summary.json'), primary);
    return { summary: primary, cells: table };
  }
  const summary = summarize(at, (i) => foldDir(runDir, i), 'yamnet-lstm', mode);
  writeJsonAtomic(path.join(runDir, 'summary.json'), summary);
  return { summary };
}

/** A RunSummary of one model from the metrics.json in `foldDirOf(fold)` of every fold. */
function summarize(
  at: {
    config: ExperimentConfig;
    index: CorpusIndex;
    foldsDoc: FoldsDocument;
    weights: WeightsProvenance;
    backend: { name: string; reason: string };
  },
  foldDirOf: (fold: number) => string,
  model: string,
  mode: string,
): RunSummary {
  const { config, index, foldsDoc, weights, backend } = at;
  const folds: FoldResult[] = foldsDoc.folds.map((f) => {
    const file = readJson<Metrics & Record<string, unknown>>(path.join(foldDirOf(f.index), 'metrics.json'));
    const {
      fold: _f,
      testSpeakers: _t,
      bestEpoch: _b,
      bestValidationAverageAccuracy: _v,
      stoppedEarly: _s,
      chosen: _c,
      epochs: _e,
      trainSeconds: _ts,
      ...metrics
    } = file;
    return { index: f.index, testSpeakers: f.test, metrics: metrics as Metrics };
  });
  const classCounts: Record<string, number> = {};
  for (const u of index.utterances) classCounts[u.label] = (classCounts[u.label] ?? 0) + 1;
  const summary = buildRunSummary(folds, {
    model,
    mode,
    trainFrom:
      config.model.kind === 'yamnet-lstm'
        ? config.model.yamnet.weights
        : weights.source === 'none'
          ? 'none'
          : 'pretrained',
    weights,
    backend: { name: backend.name, reason: backend.reason },
    corpus: {
      name: index.corpus,
      hash: index.hash,
      utterances: index.utterances.length,
      speakers: new Set(index.utterances.map((u) => u.speaker)).size,
      classCounts,
    },
    scheme: {
      kind: config.crossValidation.scheme,
      ...(config.crossValidation.k ? { k: config.crossValidation.k } : {}),
      valFraction: config.crossValidation.valFraction,
      folds: foldsDoc.folds.length,
    },
    seed: config.seed,
    training: {
      epochs: config.training.epochs,
      batchSize: config.training.batchSize,
      learningRate: config.training.learningRate,
      optimizer: config.training.optimizer,
    },
    frontEnd: { ...config.frontEnd },
    createdAt: new Date().toISOString(),
  });
  const statistics = computeRunStatistics(summary, foldDirOf, sexLookup(index.utterances));
  return statistics ? { ...summary, statistics } : summary;
}
