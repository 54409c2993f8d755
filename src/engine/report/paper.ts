/**
 * The paper's published results, typed. Source: Sharan, Mascolo, Schuller, "Emotion Recognition
 * from Speech Signals by Mel-Spectrogram and a CNN-RNN", Table II and the DEMoS confusion matrix,
 * as restated in shared/docs/method.md ("Results to reproduce").
 */
import { PAPER_DEFAULTS } from '@shared/paper-defaults';

export const PAPER_SOURCE =
  'Sharan, Mascolo, Schuller: "Emotion Recognition from Speech Signals by Mel-Spectrogram and a CNN-RNN", Table II (restated in shared/docs/method.md)';

export type PaperCorpus = 'ravdess' | 'demos';
export type PaperClass = 'angry' | 'happy' | 'sad' | 'neutral';

/** The paper's class order in Table II. */
export const PAPER_CLASSES: PaperClass[] = [...PAPER_DEFAULTS.classes];

export interface PaperRow {
  /** Input features as the paper names them. */
  input: 'MFCC+DL' | 'GTCC+DL' | 'log-mel';
  classifier: 'RF' | 'SVM' | 'MLP' | 'YAMNet-LSTM';
  corpus: PaperCorpus;
  classAccuracy: Record<PaperClass, number>;
  /** Average accuracy: unweighted mean of the class accuracies (UAR). */
  average: number;
}

const row = (
  input: PaperRow['input'],
  classifier: PaperRow['classifier'],
  corpus: PaperCorpus,
  [angry, happy, sad, neutral, average]: [number, number, number, number, number],
): PaperRow => ({ input, classifier, corpus, classAccuracy: { angry, happy, sad, neutral }, average });

export const PAPER_TABLE_II: readonly PaperRow[] = [
  row('MFCC+DL', 'RF', 'ravdess', [0.766, 0.609, 0.557, 0.156, 0.522]),
  row('MFCC+DL', 'SVM', 'ravdess', [0.729, 0.573, 0.547, 0.292, 0.535]),
  row('MFCC+DL', 'MLP', 'ravdess', [0.714, 0.521, 0.51, 0.406, 0.538]),
  row('GTCC+DL', 'RF', 'ravdess', [0.693, 0.557, 0.526, 0.198, 0.493]),
  row('GTCC+DL', 'SVM', 'ravdess', [0.76, 0.594, 0.599, 0.302, 0.564]),
  row('GTCC+DL', 'MLP', 'ravdess', [0.693, 0.536, 0.563, 0.396, 0.547]),
  row('log-mel', 'YAMNet-LSTM', 'ravdess', [0.854, 0.729, 0.729, 0.531, 0.711]),
  row('MFCC+DL', 'RF', 'demos', [0.703, 0.138, 0.841, 0.708, 0.598]),
  row('MFCC+DL', 'SVM', 'demos', [0.78, 0.305, 0.813, 0.699, 0.649]),
  row('MFCC+DL', 'MLP', 'demos', [0.711, 0.329, 0.746, 0.708, 0.624]),
  row('GTCC+DL', 'RF', 'demos', [0.687, 0.132, 0.839, 0.717, 0.594]),
  row('GTCC+DL', 'SVM', 'demos', [0.756, 0.341, 0.82, 0.729, 0.662]),
  row('GTCC+DL', 'MLP', 'demos', [0.711, 0.365, 0.801, 0.774, 0.663]),
  row('log-mel', 'YAMNet-LSTM', 'demos', [0.841, 0.647, 0.754, 0.88, 0.78]),
];

/** Pooled confusion matrix of YAMNet-LSTM on DEMoS (rows actual, columns predicted). */
export const PAPER_DEMOS_CONFUSION = {
  labels: PAPER_CLASSES as string[],
  matrix: [
    [207, 21, 6, 12],
    [21, 108, 17, 21],
    [21, 37, 318, 46],
    [14, 10, 16, 292],
  ],
};

/** The paper's protocol per corpus: what a run must match to be a like-for-like reproduction. */
export interface PaperProtocol {
  corpus: PaperCorpus;
  classes: PaperClass[];
  speakers: number;
  classCounts: Record<PaperClass, number>;
  scheme: { kind: 'loso' | 'kfold'; folds: number; valFraction: number };
  /** YAMNet-LSTM: whole network trained from AudioSet-pretrained YAMNet. */
  mode: 'fine-tune';
  trainFrom: 'pretrained';
  weights: 'YAMNet pretrained on AudioSet';
  training: { epochs: number; batchSize: number; learningRate: number; optimizer: 'adam' };
}

/** YAMNet-LSTM's training, the same on both corpora. */
const fineTune: Pick<PaperProtocol, 'mode' | 'trainFrom' | 'weights' | 'training'> = {
  mode: 'fine-tune',
  trainFrom: 'pretrained',
  weights: 'YAMNet pretrained on AudioSet',
  training: { ...PAPER_DEFAULTS.training },
};

export const PAPER_PROTOCOL: Record<PaperCorpus, PaperProtocol> = {
  ravdess: {
    corpus: 'ravdess',
    classes: PAPER_CLASSES,
    speakers: 24,
    classCounts: { angry: 192, happy: 192, sad: 192, neutral: 96 },
    scheme: { kind: 'loso', folds: 24, valFraction: PAPER_DEFAULTS.crossValidation.valFraction },
    ...fineTune,
  },
  demos: {
    corpus: 'demos',
    classes: PAPER_CLASSES,
    speakers: 65,
    classCounts: { angry: 246, happy: 167, sad: 422, neutral: 332 },
    scheme: { kind: 'kfold', folds: 10, valFraction: PAPER_DEFAULTS.crossValidation.valFraction },
    ...fineTune,
  },
};

/**
 * The model a summary describes: its `model` field, else a baseline named by its mode
 * ('baseline:mfcc+dl/svm' → 'mfcc+dl/svm'), else YAMNet-LSTM (the runner's only other model).
 */
export function modelName(summary: { model?: string; mode: string }): string {
  if (summary.model) return summary.model;
  return summary.mode.startsWith('baseline:') ? summary.mode.slice('baseline:'.length) : 'yamnet-lstm';
}

/** The paper's accuracy for class `c`; null for a class the paper did not report. */
export function paperClassAccuracy(paper: PaperRow, c: string): number | null {
  return c in paper.classAccuracy ? paper.classAccuracy[c as PaperClass] : null;
}

/**
 * The paper row a run corresponds to, from the run's model name and corpus; null when the paper
 * has no such row (other corpus or model). Model names: 'yamnet-lstm', or baselines written
 * '<mfcc|gtcc>[+dl]+<rf|svm|mlp>' (any separator among + - _ /).
 */
export function paperRowFor(model: string | undefined, corpus: string): PaperRow | null {
  const c = corpus.toLowerCase();
  if (c !== 'ravdess' && c !== 'demos') return null;
  const m = (model ?? 'yamnet-lstm').toLowerCase();
  if (/yamnet/.test(m))
    return PAPER_TABLE_II.find((r) => r.corpus === c && r.classifier === 'YAMNet-LSTM') ?? null;
  const feat = /gtcc/.test(m) ? 'GTCC+DL' : /mfcc/.test(m) ? 'MFCC+DL' : null;
  const clf = /(^|[^a-z])rf($|[^a-z])|forest/.test(m)
    ? 'RF'
    : /svm/.test(m)
      ? 'SVM'
      : /mlp/.test(m)
        ? 'MLP'
        : null;
  if (!feat || !clf) return null;
  return PAPER_TABLE_II.find((r) => r.corpus === c && r.input === feat && r.classifier === clf) ?? null;
}
