/**
 * Random forest (ml-random-forest, CART trees with Gini impurity).
 *
 * Settings: 200 trees, each grown to purity (ml-cart defaults) on a bootstrap sample of the
 * training vectors. ml-random-forest draws its random feature subset once per tree (random
 * subspace, Ho 1998) rather than at each split as in Breiman's forest; each tree sees
 * ⌈√d⌉·4 features (at most d), enough for every tree to see a few of the informative ones among
 * the 2126 of a cepstral+DL vector. Probabilities are the fraction of trees voting for each class,
 * and the prediction is the class with most votes (ties → lowest index), so both agree.
 * Random forests do not use the validation set (nothing is tuned).
 */
import { RandomForestClassifier } from 'ml-random-forest';
import { argmax } from './scoring';
import type { ClassifierResult } from './types';

export const RF_SETTINGS = {
  nEstimators: 200,
  featuresPerTree: (d: number) => Math.min(d, 4 * Math.ceil(Math.sqrt(d))),
};

export function trainPredictRandomForest(
  train: { x: number[][]; y: number[] },
  test: number[][],
  opts: { seed: number; numClasses: number },
): ClassifierResult {
  const d = train.x[0].length;
  const forest = new RandomForestClassifier({
    nEstimators: RF_SETTINGS.nEstimators,
    maxFeatures: RF_SETTINGS.featuresPerTree(d),
    replacement: false,
    useSampleBagging: true,
    noOOB: true,
    // ml-random-forest wants a 32-bit integer seed.
    seed: opts.seed | 0,
  });
  forest.train(train.x, train.y);
  if (test.length === 0) return { predictions: [], probabilities: [] };
  const votes = forest.predictionValues(test).to2DArray();
  const probabilities = votes.map((treeVotes) => {
    const p = new Array<number>(opts.numClasses).fill(0);
    for (const v of treeVotes) p[v] += 1 / treeVotes.length;
    return p;
  });
  return { predictions: probabilities.map(argmax), probabilities };
}
