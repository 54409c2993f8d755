/**
 * The baselines, leave-one-speaker-out: feature extraction time per feature part on the RAVDESS
 * subset (64 files, uncached, decode and resampling included), then for the RAVDESS subset
 * (4 speakers) and EMO-DB (10 speakers) the training + prediction time of each classifier per
 * feature set summed over the folds and the pooled average accuracy (UAR) each pair reaches.
 * RAVDESS folds train on two speakers, so its accuracies are near chance (0.25) and only show
 * that the pipeline runs; neither corpus gives the paper's figures (24 RAVDESS speakers, DEMoS).
 */
import path from 'node:path';
import { initBackend } from '../src/engine/backend/tf';
import { indexCorpus, type CorpusIndex } from '../src/engine/corpora';
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
  type YamnetForFeatures,
} from '../src/engine/baselines';
import { sharedDir } from '../src/engine/util/paths';
import type { BenchRow } from './types';

const GROUP = 'baselines';
const SETS: BaselineFeatureSet[] = ['mfcc', 'gtcc', 'mfcc+dl', 'gtcc+dl'];
const PARTS: FeaturePart[] = ['mfcc', 'gtcc', 'dl'];

/** Train + predict time and pooled UAR of every (feature set, classifier) pair over LOSO folds. */
async function accuracyRows(
  index: CorpusIndex,
  yamnet: YamnetForFeatures,
  label: string,
): Promise<BenchRow[]> {
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
  const note = `${label}, ${folds.length} folds, ${index.utterances.length} utterances`;
  return baselineTable(index.classes, results).flatMap((row) => {
    const name = `${label.split(' ')[1]} ${row.featureSet} ${row.classifier}`;
    return [
      { group: GROUP, name: `train+predict ${name}`, value: row.trainSeconds, unit: 's (all folds)', note },
      {
        group: GROUP,
        name: `average accuracy ${name}`,
        value: row.pooled.averageAccuracy ?? NaN,
        unit: 'UAR (pooled)',
        note: `${note}; chance 0.25; mean over folds ${row.meanSd.averageAccuracy.mean?.toFixed(3)}`,
      },
    ];
  });
}

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

    rows.push(...(await accuracyRows(index, yamnet, '4-speaker RAVDESS LOSO')));
    const emodb = await indexCorpus(path.join(sharedDir(), 'data', 'emodb'));
    rows.push(...(await accuracyRows(emodb, yamnet, '10-speaker EMO-DB LOSO')));
  } finally {
    yamnet.model.dispose();
  }
  return rows;
}
