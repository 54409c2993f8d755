/**
 * The baselines on the RAVDESS subset (4 speakers, 64 files), leave-one-speaker-out: feature
 * extraction time per feature part (uncached, decode and resampling included), training +
 * prediction time of each classifier per feature set summed over the 4 folds, and the pooled
 * average accuracy (UAR) each pair reaches. With two training speakers per fold the accuracies
 * are near chance (0.25) and only show that the pipeline runs; they are not the paper's figures.
 */
import path from 'node:path';
import { initBackend } from '../src/engine/backend/tf';
import { indexCorpus } from '../src/engine/corpora';
import { makeFolds } from '../src/engine/folds';
import { loadYamnet } from '../src/engine/yamnet/load';
import {
  baselineFeatures,
  baselineTable,
  extractFeatureSets,
  runBaselineFold,
  CLASSIFIER_KINDS,
  type BaselineFeatureSet,
  type FeaturePart,
} from '../src/engine/baselines';
import { sharedDir } from '../src/engine/util/paths';
import type { BenchRow } from './types';

const GROUP = 'baselines';
const SETS: BaselineFeatureSet[] = ['mfcc', 'gtcc', 'mfcc+dl', 'gtcc+dl'];
const PARTS: FeaturePart[] = ['mfcc', 'gtcc', 'dl'];

export async function bench(): Promise<BenchRow[]> {
  const backend = await initBackend();
  const index = await indexCorpus(path.join(sharedDir(), 'data', 'ravdess'));
  const files = index.utterances.map((u) => u.path);
  const audioSec = index.utterances.reduce((s, u) => s + u.durationSec, 0);
  const yamnet = await loadYamnet(path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-reconstructed'));
  const rows: BenchRow[] = [];
  try {
    const note = `${files.length} RAVDESS files (${audioSec.toFixed(0)} s), uncached, backend ${backend.name}`;
    for (const part of PARTS) {
      const t = performance.now();
      await extractFeatureSets(files, [part], { cache: false, yamnet });
      const ms = performance.now() - t;
      rows.push({ group: GROUP, name: `features ${part}`, value: ms / files.length, unit: 'ms/file', note });
      rows.push({
        group: GROUP,
        name: `features ${part}`,
        value: (audioSec * 1000) / ms,
        unit: '× real time',
        note,
      });
    }

    const features = await baselineFeatures(index, { featureSets: SETS, yamnet, cache: false });
    const folds = makeFolds(index.utterances, { scheme: 'loso', seed: 1 });
    const results = [];
    for (const fold of folds) {
      results.push(
        await runBaselineFold(index, fold, features, {
          featureSets: SETS,
          classifiers: [...CLASSIFIER_KINDS],
          seed: 1,
        }),
      );
    }
    for (const row of baselineTable(index.classes, results)) {
      const name = `${row.featureSet} ${row.classifier}`;
      const foldNote = `4-speaker LOSO, ${folds.length} folds`;
      rows.push({
        group: GROUP,
        name: `train+predict ${name}`,
        value: row.trainSeconds,
        unit: 's (all folds)',
        note: foldNote,
      });
      rows.push({
        group: GROUP,
        name: `average accuracy ${name}`,
        value: row.pooled.averageAccuracy ?? NaN,
        unit: 'UAR (pooled)',
        note: `${foldNote}; chance 0.25; mean over folds ${row.meanSd.averageAccuracy.mean?.toFixed(3)}`,
      });
    }
  } finally {
    yamnet.model.dispose();
  }
  return rows;
}
