import fs from 'node:fs/promises';
import path from 'node:path';
import { computeMetrics } from '../eval/metrics';
import { runStatistics, speakerResults, type SpeakerPrediction } from '../eval/speakers';
import { buildRunSummary } from '../eval/summary';
import type { FoldResult, RunMetadata, RunSummary } from '../eval/types';
import { PAPER_DEFAULTS } from '@shared/paper-defaults';
import { mulberry32 } from '../util/random';

/**
 * A RunSummary computed from simulated predictions of a RAVDESS-shaped LOSO run (24 speakers,
 * 8/8/8/4 utterances of angry/happy/sad/neutral each): for tests, docs and UI development when
 * no trained run is at hand. Every number is computed by the real metric code.
 */
export function sampleRunSummary(
  opts: { seed?: number; speakers?: number; dropNeutralInFold?: number; statistics?: boolean } = {},
): RunSummary {
  const rand = mulberry32(opts.seed ?? 1);
  const classes: string[] = [...PAPER_DEFAULTS.classes];
  const perClass = [8, 8, 8, 4];
  const recall = [0.85, 0.73, 0.73, 0.53];
  const speakers = opts.speakers ?? 24;
  const folds: FoldResult[] = [];
  const predictions: { fold: number; predictions: SpeakerPrediction[] }[] = [];
  for (let s = 0; s < speakers; s++) {
    const yTrue: number[] = [];
    const yPred: number[] = [];
    perClass.forEach((count, c) => {
      if (c === 3 && s === opts.dropNeutralInFold) return;
      for (let i = 0; i < count; i++) {
        yTrue.push(c);
        yPred.push(rand() < recall[c] ? c : (c + 1 + Math.floor(rand() * 3)) % 4);
      }
    });
    const speaker = String(s + 1).padStart(2, '0');
    folds.push({ index: s, testSpeakers: [speaker], metrics: computeMetrics(classes, yTrue, yPred) });
    predictions.push({
      fold: s,
      predictions: yTrue.map((t, i) => ({ speaker, true: classes[t], predicted: classes[yPred[i]] })),
    });
  }
  const utterances = folds.reduce((a, f) => a + f.metrics.n, 0);
  const meta: RunMetadata = {
    model: 'yamnet-lstm',
    mode: 'frozen',
    initialWeights: 'pretrained',
    weights: {
      source: 'official-tfhub',
      files: [
        { name: 'model.json', sha256: 'a'.repeat(64) },
        { name: 'group1-shard1of1.bin', sha256: 'b'.repeat(64) },
      ],
    },
    backend: { name: 'wasm', reason: 'tfjs-node not installed' },
    corpus: {
      name: 'ravdess',
      hash: 'c'.repeat(64),
      utterances,
      speakers,
      classCounts: Object.fromEntries(
        classes.map((c, i) => [
          c,
          folds.reduce((a, f) => a + f.metrics.confusion.matrix[i].reduce((x, y) => x + y, 0), 0),
        ]),
      ),
    },
    scheme: { kind: 'loso', folds: speakers, valFraction: PAPER_DEFAULTS.crossValidation.valFraction },
    seed: opts.seed ?? 1,
    training: { ...PAPER_DEFAULTS.training },
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  const summary = buildRunSummary(folds, meta);
  if (opts.statistics === false) return summary;
  // RAVDESS numbering: odd actors male, even female.
  const sexOf = (sp: string) => (Number(sp) % 2 === 1 ? 'male' : 'female');
  const perSpeaker = speakerResults(classes, predictions, sexOf);
  const statistics = runStatistics(
    perSpeaker,
    folds.map((f) => f.metrics.averageAccuracy),
    { seed: meta.seed, resamples: 500 },
  );
  return { ...summary, statistics };
}

/** Writes a minimal finished run folder (summary.json, config.json, environment.json, status.json). */
export async function writeSampleRun(
  runDir: string,
  summary: RunSummary = sampleRunSummary(),
): Promise<void> {
  await fs.mkdir(runDir, { recursive: true });
  const write = (name: string, doc: unknown) =>
    fs.writeFile(path.join(runDir, name), JSON.stringify(doc, null, 2));
  await write('summary.json', summary);
  await write('config.json', {
    classes: summary.classes,
    seed: summary.seed,
    corpus: { name: summary.corpus.name },
  });
  await write('environment.json', {
    backend: {
      ...summary.backend,
      versions: { '@tensorflow/tfjs-core': '4.22.0' },
      device: { kind: 'cpu', name: 'test CPU', cores: 2 },
    },
    weights: summary.weights,
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
  });
  await write('status.json', { state: 'done' });
}
