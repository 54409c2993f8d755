/**
 * One entry point for the three baseline classifiers. Every classifier sees z-scored features
 * whose mean and standard deviation come from the training vectors only (./standardize.ts).
 */
import { applyStandardizer, fitStandardizer } from './standardize';
import { trainPredictRandomForest } from './random-forest';
import { trainPredictSvm } from './svm';
import { trainPredictMlp } from './mlp';
import type { ClassifierKind, ClassifierOptions, ClassifierResult, SplitData } from './types';

function checkLabels(y: number[], numClasses: number, set: string): void {
  for (const c of y) {
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new Error(`trainAndPredict: ${set} label ${c} is not a class index below ${numClasses}`);
    }
  }
}

export async function trainAndPredict(
  kind: ClassifierKind,
  data: SplitData,
  opts: ClassifierOptions,
): Promise<ClassifierResult> {
  if (data.train.x.length === 0) throw new Error('trainAndPredict: no training vectors');
  if (data.train.x.length !== data.train.y.length || data.validation.x.length !== data.validation.y.length) {
    throw new Error('trainAndPredict: vectors and labels differ in number');
  }
  checkLabels(data.train.y, opts.numClasses, 'training');
  checkLabels(data.validation.y, opts.numClasses, 'validation');
  const scaler = fitStandardizer(data.train.x);
  const train = { x: applyStandardizer(scaler, data.train.x), y: data.train.y };
  const validation = { x: applyStandardizer(scaler, data.validation.x), y: data.validation.y };
  const test = applyStandardizer(scaler, data.test.x);
  switch (kind) {
    case 'rf':
      return trainPredictRandomForest(train, test, opts);
    case 'svm':
      return trainPredictSvm(train, validation, test, opts);
    case 'mlp':
      return trainPredictMlp(train, validation, test, opts);
    default:
      throw new Error(`trainAndPredict: unknown classifier '${kind as string}'`);
  }
}
