/**
 * The experiment form: the config schema as JSON Schema with its defaults, validation, fold
 * preview, and what a YAMNet-LSTM run will cost (the "train from" layer table and the run estimate).
 */
import { z } from 'zod';
import {
  ExperimentConfigSchema,
  checkConfig,
  defaultConfig,
  parseConfig,
  type ExperimentConfig,
} from '../../engine/config/schema';
import type {
  BaselineEstimate,
  ConfigIssue,
  FoldsPreview,
  LayerCostTableInfo,
  RunEstimate,
} from '@shared/contract';
import type { CorpusIndex } from '../../engine/corpora/types';
import type { Fold } from '../../engine/folds';
import type { Calibration, RunCostEstimate } from '../../engine/train/estimate';
import type { YamnetModel } from '../../engine/yamnet/model';
import type { BackendName } from '../../engine/backend/tf';
import type { RunPlan } from '../../engine/runs/plan';
import type { SweepCost } from '../../engine/runs/sweep-estimate';
import { trainsYamnetBlocks } from '@shared/first-block';
import { crossCorpusDirs } from '@shared/cross-corpus';
import { UserError } from '../../engine/util/errors';
import { speakerRows } from './datasets';

export function configSchema(): { jsonSchema: unknown; defaults: ExperimentConfig } {
  return {
    jsonSchema: z.toJSONSchema(ExperimentConfigSchema, { io: 'input', unrepresentable: 'any' }),
    defaults: defaultConfig(),
  };
}

/** The engine's own check, problems named per entry (the form shows each beside its field). */
export function validateConfig(config: unknown): {
  ok: boolean;
  issues: ConfigIssue[];
  config: ExperimentConfig | null;
} {
  const checked = checkConfig(config);
  if (checked.ok) return { ok: true, issues: [], config: checked.config };
  return { ok: false, issues: checked.problems, config: null };
}

/** Utterances per role and class of one fold. */
export function roleCounts(
  index: Pick<CorpusIndex, 'utterances' | 'classes'>,
  roles: Record<string, string[]>,
): Record<string, Record<string, number>> {
  const roleOf = new Map<string, string>();
  for (const [role, speakers] of Object.entries(roles)) for (const s of speakers) roleOf.set(s, role);
  const out: Record<string, Record<string, number>> = {};
  for (const role of Object.keys(roles)) out[role] = Object.fromEntries(index.classes.map((c) => [c, 0]));
  for (const u of index.utterances) {
    const role = roleOf.get(u.speaker);
    if (role) out[role][u.label] = (out[role][u.label] ?? 0) + 1;
  }
  return out;
}

/** The parsed config's corpus folder, checked against the paths this face may read. */
function corpusOf(configInput: unknown, checkPath: (dir: string) => string) {
  const config = parseConfig(configInput);
  if (!config.data.dir) throw new UserError('data.dir: choose a corpus folder first');
  // A cross-corpus config reads further corpora: each must be a folder this face may read too.
  for (const c of crossCorpusDirs(config.crossValidation)) checkPath(c.dir);
  return { config, dir: checkPath(config.data.dir) };
}

/** The run plan of the config as a run would make it (corpus, folds, first block, backend). */
async function runPlan(
  configInput: unknown,
  checkPath: (dir: string) => string,
  backendFor: 'run' | 'layer-table' = 'run',
): Promise<RunPlan> {
  const { config, dir } = corpusOf(configInput, checkPath);
  const { planRun } = await import('../../engine/runs/plan');
  return planRun(config, dir, { backendFor });
}

/** What `runs.start` checks before a run folder exists: the corpus indexes and its folds can be made. */
export async function checkRunCorpus(
  configInput: unknown,
  checkPath: (dir: string) => string,
): Promise<void> {
  const { config, dir } = corpusOf(configInput, checkPath);
  const { planCorpus } = await import('../../engine/runs/plan');
  await planCorpus(config, dir);
}

export async function previewFolds(
  configInput: unknown,
  checkPath: (dir: string) => string,
): Promise<FoldsPreview> {
  const { config, dir } = corpusOf(configInput, checkPath);
  const { planCorpus } = await import('../../engine/runs/plan');
  const { index, folds } = await planCorpus(config, dir);
  return {
    scheme: config.crossValidation.scheme,
    classes: index.classes,
    speakers: speakerRows(index),
    folds: folds.map((f) => ({
      index: f.index,
      test: f.test,
      validation: f.validation,
      train: f.train,
      counts: roleCounts(index, { train: f.train, validation: f.validation, test: f.test }),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Cost: calibrations run in this process (a few real training steps, seconds at most per block),
// one block per request so the event loop is free between them. They are kept while what they
// depend on stays the same, so the layer table fills up as the user measures blocks and the run
// estimate before starting reuses the block's measurement.

/**
 * What a calibration depends on: the corpus and folds, batch and head shapes and backend. Epochs,
 * the run's name and the first trained block are not in it (the block is the calibrations' own
 * key; epochs only multiply), nor the seed and learning rate: a step's time depends on shapes, not
 * on the values in them, so a sweep over seeds or learning rates measures once.
 */
export function costKey(config: ExperimentConfig, index: Pick<CorpusIndex, 'hash'>, backend: string): string {
  const head = config.model.kind === 'yamnet-lstm' ? config.model.lstmUnits : null;
  return JSON.stringify([
    index.hash,
    config.data.classes,
    config.frontEnd,
    config.crossValidation,
    config.training.batchSize,
    head,
    backend,
  ]);
}

/** The calibration behind an estimate, so that it can be rescaled without measuring again. */
export function calibrationOf(e: RunCostEstimate): Calibration {
  return {
    perStepSec: e.perStepSec,
    perScoreBatchSec: e.perScoreBatchSec,
    cachePerPatchSec: e.patches > 0 ? e.cacheBuildSec / e.patches : 0,
    steps: e.calibrationSteps,
    seconds: e.calibrationSec,
  };
}

/** Calibrations per cost key, then per first trained block; the few most recent keys kept. */
const measured = new Map<string, Map<number, Calibration>>();
const KEYS_KEPT = 8;
/** YAMNet with seeded random weights: a step's time depends on shapes, not on the weights. */
let timingNet: { backend: string; model: YamnetModel } | null = null;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Requests that switch the tfjs backend or time steps must not interleave: the backend is global
 * to this process (listing backends switches it too, see system.ts).
 */
export function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn);
  queue = next.catch(() => undefined);
  return next;
}

/** Cost estimates size YAMNet-LSTM training; a baseline's cost is its feature extraction. */
function checkYamnetLstm(config: ExperimentConfig): void {
  if (config.model.kind !== 'yamnet-lstm')
    throw new UserError('cost estimates are for yamnet-lstm runs; baselines train in seconds');
}

/**
 * Asked of the face instead of an answer: time this again in a task worker whose TensorFlow pools
 * have `retimeWithThreads` threads (the budget of the run's fold workers).
 */
export interface Retime {
  retimeWithThreads: number;
}

/**
 * The processes a run's folds will train in and each one's TensorFlow threads, as its executor
 * starts them: the local executor's plan (cores, GPUs, measured memory), or one Slurm task per
 * fold with its cpus-per-task.
 */
async function foldBudget(
  config: ExperimentConfig,
  folds: number,
): Promise<{ processes: number; threads: number }> {
  if (config.execution.executor === 'slurm')
    return { processes: Math.max(1, folds), threads: config.execution.slurm.cpusPerTask ?? 1 };
  const { planLocal } = await import('../../engine/exec/local');
  const { modeOf } = await import('@shared/config-schema');
  const plan = planLocal({
    requested: config.execution.processes,
    mode: modeOf(config),
    pendingFolds: folds,
  });
  return { processes: plan.processes, threads: plan.threadsPerProcess };
}

/**
 * The run's fold-worker budget, or a Retime when this process's TensorFlow threads differ from it:
 * a step's time depends on its threads (frozen steps barely, fine-tuning 1.3-1.6x from 1 to 2
 * threads), so an estimate timed on other threads and scaled by a rule was off by up to 2.4x.
 */
async function budgetHere(
  config: ExperimentConfig,
  backend: string,
  folds: number,
): Promise<{ processes: number; threads: number } | Retime> {
  const budget = await foldBudget(config, folds);
  const { threadSettings } = await import('../../engine/backend/threads');
  const own = threadSettings()?.intraOp;
  if (backend === 'tensorflow' && own !== undefined && own !== budget.threads)
    return { retimeWithThreads: budget.threads };
  return budget;
}

async function timingYamnet(backend: string): Promise<YamnetModel> {
  if (timingNet?.backend === backend) return timingNet.model;
  const { YamnetModel } = await import('../../engine/yamnet/model');
  const { seededRandomWeights } = await import('../../engine/model/steps');
  timingNet?.model.dispose();
  timingNet = { backend, model: new YamnetModel(seededRandomWeights(1)) };
  return timingNet.model;
}

function calibrationsFor(key: string): Map<number, Calibration> {
  const known = measured.get(key) ?? new Map<number, Calibration>();
  // Re-inserted so the map's order is least recently used first.
  measured.delete(key);
  measured.set(key, known);
  if (measured.size > KEYS_KEPT) measured.delete(measured.keys().next().value!);
  return known;
}

async function layerTable(
  config: ExperimentConfig,
  ctx: { index: CorpusIndex; folds: Fold[]; backend: string; yamnet: YamnetModel; parallel: number },
  calibrations: Map<number, Calibration>,
): Promise<LayerCostTableInfo> {
  const { layerCostTable, estimateFromCalibration, patchesOf } = await import('../../engine/train/estimate');
  const { withFirstTrainedBlock } = await import('../../engine/runs/plan');
  const table = layerCostTable(config, ctx);
  try {
    const rows = table.rows().map((row) => {
      const cal = calibrations.get(row.block);
      if (!cal) return row;
      const e = estimateFromCalibration(withFirstTrainedBlock(config, row.block), ctx, cal);
      return { ...row, perEpochSec: e.perEpochSec, perStepSec: e.perStepSec, cacheBuildSec: e.cacheBuildSec };
    });
    const patches = [...patchesOf(ctx.index, config.frontEnd).values()].reduce((a, b) => a + b, 0);
    return { backend: ctx.backend, folds: ctx.folds.length, patches, rows };
  } finally {
    table.dispose();
  }
}

/** The 14 "train from" choices for the config's corpus and folds; costs of blocks measured so far. */
export function layerCosts(
  configInput: unknown,
  checkPath: (dir: string) => string,
): Promise<LayerCostTableInfo | Retime> {
  return serialized(async () => {
    // Every row trains YAMNet blocks: the plan puts the table on the backend fine-tuning would use.
    const plan = await runPlan(configInput, checkPath, 'layer-table');
    const { config, index, folds } = plan;
    checkYamnetLstm(config);
    const backend = plan.backend.name;
    const budget = await budgetHere(config, backend, folds.length);
    if ('retimeWithThreads' in budget) return budget;
    const yamnet = await timingYamnet(backend);
    const calibrations = calibrationsFor(costKey(config, index, backend));
    return layerTable(config, { index, folds, backend, yamnet, parallel: budget.processes }, calibrations);
  });
}

/**
 * The run estimate of the config as it stands, calibrated now on the run's backend unless this
 * block was measured already for the same corpus, folds and shapes.
 */
export function estimateCost(
  configInput: unknown,
  checkPath: (dir: string) => string,
): Promise<{ estimate: RunEstimate; table: LayerCostTableInfo } | Retime> {
  return serialized(async () => {
    const plan = await runPlan(configInput, checkPath);
    const { config, index, folds } = plan;
    checkYamnetLstm(config);
    const k = plan.firstTrainedBlock;
    const backend = plan.backend.name;
    const budget = await budgetHere(config, backend, folds.length);
    if ('retimeWithThreads' in budget) return budget;
    const yamnet = await timingYamnet(backend);
    const { estimateRunCost, estimateFromCalibration, formatEstimate } =
      await import('../../engine/train/estimate');
    const ctx = { index, folds, backend, yamnet, parallel: budget.processes };
    const calibrations = calibrationsFor(costKey(config, index, backend));
    const known = calibrations.get(k);
    const e = known ? estimateFromCalibration(config, ctx, known) : estimateRunCost(config, ctx);
    if (!known) calibrations.set(k, calibrationOf(e));
    const { fineTuneSupport } = await import('../../engine/backend/describe');
    const fineTuneNote = trainsYamnetBlocks(k) ? fineTuneSupport(backend as BackendName).message : '';
    const table = await layerTable(config, ctx, calibrations);
    return {
      estimate: { ...e, text: formatEstimate(e), fineTuneNote, reused: known !== undefined },
      table,
      ...(config.sweep
        ? { sweep: await sweepCostOf(configInput, config.sweep, checkPath, plan, budget.processes) }
        : {}),
    };
  });
}

/**
 * Each sweep cell's estimate from its own config: planned again only where a swept field changes
 * the corpus, folds, backend or first trained block; calibrated only where no calibration of its
 * shapes was measured yet (a sweep over epochs, seeds or learning rates measures nothing new).
 */
async function sweepCostOf(
  configInput: unknown,
  sweep: NonNullable<ExperimentConfig['sweep']>,
  checkPath: (dir: string) => string,
  base: RunPlan,
  parallel: number,
): Promise<SweepCost> {
  const { estimateSweep } = await import('../../engine/runs/sweep-estimate');
  const { estimateRunCost, estimateFromCalibration } = await import('../../engine/train/estimate');
  const planKey = (c: ExperimentConfig) =>
    JSON.stringify([
      c.data,
      c.crossValidation,
      c.backend,
      c.model.kind === 'yamnet-lstm' ? c.model.yamnet.trainFrom : null,
    ]);
  const plans = new Map<string, Promise<RunPlan>>([[planKey(base.config), Promise.resolve(base)]]);
  return estimateSweep(configInput as Record<string, unknown>, sweep, async (cell) => {
    const key = planKey(cell);
    if (!plans.has(key)) plans.set(key, runPlan(cell, checkPath));
    const plan = await plans.get(key)!;
    const backend = plan.backend.name;
    const ctx = {
      index: plan.index,
      folds: plan.folds,
      backend,
      yamnet: await timingYamnet(backend),
      parallel,
    };
    const calibrations = calibrationsFor(costKey(cell, plan.index, backend));
    const known = calibrations.get(plan.firstTrainedBlock);
    const e = known ? estimateFromCalibration(cell, ctx, known) : estimateRunCost(cell, ctx);
    if (!known) calibrations.set(plan.firstTrainedBlock, calibrationOf(e));
    return e;
  });
}

// ---------------------------------------------------------------------------------------------
// Baselines: their cost is feature extraction once per file, then a classifier fit per fold and
// cell. The extraction is timed here on a few real files; the fits are counted, not timed.

/** Files timed for a baseline estimate: enough to average out the first file's warm-up. */
const BASELINE_TIMED_FILES = 2;

export async function estimateBaseline(
  configInput: unknown,
  checkPath: (dir: string) => string,
): Promise<BaselineEstimate> {
  return serialized(async () => {
    const plan = await runPlan(configInput, checkPath);
    const { config, index, folds } = plan;
    if (config.model.kind !== 'baseline') throw new UserError('model.kind: not a baseline config');
    const { baselineGrid } = await import('../../engine/config/schema');
    const { extractFeatureSets } = await import('../../engine/baselines/features');
    const grid = baselineGrid(config.model);
    const sample = index.utterances.slice(0, BASELINE_TIMED_FILES).map((u) => u.path);
    // The first file pays for loading YAMNet (DL part); time the rest when there are several.
    await extractFeatureSets(sample.slice(0, 1), grid.featureSets, { cache: false });
    const started = performance.now();
    const timed = sample.length > 1 ? sample.slice(1) : sample;
    await extractFeatureSets(timed, grid.featureSets, { cache: false });
    const perFileSec = (performance.now() - started) / 1000 / timed.length;
    const files = index.utterances.length;
    const cells = grid.featureSets.length * grid.classifiers.length;
    const featureSec = perFileSec * files;
    return {
      folds: folds.length,
      cells,
      fits: folds.length * cells,
      files,
      perFileSec,
      featureSec,
      timedFiles: timed.length,
      text:
        `features for ${files} files ≈ ${featureSec.toFixed(1)} s (measured on ${timed.length} file(s), ` +
        `less for files already cached), then ${folds.length} folds × ${cells} cell(s) = ` +
        `${folds.length * cells} classifier fits (not timed)`,
    };
  });
}
