/**
 * The run plan: what a run will do, decided before anything is built or trained, and decided
 * here only. The corpus index and the folds, the mode and the first trained YAMNet block, the
 * backend with the reason it was chosen, and how many processes train folds at once.
 *
 * The runner trains what the plan says; the server's fold preview, layer table and estimates show
 * what the plan says; the estimate sizes what the plan says (`costInputs`). So the form, the
 * estimate and the run cannot disagree about any of it.
 */
import path from 'node:path';
import { initBackend, type BackendName } from '../backend/tf';
import { canFineTune } from '../backend/describe';
import { modeOf, type ExperimentConfig } from '../config/schema';
import type { CorpusIndex } from '../corpora/types';
import { foldsDocument, type Fold, type FoldsDocument } from '../folds';
import type { EstimateContext } from '../train/estimate';
import { UserError } from '../util/errors';
import { registerWasmTrainingKernels } from '../yamnet/wasm-gradients';
import type { YamnetModel } from '../yamnet/model';
import { FROZEN_BLOCK, firstTrainedBlock, trainFromOfBlock, trainsYamnetBlocks } from '@shared/first-block';
import { prepareCorpus } from './prepare';
import { readJson } from './store';

export interface CorpusPlan {
  /** The corpus folder, resolved. */
  dataDir: string;
  index: CorpusIndex;
  /** Folds and how they were made (scheme, k, validation fraction, seed), as folds.json holds them. */
  foldsDoc: FoldsDocument;
  folds: Fold[];
}

export interface BackendPlan {
  name: BackendName;
  /** Why this backend: what `auto` found, that it was forced, or why the run fell back to cpu. */
  reason: string;
  /** The fallback's warning for the run's log (set when the configured backend was replaced). */
  warning?: string;
}

export interface RunPlan extends CorpusPlan {
  config: ExperimentConfig;
  /** The mode as one word (`frozen`, `trainFrom9`, `fine-tune`, `baseline:…`). */
  mode: string;
  /** Blocks firstTrainedBlock..14 train; FROZEN_BLOCK for frozen mode and for baselines. */
  firstTrainedBlock: number;
  backend: BackendPlan;
  /** Processes that train folds at once (1: this process trains them one after the other). */
  parallel: number;
}

export interface PlanOptions {
  /** Corpus progress lines ("indexing …"). */
  log?: (message: string) => void;
  onWarning?: (message: string) => void;
  /** Keep float WAVs holding NaN/Inf samples, zeroed and listed (as config data.repairNonFinite). */
  repairNonFinite?: boolean;
  /** A run folder whose recorded index.json and folds.json are the plan's (a resumed run). */
  recordedIn?: string;
  /** Processes asked for (`--parallel`); only honoured where folds can be spawned. */
  parallel?: number;
  /** Whether this process can spawn fold workers (false for a fold worker itself). */
  spawnsFolds?: boolean;
  /**
   * The block whose training picks the backend. `run` (default): the config's own. `layer-table`:
   * the GUI's table, whose rows all train YAMNet blocks, plans for fine-tuning; where a forced
   * backend cannot fine-tune, for the frozen head (the table still lists, and measuring a row
   * then says why it fails).
   */
  backendFor?: 'run' | 'layer-table';
}

/** The first trained block of a config: FROZEN_BLOCK for a baseline (no YAMNet block trains). */
export function configFirstBlock(config: ExperimentConfig): number {
  return config.model.kind === 'yamnet-lstm'
    ? firstTrainedBlock(config.model.yamnet.trainFrom)
    : FROZEN_BLOCK;
}

/** The config with another first trained block (a layer table row, a calibration). */
export function withFirstTrainedBlock(config: ExperimentConfig, k: number): ExperimentConfig {
  if (config.model.kind !== 'yamnet-lstm') return config;
  const trainFrom = trainFromOfBlock(k);
  return { ...config, model: { ...config.model, yamnet: { ...config.model.yamnet, trainFrom } } };
}

/**
 * The corpus index and folds of a config: made now (checked before a new run's folder exists),
 * or read back from a run folder, whose recorded corpus and folds are the run's contract.
 */
export async function planCorpus(
  config: ExperimentConfig,
  dataDir: string,
  opts: Pick<PlanOptions, 'log' | 'onWarning' | 'repairNonFinite' | 'recordedIn'> = {},
): Promise<CorpusPlan> {
  const dir = path.resolve(dataDir);
  if (opts.recordedIn) {
    const index = readJson<CorpusIndex>(path.join(opts.recordedIn, 'index.json'));
    const foldsDoc = readJson<FoldsDocument>(path.join(opts.recordedIn, 'folds.json'));
    return { dataDir: dir, index, foldsDoc, folds: foldsDoc.folds };
  }
  const prepared = await prepareCorpus(config, dir, opts.log, {
    repairNonFinite: opts.repairNonFinite,
    onWarning: opts.onWarning,
  });
  const foldsDoc = foldsDocument(
    prepared.folds,
    prepared.foldOptions,
    prepared.index.utterances,
    prepared.index,
  );
  if (prepared.crossCorpus) foldsDoc.crossCorpus = prepared.crossCorpus;
  return { dataDir: dir, index: prepared.index, foldsDoc, folds: foldsDoc.folds };
}

/**
 * The backend block K trains on, made active in this process: the config's backend, or, when
 * YAMNet blocks train and it lacks conv gradients, cpu under `auto` (a forced one is refused).
 */
export async function planBackend(choice: ExperimentConfig['backend'], k: number): Promise<BackendPlan> {
  const active = await initBackend(choice);
  if (!trainsYamnetBlocks(k)) return { name: active.name, reason: active.reason };
  // The WASM backend gets its missing conv gradient kernels from the yamnet module.
  registerWasmTrainingKernels();
  if (canFineTune(active.name)) return { name: active.name, reason: active.reason };
  if (choice !== 'auto') {
    throw new UserError(
      `the ${active.name} backend cannot train YAMNet's convolutions (it lacks Conv2DBackpropFilter); ` +
        `set model.yamnet.trainFrom to 'frozen' (cached embeddings, LSTM head only), or use backend 'cpu' ` +
        `(slow) or 'tensorflow' (see \`ser-workbench setup tensorflow\`)`,
    );
  }
  await initBackend('cpu');
  const reason = `${active.name} cannot train convolutions (no Conv2DBackpropFilter); cpu can`;
  return {
    name: 'cpu',
    reason,
    warning: `training YAMNet blocks ${k}..${FROZEN_BLOCK - 1} on the cpu backend: ${reason}; this is slow (see the estimate below)`,
  };
}

async function backendOf(config: ExperimentConfig, k: number, purpose: PlanOptions['backendFor']) {
  if (purpose !== 'layer-table') return planBackend(config.backend, k);
  return planBackend(config.backend, 1).catch((err: unknown) => {
    if (err instanceof UserError) return planBackend(config.backend, FROZEN_BLOCK);
    throw err;
  });
}

/** Plans a run of `config` over the corpus in `dataDir` (see the module comment). */
export async function planRun(
  config: ExperimentConfig,
  dataDir: string,
  opts: PlanOptions = {},
): Promise<RunPlan> {
  const corpus = await planCorpus(config, dataDir, opts);
  const k = configFirstBlock(config);
  const backend = await backendOf(config, k, opts.backendFor);
  return {
    ...corpus,
    config,
    mode: modeOf(config),
    firstTrainedBlock: k,
    backend,
    parallel: opts.spawnsFolds ? Math.max(1, opts.parallel ?? 1) : 1,
  };
}

/** What the cost estimate sizes: the plan's corpus, backend and parallelism over `folds`. */
export function costInputs(plan: RunPlan, folds: Fold[] = plan.folds, yamnet?: YamnetModel): EstimateContext {
  return {
    index: plan.index,
    folds,
    backend: plan.backend.name,
    parallel: plan.parallel,
    ...(yamnet ? { yamnet } : {}),
  };
}
