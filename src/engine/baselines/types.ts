/** Shared types of the baseline classifiers (the paper's RF / SVM / MLP on cepstral + DL features). */

export type ClassifierKind = 'rf' | 'svm' | 'mlp';
export const CLASSIFIER_KINDS: readonly ClassifierKind[] = ['rf', 'svm', 'mlp'];

/**
 * Per-utterance feature sets: MFCC or GTCC statistics alone, YAMNet embedding statistics ('dl')
 * alone, or a cepstral set concatenated with the DL statistics (the paper's MFCC+DL, GTCC+DL).
 */
export type BaselineFeatureSet = 'mfcc' | 'gtcc' | 'dl' | 'mfcc+dl' | 'gtcc+dl';
export const BASELINE_FEATURE_SETS: readonly BaselineFeatureSet[] = [
  'mfcc',
  'gtcc',
  'dl',
  'mfcc+dl',
  'gtcc+dl',
];

/** Feature vectors (all the same length) with class indices 0..numClasses-1. */
export interface LabelledSet {
  x: Float32Array[];
  y: number[];
}

/** One fold's data: train fits scaler and model, validation tunes, test is only predicted. */
export interface SplitData {
  train: LabelledSet;
  validation: LabelledSet;
  /** Labels are not used by the classifiers (only predictions are returned). */
  test: { x: Float32Array[]; y?: number[] };
}

export interface ClassifierOptions {
  seed: number;
  numClasses: number;
}

export interface SvmChoice {
  C: number;
  gamma: number;
  /** Unweighted average recall on the validation set for this choice (null: no validation data). */
  validationUar: number | null;
}

export interface ClassifierResult {
  /**
   * Predicted class index per test vector. RF and MLP: the argmax of `probabilities`. SVM: the
   * one-vs-one vote over `decision` (libsvm's rule), which its Platt probabilities may not match.
   */
  predictions: number[];
  /** Per test vector, a probability for each class (sums to 1). */
  probabilities: number[][];
  /** SVM only: per test vector the decision value of every class pair, and the rule. */
  decision?: SvmDecisions;
  /** SVM only: the (C, gamma) picked on the validation set. */
  chosen?: SvmChoice;
  /** MLP only: epochs trained and the epoch whose weights were kept. */
  epochs?: { trained: number; best: number };
}

/** An SVM's stored decisions: class pairs over class indices, and the rule that gives the label. */
export interface SvmDecisions {
  rule: string;
  labelOrder: number[];
  pairs: { a: number; b: number; value: number }[][];
}
