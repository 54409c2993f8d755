/**
 * The paper's baselines (cepstral statistics + YAMNet embedding statistics, RF / SVM / MLP) as a
 * run: the same folds and run folder as YAMNet-LSTM. One run is a grid of cells (every feature set
 * × every classifier); features are extracted once for all cells and every cell sees the same
 * folds, so the cells land in one table. Baseline folds have no epochs, so resume is per fold.
 * The folder layout is documented in store.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { baselineFeatures, runBaselineFold, type BaselineCell } from '../baselines/runner';
import { BaselineFeatureCache } from '../baselines/feature-cache';
import { baselineGrid, type BaselineModel } from '../config/schema';
import type { CorpusIndex } from '../corpora/types';
import type { FoldMetrics, RunSummary } from '../eval/types';
import type { Fold } from '../folds';
import type { TrainEvent, TrainEventSink } from '../train/events';
import { CancelledError } from '../util/errors';
import type { YamnetSetup } from '../model/steps';
import type { WeightsProvenance } from '../yamnet/provenance';
import { cellDir, cellId, foldDir, writeJsonAtomic, type RunCellsTable } from './store';

export interface BaselineRunArgs {
  runDir: string;
  model: BaselineModel;
  index: CorpusIndex;
  folds: Fold[];
  wanted: number[];
  seed: number;
  /** YAMNet for the +dl feature sets; null when no feature set uses it. */
  setup: YamnetSetup | null;
  sink?: TrainEventSink;
  signal?: AbortSignal;
  onFoldDone(fold: number): void;
  /** Claims a fold for this process (a release function), or null when another process has it. */
  claimFold?(fold: number): (() => void) | null;
}

/** Whether a feature set contains YAMNet embedding statistics ('dl', 'mfcc+dl', ...). */
export function featureSetUsesYamnet(featureSet: string): boolean {
  return featureSet.split('+').includes('dl');
}

/** Whether any cell of a baseline grid needs YAMNet (and so its weights). */
export function baselineUsesYamnet(model: BaselineModel): boolean {
  return baselineGrid(model).featureSets.some(featureSetUsesYamnet);
}

/** The provenance of a result that used no YAMNet weights at all. */
export const NO_WEIGHTS: WeightsProvenance = { source: 'none', files: [] };

/** A cell of the grid: its id (folder name) and what it runs. */
export interface GridCell {
  id: string;
  featureSet: string;
  classifier: string;
  /** Model name as a summary states it ('mfcc+dl+svm'; paperRowFor reads it). */
  model: string;
  /** Mode word of the cell alone ('baseline:mfcc+dl/svm'). */
  mode: string;
}

/** Every cell in table order (feature sets outer, classifiers inner); the first is the primary. */
export function gridCells(model: BaselineModel): GridCell[] {
  const g = baselineGrid(model);
  return g.featureSets.flatMap((featureSet) =>
    g.classifiers.map((classifier) => ({
      id: cellId(featureSet, classifier),
      featureSet,
      classifier,
      model: `${featureSet}+${classifier}`,
      mode: `baseline:${featureSet}/${classifier}`,
    })),
  );
}

/** One cell's test predictions and metrics of one fold, into `dir`. */
function writeCellFold(
  dir: string,
  index: CorpusIndex,
  fold: Fold,
  cell: BaselineCell,
  byId: Map<string, CorpusIndex['utterances'][number]>,
): void {
  const classes = index.classes as string[];
  fs.mkdirSync(dir, { recursive: true });
  writeJsonAtomic(
    path.join(dir, 'predictions.json'),
    cell.ids.map((id, j) => {
      const u = byId.get(id)!;
      return {
        id,
        path: u.path,
        speaker: u.speaker,
        true: u.label,
        predicted: classes[cell.predictions[j]],
        probabilities: Object.fromEntries(classes.map((c, ci) => [c, cell.probabilities[j][ci]])),
        // SVM: the label is the vote over these pair decisions, not the probabilities' argmax.
        ...(cell.decision
          ? {
              decision: {
                rule: cell.decision.rule,
                labelOrder: cell.decision.labelOrder.map((l) => classes[l]),
                pairs: cell.decision.pairs[j].map((p) => ({
                  a: classes[p.a],
                  b: classes[p.b],
                  value: p.value,
                })),
              },
            }
          : {}),
      };
    }),
  );
  writeJsonAtomic(path.join(dir, 'metrics.json'), {
    ...cell.metrics,
    fold: fold.index,
    testSpeakers: fold.test,
    ...(cell.chosen ? { chosen: cell.chosen } : {}),
    ...(cell.epochs ? { epochs: cell.epochs } : {}),
    trainSeconds: cell.trainSeconds,
  } satisfies FoldMetrics);
}

export async function runBaselineFolds(a: BaselineRunArgs): Promise<void> {
  const base = { folds: a.folds.length, epoch: 0, epochs: 0, batch: 0, batches: 0 };
  const emit = (e: Partial<TrainEvent> & { type: TrainEvent['type'] }) =>
    a.sink?.({ fold: -1, ...base, ...e });
  const { featureSets, classifiers } = baselineGrid(a.model);
  const cells = gridCells(a.model);
  const primary = cells[0];
  const grid = `${featureSets.join(', ')} × ${classifiers.join(', ')}`;
  // Each feature part (MFCC, GTCC, DL) is computed once however many sets share it.
  const features = await baselineFeatures(a.index, {
    featureSets,
    yamnet: a.setup ? { model: a.setup.model, provenance: a.setup.provenance } : undefined,
    cache: new BaselineFeatureCache(undefined, (entry) =>
      emit({ type: 'log', level: 'warn', message: `corrupt cache entry ${entry}; recomputed` }),
    ),
    signal: a.signal,
    onEvent: (e) => {
      if (e.type === 'features' && (e.done === e.total || e.done % 25 === 0)) {
        emit({ type: 'log', message: `${featureSets.join(', ')} features: ${e.done}/${e.total} files` });
      }
    },
  });
  const byId = new Map(a.index.utterances.map((u) => [u.id, u]));
  for (const i of a.wanted) {
    if (a.signal?.aborted) throw new CancelledError();
    const release = a.claimFold ? a.claimFold(i) : () => undefined;
    if (!release) continue;
    try {
      await baselineFold(i);
    } finally {
      release();
    }
  }

  async function baselineFold(i: number): Promise<void> {
    const fold = a.folds[i];
    emit({ type: 'fold', fold: i, message: `test ${fold.test.join(',')}: ${grid}` });
    const result = await runBaselineFold(a.index, fold, features, {
      featureSets,
      classifiers,
      seed: a.seed,
      signal: a.signal,
    });
    for (const cell of result.cells) {
      const id = cellId(cell.featureSet, cell.classifier);
      writeCellFold(foldDir(cellDir(a.runDir, id), i), a.index, fold, cell, byId);
      if (id === primary.id) writeCellFold(foldDir(a.runDir, i), a.index, fold, cell, byId);
    }
    // Written last: the fold counts as done only when every cell of it is on disk.
    writeJsonAtomic(path.join(foldDir(a.runDir, i), 'done.json'), {
      fold: i,
      finished: new Date().toISOString(),
      cells: result.cells.map((c) => cellId(c.featureSet, c.classifier)),
    });
    a.onFoldDone(i);
    const scores = result.cells
      .map((c) => `${c.featureSet}+${c.classifier} ${c.metrics.averageAccuracy?.toFixed(3) ?? 'n/a'}`)
      .join(', ');
    const first = result.cells[0];
    emit({
      type: 'fold',
      fold: i,
      message:
        cells.length === 1
          ? `done: test UAR ${first.metrics.averageAccuracy?.toFixed(3) ?? 'n/a'}`
          : `done: test UAR ${scores}`,
      metrics: { testAverageAccuracy: first.metrics.averageAccuracy ?? undefined },
    });
  }
}

/**
 * After the folds: a RunSummary per cell (from its folds' metrics.json, by `summarize`), table.json
 * over all cells, and the primary cell's summary returned for the top-level summary.json.
 */
export function writeBaselineSummaries(
  runDir: string,
  model: BaselineModel,
  classes: string[],
  summarize: (cell: GridCell, foldDirOf: (fold: number) => string) => RunSummary,
): { primary: RunSummary; table: RunCellsTable } {
  const g = baselineGrid(model);
  const cells = gridCells(model);
  const summaries = cells.map((cell) => {
    const dir = cellDir(runDir, cell.id);
    const summary = summarize(cell, (fold) => foldDir(dir, fold));
    writeJsonAtomic(path.join(dir, 'summary.json'), summary);
    return summary;
  });
  const table: RunCellsTable = {
    version: 1,
    primary: cells[0].id,
    featureSets: g.featureSets,
    classifiers: g.classifiers,
    classes,
    cells: cells.map((cell, i) => ({
      id: cell.id,
      featureSet: cell.featureSet,
      classifier: cell.classifier,
      model: cell.model,
      dir: path.relative(runDir, cellDir(runDir, cell.id)),
      pooled: summaries[i].pooled,
      meanSd: summaries[i].meanSd,
    })),
  };
  writeJsonAtomic(path.join(runDir, 'table.json'), table);
  return { primary: summaries[0], table };
}
