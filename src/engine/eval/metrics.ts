/**
 * Classification metrics for one fold (or for predictions pooled over folds).
 *
 * Classes with no test utterance (possible in a speaker-independent fold: a speaker may not have
 * recorded every emotion) have no defined recall. Their class accuracy is `null`, and they are
 * left out of the fold's averages (UAR, macro-F1) rather than counted as 0 or 1. Weighted accuracy
 * is over all test utterances and is unaffected. JSON has no NaN, hence `null` rather than NaN.
 */

import type { ConfusionMatrix, Metrics } from '@shared/run-results';

// The types are the shared schemas' (what metrics.json and summary.json carry across processes).
export type { ConfusionMatrix, Metrics };

/** An empty (all zero) confusion matrix. */
export function emptyConfusion(classes: string[]): ConfusionMatrix {
  return { labels: [...classes], matrix: classes.map(() => classes.map(() => 0)) };
}

/** Counts predictions into a confusion matrix; rows actual, columns predicted. */
export function confusionMatrix(classes: string[], yTrue: number[], yPred: number[]): ConfusionMatrix {
  if (yTrue.length !== yPred.length) {
    throw new Error(`confusionMatrix: ${yTrue.length} labels but ${yPred.length} predictions`);
  }
  const cm = emptyConfusion(classes);
  const k = classes.length;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (!Number.isInteger(t) || t < 0 || t >= k || !Number.isInteger(p) || p < 0 || p >= k) {
      throw new Error(
        `confusionMatrix: class index out of range at ${i} (true ${t}, predicted ${p}, ${k} classes)`,
      );
    }
    cm.matrix[t][p]++;
  }
  return cm;
}

/** Element-wise sum of confusion matrices over the same labels (pooling folds). */
export function sumConfusions(matrices: ConfusionMatrix[]): ConfusionMatrix {
  if (matrices.length === 0) throw new Error('sumConfusions: no matrices');
  const labels = matrices[0].labels;
  const out = emptyConfusion(labels);
  for (const m of matrices) {
    if (m.labels.length !== labels.length || m.labels.some((l, i) => l !== labels[i])) {
      throw new Error(`sumConfusions: labels differ (${m.labels.join(',')} vs ${labels.join(',')})`);
    }
    for (let r = 0; r < labels.length; r++)
      for (let c = 0; c < labels.length; c++) out.matrix[r][c] += m.matrix[r][c];
  }
  return out;
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** All metrics derived from a confusion matrix (so pooled metrics can come from summed matrices). */
export function metricsFromConfusion(confusion: ConfusionMatrix): Metrics {
  const { labels, matrix } = confusion;
  const k = labels.length;
  const rowSums = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const colSums = labels.map((_, c) => matrix.reduce((a, row) => a + row[c], 0));
  const n = rowSums.reduce((a, b) => a + b, 0);
  let correct = 0;
  for (let i = 0; i < k; i++) correct += matrix[i][i];

  const classAccuracy: Record<string, number | null> = {};
  const classPrecision: Record<string, number | null> = {};
  const classF1: Record<string, number | null> = {};
  const recalls: number[] = [];
  const f1s: number[] = [];
  for (let i = 0; i < k; i++) {
    const tp = matrix[i][i];
    const recall = rowSums[i] > 0 ? tp / rowSums[i] : null;
    const precision = colSums[i] > 0 ? tp / colSums[i] : null;
    classAccuracy[labels[i]] = recall;
    classPrecision[labels[i]] = precision;
    if (recall === null) {
      classF1[labels[i]] = null;
      continue;
    }
    // Present but never predicted (precision undefined): tp = 0, so F1 is 0.
    const f1 = tp === 0 ? 0 : (2 * tp) / (rowSums[i] + colSums[i]);
    classF1[labels[i]] = f1;
    recalls.push(recall);
    f1s.push(f1);
  }
  return {
    n,
    classAccuracy,
    averageAccuracy: mean(recalls),
    weightedAccuracy: n > 0 ? correct / n : null,
    macroF1: mean(f1s),
    classPrecision,
    classF1,
    confusion: { labels: [...labels], matrix: matrix.map((r) => [...r]) },
  };
}

/**
 * Metrics of one set of predictions. `yTrue`/`yPred` are indices into `classes`.
 * @example computeMetrics(['angry','sad'], [0,0,1], [0,1,1]).averageAccuracy // 0.75
 */
export function computeMetrics(classes: string[], yTrue: number[], yPred: number[]): Metrics {
  return metricsFromConfusion(confusionMatrix(classes, yTrue, yPred));
}

/** Pooled metrics: every fold's test predictions taken together (sum of per-fold confusions). */
export function poolMetrics(perFold: Metrics[]): Metrics {
  return metricsFromConfusion(sumConfusions(perFold.map((m) => m.confusion)));
}
