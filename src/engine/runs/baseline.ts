/**
 * The paper's baselines (cepstral statistics + YAMNet embedding statistics, RF / SVM / MLP) as a
 * run: the same folds and run folder as YAMNet-LSTM, one (feature set, classifier) pair per run.
 * Baseline folds have no epochs, so resume is per fold.
 */
import fs from 'node:fs';
import path from 'node:path';
import { baselineFeatures, runBaselineFold } from '../baselines/runner';
import type { BaselineModel } from '../config/schema';
import type { CorpusIndex } from '../corpora/types';
import type { Fold } from '../folds';
import type { TrainEvent, TrainEventSink } from '../train/events';
import { CancelledError } from '../train/trainFold';
import type { YamnetSetup } from '../model/steps';
import { foldDir, writeJsonAtomic } from './store';

export interface BaselineRunArgs {
  runDir: string;
  model: BaselineModel;
  index: CorpusIndex;
  folds: Fold[];
  wanted: number[];
  seed: number;
  setup: YamnetSetup;
  sink?: TrainEventSink;
  signal?: AbortSignal;
  onFoldDone(fold: number): void;
}

export async function runBaselineFolds(a: BaselineRunArgs): Promise<void> {
  const base = { folds: a.folds.length, epoch: 0, epochs: 0, batch: 0, batches: 0 };
  const emit = (e: Partial<TrainEvent> & { type: TrainEvent['type'] }) =>
    a.sink?.({ fold: -1, ...base, ...e });
  const featureSets = [a.model.features];
  const features = await baselineFeatures(a.index, {
    featureSets,
    yamnet: { model: a.setup.model, provenance: a.setup.provenance },
    signal: a.signal,
    onEvent: (e) => {
      if (e.type === 'features' && (e.done === e.total || e.done % 25 === 0)) {
        emit({ type: 'log', message: `${a.model.features} features: ${e.done}/${e.total} files` });
      }
    },
  });
  for (const i of a.wanted) {
    if (a.signal?.aborted) throw new CancelledError();
    const fold = a.folds[i];
    emit({
      type: 'fold',
      fold: i,
      message: `test ${fold.test.join(',')}: ${a.model.features} + ${a.model.classifier}`,
    });
    const result = await runBaselineFold(a.index, fold, features, {
      featureSets,
      classifiers: [a.model.classifier],
      seed: a.seed,
      signal: a.signal,
    });
    const cell = result.cells[0];
    const classes = a.index.classes as string[];
    const byId = new Map(a.index.utterances.map((u) => [u.id, u]));
    const dir = foldDir(a.runDir, i);
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
        };
      }),
    );
    writeJsonAtomic(path.join(dir, 'metrics.json'), {
      ...cell.metrics,
      fold: i,
      testSpeakers: fold.test,
      ...(cell.chosen ? { chosen: cell.chosen } : {}),
      trainSeconds: cell.trainSeconds,
    });
    writeJsonAtomic(path.join(dir, 'done.json'), { fold: i, finished: new Date().toISOString() });
    a.onFoldDone(i);
    emit({
      type: 'fold',
      fold: i,
      message: `done: test UAR ${cell.metrics.averageAccuracy?.toFixed(3) ?? 'n/a'}`,
      metrics: { testAverageAccuracy: cell.metrics.averageAccuracy ?? undefined },
    });
  }
}
