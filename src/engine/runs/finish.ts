/**
 * The last stage of a run, and `run --gather`: once every fold is done, summary.json (and a
 * baseline grid's table.json) from the folds' metrics.json, written once under gather.lock; until
 * then, the folds done and pending.
 */
import os from 'node:os';
import path from 'node:path';
import { parseConfig, type ExperimentConfig } from '../config/schema';
import type { CorpusIndex } from '../corpora/types';
import { buildRunSummary, type Metrics } from '../eval';
import { crossCorpusMatrix } from '../eval/cross-corpus-matrix';
import type { FoldResult, RunSummary } from '../eval/types';
import type { FoldsDocument } from '../folds';
import { UserError } from '../util/errors';
import type { WeightsProvenance } from '../yamnet/provenance';
import { featureSetUsesYamnet, NO_WEIGHTS, writeBaselineSummaries } from './baseline';
import { liveFoldClaims } from './claims';
import { isFoldDone, type RunContext, type RunResult } from './context';
import { gatherOnce } from './gather';
import { computeRunStatistics, sexLookup } from './statistics';
import {
  foldDir,
  readJson,
  readRun,
  readStatus,
  writeJsonAtomic,
  writeStatus,
  type RunCellsTable,
} from './store';

/** What a summary is made from: the run folder and what the run was. */
export interface SummaryInputs {
  runDir: string;
  config: ExperimentConfig;
  index: CorpusIndex;
  foldsDoc: FoldsDocument;
  weights: WeightsProvenance;
  backend: { name: string; reason: string };
  mode: string;
}

/** A RunResult of a finished run from its summary. */
function resultOf(
  base: Omit<RunResult, 'averageAccuracy' | 'classAccuracy' | 'confusion' | 'summary'>,
  summary: RunSummary,
  cells?: RunCellsTable,
): RunResult {
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
 * After this process's folds. When every fold of the run is done, the summary (written once: the
 * first process to get here after the last fold writes it, under gather.lock) and status done;
 * otherwise the folds done and pending (other processes may still be training).
 */
export function finishRun(ctx: RunContext, weights: WeightsProvenance): RunResult {
  const { runDir, plan } = ctx;
  const folds = plan.foldsDoc.folds;
  const foldsDone = folds.map((f) => f.index).filter((i) => isFoldDone(runDir, i));
  const pending = folds.map((f) => f.index).filter((i) => !foldsDone.includes(i));
  const backend = { name: plan.backend.name, reason: plan.backend.reason };
  const base = { runDir, backend, mode: plan.mode, weights, folds: folds.length, foldsDone, pending };
  if (pending.length) {
    if (ctx.ownsRun)
      ctx.setStatus({ state: liveFoldClaims(runDir).size ? 'running' : 'incomplete', foldsDone });
    return {
      ...base,
      averageAccuracy: null,
      classAccuracy: {},
      confusion: { labels: plan.index.classes as string[], matrix: [] },
      summary: null,
    };
  }
  const inputs: SummaryInputs = { ...plan, runDir, weights, backend };
  const { summary, cells } = gatherOnce(runDir, false, () => writeSummary(inputs));
  ctx.setStatus({ state: 'done', foldsDone, etaSec: 0 }, true);
  ctx.emit({
    type: 'done',
    folds: folds.length,
    message: `average accuracy (pooled UAR) ${summary.pooled.averageAccuracy?.toFixed(3) ?? 'n/a'}`,
    runDir,
  });
  return resultOf(base, summary, cells);
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
    writeSummary({ runDir, config, index, foldsDoc, weights, backend, mode }),
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
  const base = {
    runDir,
    backend,
    mode,
    weights,
    folds: foldsDoc.folds.length,
    foldsDone: run.foldsDone,
    pending: [],
  };
  return resultOf(base, summary, cells);
}

/**
 * summary.json from the folds' metrics.json (H7's RunSummary). A baseline run also writes one
 * summary per cell and table.json; its top-level summary.json is the primary (first) cell's.
 */
function writeSummary(at: SummaryInputs): { summary: RunSummary; cells?: RunCellsTable } {
  const { runDir, config, weights } = at;
  if (config.model.kind === 'baseline') {
    const { primary, table } = writeBaselineSummaries(
      runDir,
      config.model,
      at.index.classes as string[],
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
  const summary = summarize(at, (i) => foldDir(runDir, i), 'yamnet-lstm', at.mode);
  writeJsonAtomic(path.join(runDir, 'summary.json'), summary);
  return { summary };
}

/** A RunSummary of one model from the metrics.json in `foldDirOf(fold)` of every fold. */
function summarize(
  at: SummaryInputs,
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
    initialWeights:
      config.model.kind === 'yamnet-lstm'
        ? config.model.yamnet.weights
        : weights.source === 'none'
          ? 'none'
          : 'pretrained',
    weights,
    backend: { name: backend.name, reason: backend.reason },
    corpus: {
      // A cross-corpus run is over all its corpora (and so matches no single-corpus paper row).
      name: foldsDoc.crossCorpus ? foldsDoc.crossCorpus.corpora.map((c) => c.name).join('+') : index.corpus,
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
  const crossCorpus = foldsDoc.crossCorpus
    ? crossCorpusMatrix(foldsDoc.crossCorpus, foldsDoc.folds, folds)
    : undefined;
  return { ...summary, ...(statistics ? { statistics } : {}), ...(crossCorpus ? { crossCorpus } : {}) };
}
