import { computeMetrics } from '../eval/metrics';

/** Unweighted average recall (the paper's "average accuracy") of class indices; null if empty. */
export function averageRecall(yTrue: number[], yPred: number[], numClasses: number): number | null {
  const names = Array.from({ length: numClasses }, (_, i) => String(i));
  return computeMetrics(names, yTrue, yPred).averageAccuracy;
}

/** Index of the largest value; ties go to the lowest index. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
